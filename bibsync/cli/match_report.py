"""What ``bibsync match`` and ``dedupe`` show: results as JSON-ready data, and the duplicate
groups of a .bib with the pairs a person settled (its two sides are read by
:func:`bibsync.pipeline.load_target` and :func:`bibsync.pipeline.load_bib`)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..match.results import DuplicateGroup, Proposal
from ..model import Entry, key_with_line


def label(entry: Entry, repeated: frozenset[str] = frozenset()) -> str:
    """A short name for an entry: its key (with its line where other entries carry the key
    too: ``repeated``, see :func:`~bibsync.model.repeated_keys`), else first surname and year."""
    if entry.key:
        return key_with_line(entry, repeated)
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
    from ..match.dedupe import find_duplicates
    from ..progress import progress_bar
    from ..review.decisions import DecisionStore

    store = DecisionStore.for_bib(bib)

    def decided(i: int, j: int) -> str | None:
        a, b = entries[i], entries[j]
        if not a.key or not b.key:
            return None
        found = store.pair_decision(a, b)
        return found.decision if found is not None else None

    with progress_bar("looking for duplicates", enabled=progress_enabled) as bar:
        return find_duplicates(entries, decided=decided, progress=bar.update)
