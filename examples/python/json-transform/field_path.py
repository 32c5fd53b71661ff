"""Dotted paths into nested objects: "address.city" → ["address", "city"]."""

from __future__ import annotations

import json
from typing import Any

from nanofaas_runtime import FunctionError

# The same reserved names as the TypeScript example, where they would reach an object's prototype.
FORBIDDEN_SEGMENTS = {"__proto__", "prototype", "constructor"}
MAX_SEGMENTS = 32


def parse_field_path(value: Any, where: str) -> list[str]:
    """Parses "a.b.c"; ``where`` names the operation field in error messages ("operations.2.from")."""
    if not isinstance(value, str) or not value:
        raise invalid_operation(where, 'must be a non-empty dotted path such as "address.city"')
    segments = value.split(".")
    if any(not segment for segment in segments):
        raise invalid_operation(where, f'"{value}" has an empty segment')
    if len(segments) > MAX_SEGMENTS:
        raise invalid_operation(where, f'"{value}" is deeper than {MAX_SEGMENTS} levels')
    forbidden = next((segment for segment in segments if segment in FORBIDDEN_SEGMENTS), None)
    if forbidden is not None:
        raise invalid_operation(where, f'"{value}" uses the reserved name "{forbidden}"')
    return segments


def parent_of(document: dict, path: list[str]) -> dict | None:
    """The object holding the path's last segment, or None when a segment on the way is missing."""
    current: Any = document
    for segment in path[:-1]:
        if not isinstance(current, dict) or segment not in current:
            return None
        current = current[segment]
    return current if isinstance(current, dict) else None


def has_path(document: dict, path: list[str]) -> bool:
    parent = parent_of(document, path)
    return parent is not None and path[-1] in parent


def invalid_operation(where: str, message: str) -> FunctionError:
    return FunctionError("INVALID_OPERATION", f"{where}: {message}", details={"field": where})


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
