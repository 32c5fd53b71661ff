"""The warm HTTP runtime under real Gunicorn on an ephemeral loopback port."""

import json

import pytest
from support import NANOFAAS_PYTHON, http, invoke, log_lines, serve


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    runtime = serve(
        [NANOFAAS_PYTHON],
        tmp_path_factory.mktemp("server"),
        MAX_BODY_BYTES="4096",
        FUNCTION_NAME="tests",
        WORKERS="2",
        THREADS="4",
    )
    yield runtime
    assert runtime.stop() == 0, runtime.stderr()


def test_invoke_hands_the_request_dict_to_handle_and_returns_its_value(served):
    answer = invoke(
        served.url, {"input": {"n": 7.0, "big": 123456789012345678901234567890}, "metadata": {"k": "v"}}
    )
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.body == (
        b'{"echo":{"n":7.0,"big":123456789012345678901234567890},'
        b'"keys":["attempt","contentType","deadline","executionId","input","metadata","traceId"]}'
    )


def test_a_scalar_output_is_not_wrapped(tmp_path):
    runtime = serve([NANOFAAS_PYTHON], tmp_path, HANDLER_FUNCTION="echo")
    try:
        assert invoke(runtime.url, {"input": "plain"}).body == b'"plain"'
        assert invoke(runtime.url, {"input": 42}).body == b"42"
        assert invoke(runtime.url, {"input": "emoji \u00e8 \U0001f680"}).body == '"emoji è 🚀"'.encode()
    finally:
        runtime.stop()


def test_function_error_is_the_contract_error_body_with_status_500(served):
    answer = invoke(served.url, {"input": {"action": "fail", "sku": "A1"}})
    assert answer.status == 500
    assert answer.headers["x-error-origin"] == "function"
    assert answer.json() == {
        "error": {
            "code": "OUT_OF_STOCK",
            "message": "none left",
            "origin": "function",
            "retryable": True,
            "details": {"sku": "A1"},
        }
    }


def test_another_exception_is_unhandled_error_with_the_traceback_only_in_the_log(served):
    answer = invoke(served.url, {"input": {"action": "crash"}}, {"X-Execution-Id": "exec-crash"})
    assert answer.status == 500
    assert answer.json()["error"] == {
        "code": "UNHANDLED_ERROR",
        "message": "the database is down",
        "origin": "function",
        "retryable": False,
    }
    assert b"Traceback" not in answer.body
    logged = [line for line in log_lines(served.stderr()) if line.get("executionId") == "exec-crash"]
    assert logged and "Traceback" in logged[0]["err"]["stack"] and "handler.py" in logged[0]["err"]["stack"]


def test_a_sync_handler_past_its_deadline_is_answered_408_and_the_server_keeps_serving(served):
    answer = invoke(served.url, {"input": {"action": "block", "seconds": 3}}, {"X-Timeout-Ms": "200"})
    assert answer.status == 408
    assert answer.json()["error"]["code"] == "TIMEOUT"
    assert answer.json()["error"]["retryable"] is True
    assert invoke(served.url, {"input": 1}).status == 200


def test_bad_json_is_400_malformed_json(served):
    for body in (b'{"input": ', b"\xff\xfe", b'{"input": Infinity}', b"[" * 100_000):
        answer = http("POST", f"{served.url}/invoke", body, {"Content-Type": "application/json"})
        assert answer.status in (400, 413), body[:20]
        assert answer.json()["error"]["code"] in ("MALFORMED_JSON", "PAYLOAD_TOO_LARGE")
    deep = b'{"input":' + b"[" * 4000 + b"]" * 4000 + b"}"
    assert http("POST", f"{served.url}/invoke", deep, {"Content-Type": "application/json"}).status in (
        200,
        400,
        413,
    )


def test_binary_input_reaches_the_handler_as_bytes_with_its_content_type(served):
    answer = http("POST", f"{served.url}/invoke", bytes([0, 1, 2, 255, 7]), {"Content-Type": "image/png"})
    assert answer.status == 200
    assert answer.json() == {"size": 5, "contentType": "image/png", "head": [0, 1, 2, 255]}


def test_an_oversized_body_is_413_and_the_connection_is_closed(served):
    answer = invoke(served.url, {"input": "x" * 5000})
    assert answer.status == 413
    assert answer.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert answer.headers.get("connection") == "close"
    assert invoke(served.url, {"input": "small"}).status == 200


def test_metrics_add_up_over_the_workers(served):
    for _ in range(6):
        invoke(served.url, {"input": 1})
    text = http("GET", f"{served.url}/metrics").body.decode()
    counts = {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line.startswith("nanofaas_runtime_invocations_total{")
    }
    assert counts['nanofaas_runtime_invocations_total{status="200"}'] >= 6
    assert "nanofaas_runtime_in_flight 0.0" in text


def test_context_and_async_handlers(tmp_path):
    context = serve([NANOFAAS_PYTHON], tmp_path, HANDLER_FUNCTION="with_context", FUNCTION_NAME="ctx")
    asynchronous = serve([NANOFAAS_PYTHON], tmp_path, HANDLER_FUNCTION="async_handle")
    try:
        seen = invoke(
            context.url,
            {"input": None},
            {"X-Execution-Id": "e-1", "X-Trace-Id": "t-1", "X-Dispatch-Attempt": "3"},
        ).json()
        assert seen["functionName"] == "ctx"
        assert (seen["executionId"], seen["traceId"], seen["attempt"]) == ("e-1", "t-1", 3)
        assert 0 < seen["remainingMs"] <= 30_000
        line = next(line for line in log_lines(context.stderr()) if line["msg"] == "context logger")
        assert (line["executionId"], line["traceId"], line["answer"], line["function"]) == (
            "e-1",
            "t-1",
            42,
            "ctx",
        )
        answer = invoke(asynchronous.url, {"input": [1, 2]})
        assert answer.json() == {"async": True, "input": [1, 2], "remainingPositive": True}
    finally:
        context.stop()
        asynchronous.stop()


@pytest.mark.parametrize("function", ["returns_set", "returns_nan"])
def test_output_json_cannot_carry_is_invalid_output(tmp_path, function):
    runtime = serve([NANOFAAS_PYTHON], tmp_path, HANDLER_FUNCTION=function)
    try:
        answer = invoke(runtime.url, {"input": 1})
        assert answer.status == 500
        assert answer.json()["error"]["code"] == "INVALID_OUTPUT"
    finally:
        runtime.stop()


def test_gunicorn_can_be_started_with_the_documented_command(tmp_path):
    from support import BIN

    runtime = serve(
        [str(BIN / "gunicorn"), "-c", "python:nanofaas_runtime.gunicorn_conf", "nanofaas_runtime.app:app"],
        tmp_path,
        ACCESS_LOG="true",
        # The graceful timeout follows TIMEOUT_MS: keep it well inside stop()'s 20 s wait, since an
        # idle keep-alive connection holds a worker until then.
        TIMEOUT_MS="3000",
    )
    try:
        assert invoke(runtime.url, {"input": "via gunicorn"}, {"X-Execution-Id": "acc-1"}).status == 200
    finally:
        assert runtime.stop() == 0
    access = [line for line in log_lines(runtime.stderr()) if line.get("msg") == "access"]
    assert any(line["executionId"] == "acc-1" and line["status"] == 200 for line in access), runtime.stderr()
    assert json.dumps(access)
