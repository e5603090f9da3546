"""Duplicate groups inside one list of entries, with the matcher's index and distance."""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

from ..model import Entry
from .distance import distance
from .index import CandidateIndex
from .normalize import Features, features
from .recommend import make_candidate
from .results import Candidate, DuplicateGroup
from .settings import MatchSettings

_MAX_CHECKED_GROUP = 30  # larger groups are never merged automatically


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        self.parent[max(ri, rj)] = min(ri, rj)
        return True


def _all_pairs_match(members: list[int], feats: list[Features], known: dict[tuple[int, int], Candidate],
                     settings: MatchSettings) -> bool:
    """A group is merged automatically only when every two of its members would be."""
    if len(members) > _MAX_CHECKED_GROUP:
        return False
    for i, j in combinations(members, 2):
        c = known.get((i, j)) or make_candidate(j, distance(feats[i], feats[j], settings), settings)
        if c.verdict != "match":
            return False
    return True


def find_duplicates(entries: Sequence[Entry], settings: MatchSettings = MatchSettings()) -> list[DuplicateGroup]:
    """Group entries that look like the same work: ``match`` groups may be merged, ``review`` ones asked.

    Pairs come from the blocking index (never all pairs); entries joined by a match or a
    review edge form a group; a group is ``match`` only when every pair inside it matches.
    """
    feats = [features(e, settings) for e in entries]
    q, t = CandidateIndex(feats, settings).self_pairs()
    edges: dict[tuple[int, int], Candidate] = {}
    for i, j in zip(q.tolist(), t.tolist()):
        c = make_candidate(j, distance(feats[i], feats[j], settings), settings)
        if c.verdict in ("match", "review"):
            edges[(i, j)] = c
    groups = _UnionFind(len(entries))
    links: dict[int, list[Candidate]] = {}
    spanning = [(i, j, c) for (i, j), c in sorted(edges.items(), key=lambda kv: -kv[1].score)
                if groups.union(i, j)]
    members: dict[int, list[int]] = {}
    for i in {i for i, _, _ in spanning} | {j for _, j, _ in spanning}:
        members.setdefault(groups.find(i), []).append(i)
    for i, _, c in spanning:
        links.setdefault(groups.find(i), []).append(c)
    out = []
    for root, indices in members.items():
        indices.sort()
        weakest = min(links[root], key=lambda c: c.score)
        matched = _all_pairs_match(indices, feats, edges, settings)
        out.append(DuplicateGroup(tuple(indices), "match" if matched else "review", weakest.score,
                                  weakest.explanation))
    return sorted(out, key=lambda g: g.indices)
