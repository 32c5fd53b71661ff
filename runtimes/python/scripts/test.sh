#!/usr/bin/env bash
# The `python` suite of `npm test`: the runtime's and the Python examples' pytest suites, and ruff
# (lint and format) over all of it, in the virtualenv venv.sh makes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
python="$(bash "$root/runtimes/python/scripts/venv.sh" | tail -n 1)"
bin="$(dirname "$python")"
cd "$root"
targets=(runtimes/python test/runtime-conformance/handlers/python bench/fixtures test/schemathesis)
for example in examples/python/*/; do [[ -d "$example" ]] && targets+=("${example%/}"); done
"$bin/ruff" check --no-cache --config runtimes/python/pyproject.toml "${targets[@]}"
"$bin/ruff" format --no-cache --config runtimes/python/pyproject.toml --check "${targets[@]}"
"$python" -m pytest -p no:cacheprovider "$@" runtimes/python/tests $(ls -d examples/python/tests examples/python/*/tests 2>/dev/null)
