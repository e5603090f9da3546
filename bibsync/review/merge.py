"""Two entries field by field, as a review merges them: where they differ, which side wins by
default, and the merged entry. Pure: no terminal, no I/O.

A preprint against its published version (``publication_roles``, from the matcher's own
comparison keys) merges by default into the published version: its type, venue, year and
DOI stay, the preprint adds its arXiv id (``eprint``, ``archiveprefix``) and its key goes to
``ids``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from ..bibtex.write import FIELD_ORDER, ordered_fields
from ..model import Entry
from ..plan import ENTRY_TYPE, VENUES, FieldChange

INCOMING, TARGET = "incoming", "target"
# Fields a person does not choose between: aliases are merged, never overwritten.
_UNCHOSEN = frozenset({"ids"})
# Facts of the published version: in a preprint/published merge its value (or its lack of
# one) wins by default; the preprint brings its arXiv id instead.
PUBLISHED_FIELDS = frozenset({ENTRY_TYPE, "journal", "booktitle", "year", "month", "volume", "number", "pages",
                              "publisher", "doi", "address", "series", "organization", "institution", "school",
                              "howpublished", "edition", "isbn", "issn"})
# A note that only says what the preprint was (``preprint``, ``arXiv preprint arXiv:...``,
# ``Submitted to ...``, ``under review``, ``to appear``): stale once it is published, so a
# merge into the published version does not copy it there.
PREPRINT_NOTE_RE = re.compile(r"^\W*(?:an?\s+)?(?:arxiv\b|(?:e-?)?pre-?print\b|submitted\b|under\s+(?:review|submission)\b"
                              r"|to\s+appear\b|in\s+press\b|forthcoming\b|accepted\b|manuscript\b|working\s+paper\b)",
                              re.IGNORECASE)
NOTE_FIELDS = ("note", "annote")


@dataclass(frozen=True)
class FieldDiff:
    """A field on which two entries differ: its value on each side (None: absent), and which
    side wins unless a person says otherwise."""

    name: str
    incoming: str | None
    target: str | None
    default: str


def field_values(entry: Entry) -> dict[str, str]:
    """The entry as name -> value, in canonical order, people formatted, the entry type as
    ``ENTRY_TYPE`` (``@type``; a ``type`` field keeps its own name)."""
    return {ENTRY_TYPE: entry.type, **dict(ordered_fields(entry))}


_RANK = {name: i for i, name in enumerate((ENTRY_TYPE, *FIELD_ORDER))}


def in_field_order(names: Iterable[str]) -> list[str]:
    """Field names once each, in canonical order (the type first, unknown fields alphabetically)."""
    return sorted(set(names), key=lambda n: (_RANK.get(n, len(_RANK)), n))


def _same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return " ".join(a.split()) == " ".join(b.split())


def publication_roles(incoming: Entry, target: Entry) -> str | None:
    """Which side is the published version when the other is its preprint: ``INCOMING``,
    ``TARGET``, or None (not such a pair). Read from the matcher's comparison keys."""
    from ..match import MatchSettings
    from ..match.normalize import features

    settings = MatchSettings()
    a, b = features(incoming, settings), features(target, settings)
    if a.preprint and b.published:
        return TARGET
    if b.preprint and a.published:
        return INCOMING
    return None


def arxiv_id(entry: Entry) -> str:
    """The entry's arXiv id (no prefix, no version), or "" (as the matcher reads it)."""
    from ..match.normalize import entry_arxiv

    return entry_arxiv(entry)


def _with_arxiv_fields(preprint: Entry) -> Entry:
    """The preprint with its arXiv id in ``eprint`` and ``archiveprefix``, as BibTeX records it."""
    found = arxiv_id(preprint)
    if not found or (preprint.get("eprint") and preprint.get("archiveprefix")):
        return preprint
    return preprint.with_fields(eprint=preprint.get("eprint") or found,
                                archiveprefix=preprint.get("archiveprefix") or "arXiv")


def _merge_sides(incoming: Entry, target: Entry) -> tuple[Entry, Entry, str | None]:
    """The two entries as a merge compares them (the preprint with its arXiv fields), and
    which one is the published version (see ``publication_roles``)."""
    roles = publication_roles(incoming, target)
    if roles == INCOMING:
        target = _with_arxiv_fields(target)
    elif roles == TARGET:
        incoming = _with_arxiv_fields(incoming)
    return incoming, target, roles


def differing_fields(incoming: Entry, target: Entry) -> list[FieldDiff]:
    """The fields on which the entries differ, the entry type included, in canonical order.

    By default a field the target lacks is filled (except a second venue: no ``journal``
    beside a ``booktitle``) and everything the target has is kept. Choosing the incoming
    side of a field it lacks removes the field; ``ids`` (aliases) are merged, never chosen.
    For a preprint and its published version, the published side wins the facts of
    publication (``PUBLISHED_FIELDS``, its title, and its own ``url`` over an arXiv one), absent ones included, and the
    preprint's arXiv id is filled in as ``eprint`` and ``archiveprefix``; a note that only
    says what the preprint was (``PREPRINT_NOTE_RE``) is not copied.
    """
    incoming, target, roles = _merge_sides(incoming, target)
    a, b = field_values(incoming), field_values(target)
    has_venue = any(v in b for v in VENUES)
    preprint = target if roles == INCOMING else incoming if roles == TARGET else None
    published = incoming if roles == INCOMING else target
    published_facts = set(PUBLISHED_FIELDS)
    if preprint is not None and "arxiv" in preprint.get("url").lower() and published.get("url"):
        published_facts.add("url")  # the published version's own link replaces the arXiv one
    if preprint is not None and published.get("title"):
        published_facts.add("title")  # as published (and as its record protects it: {BERT}), never the preprint's
    diffs = []
    for name in in_field_order([*a, *b]):
        mine, theirs = a.get(name), b.get(name)
        if name in _UNCHOSEN or _same(mine, theirs):
            continue
        if roles is not None and name in published_facts:
            default = roles
        elif roles is not None and name in NOTE_FIELDS and PREPRINT_NOTE_RE.match(preprint.get(name) or ""):
            default = roles  # the preprint's "preprint" note stays out of the published version
        else:
            default = INCOMING if theirs is None and not (name in VENUES and has_venue) else TARGET
        diffs.append(FieldDiff(name, mine, theirs, default))
    return diffs


def default_choices(incoming: Entry, target: Entry) -> dict[str, str]:
    """The default winner of every differing field."""
    return {d.name: d.default for d in differing_fields(incoming, target)}


def merge_entries(incoming: Entry, target: Entry, choices: Mapping[str, str] | None = None) -> Entry:
    """The target entry after merging ``incoming`` into it; it keeps its key.

    For each differing field the side named in ``choices`` wins (default: see
    ``differing_fields``).
    """
    choices = choices or {}
    incoming, target, _ = _merge_sides(incoming, target)
    result = target
    for diff in differing_fields(incoming, target):
        if choices.get(diff.name, diff.default) != INCOMING:
            continue
        if diff.name == ENTRY_TYPE:
            result = replace(result, type=incoming.type)
        elif diff.name == "author":
            result = replace(result, authors=incoming.authors, authors_truncated=incoming.authors_truncated)
        elif diff.name == "editor":
            result = replace(result, editors=incoming.editors)
        else:
            result = result.with_fields(**{diff.name: incoming.get(diff.name) or None})
    return result


def field_changes(before: Entry, after: Entry) -> tuple[FieldChange, ...]:
    """What turns ``before`` into ``after``, field by field (old None: a new field; new "":
    the field is removed; ``ENTRY_TYPE``: the entry type changes)."""
    a, b = field_values(before), field_values(after)
    return tuple(FieldChange(n, a.get(n), b.get(n, "")) for n in in_field_order([*a, *b])
                 if not _same(a.get(n), b.get(n)))


def with_aliases(entry: Entry, keys: Iterable[str]) -> Entry:
    """Add ``keys`` to the entry's ``ids`` field (BibLaTeX aliases), without repeats or itself."""
    ids = list(entry.aliases)
    for key in keys:
        if key and key != entry.key and key not in ids:
            ids.append(key)
    return entry.with_fields(ids=",".join(ids) or None)
