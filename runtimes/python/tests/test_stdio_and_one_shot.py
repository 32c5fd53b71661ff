"""STDIO, FILE and one-shot modes as real processes, and the runtime behind the real watchdog."""

import json
import os
import shlex

import pytest
from support import BIN, NANOFAAS_PYTHON, WATCHDOG, CallbackServer, invoke, log_lines, run, serve

PYTHON = str(BIN / "python")
STDIO = [PYTHON, "-m", "nanofaas_runtime.stdio"]


def test_stdio_writes_the_output_alone_on_stdout_and_prints_go_to_stderr(tmp_path):
    exited = run(STDIO, b'{"input":{"n":7.0}}', HANDLER_FUNCTION="with_context", EXECUTION_ID="e-7")
    assert exited.returncode == 0, exited.stderr
    assert json.loads(exited.stdout)["executionId"] == "e-7"
    assert any(line["msg"] == "context logger" for line in log_lines(exited.stderr.decode()))


def test_stdio_reports_a_function_error_as_an_error_body_and_exit_1():
    exited = run(STDIO, b'{"input":{"action":"fail"}}')
    assert exited.returncode == 1
    assert json.loads(exited.stdout)["error"]["code"] == "OUT_OF_STOCK"


def test_stdio_gives_up_at_the_deadline_even_if_a_sync_handler_blocks():
    exited = run(STDIO, b'{"input":{"action":"block","seconds":30}}', TIMEOUT_MS="300")
    assert exited.returncode == 1
    assert json.loads(exited.stdout)["error"]["code"] == "TIMEOUT"


def test_file_mode_reads_input_file_and_writes_output_file(tmp_path):
    source, sink = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text('{"input":"from a file"}')
    exited = run(STDIO, HANDLER_FUNCTION="echo", INPUT_FILE=str(source), OUTPUT_FILE=str(sink))
    assert exited.returncode == 0, exited.stderr
    assert exited.stdout == b""
    assert sink.read_bytes() == b'"from a file"'


def test_one_shot_retries_a_callback_that_fails_first_and_sends_the_token():
    with CallbackServer(["drop", 503, 200]) as callback:
        exited = run(
            [NANOFAAS_PYTHON],
            HANDLER_FUNCTION="echo",
            EXECUTION_ID="exec-9",
            CALLBACK_URL=callback.callback_url,
            CALLBACK_TOKEN="tok",
            TRACE_ID="tr-9",
            INVOCATION_PAYLOAD='{"input":{"price":7.0}}',
        )
    assert exited.returncode == 0, exited.stderr
    assert len(callback.received) == 3
    last = callback.received[-1]
    assert last["path"] == "/v1/internal/executions/exec-9:complete"
    assert last["body"] == b'{"success":true,"output":{"price":7.0}}'
    assert last["headers"]["Authorization"] == "Bearer tok"
    assert last["headers"]["X-Trace-Id"] == "tr-9"
    retries = [
        line for line in log_lines(exited.stderr.decode()) if line["msg"].startswith("completion callback")
    ]
    assert len(retries) == 2


def test_one_shot_reports_a_function_error_and_exits_1():
    with CallbackServer([204]) as callback:
        exited = run(
            [NANOFAAS_PYTHON],
            EXECUTION_ID="exec-10",
            CALLBACK_URL=callback.callback_url,
            INVOCATION_PAYLOAD='{"input":{"action":"fail","sku":"B"}}',
        )
    assert exited.returncode == 1
    body = json.loads(callback.received[0]["body"])
    assert body["success"] is False
    assert body["error"]["code"] == "OUT_OF_STOCK"
    assert body["error"]["details"] == {"sku": "B"}


def test_one_shot_gives_up_when_the_callback_never_succeeds():
    with CallbackServer([400]) as callback:
        exited = run(
            [NANOFAAS_PYTHON],
            EXECUTION_ID="x",
            CALLBACK_URL=callback.callback_url,
            INVOCATION_PAYLOAD='{"input":1}',
        )
    assert exited.returncode == 1
    assert len(callback.received) == 1
    assert "could not be delivered" in exited.stderr.decode()


watchdog_missing = pytest.mark.skipif(
    not WATCHDOG.exists(), reason=f"{WATCHDOG} is not built (npm run build)"
)


@watchdog_missing
@pytest.mark.parametrize("mode", ["HTTP", "STDIO"])
def test_behind_the_real_watchdog(tmp_path, mode):
    from support import free_port

    command = [NANOFAAS_PYTHON] if mode == "HTTP" else [*STDIO]
    env = {"WARM": "true", "EXECUTION_MODE": mode, "WATCHDOG_CMD": shlex.join(command), "FUNCTION_NAME": "wd"}
    if mode == "HTTP":
        env["RUNTIME_PORT"] = str(free_port())
    served = serve([str(WATCHDOG)], tmp_path, **env)
    try:
        ok = invoke(
            served.url, {"input": {"n": 12345678901234567890123, "f": 7.0}}, {"X-Execution-Id": "wd-1"}
        )
        assert ok.status == 200, ok.body
        assert ok.body == (
            b'{"echo":{"n":12345678901234567890123,"f":7.0},'
            b'"keys":["attempt","contentType","deadline","executionId","input","metadata","traceId"]}'
        )
        failed = invoke(served.url, {"input": {"action": "fail"}})
        assert failed.status == 500
        assert failed.json()["error"]["code"] == "OUT_OF_STOCK"
    finally:
        served.stop()
    assert os.path.exists(WATCHDOG)
