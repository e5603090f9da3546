"""Reading JSON that comes from outside (listings, decision files, web answers) within bounds.

Python's json module recurses once per level of nesting, so ``[`` x 100,000 ends in a
RecursionError, and it refuses integers of more than 4,300 digits with a ValueError that
says nothing of where. :func:`load_json` reads with the same C decoder, allows at most
:data:`MAX_DEPTH` levels of nesting and numbers of at most :data:`MAX_NUMBER_CHARS`
characters (no bibliographic record comes near either), and reports a breach as a
:class:`JsonLimitError` with the line and column of the place. JsonLimitError is a
``json.JSONDecodeError``, so code that handles bad JSON handles it too;
:func:`json_error_message` words either kind for a person.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 100
MAX_NUMBER_CHARS = 100

# Outside strings, the only tokens that matter here: brackets and numbers. Every alternative
# consumes what it matches, so a scan is linear in the text.
_STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_TOKEN_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]|-?[\d.][\d.eE+\-]*')
_NOT_BRACKET_RE = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR_RE = re.compile(r"\[\]|\{\}")


class JsonLimitError(json.JSONDecodeError):
    """Valid JSON beyond bibsync's bounds: nested too deeply, or a number too long."""


class _NumberTooLong(Exception):
    pass


class _NotFinite(Exception):
    """A number with no finite value (``1e999999``, ``NaN``, ``Infinity``); the literal as written."""


def _not_finite(text: str, literal: str) -> JsonLimitError:
    """The error for a number without a finite value, at its first place in ``text``."""
    found = re.search(r"(?<![\w.])" + re.escape(literal) + r"(?![\w.])", _STRING_RE.sub(lambda m: " " * len(m.group(0)), text))
    pos = found.start() if found else 0
    return JsonLimitError(f"the number {literal} has no finite value (at column {_column(text, pos)}); "
                          "no bibliographic record holds one", text, pos)


def json_error_message(exc: json.JSONDecodeError) -> str:
    """What went wrong, for a message: the bound passed, or why the text is not valid JSON."""
    return exc.msg if isinstance(exc, JsonLimitError) else f"this is not valid JSON: {exc.msg}"


def load_json(text: str, *, max_depth: int = MAX_DEPTH, max_number_chars: int = MAX_NUMBER_CHARS) -> Any:
    """``json.loads(text)`` within bounds; JsonLimitError (with line and column) beyond them.

    Raises json.JSONDecodeError for text that is not JSON, as ``json.loads`` does.
    """
    def number(kind: type):
        def parse(literal: str):
            if len(literal) > max_number_chars:
                raise _NumberTooLong
            value = kind(literal)
            if kind is float and not math.isfinite(value):  # 1e999999 is read as infinity
                raise _NotFinite(literal)
            return value
        return parse

    def constant(name: str):  # NaN, Infinity, -Infinity: Python reads them, JSON has no such values
        raise _NotFinite(name)

    try:
        data = json.loads(text, parse_int=number(int), parse_float=number(float), parse_constant=constant)
    except (RecursionError, _NumberTooLong):
        raise _breach(text, max_depth, max_number_chars) from None
    except _NotFinite as exc:
        raise _not_finite(text, str(exc)) from None
    if _deeper_than(text, max_depth):
        raise _breach(text, max_depth, max_number_chars)
    return data


def _deeper_than(text: str, limit: int) -> bool:
    """True when valid JSON ``text`` nests more than ``limit`` levels (one pass per level, in C)."""
    brackets = _NOT_BRACKET_RE.sub("", _STRING_RE.sub("", text))
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _EMPTY_PAIR_RE.sub("", brackets)  # each pass removes the innermost level
    return bool(brackets)


def _breach(text: str, max_depth: int, max_number_chars: int) -> JsonLimitError:
    """The error for the first place in ``text`` that passes a bound."""
    depth = 0
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0)
        if token in ("[", "{"):
            depth += 1
            if depth > max_depth:
                return JsonLimitError(f"the JSON nests more than {max_depth} levels deep (at column "
                                      f"{_column(text, match.start())}); no bibliographic record needs that",
                                      text, match.start())
        elif token in ("]", "}"):
            depth -= 1
        elif token[0] != '"' and len(token) > max_number_chars:
            return JsonLimitError(f"a number {len(token):,} characters long (at column {_column(text, match.start())}; "
                                  f"at most {max_number_chars} are read)", text, match.start())
    return JsonLimitError(f"the JSON nests too deeply to read (more than {max_depth} levels)", text, 0)


def _column(text: str, pos: int) -> int:
    return pos - text.rfind("\n", 0, pos)
