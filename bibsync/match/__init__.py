"""The matcher: which target entry, if any, is the same work as an incoming entry.

CONTRACT (other modules rely on exactly these names and fields):

- ``MatchSettings``: thresholds and the prior (frozen dataclass, documented defaults).
- ``Candidate(index, score, parts, explanation, decided_by)``: one target entry compared
  with an incoming one; ``index`` is its position in the target list, ``score`` in 0..1
  (1 = certainly the same work), ``parts`` named similarities, ``explanation`` one line such as
  ``title 0.98 · authors 3/3 · year = · venue 0.71 -> match 0.95``; ``decided_by`` is
  ``"doi"``/``"arxiv"``/``"isbn"``/``"pmid"`` when an identifier settled it, else None.
  (Added, with defaults: ``verdict`` of the pair alone, ``flags`` its contradictions.)
- ``Proposal(entry, candidates, recommendation)``: candidates best first;
  recommendation is ``"match"`` (apply), ``"review"`` (ask a person) or ``"new"``.
- ``Matcher(targets, settings)``: indexes the targets once; ``propose(entry, limit=5)``;
  ``compare(a, b)`` scores one pair (Candidate with index -1); (added) ``propose_all``.
  (Added: ``Candidate.weight``, the match weight in bits; ``score`` is its probability.)
- ``find_duplicates(entries, settings, *, decided=None, progress=None) -> list[DuplicateGroup]``
  with ``DuplicateGroup(indices, recommendation, score, explanation)`` (added, with
  defaults: ``centre`` of an uncertain group around one entry, ``decision`` of a pair a
  person settled).
- (added) ``preprint_pair(a, b) -> PreprintPair(preprint, published, arxiv) | None``: which
  of two records is the preprint and which the published version, and their arXiv id.

Modules: normalize (comparison keys), titles, people, venues, words (comparing parts),
levels and fitted (comparison levels and their weights), distance (the match weight),
index (blocking), recommend (verdicts, thresholds, gap), dedupe, api (Matcher); docs/matching.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .results import Candidate, DuplicateGroup, Proposal
from .settings import MatchSettings

if TYPE_CHECKING:
    from .api import Matcher
    from .dedupe import find_duplicates
    from .preprints import PreprintPair, preprint_pair

__all__ = ["Candidate", "DuplicateGroup", "Matcher", "MatchSettings", "PreprintPair", "Proposal", "find_duplicates",
           "preprint_pair"]


def __getattr__(name: str) -> Any:
    """Matcher, find_duplicates and preprint_pair load numpy and rapidfuzz: imported when first
    asked for, so that importing the results and settings (as the plan and the CLI do) stays light."""
    if name == "Matcher":
        from .api import Matcher

        return Matcher
    if name == "find_duplicates":
        from .dedupe import find_duplicates

        return find_duplicates
    if name in ("preprint_pair", "PreprintPair"):
        from . import preprints

        return getattr(preprints, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
