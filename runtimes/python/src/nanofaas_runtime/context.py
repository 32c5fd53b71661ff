"""What a handler can use besides its request."""

from __future__ import annotations

import time
from collections.abc import Callable

from .logger import Logger


class Context:
    """The second argument of a handler that takes one.

    ``logger``: JSON lines on stderr carrying executionId and traceId; ``remaining_ms()``:
    milliseconds left until the deadline; ``function_name``: FUNCTION_NAME, when set.
    """

    __slots__ = ("_clock", "_logger", "deadline", "execution_id", "function_name", "trace_id")

    def __init__(
        self,
        logger: Logger,
        execution_id: str,
        trace_id: str,
        deadline_ms: float,
        function_name: str | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._logger = logger
        self._clock = clock
        self.execution_id = execution_id
        self.trace_id = trace_id
        self.deadline = deadline_ms
        self.function_name = function_name

    @property
    def logger(self) -> Logger:
        return self._logger.child(executionId=self.execution_id, traceId=self.trace_id)

    def remaining_ms(self) -> int:
        return max(0, int(self.deadline - self._clock() * 1000))
