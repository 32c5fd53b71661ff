"""The reference: a bare Flask app doing the least a runtime must (read the body, parse the
InvocationRequest, serialise its input), served by the same Gunicorn settings as the runtime."""

import json

from flask import Flask, Response, request

app = Flask("bare")


@app.post("/invoke")
def invoke():
    body = json.loads(request.get_data())
    return Response(json.dumps(body["input"], separators=(",", ":")), 200, content_type="application/json")


@app.get("/health")
def health():
    return Response('{"status":"ok"}', 200, content_type="application/json")
