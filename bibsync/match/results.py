"""What the matcher returns: candidates, proposals and duplicate groups (plain frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Entry


@dataclass(frozen=True)
class Candidate:
    """One target entry compared with an incoming entry.

    ``index`` is its position in the target list (-1 from ``compare``), ``score`` in 0..1,
    ``parts`` the named similarities, ``explanation`` one printable line, ``decided_by``
    the identifier that settled the pair (or None). ``verdict`` is what this pair alone
    would warrant (``match``, ``review``, ``new``), ``flags`` the contradictions found,
    ``weight`` the match weight in bits (``score`` is its logistic: 1 / (1 + 2^-weight)).
    """

    index: int
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    explanation: str = ""
    decided_by: str | None = None
    verdict: str = "new"
    flags: tuple[str, ...] = ()
    weight: float = 0.0


@dataclass(frozen=True)
class Proposal:
    """The candidates for one incoming entry, best first, and what to do: match, review or new."""

    entry: Entry
    candidates: tuple[Candidate, ...] = ()
    recommendation: str = "new"

    @property
    def best(self) -> Candidate | None:
        """The best candidate, or None."""
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class DuplicateGroup:
    """Entries (indices into the list given) that look like one work.

    A ``match`` group's ``score`` and ``explanation`` are those of its weakest pair (every
    two of its members match); a ``review`` group is one uncertain pair, or a ``centre``
    entry and the entries each uncertainly linked to it, with its strongest link. A pair a
    person settled has ``decision`` ("merge" or "different") and the matcher's verdict.
    """

    indices: tuple[int, ...]
    recommendation: str
    score: float
    explanation: str
    centre: int | None = None
    decision: str | None = None
