#!/usr/bin/env bash
# Watchdog benchmark (issue: DESIGN.md §7 targets), on loopback only, every load bounded in time:
#   (a) a Node HTTP runtime called directly vs through the warm watchdog (HTTP proxy mode):
#       throughput ratio and added p50/p99 latency at 4 and 16 connections;
#   (b) warm STDIO invocations/s of `cat` (one process per invocation);
#   (c) binary size and the watchdog's RSS under load.
# Usage: bash bench/watchdog/run.sh [--record]   (DURATION=5s per run, ROUNDS=3 by default; --record rewrites the
# results block of the "Watchdog" section in bench/README.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

duration="${DURATION:-5s}"
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
  line="$(wrk -t1 -c"$2" -d"$duration" --timeout 5s -s "$work/post.lua" "$1" | grep '^RESULT')"
  read -r _ requests seconds p50 p99 errors <<<"$line"
  printf '%.0f %s %s %s\n' "$(calc "$requests / $seconds")" "$p50" "$p99" "$errors"
}

# Peak RSS (VmHWM, kB) of a process, reset-free: the highest resident size it ever had.
peak_rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- (a) HTTP proxy
runtime_port="$(free_port)"
proxy_port="$(free_port)"
WARM=true EXECUTION_MODE=HTTP HOST=127.0.0.1 PORT="$proxy_port" RUNTIME_PORT="$runtime_port" \
  MAX_INFLIGHT=256 FUNCTION_NAME=bench WATCHDOG_CMD="node $work/runtime.js" \
  "$binary" 2>/dev/null &
proxy_pid=$!
pids+=("$proxy_pid")
wait_ok "http://127.0.0.1:$proxy_port/health"

# Other processes share this machine: each point is measured ROUNDS times, direct and proxied
# runs interleaved; the report keeps the best of the rounds (highest throughput, lowest p50 and
# p99: the rounds least disturbed by the rest of the machine) and the sum of errors.
rounds="${ROUNDS:-3}"
best() { # lines "rps p50 p99 errors" -> one line
  awk 'NF == 4 { if ($1 > r) r = $1; if (p == "" || $2 < p) p = $2; if (q == "" || $3 < q) q = $3; e += $4 }
       END { print r, p, q, e }'
}
declare -A direct through
for c in 4 16; do
  load "http://127.0.0.1:$runtime_port/invoke" "$c" >/dev/null # warm-up, discarded
  load "http://127.0.0.1:$proxy_port/invoke" "$c" >/dev/null
  d_runs="" w_runs=""
  for _ in $(seq 1 "$rounds"); do
    d_runs+="$(load "http://127.0.0.1:$runtime_port/invoke" "$c")"$'\n'
    w_runs+="$(load "http://127.0.0.1:$proxy_port/invoke" "$c")"$'\n'
  done
  direct[$c]="$(printf '%s' "$d_runs" | best)"
  through[$c]="$(printf '%s' "$w_runs" | best)"
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
# The machine's own ceiling for the same work without HTTP or watchdog: C workers that each
# posix_spawn `cat`, write the payload, read its output and reap it, as fast as they can.
cat >"$work/spawn.py" <<'EOF'
import os, sys, time
from concurrent.futures import ThreadPoolExecutor
payload = b'{"input":{"hello":"world","n":42},"metadata":{}}'
def worker(deadline):
    n = 0
    while time.time() < deadline:
        r0, w0 = os.pipe(); r1, w1 = os.pipe()
        actions = [(os.POSIX_SPAWN_DUP2, r0, 0), (os.POSIX_SPAWN_DUP2, w1, 1)] + [
            (os.POSIX_SPAWN_CLOSE, fd) for fd in (r0, w0, r1, w1)]
        pid = os.posix_spawnp("cat", ["cat"], os.environ, file_actions=actions, setpgroup=0)
        os.close(r0); os.close(w1); os.write(w0, payload); os.close(w0)
        while os.read(r1, 65536): pass
        os.close(r1); os.waitpid(pid, 0); n += 1
    return n
workers, seconds = int(sys.argv[1]), float(sys.argv[2])
with ThreadPoolExecutor(workers) as pool:
    print(round(sum(pool.map(worker, [time.time() + seconds] * workers)) / seconds))
EOF
declare -A ceiling
for c in 4 16; do
  ceiling[$c]="$(python3 "$work/spawn.py" "$c" "${duration%s}")"
done
declare -A stdio
for c in 4 16; do
  s_runs=""
  for _ in $(seq 1 "$rounds"); do
    s_runs+="$(load "http://127.0.0.1:$stdio_port/invoke" "$c")"$'\n'
  done
  stdio[$c]="$(printf '%s' "$s_runs" | best)"
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
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC') · machine: $machine · command: \`bash bench/watchdog/run.sh\` (wrk -t1, best of $rounds interleaved ${duration} runs per point, loopback; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg))"
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
    printf '| HTTP proxy p50 | %s | %.2f ms | %.2f ms | %+.2f ms | |\n' "$c" "$(calc "$d_p50/1000")" "$(calc "$w_p50/1000")" "$add50"
    printf '| HTTP proxy p99 | %s | %.2f ms | %.2f ms | %+.2f ms | ≤ +2 ms |\n' "$c" "$(calc "$d_p99/1000")" "$(calc "$w_p99/1000")" "$add99"
    [[ "$d_err" == 0 && "$w_err" == 0 ]] || printf '| errors | %s | %s | %s | | 0 |\n' "$c" "$d_err" "$w_err"
  done
  for c in 4 16; do
    read -r s_rps s_p50 s_p99 s_err <<<"${stdio[$c]}"
    printf '| STDIO `cat` invocations/s | %s | %s /s (bare spawn loop, no watchdog) | %s /s (p50 %.2f ms, p99 %.2f ms, errors %s) | | ≥ 1,500 /s |\n' \
      "$c" "${ceiling[$c]}" "$s_rps" "$(calc "$s_p50/1000")" "$(calc "$s_p99/1000")" "$s_err"
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
