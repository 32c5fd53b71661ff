"""The Python examples as `npm start` runs them: registered by the real control plane on its local
backend (behind the watchdog), invoked synchronously and through the durable queue."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]
MAIN = REPOSITORY / "packages" / "control-plane" / "dist" / "main.js"
NANOFAAS_PYTHON = Path(sys.executable).parent / "nanofaas-python"


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def control_plane():
    node = shutil.which("node")
    assert node and MAIN.exists(), f"{MAIN} is not built (run npm run build)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data_dir = tempfile.mkdtemp(prefix="nanofaas-python-examples-")
    log = open(Path(data_dir) / "control-plane.log", "w+b")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [node, str(MAIN)],
        cwd=REPOSITORY,
        env={
            **os.environ,
            "PORT": str(port),
            "NANOFAAS_DATA_DIR": data_dir,
            "NANOFAAS_AUTH": "off",
            "NANOFAAS_EXAMPLES_PYTHON": str(NANOFAAS_PYTHON),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    deadline = time.monotonic() + 60
    while "example functions:" not in output():
        assert process.poll() is None and time.monotonic() < deadline, output()
        time.sleep(0.1)
    yield base, output
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(timeout=30) == 0, output()
    log.close()
    shutil.rmtree(data_dir, ignore_errors=True)


def test_both_python_examples_are_registered_beside_the_others(control_plane):
    base, output = control_plane
    names = {item["name"] for item in get(f"{base}/v1/functions")["items"]}
    assert {"python-word-stats", "python-json-transform", "word-stats", "json-transform"} <= names, output()


def test_invoke_python_word_stats(control_plane):
    base, output = control_plane
    status, body = post(
        f"{base}/v1/functions/python-word-stats:invoke",
        {"input": {"text": "the quick brown fox jumps over the lazy dog the end", "topN": 3}},
    )
    assert status == 200, (body, output())
    assert body["output"] == {
        "words": 11,
        "uniqueWords": 9,
        "top": [{"word": "the", "count": 3}, {"word": "brown", "count": 1}, {"word": "dog", "count": 1}],
    }
    status, body = post(f"{base}/v1/functions/python-word-stats:invoke", {"input": {"text": 42}})
    assert status == 500
    assert body["error"]["code"] == "INVALID_INPUT"
    assert body["error"]["origin"] == "function"


def test_enqueue_python_json_transform_and_read_the_result(control_plane):
    base, output = control_plane
    status, body = post(
        f"{base}/v1/functions/python-json-transform:enqueue",
        {
            "input": {
                "document": {"user": {"name": "ada"}, "id": 7},
                "operations": [
                    {"op": "rename", "from": "user.name", "to": "name"},
                    {"op": "uppercase", "fields": ["name"]},
                    {"op": "pick", "fields": ["id", "name"]},
                ],
            }
        },
    )
    assert status == 202, (body, output())
    execution_id = body["executionId"]
    deadline = time.monotonic() + 60
    while True:
        execution = get(f"{base}/v1/executions/{execution_id}")
        if execution["status"] in ("success", "error", "timeout"):
            break
        assert time.monotonic() < deadline, (execution, output())
        time.sleep(0.1)
    assert execution["status"] == "success", (execution, output())
    assert execution["output"] == {"id": 7, "name": "ADA"}
