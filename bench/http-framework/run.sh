#!/usr/bin/env bash
# Measures the HTTP layer the control plane could be built on: plain node:http with a hand-written
# route against Fastify 5, each serving one :invoke-shaped JSON route, with wrk on loopback.
# Fastify is not a dependency of nanofaas: it is installed into ~/.cache/nanofaas/bench-fastify.
# Usage: bash bench/http-framework/run.sh [seconds per round, default 5] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")"
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
seconds="${1:-5}"
rounds="${2:-3}"
fastify_dir="${HOME}/.cache/nanofaas/bench-fastify"
if [[ ! -d "$fastify_dir/node_modules/fastify" ]]; then
  mkdir -p "$fastify_dir"
  (cd "$fastify_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund fastify@5 >/dev/null)
fi
fastify_dir="$fastify_dir/node_modules/fastify"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
# Starts a server in this shell (so the trap can stop it) and sets $port.
start() {
  local log
  log="$(mktemp)"
  node servers.mjs "$1" "$fastify_dir" >"$log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 100); do
    if grep -q '^listening' "$log"; then
      port="$(awk '{print $2}' "$log")"
      return
    fi
    sleep 0.05
  done
  echo "run.sh: $1 server did not start: $(cat "$log")" >&2
  exit 1
}
start node
node_port="$port"
start fastify
fastify_port="$port"
script="../lib/invoke-request.lua"
measure() { wrk -t1 -c16 -d"${seconds}s" --latency -s "$script" "http://127.0.0.1:$1/v1/functions/echo:invoke" |
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%s %s %s\n", rps, p50, p99}'; }
measure "$node_port" >/dev/null
measure "$fastify_port" >/dev/null # warm-up
echo "node:http and Fastify 5, one :invoke-shaped JSON route, wrk -t1 -c16, ${rounds} rounds of ${seconds}s"
echo "| round | node:http req/s (p50, p99) | Fastify req/s (p50, p99) | Fastify / node:http |"
echo "|---|---|---|---|"
for round in $(seq "$rounds"); do
  read -r n_rps n_p50 n_p99 <<<"$(measure "$node_port")"
  read -r f_rps f_p50 f_p99 <<<"$(measure "$fastify_port")"
  ratio="$(awk -v f="$f_rps" -v n="$n_rps" 'BEGIN {printf "%.0f %%", 100 * f / n}')"
  echo "| $round | $n_rps ($n_p50, $n_p99) | $f_rps ($f_p50, $f_p99) | $ratio |"
done
