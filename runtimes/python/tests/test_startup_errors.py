"""A handler that cannot be loaded stops the start with one clear line, never a traceback wall."""

import json

import pytest
from support import NANOFAAS_PYTHON, run


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HANDLER_MODULE": "no_such_module"}, "handler module 'no_such_module' not found"),
        ({"HANDLER_FUNCTION": "missing"}, "has no function 'missing'"),
        ({"HANDLER_FUNCTION": "NOT_A_FUNCTION"}, "handler.NOT_A_FUNCTION"),
        ({"HANDLER_MODULE": "broken_syntax"}, "has a syntax error"),
        ({"HANDLER_MODULE": "import_fails"}, "No module named 'a_module_that_is_not_installed'"),
        ({"HANDLER_MODULE": "raises_on_import"}, "RuntimeError: configuration file missing"),
        ({"TIMEOUT_MS": "soon"}, "TIMEOUT_MS"),
    ],
)
@pytest.mark.parametrize("mode", ["http", "stdio", "one-shot"])
def test_a_broken_handler_or_setting_is_one_line_and_exit_1(env, expected, mode):
    argv = [NANOFAAS_PYTHON] + (["--stdio"] if mode == "stdio" else [])
    if mode == "one-shot":
        env = {**env, "EXECUTION_ID": "e", "CALLBACK_URL": "http://127.0.0.1:9/x", "INVOCATION_PAYLOAD": "{}"}
    exited = run(argv, b'{"input":1}', PORT="0", HOST="127.0.0.1", **env)
    assert exited.returncode == 1, exited.stderr
    lines = exited.stderr.decode().strip().splitlines()
    assert len(lines) == 1, exited.stderr.decode()
    record = json.loads(lines[0])
    assert record["level"] == "error"
    assert expected in record["msg"]
    assert "Traceback" not in exited.stderr.decode()
    assert exited.stdout == b""


def test_a_one_shot_environment_without_all_three_variables_names_the_missing_ones():
    exited = run([NANOFAAS_PYTHON], CALLBACK_URL="http://127.0.0.1:9/x")
    assert exited.returncode == 1
    assert "EXECUTION_ID, INVOCATION_PAYLOAD: must be set for a one-shot run" in exited.stderr.decode()
