"""Start-up shared by every mode: settings, logger, handler. A problem is one clear line on stderr."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from .config import ConfigError, RuntimeConfig, load_config
from .handler_loading import HandlerLoadError, LoadedHandler, load_handler
from .invoke import Invoker
from .logger import Logger


@dataclass(frozen=True)
class Runtime:
    config: RuntimeConfig
    logger: Logger
    handler: LoadedHandler
    invoker: Invoker


def start_runtime(env: Mapping[str, str] | None = None) -> Runtime:
    """Loads everything once; on a bad setting or handler, logs one line and exits 1."""
    try:
        config = load_config(env)
    except ConfigError as error:
        fail(str(error), variable=error.variable)
    bound = {"function": config.function_name} if config.function_name else {}
    logger = Logger(config.log_level, bound)
    try:
        handler = load_handler(config.handler_module, config.handler_function)
    except HandlerLoadError as error:
        fail(str(error), logger)
    invoker = Invoker(handler, logger, config.function_name, pool_size=max(4, config.threads * 2))
    return Runtime(config, logger, handler, invoker)


def fail(message: str, logger: Logger | None = None, **fields: object) -> NoReturn:
    (logger or Logger()).error(message, **fields)
    sys.exit(1)


def process_age_ms() -> int:
    """Milliseconds since this process started (Linux /proc), else since this module was imported."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            uptime_s = float(uptime.read().split()[0])
        return max(0, round((uptime_s - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000))
    except (OSError, ValueError, IndexError):
        return round((time.monotonic() - _IMPORTED_AT) * 1000)


_IMPORTED_AT = time.monotonic()
