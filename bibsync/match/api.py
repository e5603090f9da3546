"""The Matcher: index the targets once, then propose candidates for incoming entries."""

from __future__ import annotations

from typing import Sequence

from ..model import Entry
from .distance import distance
from .index import CandidateIndex, Pairs, WordIndex, as_list
from .normalize import Features, features
from .recommend import make_candidate, rank, recommend
from .results import Candidate, Proposal
from .settings import MatchSettings

# A batch this many times smaller than the targets looks them up without indexing them all.
_FEW_QUERIES = 8


def _group_by_query(q, t, count: int) -> list[list[int]]:
    """Target indices per query, for pairs (see ``index.Pairs``) sorted by query."""
    groups: list[list[int]] = [[] for _ in range(count)]
    for qi, ti in zip(as_list(q), as_list(t)):
        groups[qi].append(ti)
    return groups


class Matcher:
    """Indexes target entries once and proposes candidates for incoming ones.

    Nothing is computed for the targets until the first proposal. A batch much smaller
    than the targets (a sync of a few entries into a large library) reads only the targets'
    title words and years, and computes the full comparison keys of the targets it meets
    (``WordIndex``); a larger batch indexes every target (``CandidateIndex``). Both give
    the same candidates.
    """

    def __init__(self, targets: Sequence[Entry], settings: MatchSettings = MatchSettings()) -> None:
        self.targets = list(targets)
        self.settings = settings
        self._features: list[Features | None] = [None] * len(self.targets)
        self._index: CandidateIndex | None = None
        self._words: WordIndex | None = None

    def _target(self, i: int) -> Features:
        """The comparison keys of target ``i``, computed once."""
        found = self._features[i]
        if found is None:
            found = self._features[i] = features(self.targets[i], self.settings)
        return found

    def _candidates(self, queries: list[Features]) -> Pairs:
        if self._index is None and len(queries) * _FEW_QUERIES < len(self.targets):
            if self._words is None:
                self._words = WordIndex(self.targets, self._target, self.settings)
            return self._words.candidates(queries)
        if self._index is None:
            self._index = CandidateIndex([self._target(i) for i in range(len(self.targets))], self.settings)
        return self._index.candidates(queries)

    def compare(self, a: Entry, b: Entry, index: int = -1) -> Candidate:
        """Score one pair on its own (no index, no runner-up)."""
        d = distance(features(a, self.settings), features(b, self.settings), self.settings)
        return make_candidate(index, d, self.settings)

    def propose(self, entry: Entry, limit: int = 5) -> Proposal:
        """Return the best candidates for ``entry`` (best first) and a recommendation."""
        return self.propose_all([entry], limit)[0]

    def propose_all(self, entries: Sequence[Entry], limit: int = 5) -> list[Proposal]:
        """Proposals for many incoming entries at once (one batched candidate lookup)."""
        s = self.settings
        queries = [features(e, s) for e in entries]
        q, t = self._candidates(queries)
        proposals = []
        for k, targets in enumerate(_group_by_query(q, t, len(entries))):
            found = [make_candidate(i, distance(queries[k], self._target(i), s), s) for i in targets]
            ranked = rank([c for c in found if c.verdict != "new" or c.score >= s.candidate_min])
            proposals.append(Proposal(entries[k], tuple(ranked[:limit]), recommend(ranked, s)))
        return proposals
