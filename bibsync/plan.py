"""The plan: what a sync will do, one Change per incoming entry.

CONTRACT (targets, the CLI and the review rely on these names):

- ``FieldChange(name, old, new)``: ``old`` is None for a field the target lacks.
- ``Change(kind, entry, key, target_index, target_key, score, explanation,
  field_changes, candidates, result)``; ``kind`` is ``add``, ``update``, ``same`` or ``review``.
  ``entry`` is the incoming entry; ``key`` the key it will have in the target (new key for
  add, the existing key for update/same); ``result`` the target entry after the change
  (None for review); ``candidates`` the matcher's ranked candidates (for review).
- ``Plan(changes)`` with ``counts()``, ``by_kind(kind)``.
- ``make_plan(incoming, target_entries, policy="fill", settings=..., decisions=None,
  key_pattern=...)`` is pure: no I/O.
- ``DecisionLookup`` is what make_plan asks about earlier human decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .match import Candidate
from .model import Entry

KINDS = ("add", "update", "same", "review")
POLICIES = ("fill", "source", "target")


@dataclass(frozen=True)
class FieldChange:
    """One field that a change sets: old value (None if absent) and new value."""

    name: str
    old: str | None
    new: str


@dataclass(frozen=True)
class Change:
    """What happens to one incoming entry."""

    kind: str
    entry: Entry
    key: str | None = None
    target_index: int | None = None
    target_key: str | None = None
    score: float | None = None
    explanation: str = ""
    field_changes: tuple[FieldChange, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    result: Entry | None = None


@dataclass
class Plan:
    """An ordered list of changes."""

    changes: list[Change] = field(default_factory=list)

    def by_kind(self, kind: str) -> list[Change]:
        """The changes of one kind, in order."""
        return [c for c in self.changes if c.kind == kind]

    def counts(self) -> dict[str, int]:
        """Number of changes per kind (every kind present, possibly 0)."""
        return {k: len(self.by_kind(k)) for k in KINDS}


class DecisionLookup(Protocol):
    """Earlier human decisions, consulted while planning."""

    def decision_for(self, entry: Entry, candidate: Entry | None) -> str | None:
        """Return ``"merge"``, ``"different"`` or ``"add"`` if a person decided this pair, else None.

        ``candidate`` None asks whether the entry was decided on its own ("add").
        """
        ...
