"""The target protocol: a .bib file and a Zotero library look the same to the sync."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..model import Entry
from ..plan import Plan


@dataclass
class ApplyReport:
    """What applying a plan did: counts, and anything that could not be written."""

    added: int = 0
    updated: int = 0
    skipped_review: int = 0
    failed: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)


class Target(Protocol):
    """Somewhere entries live. ``load`` reads them (with keys); ``apply`` writes a plan."""

    name: str

    def load(self) -> list[Entry]:
        """Return the target's entries, each with its key."""
        ...

    def apply(self, plan: Plan) -> ApplyReport:
        """Write the plan's add and update changes; never touch anything else."""
        ...
