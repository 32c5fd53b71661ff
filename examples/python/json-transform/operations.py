"""The transformations json-transform knows, validated: pick, rename, uppercase."""

from __future__ import annotations

from typing import Any

from field_path import invalid_operation, json_text, parse_field_path

OPERATION_NAMES = ("pick", "rename", "uppercase")
MAX_OPERATIONS = 100
MAX_FIELDS = 100


def parse_operations(value: Any) -> list[dict]:
    """Validates the declared operations; INVALID_OPERATION names the offending field ("operations.1.to")."""
    if not isinstance(value, list):
        raise invalid_operation("operations", "must be an array of operations")
    if len(value) > MAX_OPERATIONS:
        raise invalid_operation("operations", f"at most {MAX_OPERATIONS} operations, got {len(value)}")
    return [parse_operation(operation, f"operations.{index}") for index, operation in enumerate(value)]


def parse_operation(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise invalid_operation(where, 'must be an object such as {"op": "pick", ...}')
    op = value.get("op")
    if op in ("pick", "uppercase"):
        allow_only(value, ("op", "fields"), where)
        return {"op": op, "fields": parse_fields(value.get("fields"), f"{where}.fields")}
    if op == "rename":
        allow_only(value, ("op", "from", "to"), where)
        return {
            "op": op,
            "from": parse_field_path(value.get("from"), f"{where}.from"),
            "to": parse_field_path(value.get("to"), f"{where}.to"),
        }
    got = "nothing" if "op" not in value else json_text(op)
    raise invalid_operation(f"{where}.op", f"must be one of {', '.join(OPERATION_NAMES)}, got {got}")


def parse_fields(value: Any, where: str) -> list[list[str]]:
    if not isinstance(value, list) or not value:
        raise invalid_operation(where, "must be a non-empty array of dotted paths")
    if len(value) > MAX_FIELDS:
        raise invalid_operation(where, f"at most {MAX_FIELDS} fields, got {len(value)}")
    return [parse_field_path(field, f"{where}.{index}") for index, field in enumerate(value)]


def allow_only(value: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = next((key for key in value if key not in allowed), None)
    if unknown is not None:
        raise invalid_operation(
            f"{where}.{unknown}", f"is not a field of this operation (allowed: {', '.join(allowed)})"
        )
