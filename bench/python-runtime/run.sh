#!/usr/bin/env bash
# Python runtime benchmark (see bench/README.md, "Python runtime"). Needs wrk (apt-get install -y wrk);
# makes the virtualenv if needed. Every server runs on loopback and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
python="$(bash runtimes/python/scripts/venv.sh | tail -n 1)"
exec node bench/python-runtime/bench.mjs --venv-bin "$(dirname "$python")" "$@"
