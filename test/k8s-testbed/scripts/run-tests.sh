#!/usr/bin/env bash
# The `k8s` test suite: builds (or reuses) the control-plane binaries and the helm CLI, then runs the
# test bed's tests and the Helm chart's. The first build on a fresh machine takes many minutes;
# progress goes to stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build-k8s.sh >/dev/null
bash scripts/build-helm.sh >/dev/null
watchdog="${NANOFAAS_WATCHDOG_BIN:-../../watchdog/dist/watchdog}"
[[ -x "${watchdog}" ]] || { echo "k8s suite: ${watchdog} is missing; run 'npm run build' first" >&2; exit 1; }
[[ -f ../../packages/control-plane/dist/main.js ]] || { echo "k8s suite: the control plane is not built; run 'npm run build' first" >&2; exit 1; }
exec node --import tsx --test --test-reporter=spec test/*.test.ts
