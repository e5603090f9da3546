"""Person names: parsing the forms sources use, and writing ``Surname, Given``."""

from __future__ import annotations

import re
from functools import lru_cache

from .model import Person

PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la",
    "le", "ter", "ten", "zu", "af", "av", "al", "el", "bin", "ibn", "y", "st.",
})
# Words that, written before a final capitalised word, begin a compound surname: capitalised
# particles (Portuguese "Da Costa", Arabic "Abu Bakr", Dutch "Van Dijk" as some authors write
# it) and first parts of double surnames frequent in the literature, where a name written
# "Given Surname1 Surname2" is otherwise read with the wrong surname (GUIDE: "Alarcón Negy").
# Natural-order names are ambiguous by nature ("Mahmut Taylan Kandemir" has a middle name);
# this list only covers the forms known to be surnames. Extend it with care.
_CAPITAL_PARTICLES = frozenset({
    "da", "de", "del", "della", "di", "dos", "das", "du", "van", "von", "ter", "ten", "abu", "al",
    "el", "ben", "bin", "ibn",
})
COMPOUND_SURNAME_STARTS = _CAPITAL_PARTICLES | frozenset({
    "haj", "alarcón", "basu", "amini", "mishra", "sen", "das", "dutta", "ghosh", "garcía", "fernández",
    "gonzález", "rodríguez", "lópez", "martínez", "sánchez", "pérez", "gómez", "díaz",
})
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})  # "Jr.", "III", lower-cased


def format_initials(given: str) -> str:
    """Write initials with dots and spaces: ``LFR`` -> ``L. F. R.``, ``A-O`` -> ``A.-O.``.

    Full given names are kept (``Peter R`` -> ``Peter R.``).
    """
    words = re.sub(r"\.(?=[^\s\-])", ". ", given).split()
    out = []
    for word in words:
        if "-" in word and all(len(p.rstrip(".")) <= 1 for p in word.split("-") if p):
            out.append("-".join(p.rstrip(".") + "." for p in word.split("-") if p))
        elif word.isupper() and word.rstrip(".").isalpha() and len(word.rstrip(".")) <= 3 and word.rstrip(".").isupper():
            out.append(" ".join(c + "." for c in word.rstrip(".")))
        elif len(word.rstrip(".")) == 1:
            out.append(word.rstrip(".") + ".")
        else:
            out.append(word)
    return " ".join(out)


def initials_of(given: str) -> str:
    """Return the initials of given names as letters only: ``Peter R.`` -> ``PR``."""
    return "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part)


def person_from_natural(name: str) -> Person:
    """Parse ``Given [particles] Surname``.

    Lower-case particles (``van``, ``de``) join the surname: ``Ludwig van Beethoven``; so do
    the known starts of compound surnames (``Kevin Alarcón Negy`` -> ``Alarcón Negy, Kevin``,
    ``Rohan Basu Roy`` -> ``Basu Roy, Rohan``). Otherwise the last word is the surname, and
    middle names stay with the given names (``Mahmut Taylan Kandemir``).
    """
    name = " ".join(name.split()).strip().strip(",")
    if "," in name:
        return person_from_bibtex(name)
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in NAME_SUFFIXES:
        suffix = words.pop()
    if len(words) <= 1:
        return Person(last=name)
    start = len(words) - 1
    while start > 1 and (
        (words[start - 1].lower() in PARTICLES and words[start - 1][0].islower())
        or words[start - 1].lower() in COMPOUND_SURNAME_STARTS
    ):
        start -= 1
    # A particle further left starts the surname: "Luis Da Costa Carmo" -> "Da Costa Carmo".
    start = next((i for i in range(1, start) if words[i].lower() in _CAPITAL_PARTICLES), start)
    return Person(last=" ".join(words[start:]), first=" ".join(words[:start]), suffix=suffix)


@lru_cache(maxsize=8)
def _split_pattern(sep: str) -> re.Pattern[str]:
    return re.compile(re.escape(sep), re.IGNORECASE)


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside braces."""
    if "{" not in text and "}" not in text:  # fast path, same result: no braces to skip
        return _split_pattern(sep).split(text)
    parts, depth, start, i = [], 0, 0, 0
    low = text.lower()
    while i < len(text):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and low.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


@lru_cache(maxsize=16384)  # a bibliography names the same people again and again
def person_from_bibtex(name: str) -> Person:
    """Parse one BibTeX name: ``Last, First``, ``Last, Jr, First``, ``First von Last``, ``{Inst}``."""
    name = " ".join(name.split())
    if "{" not in name and "}" not in name and name.count(",") == 1:  # "Last, First": most names
        last, first = name.split(",")
        return Person(last=last.strip(), first=first.strip())
    if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
        return Person(last=name[1:-1], literal=True)
    parts = [p.strip() for p in _split_top(name, ",")]
    if len(parts) == 1:
        words = _split_top(parts[0], " ")
        words = [w for w in words if w]
        if len(words) <= 1:
            return Person(last=_unbrace(parts[0]))
        # "First von Last": the surname starts at the first lower-case word, else the last word.
        start = next((i for i, w in enumerate(words[:-1]) if i > 0 and w[:1].islower()), len(words) - 1)
        return Person(last=_unbrace(" ".join(words[start:])), first=_unbrace(" ".join(words[:start])))
    if len(parts) == 2:
        return Person(last=_unbrace(parts[0]), first=_unbrace(parts[1]))
    return Person(last=_unbrace(parts[0]), suffix=_unbrace(parts[1]), first=_unbrace(", ".join(parts[2:])))


def _unbrace(text: str) -> str:
    return text.replace("{", "").replace("}", "").strip()


def parse_bibtex_names(value: str) -> tuple[tuple[Person, ...], bool]:
    """Parse an ``author`` value; return the people and whether it ended in ``and others``."""
    names = [n.strip() for n in _split_top(" ".join(value.split()), " and ") if n.strip()]
    truncated = bool(names) and names[-1].lower() == "others"
    if truncated:
        names.pop()
    return tuple(person_from_bibtex(n) for n in names), truncated


def format_person(person: Person) -> str:
    """Write one person as BibTeX: ``Surname, Given``; institutions in braces."""
    if person.literal:
        return "{" + person.last + "}"
    last = person.last
    if " and " in f" {last.lower()} " or "," in last:
        last = "{" + last + "}"
    if person.suffix:
        return f"{last}, {person.suffix}, {person.first}"
    return f"{last}, {person.first}" if person.first else last


def format_people(people: tuple[Person, ...], truncated: bool = False) -> str:
    """Join people with `` and ``, adding ``and others`` for a truncated list."""
    names = [format_person(p) for p in people]
    if truncated:
        names.append("others")
    return " and ".join(names)
