#!/usr/bin/env bash
# Watchdog benchmark (issue: DESIGN.md §7 targets), on loopback only, every load bounded in time:
#   (a) a Node HTTP runtime called directly vs through the warm watchdog (HTTP proxy mode):
#       throughput ratio and added p50/p99 latency at 4 and 16 connections;
#   (b) warm STDIO invocations/s of `cat` (one process per invocation);
#   (c) binary size and the watchdog's RSS under load.
# Usage: bash bench/watchdog/run.sh [--record]   (DURATION=10s by default; --record rewrites the
# results block of the "Watchdog" section in bench/README.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

duration="${DURATION:-10s}"
record=false
[[ "${1:-}" == "--record" ]] && record=true

command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install -y wrk)" >&2; exit 1; }
bash watchdog/build.sh >/dev/null
binary="$root/watchdog/dist/watchdog"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

calc() { awk "BEGIN { print $1 }"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_ok() { # url
  for _ in $(seq 1 200); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.05
  done
  echo "bench: $1 never answered" >&2
  exit 1
}

# The runtime: a minimal node:http server that echoes the InvocationRequest's input.
cat >"$work/runtime.js" <<'EOF'
const http = require('node:http');
http
  .createServer((req, res) => {
    if (req.url === '/health') return res.end('{"status":"ok"}');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const { input } = JSON.parse(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echo: input }));
    });
  })
  .listen(Number(process.env.PORT), process.env.HOST);
EOF

# wrk posts an InvocationRequest and prints one machine-readable line at the end.
cat >"$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"input":{"hello":"world","n":42},"metadata":{}}'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %.3f %.1f %.1f %d\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(99), errors))
end
EOF

# load URL CONNECTIONS -> "rps p50_us p99_us errors"
load() {
  local line
  line="$(wrk -t2 -c"$2" -d"$duration" --timeout 5s -s "$work/post.lua" "$1" | grep '^RESULT')"
  read -r _ requests seconds p50 p99 errors <<<"$line"
  printf '%.0f %s %s %s\n' "$(calc "$requests / $seconds")" "$p50" "$p99" "$errors"
}

# Peak RSS (VmHWM, kB) of a process, reset-free: the highest resident size it ever had.
peak_rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# --- (a) HTTP proxy
runtime_port="$(free_port)"
proxy_port="$(free_port)"
WARM=true EXECUTION_MODE=HTTP HOST=127.0.0.1 PORT="$proxy_port" RUNTIME_PORT="$runtime_port" \
  MAX_INFLIGHT=256 FUNCTION_NAME=bench WATCHDOG_CMD="node $work/runtime.js" \
  "$binary" 2>/dev/null &
proxy_pid=$!
pids+=("$proxy_pid")
wait_ok "http://127.0.0.1:$proxy_port/health"

declare -A direct through
for c in 4 16; do
  load "http://127.0.0.1:$runtime_port/invoke" "$c" >/dev/null # warm-up of both paths, discarded
  direct[$c]="$(load "http://127.0.0.1:$runtime_port/invoke" "$c")"
  through[$c]="$(load "http://127.0.0.1:$proxy_port/invoke" "$c")"
done
http_rss_kb="$(peak_rss_kb "$proxy_pid")"
kill "$proxy_pid"
wait "$proxy_pid" 2>/dev/null || true

# --- (b) STDIO `cat`, one process per invocation
stdio_port="$(free_port)"
WARM=true EXECUTION_MODE=STDIO HOST=127.0.0.1 PORT="$stdio_port" MAX_INFLIGHT=64 \
  FUNCTION_NAME=bench-cat WATCHDOG_CMD=cat "$binary" 2>/dev/null &
stdio_pid=$!
pids+=("$stdio_pid")
wait_ok "http://127.0.0.1:$stdio_port/health"
declare -A stdio
for c in 4 16; do
  stdio[$c]="$(load "http://127.0.0.1:$stdio_port/invoke" "$c")"
done
stdio_rss_kb="$(peak_rss_kb "$stdio_pid")"
kill "$stdio_pid"
wait "$stdio_pid" 2>/dev/null || true

# --- Report
size_bytes="$(stat -c %s "$binary")"
linkage="$(ldd "$binary" 2>&1 | tr -d '\t' || true)"
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r)"
table="$(mktemp)"
{
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC') · machine: $machine · command: \`bash bench/watchdog/run.sh\` (wrk -t2, $duration per point, loopback)"
  echo
  echo "| what | connections | direct | through watchdog | ratio / added | target |"
  echo "|---|---|---|---|---|---|"
  for c in 4 16; do
    read -r d_rps d_p50 d_p99 d_err <<<"${direct[$c]}"
    read -r w_rps w_p50 w_p99 w_err <<<"${through[$c]}"
    ratio="$(calc "100 * $w_rps / $d_rps")"
    add50="$(calc "($w_p50 - $d_p50) / 1000")"
    add99="$(calc "($w_p99 - $d_p99) / 1000")"
    printf '| HTTP proxy throughput | %s | %s req/s | %s req/s | %.0f %% | ≥ 60 %% |\n' "$c" "$d_rps" "$w_rps" "$ratio"
    printf '| HTTP proxy p50 | %s | %.2f ms | %.2f ms | +%.2f ms | |\n' "$c" "$(calc "$d_p50/1000")" "$(calc "$w_p50/1000")" "$add50"
    printf '| HTTP proxy p99 | %s | %.2f ms | %.2f ms | +%.2f ms | ≤ +2 ms |\n' "$c" "$(calc "$d_p99/1000")" "$(calc "$w_p99/1000")" "$add99"
    [[ "$d_err" == 0 && "$w_err" == 0 ]] || printf '| errors | %s | %s | %s | | 0 |\n' "$c" "$d_err" "$w_err"
  done
  for c in 4 16; do
    read -r s_rps s_p50 s_p99 s_err <<<"${stdio[$c]}"
    printf '| STDIO \`cat\` invocations/s | %s | | %s /s (p50 %.2f ms, p99 %.2f ms, errors %s) | | ≥ 1,500 /s |\n' \
      "$c" "$s_rps" "$(calc "$s_p50/1000")" "$(calc "$s_p99/1000")" "$s_err"
  done
  printf '| binary size | | | %s bytes (%.2f MB), ldd: %s | | ≤ 3 MB, static |\n' "$size_bytes" "$(calc "$size_bytes/1000000")" "$linkage"
  printf '| watchdog peak RSS under load (HTTP proxy) | 16 | | %.1f MB | | ≤ 5 MB |\n' "$(calc "$http_rss_kb/1024")"
  printf '| watchdog peak RSS under load (STDIO) | 16 | | %.1f MB | | ≤ 5 MB |\n' "$(calc "$stdio_rss_kb/1024")"
} >"$table"
cat "$table"

if $record; then
  python3 - "$root/bench/README.md" "$table" <<'EOF'
import sys
readme, table = sys.argv[1], open(sys.argv[2]).read().strip()
start, end = "<!-- watchdog-results:start -->", "<!-- watchdog-results:end -->"
text = open(readme).read()
before, rest = text.split(start, 1)
_, after = rest.split(end, 1)
open(readme, "w").write(f"{before}{start}\n{table}\n{end}{after}")
EOF
  echo "bench: results recorded in bench/README.md"
fi
