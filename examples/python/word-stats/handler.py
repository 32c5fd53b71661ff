"""word-stats: counts the words, the unique words and the topN most frequent words of a text.

Input: {"text": "...", "topN"?: 1..1000} or the text itself as a JSON string. Bad input is the
function error INVALID_INPUT naming the field (the same as the TypeScript example)."""

from __future__ import annotations

from typing import Any

from nanofaas_runtime import FunctionError
from word_stats import count_words

DEFAULT_TOP_N = 10
MAX_TOP_N = 1000


def handle(request: dict) -> dict:
    text, top_n = parse_input(request["input"])
    return count_words(text, top_n)


def parse_input(data: Any) -> tuple[str, int]:
    if isinstance(data, str):
        return data, DEFAULT_TOP_N
    if not isinstance(data, dict):
        raise invalid(
            "input",
            f'must be a string or an object {{"text": string, "topN"?: number}}, got {describe(data)}',
        )
    extra = [key for key in data if key not in ("text", "topN")]
    if extra:
        raise invalid(extra[0], 'is not a known field (expected "text" and "topN")')
    if "text" not in data or not isinstance(data["text"], str):
        raise invalid("text", f"must be a string, got {describe(data.get('text', _MISSING))}")
    if "topN" not in data:
        return data["text"], DEFAULT_TOP_N
    top_n = data["topN"]
    whole = isinstance(top_n, int) or (isinstance(top_n, float) and top_n.is_integer())
    if isinstance(top_n, bool) or not whole or not 1 <= top_n <= MAX_TOP_N:
        raise invalid("topN", f"must be a whole number from 1 to {MAX_TOP_N}, got {describe(top_n)}")
    return data["text"], int(top_n)


def invalid(field: str, message: str) -> FunctionError:
    return FunctionError("INVALID_INPUT", f'field "{field}": {message}', details={"field": field})


_MISSING = object()


def describe(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, float) and value.is_integer():
        return f"number {int(value)}"
    return f"number {value}"
