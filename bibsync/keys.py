"""Citation keys: JabRef-style patterns and collision suffixes.

The default, ``[auth:lower][year][veryshorttitle:lower]``, gives Google Scholar style keys
(``zhu2023msrl``). Keys are pure ASCII; colliding keys get ``a``, ``b``, ``c`` (the first
keeps no suffix), compared case-insensitively.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from .errors import UsageError
from .model import Entry
from .text import fold_ascii, latex_to_unicode

DEFAULT_PATTERN = "[auth:lower][year][veryshorttitle:lower]"

STOP_WORDS = frozenset("""
a an the and or but nor so yet of on in at by for from to into onto with within without
about above across after against along among around as before behind below beneath beside
between beyond down during except inside like near off over since through toward towards
under until up upon via is it its are was were be been being am do does did can could
how what why when where which who whom whose this that these those we our you your
their they i my not no yes vs versus all any each
""".split())

_WORD_RE = re.compile(r"[A-Za-z0-9]+")


def _ascii_words(text: str) -> list[str]:
    text = fold_ascii(latex_to_unicode(text)).replace("'", "")
    return _WORD_RE.findall(text)


def _surname(entry: Entry, index: int) -> str:
    people = entry.authors or entry.editors
    if index >= len(people):
        return ""
    return "".join(_ascii_words(people[index].last))


def _significant_words(entry: Entry) -> list[str]:
    return [w for w in _ascii_words(entry.title) if w.lower() not in STOP_WORDS]


def _authors_n(entry: Entry, n: int) -> str:
    people = entry.authors or entry.editors
    names = "".join(_surname(entry, i) for i in range(min(n, len(people))))
    return names + ("EtAl" if len(people) > n or entry.authors_truncated else "")


def _auth_et_al(entry: Entry) -> str:
    people = entry.authors or entry.editors
    if len(people) == 2 and not entry.authors_truncated:
        return _surname(entry, 0) + "And" + _surname(entry, 1)
    return _surname(entry, 0) + ("EtAl" if len(people) > 2 or entry.authors_truncated else "")


def _pages(entry: Entry, which: int) -> str:
    parts = entry.get("pages").split("--")
    return re.sub(r"\W", "", parts[which] if parts and parts[0] else "")


_FIELDS: dict[str, Callable[[Entry], str]] = {
    "auth": lambda e: _surname(e, 0),
    "authors": lambda e: "".join(_surname(e, i) for i in range(len(e.authors or e.editors))),
    "authetal": _auth_et_al,
    "authorlast": lambda e: _surname(e, len(e.authors or e.editors) - 1),
    "year": lambda e: e.year,
    "shortyear": lambda e: e.year[-2:],
    "title": lambda e: "".join(w[:1].upper() + w[1:] for w in _ascii_words(e.title)),
    "shorttitle": lambda e: "".join(w[:1].upper() + w[1:] for w in _significant_words(e)[:3]),
    "veryshorttitle": lambda e: next(iter(_significant_words(e)), ""),
    "firstpage": lambda e: _pages(e, 0),
    "lastpage": lambda e: _pages(e, -1),
    "entrytype": lambda e: e.type,
}

_MODIFIERS: dict[str, Callable[[str], str]] = {
    "lower": str.lower,
    "upper": str.upper,
    "capitalize": lambda s: s[:1].upper() + s[1:],
    "abbr": lambda s: "".join(w[0] for w in re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", s)),
}

_TOKEN_RE = re.compile(r"\[([^\]]+)\]")


def _field_function(name: str) -> Callable[[Entry], str]:
    lowered = name.lower()
    if lowered in _FIELDS:
        return _FIELDS[lowered]
    match = re.fullmatch(r"authors([0-9]{1,4})", lowered) or re.fullmatch(r"auth([0-9]{1,4})", lowered)
    if match:
        n = int(match.group(1))
        return (lambda e: _authors_n(e, n)) if lowered.startswith("authors") else (
            lambda e: "".join(_surname(e, i) for i in range(min(n, len(e.authors or e.editors)))))
    raise UsageError(
        f"unknown key pattern field [{name}]",
        hint="use [auth], [authors], [authors2], [authEtAl], [year], [shortyear], [title], "
        "[shorttitle], [veryshorttitle], [firstpage], with :lower, :upper, :abbr",
    )


def compile_pattern(pattern: str) -> Callable[[Entry], str]:
    """Compile a JabRef-style pattern into a function from entry to raw (unsuffixed) key.

    Raises UsageError for an unknown field or modifier, before any entry is processed.
    """
    literal_text = _TOKEN_RE.sub("", pattern)
    if "[" in literal_text or "]" in literal_text:
        raise UsageError(f"unbalanced brackets in key pattern {pattern!r}",
                         hint="write fields as [auth], [year], ...; e.g. [auth:lower][year][veryshorttitle:lower]")
    pieces: list[Callable[[Entry], str]] = []
    pos = 0
    for match in _TOKEN_RE.finditer(pattern):
        literal = pattern[pos:match.start()]
        if literal:
            pieces.append(lambda e, lit=literal: lit)
        name, *mods = match.group(1).split(":")
        base = _field_function(name)
        for mod in mods:
            if mod.lower() not in _MODIFIERS:
                raise UsageError(f"unknown key pattern modifier :{mod}", hint="use :lower, :upper, :capitalize or :abbr")
        funcs = [_MODIFIERS[m.lower()] for m in mods]

        def piece(e: Entry, base=base, funcs=funcs) -> str:
            value = base(e)
            for f in funcs:
                value = f(value)
            return value

        pieces.append(piece)
        pos = match.end()
    if pattern[pos:]:
        pieces.append(lambda e, lit=pattern[pos:]: lit)
    return lambda e: "".join(p(e) for p in pieces)


def clean_key(raw: str) -> str:
    """Reduce a key to the characters BibTeX and LaTeX accept everywhere (ASCII, no spaces)."""
    raw = fold_ascii(raw)
    return re.sub(r"[^A-Za-z0-9_\-:.+/]", "", raw)


def _suffix(n: int) -> str:
    """0 -> '', 1 -> 'a', 26 -> 'z', 27 -> 'aa'."""
    out = ""
    while n > 0:
        n -= 1
        out = chr(ord("a") + n % 26) + out
        n //= 26
    return out


def unique_key(base: str, taken: set[str]) -> str:
    """Return ``base`` or ``base`` + a, b, c ... not in ``taken`` (lower-cased keys)."""
    return _unique_from(base, taken, 0)[0]


def _unique_from(base: str, taken: set[str], n: int) -> tuple[str, int]:
    """The first free ``base`` + suffix from suffix number ``n`` on, and its number."""
    while (base + _suffix(n)).lower() in taken:
        n += 1
    return base + _suffix(n), n


def assign_keys(
    entries: Iterable[Entry],
    pattern: str = DEFAULT_PATTERN,
    taken: Iterable[str] = (),
    keep_existing: bool = False,
) -> list[Entry]:
    """Give every entry a key from ``pattern``, unique against ``taken`` and each other.

    With ``keep_existing``, entries that already have a key keep it (it is still reserved).
    """
    make = compile_pattern(pattern)
    used = {k.lower() for k in taken}
    # Suffixes below this number are taken for the base: thousands of colliding keys stay linear.
    tried: dict[str, int] = {}
    out = []
    for entry in entries:
        if keep_existing and entry.key:
            key = entry.key
        else:
            base = clean_key(make(entry)) or "anon"
            key, tried[base.lower()] = _unique_from(base, used, tried.get(base.lower(), 0))
        used.add(key.lower())
        out.append(entry.with_key(key))
    return out
