#!/usr/bin/env bash
# The schema fuzzer suite: schemathesis (PyPI, pinned, in a virtualenv of its own under
# ~/.cache/nanofaas) runs every check it has against openapi.yaml on a live control plane — the
# built dist/main.js as a real process, a real SQLite file in a temporary directory, loopback only,
# the local backend with a few functions registered so invoke routes run real processes. It passes
# when schemathesis finds no server error, no answer outside the schema and no schema-valid
# request refused. Bounded: SCHEMATHESIS_MAX_TIME seconds of generation (default 60).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

SCHEMATHESIS_VERSION=4.32.5
venv="${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/nanofaas/schemathesis}"
found=$("$venv/bin/schemathesis" --version 2>/dev/null || true)
if [[ "$found" != *"$SCHEMATHESIS_VERSION"* ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

main="$root/packages/control-plane/dist/main.js"
[[ -f "$main" ]] || { echo "schemathesis: $main is missing (run npm run build)" >&2; exit 1; }

work=$(mktemp -d -t nanofaas-schemathesis.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

key="schemathesis-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$work/data" "$work/functions"
PORT=0 HOST=127.0.0.1 NANOFAAS_DATA_DIR="$work/data" NANOFAAS_API_KEYS="$key:admin" \
  NANOFAAS_EXAMPLES=false NANOFAAS_FUNCTIONS_ROOT="$work/functions" NANOFAAS_LOG_LEVEL=warn \
  node "$main" >"$work/control-plane.log" 2>&1 &
server_pid=$!

url=""
for _ in $(seq 300); do
  url=$(grep -o 'listening on http://[^ "]*' "$work/control-plane.log" | head -1 | cut -d' ' -f3 || true)
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/control-plane.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { echo "schemathesis: the control plane did not start" >&2; cat "$work/control-plane.log" >&2; exit 1; }

register() {
  local status
  status=$(curl -s -o "$work/register.out" -w '%{http_code}' -H "authorization: Bearer $key" \
    -H 'content-type: application/json' -d "$1" "$url/v1/functions")
  [[ "$status" == 201 ]] || { echo "schemathesis: registering $1 got $status: $(cat "$work/register.out")" >&2; exit 1; }
}
register '{"name":"echo","timeoutMs":8000,"runtimeCommand":"cat","runtimeMode":"STDIO","scaling":{"minReplicas":1,"maxReplicas":1}}'
register '{"name":"files","timeoutMs":8000,"runtimeCommand":"sh -c \"exec cat \\\"$INPUT_FILE\\\" > \\\"$OUTPUT_FILE\\\"\"","runtimeMode":"FILE","scaling":{"minReplicas":0,"maxReplicas":1}}'
register '{"name":"once","timeoutMs":8000,"runtimeCommand":"cat","runtimeMode":"STDIO","executionMode":"REMOTE"}'

status=0
# One worker: with several threads Hypothesis's description of its strategies (it parses their
# source with `ast`) fails on CPython 3.11 with "AST constructor recursion depth mismatch".
(cd "$work" && NANOFAAS_SCHEMATHESIS_KEY="$key" SCHEMATHESIS_HOOKS="$root/test/schemathesis/hooks.py" "$venv/bin/schemathesis" --config-file "$root/test/schemathesis/schemathesis.toml" --no-color run "$root/openapi.yaml" --url "$url" \
  --checks all \
  --max-time "${SCHEMATHESIS_MAX_TIME:-60}" --workers 1 --seed "${SCHEMATHESIS_SEED:-1}" \
  --request-timeout 15 --suppress-health-check all) || status=$?
if ((status != 0)); then
  echo "--- control plane log (last lines)" >&2
  tail -40 "$work/control-plane.log" >&2
fi
exit "$status"
