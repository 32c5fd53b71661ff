-- wrk request: a small InvocationRequest.
wrk.method = "POST"
wrk.body = '{"input":{"text":"the quick brown fox jumps over the lazy dog","topN":3}}'
wrk.headers["Content-Type"] = "application/json"
