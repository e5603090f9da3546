"""Loading the two sides of ``bibsync match`` / ``dedupe`` and shaping results as JSON-ready data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..bibtex.read import read_bibtex
from ..sources.inputs import read_source_text
from ..model import Entry, Failure
from ..pipeline import parse_and_key
from ..match.results import DuplicateGroup, Proposal

BIBTEX_SUFFIXES = (".bib", ".bibtex")


@dataclass
class Loaded:
    """Entries read from one file (with their citation keys) and what could not be read."""

    entries: list[Entry] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def load_bib(path: str) -> Loaded:
    """Read a .bib file keeping its citation keys; unreadable blocks become failures."""
    doc = read_bibtex(read_source_text(path), path)
    return Loaded(list(doc.entries), list(doc.failures))


def load_target(path: str, fmt: str | None = None) -> Loaded:
    """A match target: a .bib file read as it is, or any source (with generated keys)."""
    if fmt in (None, "bibtex") and Path(path).suffix.lower() in BIBTEX_SUFFIXES:
        return load_bib(path)
    result = parse_and_key([path], fmt)
    return Loaded(result.entries, result.failures)


def label(entry: Entry) -> str:
    """A short name for an entry: its key, else first surname and year."""
    if entry.key:
        return entry.key
    who = entry.authors[0].last if entry.authors else "?"
    return f"{who} {entry.year}".strip()


def proposal_json(proposal: Proposal, targets: Sequence[Entry]) -> dict:
    """One proposal as plain data: the incoming entry, the recommendation, ranked candidates."""
    return {
        "key": proposal.entry.key,
        "title": proposal.entry.title,
        "year": proposal.entry.year,
        "recommendation": proposal.recommendation,
        "candidates": [
            {"key": targets[c.index].key, "index": c.index, "score": round(c.score, 4), "verdict": c.verdict,
             "decided_by": c.decided_by, "explanation": c.explanation}
            for c in proposal.candidates
        ],
    }


def _member(entry: Entry) -> dict:
    """One member of a group: its key and the line its entry starts on (None when unknown)."""
    return {"key": entry.key or "", "line": entry.origin.line if entry.origin else None}


def group_json(entries: Sequence[Entry], group: DuplicateGroup) -> dict:
    """One group as plain data: keys, members with their lines, the verdict, its score and why."""
    data = {
        "keys": [entries[i].key or "" for i in group.indices],
        "entries": [_member(entries[i]) for i in group.indices],
        "recommendation": group.recommendation,
        "score": round(group.score, 4),
        "explanation": group.explanation,
    }
    if group.centre is not None:
        data["centre"] = _member(entries[group.centre])
    if group.decision is not None:
        data["decision"] = group.decision
    return data


def groups_json(entries: Sequence[Entry], groups: Sequence[DuplicateGroup], *, settled: bool = False) -> dict:
    """Duplicate groups as ``{"groups": [...], "settled": N}``.

    Each group has ``keys``, ``entries`` (``{"key", "line"}`` each: repeated keys stay
    apart), ``recommendation``, ``score``, ``explanation``, and ``centre`` for an uncertain
    group around one entry. Pairs a person settled are counted in ``settled``; with
    ``settled=True`` they are listed too, each with its ``decision``.
    """
    shown = [g for g in groups if settled or g.decision is None]
    return {"groups": [group_json(entries, g) for g in shown],
            "settled": sum(1 for g in groups if g.decision is not None)}


def find_groups(bib: Path, entries: Sequence[Entry], *, progress_enabled: bool | None = None) -> list[DuplicateGroup]:
    """Duplicate groups of a .bib's entries, with the pairs a person settled (in the file's
    decision store) marked; a progress bar on a terminal unless ``progress_enabled`` is False."""
    from ..review.decisions import DecisionStore
    from ..progress import progress_bar
    from ..match.dedupe import find_duplicates

    store = DecisionStore.for_bib(bib)

    def decided(i: int, j: int) -> str | None:
        a, b = entries[i], entries[j]
        if not a.key or not b.key:
            return None
        found = store.pair_decision(a, b)
        return found.decision if found is not None else None

    with progress_bar("looking for duplicates", enabled=progress_enabled) as bar:
        return find_duplicates(entries, decided=decided, progress=bar.update)
