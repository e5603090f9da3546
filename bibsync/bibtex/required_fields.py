"""The fields each entry type requires in the standard BibTeX styles, and which entries lack one.

The table is what ``plain.bst`` (and the other styles of the standard set: abbrv, alpha,
unsrt) checks with ``output.check``: an entry without such a field makes BibTeX warn
``empty booktitle in KEY`` and typesets a hole. A tuple of alternatives (``author`` or
``editor``) needs one of them. BibLaTeX types are checked as the BibTeX type they are
written as (``@report`` as ``techreport``), and ``date`` stands in for ``year``.
Types outside the table are checked as ``misc``, as ``plain.bst`` typesets them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..model import Entry

Requirement = str | tuple[str, ...]

REQUIRED: dict[str, tuple[Requirement, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": (("author", "editor"), "title", "publisher", "year"),
    "booklet": ("title",),
    "inbook": (("author", "editor"), "title", ("chapter", "pages"), "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "conference": ("author", "title", "booktitle", "year"),
    "manual": ("title",),
    "mastersthesis": ("author", "title", "school", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "proceedings": ("title", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title", "note"),
    "misc": (),
}
# BibLaTeX types, checked as the BibTeX type bibsync writes them as.
AS_BIBTEX = {"software": "misc", "online": "misc", "dataset": "misc", "report": "techreport",
             "thesis": "phdthesis", "collection": "book", "mvbook": "book", "inreference": "incollection"}


@dataclass(frozen=True)
class Incomplete:
    """An entry and the required fields it lacks (alternatives as ``author or editor``)."""

    entry: Entry
    missing: tuple[str, ...]

    @property
    def key(self) -> str:
        """The entry's citation key (or ``?`` without one)."""
        return self.entry.key or "?"


def _has(entry: Entry, name: str) -> bool:
    if name == "author":
        return bool(entry.authors) or entry.authors_truncated
    if name == "editor":
        return bool(entry.editors)
    if name == "year":
        return bool(entry.year)
    if name == "journal":
        return bool(entry.get("journal") or entry.get("journaltitle"))
    return bool(entry.get(name).strip())


def checked_type(entry_type: str) -> str:
    """The BibTeX type whose requirements apply to ``entry_type``."""
    low = entry_type.lower()
    low = AS_BIBTEX.get(low, low)
    return low if low in REQUIRED else "misc"


def missing_fields(entry: Entry) -> tuple[str, ...]:
    """The required fields ``entry`` lacks, in the style's order (``()`` when complete)."""
    out = []
    for requirement in REQUIRED[checked_type(entry.type)]:
        names = (requirement,) if isinstance(requirement, str) else requirement
        if not any(_has(entry, n) for n in names):
            out.append(" or ".join(names))
    return tuple(out)


def incomplete_entries(entries: Iterable[Entry]) -> list[Incomplete]:
    """The entries that lack a field their type requires, in order."""
    found = []
    for entry in entries:
        missing = missing_fields(entry)
        if missing:
            found.append(Incomplete(entry, missing))
    return found


def summary_line(found: Sequence[Incomplete], what: str = "entries", shown: int = 8) -> str:
    """One line for a command's summary, count and keys (the first ``shown``), or ``""`` if none:
    ``2 entries lack a field their type requires in BibTeX: a2020x (booktitle), ...``.
    ``what`` names the entries in the plural (``new or updated entries``)."""
    if not found:
        return ""
    keys = ", ".join(f"{f.key} ({', '.join(f.missing)})" for f in found[:shown])
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    count = f"1 of the {what}" if len(found) == 1 else f"{len(found)} {what}"
    verb = "lacks" if len(found) == 1 else "lack"
    return f"{count} {verb} a field {'its' if len(found) == 1 else 'their'} type requires in BibTeX: {keys}{more}"
