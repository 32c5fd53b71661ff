#!/usr/bin/env bash
# Local backend benchmark (see bench/README.md, "Local backend"). Needs wrk (apt-get install -y wrk)
# and a build (npm run build). Every process runs on loopback and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[[ -f packages/control-plane/dist/main.js && -f packages/runtime/dist/cli.js && -x watchdog/dist/watchdog ]] ||
  npm run build
exec node bench/local-backend/bench.mjs "$@"
