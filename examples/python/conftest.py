"""Shared by the Python examples' tests: each example served by the real runtime, next to its
TypeScript twin served by the Node runtime, so that a case can be sent to both."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
NANOFAAS_PYTHON = str(Path(sys.executable).parent / "nanofaas-python")
NODE_RUNTIME = REPOSITORY / "packages" / "runtime" / "dist" / "cli.js"


class Served:
    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        variables = {k: v for k, v in os.environ.items() if k not in ("HANDLER_MODULE", "HANDLER_FUNCTION")}
        self.process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**variables, **env, "PORT": str(port), "HOST": "127.0.0.1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"{argv} exited with {self.process.returncode}"
            try:
                if self.post_raw("/health", None)[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"{argv} was not healthy within 30 s")

    def post_raw(self, path: str, body: bytes | None) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.url + path, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def invoke(self, data) -> tuple[int, dict]:
        status, body = self.post_raw("/invoke", json.dumps({"input": data}).encode())
        return status, json.loads(body)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


def serve_example(directory: Path):
    served = Served([NANOFAAS_PYTHON], directory, {})
    yield served
    served.stop()


def serve_typescript_twin(name: str):
    """The TypeScript example of the same name, built by `npm run build`, behind the Node runtime."""
    built = REPOSITORY / "examples" / name / "dist" / "index.js"
    node = shutil.which("node")
    assert node and NODE_RUNTIME.exists() and built.exists(), f"{built} is not built (run npm run build)"
    served = Served([node, str(NODE_RUNTIME), str(built)], REPOSITORY, {})
    yield served
    served.stop()


@pytest.fixture
def load_handler():
    """Imports an example's handler module fresh (both examples name it handler.py)."""
    added: list[str] = []

    def load(directory: Path):
        for name in ("handler", "word_stats", "field_path", "operations", "apply_operations"):
            sys.modules.pop(name, None)
        sys.path.insert(0, str(directory))
        added.append(str(directory))
        import handler

        return handler

    yield load
    for directory in added:
        sys.path.remove(directory)
