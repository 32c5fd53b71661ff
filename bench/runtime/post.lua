-- wrk request: a small InvocationRequest, as the watchdog forwards it.
wrk.method = "POST"
wrk.body = '{"input":{"text":"the quick brown fox jumps over the lazy dog","topN":3}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Execution-Id"] = "bench-exec"
wrk.headers["X-Trace-Id"] = "bench-trace"
