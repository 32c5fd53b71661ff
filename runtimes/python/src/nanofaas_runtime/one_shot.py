"""One-shot mode (a REMOTE Job without the watchdog): runs INVOCATION_PAYLOAD once and reports the
result to {CALLBACK_URL}/{EXECUTION_ID}:complete. Exit 0 when the callback was delivered and the
function succeeded, 1 otherwise."""

from __future__ import annotations

from .bootstrap import Runtime
from .callback import Completion, deliver_completion
from .errors import ErrorAnswer, error_answer
from .ids import generate_trace_id
from .invoke import Invocation
from .wire_json import BINARY_CONTENT_TYPE, JSON_CONTENT_TYPE, decode_invocation_request, encode_json


def run_one_shot(runtime: Runtime, **delivery: object) -> int:
    config = runtime.config
    assert config.one_shot is not None and config.execution_id is not None
    trace_id = config.trace_id or generate_trace_id()
    log = runtime.logger.child(executionId=config.execution_id, traceId=trace_id)
    result = _run(runtime, trace_id)
    if isinstance(result, ErrorAnswer):
        body = encode_json({"success": False, "error": result.error})
    else:
        body = b'{"success":true,"output":' + result + b"}"
    delivered = deliver_completion(
        Completion(
            config.one_shot.callback_url, config.execution_id, trace_id, config.one_shot.callback_token, body
        ),
        runtime.logger,
        **delivery,  # type: ignore[arg-type]
    )
    if not delivered.delivered:
        log.error(
            "the completion callback could not be delivered",
            attempts=delivered.attempts,
            reason=delivered.reason,
        )
        return 1
    if isinstance(result, ErrorAnswer):
        log.warn("one-shot run failed", code=result.error["code"], attempts=delivered.attempts)
        return 1
    log.info("one-shot run succeeded", attempts=delivered.attempts)
    return 0


def _run(runtime: Runtime, trace_id: str) -> bytes | ErrorAnswer:
    config = runtime.config
    assert config.one_shot is not None and config.execution_id is not None
    decoded = decode_invocation_request(config.one_shot.payload)
    if isinstance(decoded, ErrorAnswer):
        error = {**decoded.error, "message": f"INVOCATION_PAYLOAD: {decoded.error['message']}"}
        return ErrorAnswer(decoded.status, error)
    outcome = runtime.invoker.invoke(
        Invocation(
            input=decoded.input,
            metadata=decoded.metadata,
            content_type=JSON_CONTENT_TYPE,
            execution_id=config.execution_id,
            trace_id=trace_id,
            timeout_ms=config.timeout_ms,
        )
    )
    if outcome.answer is not None:
        return outcome.answer
    assert outcome.output is not None
    if outcome.output.content_type == BINARY_CONTENT_TYPE:
        message = "binary output cannot be carried by the completion callback; return a JSON value"
        return error_answer("INVALID_OUTPUT", message)
    return outcome.output.body
