"""Duplicate groups inside one list of entries, with the matcher's index and distance.

Groups do not chain (docs/matching.md, section 6):

- ``match`` groups are built from confident pairs only, strongest first, and two groups
  join only when every two of their members would be merged on their own: a group never
  holds two entries the matcher calls different works, and a confident pair is never
  demoted because a third entry hangs off it;
- uncertain pairs (``review``) are shown around one centre entry: the entry with the most
  uncertain links and its neighbours, each linked to the centre itself, never through a
  chain of links;
- pairs a person has settled (``decided``) are left out of both and returned apart, with
  the decision; a pair called different keeps the two apart as firmly as a contradiction.
"""

from __future__ import annotations

import heapq
from typing import Callable, Sequence

from ..model import Entry
from ..progress import ProgressCallback
from .distance import distance, distance_above
from .index import CandidateIndex, as_list
from .normalize import Features, features
from .recommend import AMBIGUOUS, HELD_BACK, MAX_GROUP, TOO_LARGE, explain, least_weight, make_candidate
from .results import Candidate, DuplicateGroup
from .settings import MatchSettings

_PROGRESS_STEP = 2000  # pairs scored between two progress reports

Decided = Callable[[int, int], "str | None"]  # a person's decision about two entries: merge, different or None


class _Pairs:
    """Every pair compared so far that may be a match or a review, and what it is (computed on
    demand for pairs blocking skipped)."""

    def __init__(self, feats: list[Features], settings: MatchSettings, decided: Decided | None) -> None:
        self.feats = feats
        self.settings = settings
        self.decided = decided
        self.known: dict[tuple[int, int], Candidate] = {}
        self._least = least_weight(settings)

    def score(self, i: int, j: int) -> None:
        """Score a candidate pair from blocking (i < j), and keep it unless it can only be "new"
        (``distance_above``): nothing here uses a pair that is neither a match nor a review."""
        if (i, j) not in self.known:
            d = distance_above(self.feats[i], self.feats[j], self.settings, self._least)
            if d is not None:
                self.known[(i, j)] = make_candidate(j, d, self.settings)

    def get(self, i: int, j: int) -> Candidate:
        """The candidate for entries i and j (i < j), scored once."""
        key = (i, j) if i < j else (j, i)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = make_candidate(key[1], distance(self.feats[key[0]], self.feats[key[1]],
                                                                      self.settings), self.settings)
        return found

    def held_back(self, i: int, j: int, why: str) -> str:
        """The explanation of a confident pair held back for review: its parts, ``review``, and why."""
        d = distance(self.feats[min(i, j)], self.feats[max(i, j)], self.settings)
        return explain(d, "review", d.score, why, self.settings)

    def decision(self, i: int, j: int) -> str | None:
        """A person's decision about the two entries, if any."""
        return self.decided(i, j) if self.decided is not None else None

    def mergeable(self, i: int, j: int) -> bool:
        """True when the two would be merged on their own: a match, and nobody said otherwise."""
        return self.get(i, j).verdict == "match" and self.decision(i, j) != "different"


def _score_pairs(entries: Sequence[Entry], settings: MatchSettings, decided: Decided | None,
                 progress: ProgressCallback | None) -> _Pairs:
    """Features of every entry and the candidate pairs blocking finds, scored."""
    total = len(entries)
    feats = []
    for k, e in enumerate(entries):
        feats.append(features(e, settings))
        if progress is not None and k % _PROGRESS_STEP == 0:
            progress(k, 2 * total)
    pairs = _Pairs(feats, settings, decided)
    q, t = CandidateIndex(feats, settings).self_pairs()
    count = len(q)
    for k, (i, j) in enumerate(zip(as_list(q), as_list(t))):
        pairs.score(i, j)
        if progress is not None and k % _PROGRESS_STEP == 0:
            progress(total + (total * k) // max(count, 1), 2 * total)
    if progress is not None:
        progress(2 * total, 2 * total)
    return pairs


def _ambiguous(pairs: _Pairs, confident: list[tuple[float, int, int]], gap: float) -> set[tuple[int, int]]:
    """Confident pairs of an entry that also matches another entry, about as well, that cannot
    be the same work as its first partner: which of the two it is, a person decides."""
    partners: dict[int, list[tuple[float, int]]] = {}
    for weight, i, j in confident:
        partners.setdefault(i, []).append((weight, j))
        partners.setdefault(j, []).append((weight, i))
    out: set[tuple[int, int]] = set()
    for x, found in partners.items():
        found.sort(key=lambda p: (-p[0], p[1]))
        best_weight, best = found[0]
        for weight, other in found[1:]:
            if best_weight - weight < gap and not pairs.mergeable(best, other):
                out.update({(min(x, best), max(x, best)), (min(x, other), max(x, other))})
    return out


def _match_groups(pairs: _Pairs, settled: set[tuple[int, int]]) -> tuple[dict[int, list[int]], dict[tuple[int, int], str]]:
    """Groups of entries every two of which match (strongest pairs first), and the confident
    pairs that could not join their groups, or are ambiguous (left for review)."""
    group_of: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    confident = sorted(((c.weight, i, j) for (i, j), c in pairs.known.items()
                        if c.verdict == "match" and (i, j) not in settled), key=lambda x: (-x[0], x[1], x[2]))
    unclear = _ambiguous(pairs, confident, pairs.settings.min_gap)
    left_out: dict[tuple[int, int], str] = {p: AMBIGUOUS for p in sorted(unclear)}
    for _, i, j in confident:
        if (i, j) in unclear:
            continue
        gi, gj = group_of.get(i, i), group_of.get(j, j)
        if gi == gj:
            continue
        a, b = members.get(gi, [i]), members.get(gj, [j])
        if len(a) + len(b) > MAX_GROUP:
            left_out[(i, j)] = TOO_LARGE
            continue
        if not all(pairs.mergeable(x, y) for x in a for y in b):
            left_out[(i, j)] = HELD_BACK
            continue
        root, other = min(gi, gj), max(gi, gj)
        joined = sorted(a + b)
        members[root] = joined
        members.pop(other, None)
        for x in joined:
            group_of[x] = root
    return members, left_out


def _stars(links: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """Uncertain links as stars: the entry with the most links and its neighbours, repeatedly."""
    neighbours: dict[int, set[int]] = {}
    for i, j in links:
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    heap = [(-len(ns), x) for x, ns in neighbours.items()]
    heapq.heapify(heap)
    stars = []
    while heap:
        degree, centre = heapq.heappop(heap)
        spokes = neighbours.get(centre, set())
        if -degree != len(spokes):  # an old entry: the degree fell since
            if spokes:
                heapq.heappush(heap, (-len(spokes), centre))
            continue
        if not spokes:
            continue
        stars.append((centre, sorted(spokes)))
        for s in spokes:
            neighbours[s].discard(centre)
        neighbours[centre] = set()
    return stars


def find_duplicates(entries: Sequence[Entry], settings: MatchSettings = MatchSettings(), *,
                    decided: Decided | None = None, progress: ProgressCallback | None = None) -> list[DuplicateGroup]:
    """Group entries that look like the same work: ``match`` groups may be merged, ``review`` ones asked.

    Pairs come from the blocking index (never all pairs). ``decided(i, j)`` returns a
    person's decision about two entries ("merge", "different") or None: decided pairs are
    returned as their own groups with ``decision`` set, and take no part in the others.
    ``progress(done, total)`` is called as the pairs are scored.
    """
    pairs = _score_pairs(entries, settings, decided, progress)
    settled: dict[tuple[int, int], str] = {}
    for (i, j), c in pairs.known.items():
        if c.verdict in ("match", "review"):
            found = pairs.decision(i, j)
            if found:
                settled[(i, j)] = found
    groups, left_out = _match_groups(pairs, set(settled))
    group_of = {x: root for root, xs in groups.items() for x in xs}
    out = []
    for root, xs in groups.items():
        links = [pairs.get(x, y) for k, x in enumerate(xs) for y in xs[k + 1:] if (min(x, y), max(x, y)) in pairs.known]
        weakest = min(links, key=lambda c: c.weight)
        out.append(DuplicateGroup(tuple(xs), "match", weakest.score, weakest.explanation))
    # One uncertain link per two groups (the strongest), none inside a group.
    best: dict[tuple[int, int], tuple[float, int, int]] = {}
    for (i, j), c in pairs.known.items():
        if (i, j) in settled or (c.verdict != "review" and (i, j) not in left_out):
            continue
        gi, gj = group_of.get(i, i), group_of.get(j, j)
        if gi == gj:
            continue
        key = (min(gi, gj), max(gi, gj))
        if key not in best or c.weight > best[key][0]:
            best[key] = (c.weight, i, j)
    for centre, spokes in _stars([(i, j) for _, i, j in best.values()]):
        links = [(pairs.get(centre, s), (min(centre, s), max(centre, s))) for s in spokes]
        strongest, key = max(links, key=lambda link: link[0].weight)
        explanation = pairs.held_back(*key, left_out[key]) if key in left_out else strongest.explanation
        out.append(DuplicateGroup(tuple(sorted([centre, *spokes])), "review", strongest.score, explanation,
                                  centre=centre if spokes[1:] else None))
    for (i, j), found in settled.items():
        c = pairs.get(i, j)
        out.append(DuplicateGroup((i, j), c.verdict, c.score, c.explanation, decision=found))
    return sorted(out, key=lambda g: (g.indices, g.decision or ""))
