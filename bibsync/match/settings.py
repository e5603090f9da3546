"""Thresholds of the matcher, with the principles behind every default.

docs/matching.md explains each number at length; the short form is in the docstrings here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Titles that name a kind of text rather than a work. Matched against the normalised title
# (lower case, ASCII, punctuation as spaces) as a whole. Such a title says nothing about
# which work it is: two of them are the same entry only when year and venue (or an
# identifier) agree.
DEFAULT_GENERIC_TITLES: tuple[str, ...] = (
    r"(guest )?editorials?( message| note| notes| introduction)?",
    r"(guest )?editor s (notes?|introduction|message|foreword)",
    r"(a )?(letter|note|message|notes) from the (guest )?editors?( in chief)?",
    r"from the (guest )?editors?( in chief)?( desk)?",
    r"(preface|foreword|prologue|epilogue|introduction|overview|opening remarks|closing remarks)",
    (r"(title( page)?|front matter|back matter|frontmatter|table of contents|contents|author index|index)"
     r"( preface| foreword)*"),
    r"title foreword( preface)?",
    r"(opening |closing |invited )?keynotes?( address| talk| speech| lecture| abstract)?",
    r"invited (talk|paper|lecture|speaker)s?",
    r"(panel|panel discussion|tutorial|tutorials|poster session|demo session|demonstrations?)",
    r"welcome( message| address| note)?( from the [a-z ]+)?",
    r"(a )?messages? from the [a-z0-9 ]+",
    r"([a-z ]+ )?(chair|chairs|president|treasurer|secretary|director)( s)? (message|welcome|report|letter|note)",
    r"reminiscences (on|an|in|of) influential papers",
    r"influential papers",
    r"book reviews?( column)?",
    r"reviews?",
    r"(errat(um|a)|corrigend(um|a)|addend(um|a)|retraction|correction|expression of concern)",
    r"(in memoriam|obituary|tribute)",
    r"(calls? for (papers|participation|contributions)|announcements?)( and [a-z ]+)?",
    r"(news|reports?|standards|articles|research centers|career forum|distinguished profiles)",
)

# DOI prefixes of preprint servers: such a DOI names a preprint, not a published version.
DEFAULT_PREPRINT_DOI_PREFIXES: tuple[str, ...] = (
    "10.48550/",        # arXiv
    "10.31219/",        # OSF preprints
    "10.2139/ssrn",     # SSRN
    "10.20944/preprints",
    "10.21203/rs.",     # Research Square
    "10.36227/techrxiv",
)


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds of the matcher (docs/matching.md gives the reasons).

    An identifier settles a pair first: the same DOI, PMID or arXiv id (or ISBN, between
    whole books) is the same entry; two different published DOIs are different entries.

    Otherwise each part of the pair (title, people, year, venue, pages, label) falls into a
    comparison level that adds a weight in bits (``levels.py``; fitted weights in
    ``fitted.py``) to the prior odds of a candidate pair (``prior``); the ``score`` is the
    resulting probability that the two records are one work. A part one record lacks adds
    nothing.

    A pair is a **match** (applied without asking) when its score reaches
    ``match_threshold`` and nothing contradicts it: no type conflict (software vs paper,
    book vs chapter), no preprint against its published version, no replaced number or
    short word in the title (Part I/II, CPUs/GPUs), no correction notice against its paper,
    no page ranges of one venue and year that do not overlap; a year one apart only between
    records of the same type; a generic title ("Editorial") only in the same year and venue
    and with no other volume, number or pages.

    A pair is offered for **review** when its score reaches ``review_threshold``, or when it
    would match but for a contradiction, or an identifier says it is the same work but
    something forbids merging it blindly. A title whose best reading is below ``title_floor``
    is a different work, whoever wrote it. A proposal is a match only when its best
    candidate is one and beats every rival (another candidate that could be merged) by
    ``min_gap`` bits of weight.
    """

    # The share of candidate pairs that are one work, before comparing them. The labelled
    # candidate pairs of both benchmarks hold 18 % matches (1,070 of 5,742 and 444 of 2,473
    # in the unbalanced splits); the balanced training files are drawn from such pairs.
    prior: float = 0.18
    # Merge from a probability of 0.675 (about 2 to 1 for one work): the lowest threshold at
    # which the training pairs, scored by weights fitted without them (5-fold cross-validation)
    # and weighed to the prior above, keep a precision of 0.98 (benchmarks/fit_match_weights.py).
    match_threshold: float = 0.675
    # Ask when a person's look could turn the decision: from one chance in four.
    review_threshold: float = 0.25
    min_gap: float = 1.0  # bits: the best candidate must be at least twice as likely as any rival
    title_match_min: float = 0.90  # a subtitle this alike to the other full title is a prefix in front
    venue_agree_min: float = 0.5
    # The main title (before ":") standing for a full title counts this much of a similarity.
    main_title_factor: float = 0.9
    # A main title must have this many content words to stand for the full title.
    main_title_min_words: int = 2
    # Candidates whose title similarity is below this are not scored (unless an identifier
    # links them), and never offered for review; candidates below candidate_min are not listed.
    title_floor: float = 0.6
    candidate_min: float = 0.05
    # Blocking: an entry looks up candidates by the pairs among its rarest title words
    # (and those of its main title); a posting (per word pair and year window) longer
    # than max_block is not read.
    query_words: int = 3
    max_block: int = 5000
    generic_titles: tuple[str, ...] = DEFAULT_GENERIC_TITLES
    preprint_doi_prefixes: tuple[str, ...] = DEFAULT_PREPRINT_DOI_PREFIXES

    @property
    def prior_bits(self) -> float:
        """The prior odds of a candidate pair in bits: log2(prior / (1 - prior))."""
        return math.log2(self.prior / (1.0 - self.prior))
