import pytest
from nanofaas_runtime.config import ConfigError, load_config


def test_defaults():
    config = load_config({})
    assert (config.host, config.port, config.handler_module, config.handler_function) == (
        "0.0.0.0",
        8080,
        "handler",
        "handle",
    )
    assert config.timeout_ms == 30_000 and config.max_body_bytes == 6 * 1024 * 1024
    assert config.one_shot is None


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"TIMEOUT_MS": "0"}, "TIMEOUT_MS"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"HANDLER_MODULE": "../etc"}, "HANDLER_MODULE"),
        ({"WORKERS": "0"}, "WORKERS"),
        ({"CALLBACK_URL": "ftp://x", "EXECUTION_ID": "e", "INVOCATION_PAYLOAD": "{}"}, "CALLBACK_URL"),
    ],
)
def test_a_bad_value_names_the_variable(env, variable):
    with pytest.raises(ConfigError) as raised:
        load_config(env)
    assert raised.value.variable == variable


def test_execution_id_alone_is_not_one_shot():
    assert load_config({"EXECUTION_ID": "e"}).one_shot is None
