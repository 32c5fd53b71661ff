"""Applies the operations in order to a copy of the document; the input is never changed."""

from __future__ import annotations

import copy
from typing import Any

from field_path import has_path, parent_of
from nanofaas_runtime import FunctionError


def apply_operations(document: dict, operations: list[dict]) -> dict:
    current = copy.deepcopy(document)
    for index, operation in enumerate(operations):
        current = apply_one(current, operation, f"operations.{index}")
    return current


def apply_one(document: dict, operation: dict, where: str) -> dict:
    if operation["op"] == "pick":
        return pick(document, operation["fields"], where)
    if operation["op"] == "rename":
        rename(document, operation["from"], operation["to"], where)
        return document
    for path in operation["fields"]:
        uppercase(document, path, where)
    return document


def pick(document: dict, fields: list[list[str]], where: str) -> dict:
    picked: dict = {}
    for path in fields:
        if has_path(document, path):
            set_path(picked, path, parent_of(document, path)[path[-1]], where)
    return picked


def rename(document: dict, source_path: list[str], target: list[str], where: str) -> None:
    source = parent_of(document, source_path)
    if source is None or source_path[-1] not in source:
        raise not_found(where, source_path)
    if has_path(document, target):
        raise FunctionError(
            "FIELD_EXISTS",
            f'{where}: the target "{".".join(target)}" already exists',
            details={"operation": where, "path": ".".join(target)},
        )
    value = source.pop(source_path[-1])
    set_path(document, target, value, where)


def uppercase(document: dict, path: list[str], where: str) -> None:
    parent = parent_of(document, path)
    key = path[-1]
    if parent is None or key not in parent:
        raise not_found(where, path)
    value = parent[key]
    if not isinstance(value, str):
        raise FunctionError(
            "NOT_A_STRING",
            f'{where}: "{".".join(path)}" is {describe(value)}, not a string',
            details={"operation": where, "path": ".".join(path)},
        )
    parent[key] = value.upper()


def set_path(document: dict, path: list[str], value: Any, where: str) -> None:
    """Sets a value, creating the intermediate objects; a non-object on the way is NOT_AN_OBJECT."""
    current = document
    for depth, segment in enumerate(path[:-1]):
        if segment not in current:
            current[segment] = {}
        following = current[segment]
        if not isinstance(following, dict):
            at = ".".join(path[: depth + 1])
            raise FunctionError(
                "NOT_AN_OBJECT",
                f'{where}: "{at}" is not an object, so "{".".join(path)}" cannot be set',
                details={"operation": where, "path": at},
            )
        current = following
    current[path[-1]] = value


def not_found(where: str, path: list[str]) -> FunctionError:
    return FunctionError(
        "FIELD_NOT_FOUND",
        f'{where}: the document has no field "{".".join(path)}"',
        details={"operation": where, "path": ".".join(path)},
    )


def describe(value: Any) -> str:
    """The words of the TypeScript example: JavaScript's typeof, with null and arrays named."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "object"
