"""Counting words: the same rules as the TypeScript word-stats (examples/word-stats)."""

from __future__ import annotations

import re

# A word is a run of letters or digits in any script, with inner apostrophes ("don't", "l'uomo").
# [^\W_] is \w without the underscore: Unicode letters and digits.
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def count_words(text: str, top_n: int) -> dict:
    """Counts the words of ``text``, case-insensitively, and lists the ``top_n`` most frequent
    (most frequent first, ties in alphabetical order)."""
    counts: dict[str, int] = {}
    words = 0
    for match in WORD.finditer(text):
        word = match.group(0).lower().replace("\u2019", "'", 1)
        counts[word] = counts.get(word, 0) + 1
        words += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top_n]
    return {"words": words, "uniqueWords": len(counts), "top": [{"word": w, "count": c} for w, c in ranked]}
