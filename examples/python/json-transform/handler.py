"""json-transform: applies declared operations to a JSON document and returns the new document.

    {"document": {"user": {"name": "ada"}, "id": 7},
     "operations": [{"op": "rename", "from": "user.name", "to": "name"},
                    {"op": "uppercase", "fields": ["name"]},
                    {"op": "pick", "fields": ["id", "name"]}]}
    → {"id": 7, "name": "ADA"}

Errors (function errors, status 500), the same as the TypeScript example: INVALID_INPUT,
INVALID_OPERATION (the declaration is wrong), FIELD_NOT_FOUND, FIELD_EXISTS, NOT_A_STRING,
NOT_AN_OBJECT (the document does not fit it).
"""

from __future__ import annotations

from apply_operations import apply_operations
from nanofaas_runtime import FunctionError
from operations import parse_operations


def handle(request: dict) -> dict:
    data = request["input"]
    if not isinstance(data, dict):
        raise FunctionError(
            "INVALID_INPUT", 'input must be an object {"document": {...}, "operations": [...]}'
        )
    extra = next((key for key in data if key not in ("document", "operations")), None)
    if extra is not None:
        raise FunctionError(
            "INVALID_INPUT", f'field "{extra}": is not a known field (expected "document" and "operations")'
        )
    if not isinstance(data.get("document"), dict):
        raise FunctionError("INVALID_INPUT", 'field "document": must be a JSON object')
    return apply_operations(data["document"], parse_operations(data.get("operations")))
