#!/usr/bin/env bash
# Kubernetes backend benchmark on the k8s test bed (needs root, the test bed binaries, wrk).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash test/k8s-testbed/scripts/build-k8s.sh >/dev/null
[[ -x watchdog/dist/watchdog ]] || { echo "run 'npm run build' first" >&2; exit 1; }
exec node --import tsx bench/kubernetes/bench.ts
