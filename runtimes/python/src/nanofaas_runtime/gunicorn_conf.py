"""Gunicorn settings from the runtime's environment (README.md, "Configuration"):

gunicorn -c python:nanofaas_runtime.gunicorn_conf nanofaas_runtime.app:app
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile

from nanofaas_runtime.config import ConfigError, load_config

try:
    _config = load_config()
except ConfigError as _error:
    sys.stderr.write(json.dumps({"level": "error", "msg": str(_error), "variable": _error.variable}) + "\n")
    sys.exit(1)

_host = f"[{_config.host}]" if ":" in _config.host else _config.host
bind = [f"{_host}:{_config.port}"]
workers = _config.workers
threads = _config.threads
worker_class = "gthread"
# The app (and the handler) is imported once, in the master: a broken handler stops the start
# with one line, and workers fork with it already loaded.
preload_app = True
# On SIGTERM in-flight invocations may finish: each is bounded by TIMEOUT_MS.
graceful_timeout = -(-_config.timeout_ms // 1000) + 1
timeout = max(30, int(_config.timeout_ms / 1000) + 5)
# Longer than the watchdog's pooled-connection idle time (60 s), so the runtime never closes a
# keep-alive connection the watchdog is about to reuse.
keepalive = 65
logger_class = "nanofaas_runtime.gunicorn_logging.JsonLogger"
errorlog = "-"
accesslog = "-" if _config.access_log else None
loglevel = {"warn": "warning"}.get(_config.log_level, _config.log_level)
# Gunicorn 24+ opens a control socket in $HOME by default: shared by every runtime of the machine.
control_socket_disable = True
proc_name = f"nanofaas-{_config.function_name}" if _config.function_name else "nanofaas-python"
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

_metrics_dir: str | None = None
if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _metrics_dir = tempfile.mkdtemp(prefix="nanofaas-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def when_ready(server):
    from nanofaas_runtime.logger import Logger

    for listener in server.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        url_host = f"[{host}]" if ":" in host else host
        Logger(_config.log_level).info(
            "listening", url=f"http://{url_host}:{port}", port=port, workers=workers, threads=threads
        )


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir is not None:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
