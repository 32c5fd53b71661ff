"""JSON lines on stderr, so that stdout stays free for STDIO mode's output."""

from __future__ import annotations

import json
import sys
import traceback
from datetime import datetime, timezone
from typing import Any, TextIO

_RANK = {"debug": 10, "info": 20, "warn": 30, "error": 40}


class Logger:
    """A structured logger: each call writes one JSON line carrying the bound fields."""

    def __init__(
        self, level: str = "info", bound: dict[str, Any] | None = None, stream: TextIO | None = None
    ):
        self._threshold = _RANK[level]
        self._level = level
        self._bound = bound or {}
        self._stream = stream

    def child(self, **fields: Any) -> Logger:
        return Logger(self._level, {**self._bound, **fields}, self._stream)

    def enabled(self, level: str) -> bool:
        return _RANK[level] >= self._threshold

    def debug(self, msg: str, **fields: Any) -> None:
        self._write("debug", msg, fields)

    def info(self, msg: str, **fields: Any) -> None:
        self._write("info", msg, fields)

    def warn(self, msg: str, **fields: Any) -> None:
        self._write("warn", msg, fields)

    warning = warn

    def error(self, msg: str, **fields: Any) -> None:
        self._write("error", msg, fields)

    def _write(self, level: str, msg: str, fields: dict[str, Any]) -> None:
        if _RANK[level] < self._threshold:
            return
        timestamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record: dict[str, Any] = {"ts": timestamp, "level": level, "msg": str(msg), **self._bound}
        for key, value in fields.items():
            record[key] = describe_error(value) if isinstance(value, BaseException) else value
        stream = self._stream or sys.stderr
        try:
            line = json.dumps(record, ensure_ascii=False, default=repr, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            line = json.dumps({"ts": timestamp, "level": level, "msg": str(msg)})
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass  # nowhere left to log to


def describe_error(error: BaseException) -> dict[str, str]:
    """{name, message, stack}: the same shape as the Node runtime's log lines."""
    stack = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return {"name": type(error).__name__, "message": str(error), "stack": stack}
