"""First version of the matcher API (identifiers, then title similarity and year)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from rapidfuzz import fuzz

from ..model import Entry
from ..text import fold_ascii, latex_to_unicode, normalize_doi


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds: a score at or above ``match_threshold`` with a clear gap is applied,
    at or above ``review_threshold`` is shown for review, below is new."""

    match_threshold: float = 0.90
    review_threshold: float = 0.70
    min_gap: float = 0.05


@dataclass(frozen=True)
class Candidate:
    """One target entry compared with an incoming entry."""

    index: int
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    explanation: str = ""
    decided_by: str | None = None


@dataclass(frozen=True)
class Proposal:
    """The candidates for one incoming entry, best first, and what to do."""

    entry: Entry
    candidates: tuple[Candidate, ...] = ()
    recommendation: str = "new"  # match | review | new

    @property
    def best(self) -> Candidate | None:
        """The best candidate, or None."""
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class DuplicateGroup:
    """Entries (indices into the list given) that look like one work."""

    indices: tuple[int, ...]
    recommendation: str
    score: float
    explanation: str


def _norm_title(title: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in fold_ascii(latex_to_unicode(title)).lower()).split())


class Matcher:
    """Indexes target entries once and proposes candidates for incoming ones."""

    def __init__(self, targets: Sequence[Entry], settings: MatchSettings = MatchSettings()) -> None:
        self.targets = list(targets)
        self.settings = settings
        self._by_doi = {normalize_doi(e.get("doi")).lower(): i for i, e in enumerate(self.targets) if e.get("doi")}
        self._titles = [_norm_title(e.title) for e in self.targets]

    def compare(self, a: Entry, b: Entry, index: int = -1) -> Candidate:
        """Score one pair."""
        da, db = normalize_doi(a.get("doi")).lower(), normalize_doi(b.get("doi")).lower()
        if da and db:
            same = da == db
            return Candidate(index, 1.0 if same else 0.0, {"doi": float(same)}, f"doi {'=' if same else '≠'}", "doi")
        title = fuzz.ratio(_norm_title(a.title), _norm_title(b.title)) / 100
        year_ok = not a.year or not b.year or a.year == b.year
        score = title if year_ok else title * 0.8
        return Candidate(index, score, {"title": title}, f"title {title:.2f} · year {'=' if year_ok else '≠'} -> {score:.2f}")

    def propose(self, entry: Entry, limit: int = 5) -> Proposal:
        """Return the best candidates for ``entry`` and a recommendation."""
        doi = normalize_doi(entry.get("doi")).lower()
        if doi and doi in self._by_doi:
            i = self._by_doi[doi]
            return Proposal(entry, (Candidate(i, 1.0, {"doi": 1.0}, "doi =", "doi"),), "match")
        scored = sorted((self.compare(entry, t, i) for i, t in enumerate(self.targets)), key=lambda c: -c.score)
        scored = [c for c in scored if c.score >= self.settings.review_threshold][:limit]
        if not scored:
            return Proposal(entry, (), "new")
        best = scored[0]
        gap = best.score - (scored[1].score if len(scored) > 1 else 0.0)
        rec = "match" if best.score >= self.settings.match_threshold and gap >= self.settings.min_gap else "review"
        return Proposal(entry, tuple(scored), rec)


def find_duplicates(entries: Sequence[Entry], settings: MatchSettings = MatchSettings()) -> list[DuplicateGroup]:
    """Group entries that look like the same work."""
    matcher = Matcher(entries, settings)
    groups, seen = [], set()
    for i, entry in enumerate(entries):
        if i in seen:
            continue
        others = [c for c in (matcher.compare(entry, entries[j], j) for j in range(i + 1, len(entries)))
                  if c.score >= settings.review_threshold]
        if others:
            best = max(others, key=lambda c: c.score)
            seen.update(c.index for c in others)
            rec = "match" if best.score >= settings.match_threshold else "review"
            groups.append(DuplicateGroup((i, *[c.index for c in others]), rec, best.score, best.explanation))
    return groups
