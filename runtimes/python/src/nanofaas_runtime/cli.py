"""``nanofaas-python``: one-shot when the environment says so, ``--stdio`` for STDIO/FILE mode,
otherwise exactly ``gunicorn -c python:nanofaas_runtime.gunicorn_conf nanofaas_runtime.app:app``."""

from __future__ import annotations

import os
import sys

USAGE = """usage: nanofaas-python [--stdio]
  (no argument)  serve HANDLER_MODULE.HANDLER_FUNCTION over HTTP on HOST:PORT with Gunicorn, or run
                 it once when EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD are set
  --stdio        one InvocationRequest on stdin (or INPUT_FILE), the output on stdout (or OUTPUT_FILE)
"""


def main() -> None:
    args = sys.argv[1:]
    if args in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return
    if args == ["--stdio"]:
        from .stdio import main as stdio_main

        stdio_main()
        return
    if args:
        sys.stderr.write(f"nanofaas-python: unexpected arguments {' '.join(args)}\n{USAGE}")
        sys.exit(2)
    if os.environ.get("CALLBACK_URL") or os.environ.get("INVOCATION_PAYLOAD"):
        from .bootstrap import start_runtime
        from .one_shot import run_one_shot

        code = run_one_shot(start_runtime())
        sys.stderr.flush()
        os._exit(code)
    from gunicorn.app.wsgiapp import run

    sys.argv = [sys.argv[0], "-c", "python:nanofaas_runtime.gunicorn_conf", "nanofaas_runtime.app:app"]
    run()


if __name__ == "__main__":
    main()
