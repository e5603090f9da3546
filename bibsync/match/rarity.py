"""How much of a title's information another title holds, each word weighed by its rarity.

A rare word says more about which work a title names than a common one ("xsb", "eddies"
against "data", "system"): the term-frequency adjustment of record linkage. A word's
weight is its information in bits, log2 of how many titles of a reference corpus there are
per title using it (``common_words.py``: 14,797 titles of computer-science papers); a word
the corpus list does not hold is used by fewer than 15 of them and counts as used by 7.5,
half that floor.

The comparison reads a title reworded by its authors ("XSB as a deductive database" /
"XSB as an efficient deductive database engine"), where character similarity is low but
one title's words, weighed by rarity, are nearly all in the other.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .common_words import CORPUS_TITLES, LISTED_MIN, TITLE_COUNTS
from .words import unmatched

_UNLISTED = LISTED_MIN / 2  # titles assumed to use a word the list does not hold
_GLUED_MIN = 4  # letters a word needs to be found inside words glued together ("performancemeasurements")


@lru_cache(maxsize=1 << 16)
def word_bits(word: str) -> float:
    """The information of a title word in bits: log2(titles in the corpus / titles using it)."""
    return math.log2(CORPUS_TITLES / TITLE_COUNTS.get(word, _UNLISTED))


def _found_share(words: tuple[str, ...], others: tuple[str, ...]) -> float | None:
    """The share of ``words``' bits that ``others`` holds (a word equal, a typo apart, an
    abbreviation, or found inside the other's words glued together); None without words."""
    total = sum(word_bits(w) for w in words)
    if not total:
        return None
    # Equal words and words found inside the other's letters first; only the rest is compared closely.
    pool, glued = set(others), "".join(others)
    rest = tuple(w for w in words if w not in pool and not (len(w) >= _GLUED_MIN and w in glued))
    missing = unmatched(rest, others) if rest else []
    return 1.0 - sum(word_bits(w) for w in missing) / total


def contained(a: tuple[str, ...], b: tuple[str, ...]) -> float | None:
    """How much of the better-held title's information the other holds, 0..1: the larger of
    the two shares, so that junk glued to one title does not count against the pair. None
    when a title has no words to weigh."""
    x, y = _found_share(a, b), _found_share(b, a)
    if x is None or y is None:
        return None
    return max(x, y)
