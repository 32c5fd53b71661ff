"""JSON in and out, without re-encoding data.

Input is parsed with Python's json: integers of any size stay exact ``int`` and a number written
with a fraction or exponent becomes a ``float``, so ``7.0`` stays ``7.0`` and a 30-digit integer
stays whole. The output is ``json.dumps`` of what the handler returned, compact and with every
character as UTF-8 (``ensure_ascii=False``): an echoed input comes back as it was sent, except that
a float is written the way Python writes that float (``1e2`` becomes ``100.0``, ``0.10`` becomes
``0.1``) and insignificant whitespace is dropped. NaN and Infinity are not JSON and are refused
both ways.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import ErrorAnswer, error_answer

JSON_CONTENT_TYPE = "application/json"
BINARY_CONTENT_TYPE = "application/octet-stream"

MAX_METADATA_ENTRIES = 64
MAX_METADATA_KEY_LENGTH = 256
MAX_METADATA_VALUE_LENGTH = 8192


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_decoder = json.JSONDecoder(parse_constant=_refuse_constant)


@dataclass(frozen=True)
class InvocationRequest:
    input: Any
    metadata: dict[str, str]


@dataclass(frozen=True)
class SerialisedOutput:
    body: bytes
    content_type: str


def parse_json(text: str | bytes) -> Any | ErrorAnswer:
    """The JSON value of a text, or 400 MALFORMED_JSON saying what is wrong with it."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            return error_answer("MALFORMED_JSON", f"the body is not valid UTF-8: {error}")
    if not text.strip():
        return error_answer(
            "MALFORMED_JSON", 'the body is empty; expected an InvocationRequest {"input": ...}'
        )
    try:
        return _decoder.decode(text)
    except RecursionError:
        return error_answer("MALFORMED_JSON", "the body is not valid JSON: it is nested too deeply")
    except ValueError as error:
        return error_answer("MALFORMED_JSON", f"the body is not valid JSON: {error}")


def validate_invocation_request(value: Any) -> InvocationRequest | ErrorAnswer:
    """The contracts' InvocationRequest: {"input": any, "metadata"?: {string: string}}, nothing else.

    An explicit ``"metadata": null`` means absent (DESIGN.md §3).
    """
    issues: list[dict[str, str]] = []
    if not isinstance(value, dict):
        issues.append(_issue("", "type", f"must be an object, got {_json_type(value)}"))
        return _invalid(issues)
    if "input" not in value:
        issues.append(_issue("input", "required", "is required"))
    for key in value:
        if key not in ("input", "metadata"):
            issues.append(_issue(key, "unknownField", "is not a field of InvocationRequest"))
    metadata = value.get("metadata")
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, dict):
        issues.append(_issue("metadata", "type", "must be an object whose values are strings"))
    else:
        if len(metadata) > MAX_METADATA_ENTRIES:
            issues.append(
                _issue("metadata", "maxProperties", f"must have at most {MAX_METADATA_ENTRIES} entries")
            )
        for key, entry in metadata.items():
            field = f"metadata.{key}"
            if not 1 <= len(key) <= MAX_METADATA_KEY_LENGTH:
                issues.append(
                    _issue(field, "maxLength", f"keys must be 1 to {MAX_METADATA_KEY_LENGTH} characters")
                )
            if not isinstance(entry, str):
                issues.append(_issue(field, "type", f"must be a string, got {_json_type(entry)}"))
            elif len(entry) > MAX_METADATA_VALUE_LENGTH:
                issues.append(
                    _issue(field, "maxLength", f"must be at most {MAX_METADATA_VALUE_LENGTH} characters")
                )
    if issues:
        return _invalid(issues)
    return InvocationRequest(input=value["input"], metadata=metadata)


def decode_invocation_request(text: str | bytes) -> InvocationRequest | ErrorAnswer:
    """Parse, then validate: the whole decoding of an InvocationRequest JSON text."""
    parsed = parse_json(text)
    if isinstance(parsed, ErrorAnswer):
        return parsed
    return validate_invocation_request(parsed)


def serialise_output(value: Any) -> SerialisedOutput | ErrorAnswer:
    """JSON for any JSON value (None → ``null``); bytes, bytearray and memoryview as they are."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return SerialisedOutput(bytes(value), BINARY_CONTENT_TYPE)
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        return error_answer("INVALID_OUTPUT", f"the function's output cannot be serialised to JSON: {error}")
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8 form; JSON can still carry it as an escape.
        body = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")
    return SerialisedOutput(body, JSON_CONTENT_TYPE)


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON of a value the runtime builds itself (error bodies, callbacks)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode(
        "utf-8", "backslashreplace"
    )


def _issue(field: str, rule: str, message: str) -> dict[str, str]:
    return {"field": field, "rule": rule, "message": message}


def _invalid(issues: list[dict[str, str]]) -> ErrorAnswer:
    summary = "; ".join(f"{issue['field'] or 'body'}: {issue['message']}" for issue in issues)
    return error_answer(
        "VALIDATION_FAILED", f"the body is not an InvocationRequest: {summary}", issues=issues
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
