"""The warm HTTP runtime as a Flask app: POST /invoke, GET /health, GET /metrics.

POST /invoke is one ordered pipeline (README.md, "Request pipeline"), each stage with its errors:
  1. headers     X-Execution-Id, X-Trace-Id / traceparent, X-Timeout-Ms, X-Dispatch-Attempt  → 400
  2. media type  JSON → InvocationRequest; anything else → raw bytes                         → 415
  3. body        at most MAX_BODY_BYTES                                                       → 413
  4. decode      json → 400 MALFORMED_JSON; the contracts' schema → 400 VALIDATION_FAILED
  5. run         the handler until its deadline → 408 TIMEOUT; raises → 500 (its code / UNHANDLED_ERROR)
  6. answer      output bytes → 200; not serialisable → 500 INVALID_OUTPUT
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from .config import RuntimeConfig
from .errors import ErrorAnswer, error_answer
from .ids import generate_execution_id, resolve_trace_id
from .invoke import Invocation, Invoker, Outcome
from .logger import Logger
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import RuntimeMetrics
from .wire_json import (
    JSON_CONTENT_TYPE,
    InvocationRequest,
    encode_json,
    parse_json,
    validate_invocation_request,
)

_POSITIVE_INTEGER = re.compile(r"^\s*\d+\s*$")
_READ_CHUNK_BYTES = 64 * 1024
_HEALTHY = b'{"status":"ok"}'


@dataclass
class _ServerState:
    """What the routes share: settings, the invoker, the metrics and the cold-start flag."""

    config: RuntimeConfig
    invoker: Invoker
    metrics: RuntimeMetrics
    logger: Logger
    init_duration_ms: int
    cold_start: bool = True
    draining: bool = False


def create_app(config: RuntimeConfig, invoker: Invoker, logger: Logger, init_duration_ms: int) -> Flask:
    """The Flask app of one handler. ``app.config["NANOFAAS_STATE"].draining = True`` makes /health 503."""
    app = Flask("nanofaas_runtime")
    state = _ServerState(config, invoker, RuntimeMetrics(init_duration_ms / 1000), logger, init_duration_ms)
    app.config["NANOFAAS_STATE"] = state
    cold_start_lock = threading.Lock()

    @app.post("/invoke", provide_automatic_options=False)
    def invoke() -> Response:
        # The WSGI environ is read directly: each access through Flask's request proxy and its
        # header view costs more than the handler of a small function.
        environ = request.environ
        execution_id = environ.get("HTTP_X_EXECUTION_ID") or generate_execution_id()
        trace_id = resolve_trace_id(environ.get("HTTP_X_TRACE_ID"), environ.get("HTTP_TRACEPARENT"))
        ids = (execution_id, trace_id)
        state.metrics.in_flight.inc()
        try:
            return _invoke(state, environ, ids)
        except Exception as error:  # a bug in the runtime, never the handler's exception
            logger.error(
                "invoke failed inside the runtime", executionId=execution_id, traceId=trace_id, err=error
            )
            return _reply(
                state, ids, error_answer("INTERNAL_ERROR", "the runtime failed to handle the invocation")
            )
        finally:
            state.metrics.in_flight.dec()

    def _invoke(state: _ServerState, environ: dict[str, Any], ids: tuple[str, str]) -> Response:
        timing = _read_timing(environ, state.config.timeout_ms)
        if isinstance(timing, ErrorAnswer):
            return _reply(state, ids, timing)
        timeout_ms, attempt = timing
        format_ = _classify_content_type(environ.get("CONTENT_TYPE"))
        if isinstance(format_, ErrorAnswer):
            return _reply(state, ids, format_)
        body = _read_body(environ, state.config.max_body_bytes)
        if isinstance(body, ErrorAnswer):
            return _reply(state, ids, body, close=True)
        if format_ == "json":
            parsed = parse_json(body)
            decoded = parsed if isinstance(parsed, ErrorAnswer) else validate_invocation_request(parsed)
            if isinstance(decoded, ErrorAnswer):
                return _reply(state, ids, decoded)
            content_type = JSON_CONTENT_TYPE
        else:
            decoded = InvocationRequest(input=body, metadata={})
            content_type = format_
        outcome = state.invoker.invoke(
            Invocation(
                input=decoded.input,
                metadata=decoded.metadata,
                content_type=content_type,
                execution_id=ids[0],
                trace_id=ids[1],
                timeout_ms=timeout_ms,
                attempt=attempt,
            )
        )
        return _reply(state, ids, outcome)

    def _reply(
        state: _ServerState, ids: tuple[str, str], result: Outcome | ErrorAnswer, close: bool = False
    ) -> Response:
        headers = [("X-Execution-Id", ids[0]), ("X-Trace-Id", ids[1])]
        if state.cold_start:
            with cold_start_lock:
                cold, state.cold_start = state.cold_start, False
        else:
            cold = False
        if cold:
            headers += [("X-Cold-Start", "true"), ("X-Init-Duration-Ms", str(state.init_duration_ms))]
        else:
            headers.append(("X-Cold-Start", "false"))
        if close or state.draining:
            headers.append(("Connection", "close"))
        duration_ms = None
        if isinstance(result, Outcome):
            duration_ms = result.duration_ms
            if result.output is not None:
                state.metrics.record(200, duration_ms)
                return Response(result.output.body, 200, headers, content_type=result.output.content_type)
            assert result.answer is not None
            result = result.answer
        headers.append(("X-Error-Origin", str(result.error.get("origin", "function"))))
        state.metrics.record(result.status, duration_ms)
        if state.logger.enabled("debug"):
            state.logger.debug(
                "invocation answered", executionId=ids[0], traceId=ids[1], status=result.status
            )
        return Response(encode_json(result.body()), result.status, headers, content_type=JSON_CONTENT_TYPE)

    @app.route("/health", methods=["GET", "HEAD"], provide_automatic_options=False)
    def health() -> Response:
        if state.draining:
            return _error_response(error_answer("NOT_READY", "the runtime is shutting down"))
        return Response(_HEALTHY, 200, content_type=JSON_CONTENT_TYPE)

    @app.get("/metrics", provide_automatic_options=False)
    def metrics() -> Response:
        return Response(state.metrics.render(), 200, content_type=METRICS_CONTENT_TYPE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, NotFound):
            return _error_response(
                error_answer("ROUTE_NOT_FOUND", f"no route for {request.method} {request.path}")
            )
        if isinstance(error, MethodNotAllowed):
            allow = ", ".join(sorted(m for m in (error.valid_methods or []) if m != "OPTIONS"))
            response = _error_response(
                error_answer("METHOD_NOT_ALLOWED", f"{request.method} is not allowed here; use {allow}")
            )
            response.headers["Allow"] = allow
            return response
        return _error_response(
            error_answer("VALIDATION_FAILED", f"{error.code} {error.name}: {error.description}")
        )

    return app


def _error_response(answer: ErrorAnswer) -> Response:
    return Response(
        encode_json(answer.body()),
        answer.status,
        {"X-Error-Origin": str(answer.error["origin"])},
        content_type=JSON_CONTENT_TYPE,
    )


def _read_timing(environ: dict[str, Any], configured_ms: int) -> tuple[int, int] | ErrorAnswer:
    """X-Timeout-Ms can lower the configured timeout (never raise it); X-Dispatch-Attempt defaults to 1."""
    timeout_header = environ.get("HTTP_X_TIMEOUT_MS") or None
    attempt_header = environ.get("HTTP_X_DISPATCH_ATTEMPT") or None
    if timeout_header is None and attempt_header is None:
        return configured_ms, 1
    issues = []
    requested = None if timeout_header is None else _positive_integer(timeout_header)
    attempt = 1 if attempt_header is None else _positive_integer(attempt_header)
    if timeout_header is not None and requested is None:
        issues.append(_header_issue("X-Timeout-Ms", timeout_header))
    if attempt is None:
        issues.append(_header_issue("X-Dispatch-Attempt", attempt_header))
    if issues or attempt is None:
        message = "; ".join(f"header {issue['field']}: {issue['message']}" for issue in issues)
        return error_answer("VALIDATION_FAILED", message, issues=issues)
    return min(requested or configured_ms, configured_ms), attempt


def _positive_integer(text: str) -> int | None:
    if not _POSITIVE_INTEGER.match(text):
        return None
    value = int(text)
    return value if 1 <= value <= 2**53 - 1 else None


def _header_issue(field: str, value: str | None) -> dict[str, str]:
    return {"field": field, "rule": "type", "message": f"must be a positive whole number (got {value!r})"}


def _classify_content_type(header: str | None) -> str | ErrorAnswer:
    """ "json" for JSON media types and no Content-Type, else the raw type. JSON must be UTF-8
    (RFC 8259 §8.1), so a JSON type with another charset is refused rather than misread."""
    if not header or header == JSON_CONTENT_TYPE:
        return "json"
    media_type, *parameters = header.split(";")
    media = media_type.strip().lower()
    if media != JSON_CONTENT_TYPE and not media.endswith("+json"):
        return header
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            return error_answer(
                "UNSUPPORTED_MEDIA_TYPE",
                f"Content-Type: JSON bodies must be UTF-8, got charset={value.strip()}",
            )
    return "json"


def _read_body(environ: dict[str, Any], max_bytes: int) -> bytes | ErrorAnswer:
    """The body, at most max_bytes: a declared length over the limit is refused before reading,
    a chunked one as soon as it crosses the limit."""
    declared_text = environ.get("CONTENT_LENGTH")
    declared = int(declared_text) if declared_text and declared_text.isdigit() else None
    if declared is not None and declared > max_bytes:
        return _too_large(max_bytes, f"{declared} bytes")
    # With a declared length the server's input stream is already bounded by it (PEP 3333);
    # without one (chunked), werkzeug's stream knows where the body ends.
    stream = environ["wsgi.input"] if declared is not None else request.stream
    if declared is not None:
        body = stream.read(declared)
        if len(body) == declared:
            return body
        chunks = [body]  # a short read: read the rest
        length = len(body)
    else:
        chunks = []
        length = 0
    while True:
        chunk = stream.read(_READ_CHUNK_BYTES)
        if not chunk:
            break
        length += len(chunk)
        if length > max_bytes:
            return _too_large(max_bytes, "more than that")
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(max_bytes: int, size: str) -> ErrorAnswer:
    return error_answer(
        "PAYLOAD_TOO_LARGE", f"the body is over the limit of {max_bytes} bytes (MAX_BODY_BYTES); got {size}"
    )
