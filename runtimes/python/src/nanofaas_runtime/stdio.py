"""``python -m nanofaas_runtime.stdio``: the watchdog's STDIO and FILE modes.

STDIO: one InvocationRequest JSON on stdin, the output on stdout and exit 0; on any error
``{"error":{…}}`` on stdout and exit 1. FILE (INPUT_FILE set, as the watchdog's FILE mode does):
the same with INPUT_FILE and OUTPUT_FILE. What the function prints goes to stderr, so that stdout
carries only the output. EXECUTION_ID, TRACE_ID and TIMEOUT_MS come from the watchdog.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

from .bootstrap import Runtime, fail, start_runtime
from .errors import ErrorAnswer, error_answer
from .ids import generate_execution_id, generate_trace_id
from .invoke import Invocation
from .wire_json import JSON_CONTENT_TYPE, decode_invocation_request, encode_json


def run_stdio(runtime: Runtime, source: BinaryIO, sink: BinaryIO) -> int:
    config = runtime.config
    text = source.read(config.max_body_bytes + 1)
    if len(text) > config.max_body_bytes:
        message = f"the input is over the limit of {config.max_body_bytes} bytes (MAX_BODY_BYTES)"
        return _write(sink, error_answer("PAYLOAD_TOO_LARGE", message))
    decoded = decode_invocation_request(text)
    if isinstance(decoded, ErrorAnswer):
        return _write(sink, decoded)
    outcome = runtime.invoker.invoke(
        Invocation(
            input=decoded.input,
            metadata=decoded.metadata,
            content_type=JSON_CONTENT_TYPE,
            execution_id=config.execution_id or generate_execution_id(),
            trace_id=config.trace_id or generate_trace_id(),
            timeout_ms=config.timeout_ms,
        )
    )
    if outcome.answer is not None:
        return _write(sink, outcome.answer)
    assert outcome.output is not None
    sink.write(outcome.output.body)
    sink.flush()
    return 0


def _write(sink: BinaryIO, answer: ErrorAnswer) -> int:
    sink.write(encode_json(answer.body()))
    sink.flush()
    return 1


def main() -> None:
    stdout = sys.stdout.buffer
    sys.stdout = sys.stderr  # the function's print() must not mix with the output
    runtime = start_runtime()
    input_file = os.environ.get("INPUT_FILE")
    output_file = os.environ.get("OUTPUT_FILE")
    if input_file:
        if not output_file:
            fail(
                "invalid configuration: OUTPUT_FILE: must be set with INPUT_FILE (FILE mode)", runtime.logger
            )
        try:
            with open(input_file, "rb") as source, open(output_file, "wb") as sink:
                code = run_stdio(runtime, source, sink)
        except OSError as error:
            fail(f"FILE mode: {error}", runtime.logger)
    else:
        code = run_stdio(runtime, sys.stdin.buffer, stdout)
    sys.stderr.flush()
    # A handler thread still running past its deadline must not keep the process alive.
    os._exit(code)


if __name__ == "__main__":
    main()
