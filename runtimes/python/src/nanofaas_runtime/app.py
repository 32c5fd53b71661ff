"""``nanofaas_runtime.app:app``: the Flask app of the handler the environment names.

Gunicorn imports this module (once, in the master: gunicorn_conf sets ``preload_app``), so a bad
setting or handler stops the start with one line instead of a traceback per worker.
"""

from __future__ import annotations

from .bootstrap import process_age_ms, start_runtime
from .server import create_app

_runtime = start_runtime()
app = create_app(_runtime.config, _runtime.invoker, _runtime.logger, process_age_ms())
