#!/usr/bin/env bash
# Node runtime benchmark (see bench/README.md, "Node runtime"). Needs wrk (apt-get install -y wrk)
# and a build (npm run build). Every server runs on loopback and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[[ -f packages/runtime/dist/cli.js ]] || npx tsc -b packages/runtime
exec node bench/runtime/bench.mjs "$@"
