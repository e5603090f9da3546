"""Title words that tell works apart: numbers, numerals, short words, and the typos that do not.

Two titles that differ in a replaced number, roman numeral or short word ("Part I"/"Part II",
"CPUs"/"GPUs") name two works however alike the rest is; one mistyped word (DDS/DSS) may be
forgiven when everything else agrees (docs/matching.md, rule 5).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from .normalize import SPELLED_NUMBERS, TITLE_ABBREVIATIONS, TITLE_STOPWORDS

# Short words that lose their space and glue to the next or previous word in scraped titles.
_GLUE = TITLE_STOPWORDS | {"s"}

_ROMAN_RE = re.compile(r"[ivxlc]+")
# A well-formed roman numeral (i .. mmmcmxcix): "ii", "xiv"; not "civil".
_STRICT_ROMAN_RE = re.compile(r"(?=[mdclxvi])m{0,3}(?:c[md]|d?c{0,3})(?:x[cl]|l?x{0,3})(?:i[xv]|v?i{0,3})")
# A correction or reply is a different item from the paper it is about.
NOTICE_WORDS = frozenset({"erratum", "errata", "corrigendum", "corrigenda", "retraction", "retracted",
                           "addendum", "rejoinder"})
# Words that, right after a shared title, announce another work: "X, Part 2", "X II", "X revisited".
SEQUEL_RE = re.compile(r"(?:part|parts|vol|volume|chapter|section|book|revisited|continued|reloaded|redux|sequel"
                        r"|[0-9]\w*|[ivx]+)\b")


# Prefixes that negate the word they precede: "unsupervised" names the opposite of "supervised",
# "nonlinear" of "linear", "asynchronous" of "synchronous". A negated word is a replaced word,
# not a typo, however alike the letters are; "non" also stands apart ("non-linear").
_NEGATING_PREFIXES = ("non", "un", "in", "im", "il", "ir", "dis", "anti", "a")
NEGATION_WORDS = frozenset({"non"})
_NEGATED_MIN = 4  # letters the negated word needs: shorter ones are other words ("unit"/"it")


def negates(x: str, y: str) -> bool:
    """True when one word is the other with a negating prefix (supervised/unsupervised)."""
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    if len(short) < _NEGATED_MIN or not long_.endswith(short):
        return False
    return long_[:len(long_) - len(short)] in _NEGATING_PREFIXES


# Ligatures that text copied from a PDF loses: "le" for "file", "ecient" for "efficient".
_LIGATURES = ("ffi", "ffl", "ff", "fi", "fl")


def _ligature_lost(short: str, long_: str) -> bool:
    """True when ``short`` is ``long_`` without one of its ligatures."""
    for lig in _LIGATURES:
        if len(long_) - len(short) == len(lig):
            at = long_.find(lig)
            while at >= 0:
                if long_[:at] + long_[at + len(lig):] == short:
                    return True
                at = long_.find(lig, at + 1)
    return False


def words_match(x: str, y: str) -> bool:
    """Same word: equal, one typo apart (four letters or more), an abbreviation (ed/edition,
    dept/department), or a ligature lost (le/file)."""
    if x == y:
        return True
    if negates(x, y):
        return False
    if 2 <= abs(len(x) - len(y)) <= 3 and min(len(x), len(y)) >= 2 and _ligature_lost(*sorted((x, y), key=len)):
        return True
    if y in TITLE_ABBREVIATIONS.get(x, ()) or x in TITLE_ABBREVIATIONS.get(y, ()):
        return True
    x, y = SPELLED_NUMBERS.get(x, x), SPELLED_NUMBERS.get(y, y)  # "4th" against a misspelt "foruth"
    if len(x) == len(y) <= 4:
        return False  # short words one letter apart name different things: CPUs/GPUs, 2D/3D
    if len(x) >= 4 and len(y) >= 4:
        # fuzz.ratio is at most 2 * shorter / (both lengths): 75 needs the shorter word 0.6 of the longer
        return 5 * min(len(x), len(y)) >= 3 * max(len(x), len(y)) and fuzz.ratio(x, y) >= 75
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return len(short) >= 2 and len(long_) >= 5 and short.isalpha() and long_.startswith(short) \
        and not _ROMAN_RE.fullmatch(short)


def _kind(word: str) -> str:
    """What kind of word can name another work when it replaces one of its kind: a number, a
    roman numeral, or a short word (an acronym, a two-to-four letter word); else ""."""
    if any(c.isdigit() for c in word):
        return "number"
    if _STRICT_ROMAN_RE.fullmatch(word) and len(word) <= 4:
        return "numeral"
    return "short" if 2 <= len(word) <= 4 and word.isalpha() else ""


_LEADING_NUMBER_RE = re.compile(r"\d+")


def _same_number(x: str, y: str) -> bool:
    """True for one number written two ways: "2nd"/"2", "5th"/"5", "2d" for "two-dimensional"."""
    m, n = _LEADING_NUMBER_RE.match(x), _LEADING_NUMBER_RE.match(y)
    return m is not None and n is not None and m.group() == n.group()


def replaced(xs: Sequence[str], ys: Sequence[str]) -> tuple[str, str] | None:
    """A word of ``xs`` replaced by one of ``ys`` of the same kind (Part I/II, 1st/21st, CPUs/GPUs,
    SQL/XML) or by its negation (supervised/unsupervised), or None. A damaged word of another
    kind (an OCR fragment "x" for "fix") is not one, nor one number written two ways (2nd/2)."""
    for x in xs:
        for y in ys:
            if negates(x, y):
                return x, y
    for x in xs:
        kind = _kind(x)
        if kind:
            for y in ys:
                if _same_number(x, y):
                    continue
                if _kind(y) == kind or (kind != "short" and _kind(y) in ("number", "numeral")):
                    return x, y
    return None


def _numeral(word: str) -> bool:
    return any(c.isdigit() for c in word) or _STRICT_ROMAN_RE.fullmatch(word) is not None


def typo_like(x: str, y: str) -> bool:
    """True when ``y`` could be ``x`` mistyped: one letter replaced, added, dropped or two swapped
    (DDS/DSS, XJML/XML, TCP/TPC), or the word cut short (S/Strudel).

    Numbers and roman numerals never are (Part I/II, 1st/21st, IPv4/IPv6), nor words whose
    first letters differ: typing errors rarely hit the first letter, deliberate variants
    often do (CPUs/GPUs, DRAM/SRAM).
    """
    if x == y or x[0] != y[0] or _numeral(x) or _numeral(y):
        return False
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return long_.startswith(short) or (len(long_) >= 3 and OSA.distance(x, y) == 1)


def _glued(word: str, pool: set[str]) -> bool:
    """True for a word of ``pool`` with a short word glued before or after it ("forsql", "anew", "the80")."""
    return any(len(word) > len(o) and (word.endswith(o) and word[:-len(o)] in _GLUE
                                       or word.startswith(o) and word[len(o):] in _GLUE) for o in pool)


@lru_cache(maxsize=1 << 14)
def _acronyms(words: tuple[str, ...]) -> dict[str, range]:
    """The initials of each run of two to five words ("www" for "world wide web"), with the run
    (cached: a title is compared with many others; callers only read it)."""
    out: dict[str, range] = {}
    for i in range(len(words)):
        for n in range(2, min(5, len(words) - i) + 1):
            out.setdefault("".join(w[0] for w in words[i:i + n]), range(i, i + n))
    return out


@lru_cache(maxsize=1 << 14)
def _joined(words: tuple[str, ...]) -> frozenset[str]:
    """Each two neighbouring words written as one ("data base" as "database")."""
    return frozenset(x + y for x, y in zip(words, words[1:]))


@lru_cache(maxsize=1 << 12)
def unmatched(words: tuple[str, ...], others: tuple[str, ...]) -> tuple[str, ...]:
    """Words without a counterpart (equal, a typo apart, two joined words, a short word glued
    to one, or an acronym and the words it stands for: WWW/World Wide Web) among ``others``.
    (Cached: the reading of two titles and the scoring of their words ask it of one pair
    several times.)"""
    pool = set(others)
    joined = _joined(others)
    spelt_out = _acronyms(others)
    covered = {i for acronym, run in _acronyms(words).items() if acronym in pool for i in run}
    out = []
    for i, w in enumerate(words):
        if w in pool or w in joined or i in covered or (len(w) >= 2 and w in spelt_out) or _glued(w, pool):
            continue
        if not any(words_match(w, o) for o in pool) and not any(words_match(w, j) for j in joined):
            out.append(w)
    return tuple(out)
