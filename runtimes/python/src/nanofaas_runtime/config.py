"""Settings of the runtime, read once from the environment (README.md, "Configuration")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

LOG_LEVELS = ("debug", "info", "warn", "error")
DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024


class ConfigError(Exception):
    """A setting is unusable; the message names the variable."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"invalid configuration: {variable}: {message}")
        self.variable = variable


@dataclass(frozen=True)
class OneShotConfig:
    callback_url: str
    payload: str
    callback_token: str | None


@dataclass(frozen=True)
class RuntimeConfig:
    port: int
    host: str
    handler_module: str
    handler_function: str
    max_body_bytes: int
    timeout_ms: int
    log_level: str
    function_name: str | None
    execution_id: str | None
    trace_id: str | None
    one_shot: OneShotConfig | None
    workers: int
    threads: int
    access_log: bool


# Chosen from a workers x threads sweep (runtimes/python/README.md, "Performance"): on the 2-core
# benchmark machine two workers of 4 threads served an echo handler about twice as fast as one
# worker of 8 (one process holds one core: the GIL) at less CPU per request; 2x8 was no faster.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4


def load_config(env: Mapping[str, str] | None = None) -> RuntimeConfig:
    """Validates, defaults and freezes the settings; raises ConfigError naming the variable."""
    source = os.environ if env is None else env

    def read(name: str) -> str | None:
        value = source.get(name)
        return value if value else None

    def integer(name: str, default: int, minimum: int, maximum: int) -> int:
        text = read(name)
        if text is None:
            return default
        if not text.strip().isdigit():
            raise ConfigError(name, f"must be a whole number from {minimum} to {maximum}, got {text!r}")
        value = int(text)
        if not minimum <= value <= maximum:
            raise ConfigError(name, f"must be from {minimum} to {maximum}, got {value}")
        return value

    log_level = (read("LOG_LEVEL") or "info").lower()
    if log_level not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    handler_module = read("HANDLER_MODULE") or "handler"
    handler_function = read("HANDLER_FUNCTION") or "handle"
    if not all(part.isidentifier() for part in handler_module.split(".")):
        raise ConfigError("HANDLER_MODULE", f"must be a dotted module name, got {handler_module!r}")
    if not handler_function.isidentifier():
        raise ConfigError("HANDLER_FUNCTION", f"must be a Python identifier, got {handler_function!r}")
    access_log = (read("ACCESS_LOG") or "false").lower()
    if access_log not in ("true", "false"):
        raise ConfigError("ACCESS_LOG", f"must be true or false, got {access_log!r}")
    execution_id = read("EXECUTION_ID")
    return RuntimeConfig(
        port=integer("PORT", 8080, 0, 65535),
        host=read("HOST") or "0.0.0.0",
        handler_module=handler_module,
        handler_function=handler_function,
        max_body_bytes=integer("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1, 1 << 30),
        timeout_ms=integer("TIMEOUT_MS", 30_000, 1, 24 * 60 * 60 * 1000),
        log_level=log_level,
        function_name=read("FUNCTION_NAME"),
        execution_id=execution_id,
        trace_id=read("TRACE_ID"),
        one_shot=_one_shot(
            execution_id, read("CALLBACK_URL"), read("INVOCATION_PAYLOAD"), read("CALLBACK_TOKEN")
        ),
        workers=integer("WORKERS", DEFAULT_WORKERS, 1, 64),
        threads=integer("THREADS", DEFAULT_THREADS, 1, 1024),
        access_log=access_log == "true",
    )


def _one_shot(
    execution_id: str | None, callback_url: str | None, payload: str | None, token: str | None
) -> OneShotConfig | None:
    """EXECUTION_ID alone is normal (the watchdog sets it for STDIO runs); CALLBACK_URL or
    INVOCATION_PAYLOAD without the rest is a broken Job spec, reported rather than ignored."""
    if callback_url is None and payload is None:
        return None
    missing = [
        name
        for name, value in (
            ("EXECUTION_ID", execution_id),
            ("CALLBACK_URL", callback_url),
            ("INVOCATION_PAYLOAD", payload),
        )
        if value is None
    ]
    if missing:
        raise ConfigError(
            ", ".join(missing),
            "must be set for a one-shot run (EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD go together)",
        )
    assert callback_url is not None and payload is not None
    parsed = urlparse(callback_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError("CALLBACK_URL", f"must be an absolute http(s) URL, got {callback_url!r}")
    return OneShotConfig(callback_url=callback_url.rstrip("/"), payload=payload, callback_token=token)
