"""word-stats in Python: the TypeScript example's cases, answered the same way by both."""

from pathlib import Path

import pytest
from conftest import serve_example, serve_typescript_twin
from nanofaas_runtime import FunctionError

EXAMPLE = Path(__file__).resolve().parents[1]

# The inputs of examples/word-stats/test/word-stats.test.ts, and a few more edges.
CASES = [
    {"text": "The cat and the hat. THE END, the end!", "topN": 3},
    " ".join(f"w{i}" for i in range(12)),
    {"text": "Perché l'uomo? perché 2024 — don't Don\u2019t 東京", "topN": 10},
    {"text": " ... !!! "},
    {"text": "to be or not to be", "topN": 2},
    {"text": "a b", "topN": 2.0},
    {"text": "snake_case words_here"},
    42,
    None,
    ["a"],
    {},
    {"text": 7},
    {"text": "a", "topN": 0},
    {"text": "a", "topN": 2.5},
    {"text": "a", "topN": "3"},
    {"text": "a", "topN": True},
    {"text": "a", "limit": 3},
    {"text": None},
]


@pytest.fixture(scope="module")
def python_example():
    yield from serve_example(EXAMPLE)


@pytest.fixture(scope="module")
def typescript_example():
    yield from serve_typescript_twin("word-stats")


@pytest.mark.parametrize("data", CASES, ids=lambda data: repr(data)[:40])
def test_answers_exactly_as_the_typescript_example(python_example, typescript_example, data):
    assert python_example.invoke(data) == typescript_example.invoke(data)


def test_counts_words_unique_words_and_the_most_frequent(load_handler):
    handler = load_handler(EXAMPLE)
    assert handler.handle({"input": {"text": "The cat and the hat. THE END, the end!", "topN": 3}}) == {
        "words": 9,
        "uniqueWords": 5,
        "top": [{"word": "the", "count": 4}, {"word": "end", "count": 2}, {"word": "and", "count": 1}],
    }


def test_bad_input_is_invalid_input_naming_the_field(load_handler):
    handler = load_handler(EXAMPLE)
    with pytest.raises(FunctionError) as raised:
        handler.handle({"input": {"text": "a", "topN": 0}})
    assert raised.value.code == "INVALID_INPUT"
    assert raised.value.message == 'field "topN": must be a whole number from 1 to 1000, got number 0'
    assert raised.value.details == {"field": "topN"}
