"""A preprint and its published version: which record is which, and the arXiv id they share.

The matcher never merges a preprint into its published version blindly (a review case);
the review screen uses these facts to say which record is the published one and to offer
keeping it, with the preprint's key as an alias.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Entry
from .normalize import features
from .settings import MatchSettings


@dataclass(frozen=True)
class PreprintPair:
    """Two records of one work: ``preprint`` (0 or 1: which of the two given) and the published
    one, and the arXiv id, when known ("" when only the titles and people link them)."""

    preprint: int
    published: int
    arxiv: str = ""


def preprint_pair(a: Entry, b: Entry, settings: MatchSettings = MatchSettings()) -> PreprintPair | None:
    """Which of ``a`` (0) and ``b`` (1) is the preprint and which the published version, or None
    when they are not one preprint and one published record.

    A record is a preprint when it has no published DOI and sits on a preprint server or only
    carries an arXiv id; it is published when it has a published DOI or a real venue
    (docs/matching.md, section 1).
    """
    fa, fb = features(a, settings), features(b, settings)
    if fa.arxiv and fb.arxiv and fa.arxiv != fb.arxiv:
        return None  # two arXiv ids: two works
    arxiv = fa.arxiv or fb.arxiv
    if fa.preprint and fb.published:
        return PreprintPair(0, 1, arxiv)
    if fb.preprint and fa.published:
        return PreprintPair(1, 0, arxiv)
    return None
