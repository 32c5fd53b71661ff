"""Runs a handler for one invocation until it returns or its deadline passes.

Sync handlers run on a small pool of daemon threads and async handlers on one event loop thread,
both per process (created on first use, so after Gunicorn forks its workers). The caller waits at
most until the deadline: then it answers 408 TIMEOUT; an async handler is cancelled, a sync one
cannot be stopped and its late result is dropped.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from .context import Context
from .errors import ErrorAnswer, FunctionError, error_answer
from .handler_loading import LoadedHandler
from .logger import Logger
from .wire_json import JSON_CONTENT_TYPE, SerialisedOutput, serialise_output


@dataclass(frozen=True)
class Invocation:
    input: Any
    metadata: dict[str, str]
    content_type: str
    execution_id: str
    trace_id: str
    timeout_ms: int
    attempt: int = 1


@dataclass(frozen=True)
class Outcome:
    """The output bytes, or the error answer; duration_ms is how long the handler ran."""

    output: SerialisedOutput | None
    answer: ErrorAnswer | None
    duration_ms: float


class Invoker:
    """Calls one loaded handler with the request dict (and the context, if it takes one)."""

    def __init__(
        self,
        handler: LoadedHandler,
        logger: Logger,
        function_name: str | None,
        pool_size: int = 16,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._handler = handler
        self._logger = logger
        self._function_name = function_name
        self._clock = clock
        self._pool_size = pool_size
        self._runners: tuple[int, _ThreadPool, _LoopThread] | None = None
        self._lock = threading.Lock()

    def invoke(self, invocation: Invocation) -> Outcome:
        started = self._clock()
        deadline_ms = started * 1000 + invocation.timeout_ms
        context = Context(
            self._logger,
            invocation.execution_id,
            invocation.trace_id,
            deadline_ms,
            self._function_name,
            self._clock,
        )
        request = {
            "input": invocation.input,
            "metadata": invocation.metadata,
            "contentType": invocation.content_type,
            "executionId": invocation.execution_id,
            "traceId": invocation.trace_id,
            "attempt": invocation.attempt,
            "deadline": deadline_ms,
        }
        args = (request, context) if self._handler.takes_context else (request,)
        pool, loop = self._runners_for_this_process()
        if self._handler.is_async:
            future = loop.submit(self._handler.function(*args))
        else:
            future = pool.submit(self._call_sync, args, loop)
        timeout_s = invocation.timeout_ms / 1000
        try:
            value = future.result(timeout=max(0.0, timeout_s - (self._clock() - started)))
        except (FutureTimeout, CancelledError):
            future.cancel()
            return self._timeout(invocation, context, started)
        except BaseException as thrown:  # the handler's own exception
            return Outcome(None, describe_failure(thrown, context.logger), self._elapsed_ms(started))
        duration_ms = self._elapsed_ms(started)
        if duration_ms > invocation.timeout_ms:
            return self._timeout(invocation, context, started)
        result = serialise_output(value)
        if isinstance(result, ErrorAnswer):
            context.logger.warn("invalid output", reason=result.error["message"])
            return Outcome(None, result, duration_ms)
        return Outcome(result, None, duration_ms)

    def _call_sync(self, args: tuple[Any, ...], loop: _LoopThread) -> Any:
        value = self._handler.function(*args)
        if inspect.isawaitable(value):  # a sync function that returned a coroutine
            return loop.submit(value).result()
        return value

    def _timeout(self, invocation: Invocation, context: Context, started: float) -> Outcome:
        message = f"the function did not finish within its timeout of {invocation.timeout_ms} ms"
        context.logger.warn(
            "invocation timed out; the handler may still be running", timeoutMs=invocation.timeout_ms
        )
        return Outcome(None, error_answer("TIMEOUT", message), self._elapsed_ms(started))

    def _elapsed_ms(self, started: float) -> float:
        return (self._clock() - started) * 1000

    def _runners_for_this_process(self) -> tuple[_ThreadPool, _LoopThread]:
        pid = os.getpid()
        runners = self._runners
        if runners is None or runners[0] != pid:
            with self._lock:
                runners = self._runners
                if runners is None or runners[0] != pid:
                    runners = (pid, _ThreadPool(self._pool_size), _LoopThread())
                    self._runners = runners
        return runners[1], runners[2]


def describe_failure(thrown: BaseException, logger: Logger) -> ErrorAnswer:
    """FunctionError → its own code; anything else → UNHANDLED_ERROR, message only (stack logged)."""
    if isinstance(thrown, FunctionError):
        error: dict[str, Any] = {
            "code": thrown.code,
            "message": thrown.message,
            "origin": "function",
            "retryable": thrown.retryable,
        }
        if thrown.details is not None and _is_serialisable(thrown.details):
            error["details"] = thrown.details
        logger.debug("function error", code=thrown.code, reason=thrown.message)
        return ErrorAnswer(500, error)
    logger.error("the handler raised an exception", err=thrown)
    message = _message_of(thrown)
    return error_answer("UNHANDLED_ERROR", message or "the function raised an exception")


def _message_of(thrown: BaseException) -> str:
    try:
        return str(thrown) or type(thrown).__name__
    except Exception:
        return type(thrown).__name__


def _is_serialisable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
        return True
    except (TypeError, ValueError, RecursionError):
        return False


class _ThreadPool:
    """Daemon threads (unlike ThreadPoolExecutor's), so that a handler that never returns cannot
    keep a STDIO run or a stopping worker alive."""

    def __init__(self, size: int) -> None:
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = (
            queue.SimpleQueue()
        )
        for index in range(size):
            threading.Thread(target=self._work, name=f"nanofaas-handler-{index}", daemon=True).start()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._tasks.put((future, function, args))
        return future

    def _work(self) -> None:
        while True:
            future, function, args = self._tasks.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:
                future.set_exception(error)


class _LoopThread:
    """One asyncio event loop on a daemon thread, for async handlers."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="nanofaas-event-loop", daemon=True).start()

    def submit(self, awaitable: Any) -> Future[Any]:
        async def run() -> Any:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(run(), self._loop)


__all__ = ["JSON_CONTENT_TYPE", "Invocation", "Invoker", "Outcome", "describe_failure"]
