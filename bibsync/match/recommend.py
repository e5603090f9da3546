"""From a distance to a verdict, and from ranked candidates to a recommendation.

A pair is a *match* only when its score reaches ``match_threshold`` and every gate holds
(MatchSettings lists them); the first gate that fails is the *reason* shown in the
explanation. A proposal is a match only when its best candidate is one and is clearly
better than the runner-up (``min_gap``), or an identifier settled it and no other
candidate shares that identifier.
"""

from __future__ import annotations

from typing import Sequence

from .distance import PREFIX, SAME_WORK, Distance
from .results import Candidate
from .settings import MatchSettings

GENERIC_OTHER_YEAR = "generic title, other year"


def _gate(d: Distance, s: MatchSettings) -> str:
    """The first reason this pair may not be merged automatically, or ""."""
    hard = [f for f in d.flags if f != PREFIX]
    if hard:
        return hard[0]
    parts = d.parts
    title, year, venue = parts.get("title", 0.0), parts.get("year"), parts.get("venue")
    venue_agrees = d.venue_known and venue is not None and venue >= s.venue_agree_min
    if d.generic:
        if year is not None and year < 1.0:
            return GENERIC_OTHER_YEAR
        if year is None or not venue_agrees:
            return "generic title needs year and venue"
    if title < s.title_reworded_min:
        return f"title < {s.title_reworded_min:.2f}"
    reworded = title < s.title_match_min
    if d.authors_missing:
        distinctive = d.long_title and title >= s.distinctive_title_min
        if reworded or year != 1.0 or not (venue_agrees or distinctive):
            return "no authors to compare"
    elif parts.get("authors", 0.0) < s.authors_match_min:
        return f"authors < {s.authors_match_min:.2f}"
    # A reworded title, or a label in front of one ("Neptune: X" against "X"), is the same
    # work only when everything else agrees: all the people, the year, the venue if known.
    if (reworded or PREFIX in d.flags) and (
            d.authors_missing or parts.get("authors", 0.0) < s.authors_strong or year != 1.0
            or (d.venue_known and not venue_agrees)):
        return PREFIX if PREFIX in d.flags else "reworded title needs all authors and the same year"
    if year == 0.0:
        return "years apart"
    if year == 0.5 and not d.same_type:
        return "year ±1 across types"
    return ""


def verdict(d: Distance, s: MatchSettings) -> tuple[str, float, str]:
    """Return (verdict, score, reason) for one pair: ``match``, ``review`` or ``new``."""
    if d.same is not None:
        return ("match" if d.same else "new"), d.score, ""
    score, reason = d.score, _gate(d, s)
    if SAME_WORK in d.flags:  # an identifier links a preprint and its published version
        return "review", max(score, s.review_threshold), reason
    if not reason and score >= s.match_threshold:
        return "match", score, ""
    if reason == GENERIC_OTHER_YEAR or d.parts.get("title", 0.0) < s.title_floor:
        return "new", score, reason  # a different title is a different work, whoever wrote it
    return ("review" if score >= s.review_threshold else "new"), score, reason


def make_candidate(index: int, d: Distance, s: MatchSettings) -> Candidate:
    """Turn a distance into a Candidate with its one-line explanation."""
    kind, score, reason = verdict(d, s)
    line = " · ".join(d.items) + f" -> {kind} {score:.2f}"
    # Contradictions are items of the line already; a failed gate is named at the end.
    if reason and reason not in d.flags and kind != "match" and (
            d.score >= s.match_threshold or reason == GENERIC_OTHER_YEAR):
        line += f" ({reason})"
    parts = dict(d.parts)
    return Candidate(index, round(score, 4), parts, line, d.decided_by, kind, tuple(d.flags))


def recommend(candidates: Sequence[Candidate], s: MatchSettings) -> str:
    """``match`` when the best candidate is one and stands clear of the runner-up; else review or new."""
    if not candidates:
        return "new"
    best = candidates[0]
    if best.verdict == "match":
        runner = candidates[1] if len(candidates) > 1 else None
        if runner is None:
            return "match"
        if best.decided_by and best.score == 1.0:
            # An identifier settles it, unless another target carries the same identifier.
            return "review" if runner.decided_by == best.decided_by and runner.score == 1.0 else "match"
        # A rival is a candidate that could be merged too; one with a contradiction is not.
        rivals = [c.score for c in candidates[1:] if c.verdict == "match" or (c.verdict == "review" and not c.flags)]
        if not rivals or best.score - max(rivals) >= s.min_gap:
            return "match"
        return "review"
    return "review" if any(c.verdict in ("match", "review") for c in candidates) else "new"


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first: score, then verdict strength, then index (stable for equal scores)."""
    strength = {"match": 0, "review": 1, "new": 2}
    return sorted(candidates, key=lambda c: (-c.score, strength.get(c.verdict, 3), c.index))
