"""The runtime's error table is the contracts' catalogue (packages/contracts), not a copy by hand."""

import json
import shutil
import subprocess

import pytest
from nanofaas_runtime.errors import CATALOGUE
from support import REPOSITORY

CONTRACTS = REPOSITORY / "packages" / "contracts" / "dist" / "index.js"


@pytest.fixture(scope="module")
def contracts_catalogue():
    node = shutil.which("node")
    assert node, "node is needed to read packages/contracts"
    assert CONTRACTS.exists(), f"{CONTRACTS} is not built (run npm run build)"
    script = "import(process.argv[1]).then((c) => process.stdout.write(JSON.stringify(c.ErrorCatalogue)))"
    printed = subprocess.run([node, "-e", script, CONTRACTS.as_uri()], capture_output=True, check=True)
    return json.loads(printed.stdout)


def test_every_code_the_runtime_answers_with_is_in_the_catalogue_with_the_same_status_origin_retryable(
    contracts_catalogue,
):
    for code, definition in CATALOGUE.items():
        assert code in contracts_catalogue, code
        expected = contracts_catalogue[code]
        assert (definition.status, definition.origin, definition.retryable) == (
            expected["status"],
            expected["origin"],
            expected["retryable"],
        ), code
