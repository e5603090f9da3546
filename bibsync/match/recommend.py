"""From a distance to a verdict, and from ranked candidates to a recommendation.

A pair is a *match* only when its score (the probability that the two records are one work)
reaches ``match_threshold`` and nothing contradicts it; the first contradiction (or rule)
that stops it is the *reason* shown in the explanation, with what would settle the case
when it goes to review. A proposal is a match only when its best candidate is one and
is clearly more likely than any rival (``min_gap`` bits), or an identifier settled it and
no other candidate shares that identifier.
"""

from __future__ import annotations

import math
from typing import Sequence

from . import fitted
from .distance import (ISSUE_DIFFERS, PAGES_APART, PREFIX, PREPRINT, SAME_WORK, TYPE_CONFLICT, VOLUME_DIFFERS, WORDS_DIFFER,
                       Distance)
from .levels import REWORDED_TITLES
from .results import Candidate
from .settings import MatchSettings

GENERIC_OTHER_YEAR = "generic title, other year"
GENERIC_NEEDS = "generic title needs year and venue"
GENERIC_UNNAMED = "generic title, issue not named"
YEAR_ACROSS_TYPES = "year ±1 across types"
NO_SHARED_PEOPLE = "no author in common"
YEARS_APART = "years apart"
REWORDED_ELSEWHERE = "reworded title, other venue"
VENUES_APART = ("low", "kind")  # venue levels that say "published elsewhere"
# Why dedupe holds a confident pair back for a person.
MAX_GROUP = 30  # a larger group is not merged automatically: it is left to grow no further
AMBIGUOUS = "held back: another entry matches about as well and is a different work"
HELD_BACK = "held back: the group of one holds a work the other is not"
TOO_LARGE = f"held back: a group of more than {MAX_GROUP}"

# What a person can look at to settle a case stopped by each reason.
_SETTLE = {
    SAME_WORK: "a preprint and its published version: keep the published one?",
    PREPRINT: "a preprint and a published record: the same paper?",
    TYPE_CONFLICT: "is one item the other?",
    WORDS_DIFFER: "a typo, or another work?",
    PREFIX: "is the prefix part of the title?",
    ISSUE_DIFFERS: "another issue of the series?",
    PAGES_APART: "two items of one venue?",
    VOLUME_DIFFERS: "one item printed in two volumes?",
    GENERIC_NEEDS: "a volume, number, pages or DOI would settle it",
    GENERIC_UNNAMED: "a number, pages or DOI would settle it",
    YEAR_ACROSS_TYPES: "a paper and its journal version?",
    NO_SHARED_PEOPLE: "the same title by other people?",
    YEARS_APART: "a reprint or a later version?",
    REWORDED_ELSEWHERE: "one work, or a demo or workshop version of it?",
    AMBIGUOUS: "which of them is this one?",
    HELD_BACK: "which group does it belong to?",
    TOO_LARGE: "merge them a few at a time",
}


def _gate(d: Distance, s: MatchSettings) -> str:
    """The first reason this pair may not be merged automatically, or ""."""
    hard = [f for f in d.flags if f != PREFIX]
    if hard:
        return hard[0]
    year, venue = d.parts.get("year"), d.parts.get("venue")
    if d.generic:
        if year is not None and year < 1.0:
            return GENERIC_OTHER_YEAR
        venue_agrees = d.venue_known and venue is not None and venue >= s.venue_agree_min
        people_disagree = not d.authors_missing and d.shared_people * 2 < d.fewest_people
        if year is None or not venue_agrees or people_disagree:
            return GENERIC_NEEDS
        if not d.issue_same:
            # The same generic title, people, venue and year still leave the issue open: a
            # journal prints an editorial in each issue.
            return GENERIC_UNNAMED
    # A label in front of a title ("Neptune: X" against "X") is the same work only when
    # all the people agree and neither the year nor the venue disagrees.
    if PREFIX in d.flags and not d.consistent:
        return PREFIX
    # A reworded title in a venue whose name disagrees: the same people publish related items
    # under reworded titles (a demo beside the paper, a workshop version), and where each
    # appeared is what tells them apart.
    if d.title_level in REWORDED_TITLES and d.levels.get("venue") in VENUES_APART:
        return REWORDED_ELSEWHERE
    # The same title by other people: no name in common between two curated author lists
    # (given names spelt out). A scraped record that gives initials only may list its
    # publisher or a cut name as its authors: there the people are weighed, not a veto.
    if d.levels.get("authors", "").startswith("none") and d.named:
        return NO_SHARED_PEOPLE
    # One work is not printed twice years apart: a reprint or a journal version is its own entry.
    if d.levels.get("year") in ("few", "far"):
        return YEARS_APART
    if year == 0.5 and not d.same_type:
        return YEAR_ACROSS_TYPES
    return ""


_MISSING = (("author list", "authors"), ("year", "year"), ("venue", "venue"))


def _settle_hint(d: Distance, reason: str, s: MatchSettings) -> str:
    """What would settle a review case: the reason's question, or the missing parts that could decide it."""
    if reason in _SETTLE:
        return _SETTLE[reason]
    short_of = math.log2(s.match_threshold / (1.0 - s.match_threshold)) - d.weight
    deciding = [("an " if name[0] in "aeiou" else "a ") + name for name, part in _MISSING
                if part not in d.levels and max(fitted.WEIGHTS[part].values(), default=0.0) >= short_of]
    if deciding:
        return f"{', '.join(deciding)} or a DOI would settle it"
    if d.title_level not in ("exact", "exact-short", "noise", "near"):
        return "compare the titles"
    return "a DOI would settle it" if d.levels.get("authors", "").startswith("all") else "compare the authors"


def verdict(d: Distance, s: MatchSettings) -> tuple[str, float, str]:
    """Return (verdict, score, reason) for one pair: ``match``, ``review`` or ``new``."""
    if d.same is not None:
        return ("match" if d.same else "new"), d.score, ""
    score, reason = d.score, _gate(d, s)
    if SAME_WORK in d.flags:  # an identifier links a preprint and its published version
        return "review", max(score, s.review_threshold), reason or SAME_WORK
    if reason == GENERIC_OTHER_YEAR or d.parts.get("title", 0.0) < s.title_floor:
        return "new", score, reason  # a different title is a different work, whoever wrote it
    if d.authors_missing and d.title_level.endswith("-other") and not d.decided_by:
        # Each title names something the other lacks ("Workshop on Argument Mining" / "on
        # Storytelling"), and no people say it is one work reworded.
        return "new", score, reason
    if reason == WORDS_DIFFER and not d.consistent:
        # Another number or short word in the title (Part I/II, Third/Fourth Workshop): a
        # person can only tell a typo when the people at least are the same.
        return "new", score, reason
    if d.generic and not reason:
        if d.title_level.startswith("exact"):
            return "match", score, ""  # the same generic title, year, venue, people and issue
        return "review", score, GENERIC_NEEDS
    if not reason and score >= s.match_threshold:
        return "match", score, ""
    return ("review" if score >= s.review_threshold else "new"), score, reason


def explain(d: Distance, kind: str, score: float, reason: str, s: MatchSettings) -> str:
    """The one-line explanation: every part compared, then the verdict, the score, and for a
    review what stopped the pair and what would settle it."""
    line = " · ".join(d.items) + f" -> {kind} {score:.2f}"
    if kind == "review":
        note = reason if reason and reason not in d.flags and reason != SAME_WORK else ""
        hint = _settle_hint(d, reason, s)
        line += f" ({note}; {hint})" if note else f" ({hint})"
    elif reason == GENERIC_OTHER_YEAR or (reason and kind == "new" and score >= s.match_threshold):
        line += f" ({reason})"
    return line


def least_weight(s: MatchSettings) -> float:
    """The lowest match weight (bits) at which a pair may be a match or a review when its title
    is not generic and no identifier settled it (``verdict``): the weight of a score of
    ``review_threshold`` (or of ``match_threshold``, were it lower)."""
    p = min(s.review_threshold, s.match_threshold)
    return math.log2(p / (1.0 - p)) if 0.0 < p < 1.0 else -math.inf


def make_candidate(index: int, d: Distance, s: MatchSettings) -> Candidate:
    """Turn a distance into a Candidate with its one-line explanation."""
    kind, score, reason = verdict(d, s)
    line = explain(d, kind, score, reason, s)
    # A rule that stopped the pair is a contradiction too: such a candidate is no rival.
    flags = tuple(d.flags) + ((reason,) if reason and reason not in d.flags and kind != "match" else ())
    return Candidate(index, round(score, 4), dict(d.parts), line, d.decided_by, kind, flags, round(d.weight, 3))


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
        rivals = [c.weight for c in candidates[1:] if c.verdict == "match" or (c.verdict == "review" and not c.flags)]
        if not rivals or best.weight - max(rivals) >= s.min_gap:
            return "match"
        return "review"
    return "review" if any(c.verdict in ("match", "review") for c in candidates) else "new"


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first: weight, then verdict strength, then index (stable for equal weights)."""
    strength = {"match": 0, "review": 1, "new": 2}
    return sorted(candidates, key=lambda c: (-c.weight, strength.get(c.verdict, 3), c.index))
