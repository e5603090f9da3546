"""Loading the two sides of ``bibsync match`` / ``dedupe`` and shaping results as JSON-ready data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..bibtex_read import read_bibtex
from ..inputs import read_source_text
from ..model import Entry, Failure
from ..pipeline import parse_and_key
from .results import DuplicateGroup, Proposal

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


def groups_json(entries: Sequence[Entry], groups: Sequence[DuplicateGroup]) -> dict:
    """Duplicate groups as ``{"groups": [{"keys", "recommendation", "score", "explanation"}]}``."""
    return {"groups": [
        {"keys": [entries[i].key or "" for i in g.indices], "recommendation": g.recommendation,
         "score": round(g.score, 4), "explanation": g.explanation}
        for g in groups
    ]}
