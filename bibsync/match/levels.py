"""Comparison levels: how well each part of two records agrees, as a named level.

Each part of a pair (title, title words by rarity, people, year, venue) falls into one level, and each level adds
a weight in bits (log2 of a likelihood ratio) to the pair's match weight, as in the
Fellegi-Sunter model of record linkage. A part one record lacks has no level and adds 0:
missing is neither for nor against.

The weights of these levels are estimated from labelled pairs
(``benchmarks/fit_match_weights.py`` writes ``fitted.py``); the parts the benchmarks do not
have (pages, presentation labels) carry weights stated from principles here.
"""

from __future__ import annotations

from .normalize import Features

PARTS = ("title", "words", "authors", "year", "venue")

# Levels per part, strongest agreement first. Title levels: see titles.TITLE_LEVELS.
AUTHOR_LEVELS = ("all3", "all2", "all1", "nearly", "inside", "most", "some", "swapped", "none")
YEAR_LEVELS = ("same", "one", "few", "far")
VENUE_LEVELS = ("agree", "unrelated", "low", "kind")
# Title words weighed by rarity (rarity.py): how much of one title's information the other
# holds, read only where the characters say the titles were reworded (REWORDED_TITLES).
WORDS_LEVELS = ("all", "most", "half", "some", "few")
REWORDED_TITLES = frozenset({"main", "main-other", "fair", "fair-other", "loose", "loose-other", "weak",
                             "different"})

# Stated weights (bits) for parts the benchmarks carry no data on.
# Pages: two records of one printed work give the same first page; two different works with
# alike titles almost never do (u about 1/8 at most, m near 1: +3). Records of one work differ
# in pages when one is a preprint or a reprint (m about 1/4, u near 1: -2).
PAGES_SAME, PAGES_DIFFER = 3.0, -2.0
# Presentation labels ("(Demo Abstract)", "- Book Review"): too rare in the benchmarks to fit.
# A demo or a poster is an item of its own beside the paper it shows, titled alike and often
# in the same venue: a demo label on one side only is strong evidence of the other item
# (one record in twenty drops such a label, m 0.05; eight alike-titled pairs in ten with
# it on one side are demo and paper, u 0.8: log2(0.05 / 0.8) = -4). The other labels
# (tutorial, panel, talk, review) name the genre of the one item; databases add and drop
# them (m about 0.4 against u 0.8: -1). The same label on both sides: +1.
LABEL_WEIGHTS = {"same": 1.0, "one-side": -1.0, "one-side item": -4.0, "differ": -4.0}
ITEM_LABELS = frozenset({"demo", "poster"})  # labels naming an item of its own, not a genre

# How much the people say depends on how the titles read: with the same title, no name in
# common is often a damaged author list (a scraped record lists its publisher, or cut
# names); with a reworded title, the same people are what makes it the same work. So the
# people levels are conditional on the title's, in two groups.
STRONG_TITLES = frozenset({"exact", "exact-short", "noise", "near"})


def author_level(shared: int, fewest: int, swapped: int, title_level: str, headless: bool = False) -> str:
    """The people level: all of the shorter list (by its length), nearly all of a long one, most,
    some, swapped initials, none; then "/title" when the titles read alike, "/reworded" when
    they do not. ``headless``: the whole shorter list is found, but not the longer one's first
    person (two curated lists: another team, not a list cut short) — "inside"."""
    if headless:
        level = "inside"
    elif fewest and shared >= fewest:
        level = "all3" if fewest >= 3 else "all2" if fewest == 2 else "all1"
    elif fewest >= 4 and shared * 5 >= fewest * 4:
        level = "nearly"  # all but one in five of a long list: a name dropped or misspelt beyond repair
    elif shared * 2 >= fewest:
        level = "most"
    elif shared:
        level = "some"
    elif swapped and swapped * 2 >= fewest:
        level = "swapped"  # given names where the surnames belong: "n alexandros" for A. Nanopoulos
    else:
        level = "none"
    return f"{level}/{'title' if title_level in STRONG_TITLES else 'reworded'}"


def year_level(a: Features, b: Features) -> str | None:
    """The year level: same, one apart, two or three apart, further; None when a year is missing."""
    if a.year is None or b.year is None:
        return None
    apart = abs(a.year - b.year)
    return "same" if apart == 0 else "one" if apart == 1 else "few" if apart <= 3 else "far"


def words_level(share: float) -> str:
    """The title words level: all (0.9 of the information or more), most (0.75), half (0.6), some (0.4), few."""
    return "all" if share >= 0.9 else "most" if share >= 0.75 else "half" if share >= 0.6 else "some" if share >= 0.4 \
        else "few"


def venue_level(value: float | None, known: bool, conflict: bool, agree_min: float) -> str | None:
    """The venue level: agree, names that cannot be related, little overlap, journal vs proceedings."""
    if value is None:
        return None
    if conflict:
        return "kind"
    if not known:
        return "unrelated"
    return "agree" if value >= agree_min else "low"
