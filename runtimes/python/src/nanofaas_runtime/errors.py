"""The error codes the runtime answers with, and FunctionError.

The table is the subset of the platform's error catalogue (packages/contracts, docs/errors.md) that a
runtime produces; tests/test_error_catalogue.py fails if it ever differs from the contracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Origin = Literal["client", "function", "platform"]


@dataclass(frozen=True)
class ErrorDefinition:
    status: int
    origin: Origin
    retryable: bool


CATALOGUE: dict[str, ErrorDefinition] = {
    "VALIDATION_FAILED": ErrorDefinition(400, "client", False),
    "MALFORMED_JSON": ErrorDefinition(400, "client", False),
    "ROUTE_NOT_FOUND": ErrorDefinition(404, "client", False),
    "METHOD_NOT_ALLOWED": ErrorDefinition(405, "client", False),
    "PAYLOAD_TOO_LARGE": ErrorDefinition(413, "client", False),
    "UNSUPPORTED_MEDIA_TYPE": ErrorDefinition(415, "client", False),
    "TIMEOUT": ErrorDefinition(408, "function", True),
    "UNHANDLED_ERROR": ErrorDefinition(500, "function", False),
    "INVALID_OUTPUT": ErrorDefinition(500, "function", False),
    "INTERNAL_ERROR": ErrorDefinition(500, "platform", False),
    "NOT_READY": ErrorDefinition(503, "platform", True),
}

MAX_CODE_LENGTH = 128


@dataclass(frozen=True)
class ErrorAnswer:
    """An error answer: the HTTP status and the contract's error object."""

    status: int
    error: dict[str, Any]

    def body(self) -> dict[str, Any]:
        return {"error": self.error}


def error_answer(code: str, message: str, **extra: Any) -> ErrorAnswer:
    definition = CATALOGUE[code]
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "origin": definition.origin,
        "retryable": definition.retryable,
    }
    error.update(extra)
    return ErrorAnswer(definition.status, error)


class FunctionError(Exception):
    """An error the function reports on purpose, with a stable code of its own.

    The caller gets status 500, origin "function", this code and message (and ``details`` when it
    is a JSON value); any other exception becomes UNHANDLED_ERROR.
    """

    def __init__(self, code: str, message: str, retryable: bool = False, details: Any = None) -> None:
        if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE_LENGTH:
            raise TypeError(f"FunctionError code must be a string of 1 to {MAX_CODE_LENGTH} characters")
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.retryable = bool(retryable)
        self.details = details
