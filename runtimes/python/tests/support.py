"""Real processes for the tests: the runtime under Gunicorn, STDIO runs, a callback server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
HANDLERS = HERE / "handlers"
REPOSITORY = HERE.parents[2]
WATCHDOG = REPOSITORY / "watchdog" / "dist" / "watchdog"
BIN = Path(sys.executable).parent
NANOFAAS_PYTHON = str(BIN / "nanofaas-python")

RUNTIME_VARIABLES = [
    "PORT",
    "HOST",
    "HANDLER_MODULE",
    "HANDLER_FUNCTION",
    "MAX_BODY_BYTES",
    "TIMEOUT_MS",
    "LOG_LEVEL",
    "FUNCTION_NAME",
    "EXECUTION_ID",
    "TRACE_ID",
    "CALLBACK_URL",
    "CALLBACK_TOKEN",
    "INVOCATION_PAYLOAD",
    "INPUT_FILE",
    "OUTPUT_FILE",
    "WORKERS",
    "THREADS",
    "ACCESS_LOG",
    "WARM",
    "EXECUTION_MODE",
    "WATCHDOG_CMD",
    "PROMETHEUS_MULTIPROC_DIR",
]


def clean_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in RUNTIME_VARIABLES}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(
                response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def invoke(url: str, payload, headers: dict[str, str] | None = None) -> Answer:
    return http(
        "POST",
        f"{url}/invoke",
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def serve(argv: list[str], tmp_path: Path, cwd: Path = HANDLERS, **env: str) -> Served:
    """Starts argv with PORT/HOST on a free loopback port and waits for GET /health → 200."""
    port = free_port()
    stderr_path = tmp_path / f"stderr-{port}.log"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=clean_env(PORT=str(port), HOST="127.0.0.1", **env),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process, stderr_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{argv} exited with {process.returncode}: {served.stderr()}")
        try:
            if http("GET", f"{served.url}/health").status == 200:
                return served
        except OSError:
            pass
        time.sleep(0.05)
    served.stop()
    raise AssertionError(f"{argv} was not healthy within 30 s: {served.stderr()}")


def run(argv: list[str], stdin: bytes = b"", cwd: Path = HANDLERS, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, input=stdin, cwd=cwd, env=clean_env(**env), capture_output=True, timeout=60)


@dataclass
class CallbackServer:
    """A real completion-callback endpoint on loopback; ``plan`` says what each request gets
    ("drop" closes the connection unanswered; the last entry repeats)."""

    plan: list
    received: list = field(default_factory=list)

    def __enter__(self) -> CallbackServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                owner.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                step = owner.plan[min(len(owner.received) - 1, len(owner.plan) - 1)]
                if step == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(step)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.callback_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1/internal/executions"
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def log_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                lines.append(json.loads(line))
    return lines
