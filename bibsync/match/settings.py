"""Weights and thresholds of the matcher, with the principles behind every default.

docs/matching.md explains each number at length; the short form is in the docstrings here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
class Weights:
    """How much each named part counts in the score (a weighted mean of the parts present).

    The title carries most of the identity of a work, the people are the second,
    independent witness; year and venue place it; type and pages only corroborate.
    A part that one side lacks is left out (neither for nor against).
    """

    title: float = 3.0
    authors: float = 2.0
    year: float = 1.0
    venue: float = 1.0
    type: float = 0.5
    pages: float = 0.5
    # A presentation label ("(Demo Abstract)", "- Book Review") on one side only: the other
    # record may be the paper the demo shows, the book the review is about.
    label: float = 0.75


@dataclass(frozen=True)
class MatchSettings:
    """Weights and thresholds of the matcher (docs/matching.md gives the reasons).

    An identifier settles a pair first: the same DOI, PMID or arXiv id (or ISBN, between
    whole books) is the same entry; two different published DOIs are different entries.

    Otherwise a pair is a **match** (applied without asking) only when every gate holds:

    - ``score >= match_threshold`` (0.85): at most 15% of the weighted evidence may be
      missing or disagree (a year one apart, one author of four missing);
    - the title similarity is ``>= title_match_min`` (0.90): titles may differ by typos,
      punctuation, casing, presentation labels or a truncated subtitle. A reworded title
      (``title_reworded_min`` 0.80 up to 0.90), or one with an extra label in front
      ("Neptune: X" against "X"), needs everything else: all the people
      (``authors_strong`` 0.9), the same year, no venue disagreement;
    - the people agree: ``authors_match_min`` (0.5) of the shorter author list is
      shared; with no authors on one side, the year must be equal and the venue agree
      (or the title be long, ``distinctive_title_words``, and near-identical);
    - nothing contradicts: no type conflict (software vs paper, book vs chapter), no
      preprint against its published version, no short word or number replaced by another
      (Part I/II, CPUs/GPUs), no correction notice against its paper; a year one apart only
      between records of the same type; generic titles need the same year and venue.

    When every other witness agrees (every person of the shorter list, the year, a known
    venue that agrees), one slip of the title is forgiven: a single mistyped word (one edit
    apart or cut short, never a number, a roman numeral or another first letter:
    DDS/DSS, not CPUs/GPUs) is no contradiction, and a title that is the other's first
    words (three content words, or two people in common) counts ``main_title_factor``.

    A pair is offered for **review** when ``score >= review_threshold`` (0.65) and the
    titles are at least ``title_floor`` (0.6) alike, or when an identifier says it is the
    same work but something forbids merging it blindly. A proposal is a match only when
    its best candidate is one and beats every rival (another candidate that could be
    merged) by ``min_gap`` (0.05).
    """

    match_threshold: float = 0.85
    review_threshold: float = 0.65
    min_gap: float = 0.05
    weights: Weights = field(default_factory=Weights)
    title_match_min: float = 0.90
    authors_match_min: float = 0.5
    # A reworded title (similarity from title_reworded_min up to title_match_min) may match
    # only when the people agree completely (authors_strong) and the year is the same.
    title_reworded_min: float = 0.80
    authors_strong: float = 0.9
    venue_agree_min: float = 0.5
    # The main title (before ":") standing for a truncated full title counts this much.
    main_title_factor: float = 0.9
    # A main title must have this many content words to stand for the full title
    # (a title cut short, see above, needs three, or two people in common).
    main_title_min_words: int = 2
    # With no authors on one side, a title of this many content words, this similar (and
    # the same year), is distinctive enough to match without an agreeing venue.
    distinctive_title_words: int = 5
    distinctive_title_min: float = 0.95
    # Candidates whose title similarity is below this are not scored (unless an
    # identifier links them); candidates below candidate_min are not listed.
    title_floor: float = 0.6
    candidate_min: float = 0.5
    # Blocking: an entry looks up candidates by the pairs among its rarest title words
    # (and those of its main title); a posting (per word pair and year window) longer
    # than max_block is not read.
    query_words: int = 3
    max_block: int = 5000
    generic_titles: tuple[str, ...] = DEFAULT_GENERIC_TITLES
    preprint_doi_prefixes: tuple[str, ...] = DEFAULT_PREPRINT_DOI_PREFIXES
