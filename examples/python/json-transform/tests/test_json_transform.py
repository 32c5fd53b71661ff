"""json-transform in Python: the TypeScript example's cases, answered the same way by both."""

import copy
from pathlib import Path

import pytest
from conftest import serve_example, serve_typescript_twin

EXAMPLE = Path(__file__).resolve().parents[1]

ORDER = {
    "id": 7,
    "customer": {
        "name": "ada lovelace",
        "email": "ada@example.org",
        "address": {"city": "london", "zip": "N1"},
    },
    "items": [{"sku": "a-1", "qty": 2}],
    "note": None,
}

# The inputs of examples/json-transform/test/json-transform.test.ts.
OPERATION_CASES = [
    [
        {"op": "rename", "from": "customer.name", "to": "name"},
        {"op": "uppercase", "fields": ["name", "customer.address.city"]},
        {"op": "pick", "fields": ["id", "name", "customer.address.city", "items", "missing.field"]},
    ],
    [],
    [{"op": "rename", "from": "id", "to": "orderId"}],
    None,
    {"op": "pick"},
    ["pick"],
    [{"op": "delete", "fields": ["a"]}],
    [{"fields": ["a"]}],
    [{"op": None, "fields": ["a"]}],
    [{"op": "pick", "fields": []}],
    [{"op": "pick", "fields": "a"}],
    [{"op": "pick", "fields": ["a", 3]}],
    [{"op": "pick", "fields": ["a..b"]}],
    [{"op": "uppercase", "fields": ["__proto__.x"]}],
    [{"op": "rename", "from": "a"}],
    [{"op": "rename", "from": "a", "to": "b", "fields": []}],
    [{"op": "pick", "fields": ["a"]}] * 101,
    [{"op": "rename", "from": "customer.phone", "to": "phone"}],
    [{"op": "rename", "from": "id", "to": "customer"}],
    [{"op": "rename", "from": "id", "to": "customer.email.id"}],
    [{"op": "uppercase", "fields": ["nope"]}],
    [{"op": "uppercase", "fields": ["id"]}],
    [{"op": "uppercase", "fields": ["note"]}],
    [{"op": "uppercase", "fields": ["items"]}],
    [{"op": "uppercase", "fields": ["customer"]}],
    [{"op": "uppercase", "fields": ["customer.email"]}, {"op": "pick", "fields": ["customer.email"]}],
]
INPUT_CASES = [
    "text",
    {"operations": []},
    {"document": [1], "operations": []},
    {"document": {}, "operations": [], "extra": 1},
    {"document": {"city": "Rome"}, "operations": [{"op": "rename", "from": "city", "to": "address.city"}]},
]
CASES = [{"document": ORDER, "operations": operations} for operations in OPERATION_CASES] + INPUT_CASES


@pytest.fixture(scope="module")
def python_example():
    yield from serve_example(EXAMPLE)


@pytest.fixture(scope="module")
def typescript_example():
    yield from serve_typescript_twin("json-transform")


@pytest.mark.parametrize("data", CASES, ids=lambda data: repr(data)[:60])
def test_answers_exactly_as_the_typescript_example(python_example, typescript_example, data):
    assert python_example.invoke(data) == typescript_example.invoke(data)


def test_applies_rename_uppercase_and_pick_in_order_without_changing_its_input(load_handler):
    handler = load_handler(EXAMPLE)
    document = copy.deepcopy(ORDER)
    output = handler.handle({"input": {"document": document, "operations": OPERATION_CASES[0]}})
    assert output == {
        "id": 7,
        "name": "ADA LOVELACE",
        "customer": {"address": {"city": "LONDON"}},
        "items": [{"sku": "a-1", "qty": 2}],
    }
    assert document == ORDER
