"""Gunicorn's own log lines as JSON, in the runtime's format; access lines carry the ids."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

_LEVELS = {"WARNING": "warn", "CRITICAL": "error"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        timestamp = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        line: dict[str, Any] = {
            "ts": timestamp.replace("+00:00", "Z"),
            "level": _LEVELS.get(record.levelname, record.levelname.lower()),
            "msg": record.getMessage(),
            "component": "gunicorn",
        }
        if record.exc_info:
            line["err"] = {"stack": self.formatException(record.exc_info)}
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


class JsonLogger(GunicornLogger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
        if cfg.accesslog:
            # Every log line goes to stderr: stdout is not ours (STDIO mode's output, or nothing).
            stderr = logging.StreamHandler(sys.stderr)
            stderr.setFormatter(logging.Formatter("%(message)s"))
            self.access_log.handlers = [stderr]

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.syslog):
            return
        headers = dict(resp.headers) if resp.headers else {}
        line = {
            "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": "info",
            "msg": "access",
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(str(resp.status).split()[0]) if resp.status else None,
            "durationMs": round(request_time.total_seconds() * 1000, 3),
            "executionId": headers.get("X-Execution-Id"),
            "traceId": headers.get("X-Trace-Id"),
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
