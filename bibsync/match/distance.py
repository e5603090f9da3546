"""The distance between two entries: identifiers first, then a match weight from named parts.

Each part (title, title words, people, year, venue, pages, label) falls into a comparison
level, and each level adds a weight in bits to the pair's *match weight* (levels.py,
fitted.py); a part one record lacks adds nothing. The weight starts from the prior odds of
a candidate pair, and its logistic is the pair's probability of being one work: the
``score``. Beside the parts
the distance records *flags*: contradictions that forbid merging blindly whatever the
weight (a type conflict, a preprint against its published version, a replaced number in
the title, pages that cannot both be right, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from . import fitted
from .levels import (ITEM_LABELS, LABEL_WEIGHTS, PAGES_DIFFER, PAGES_SAME, REWORDED_TITLES, author_level, venue_level,
                     words_level, year_level)
from .normalize import LOOSE, Features, PersonKey, content_words
from .people import MAX_PEOPLE, shared_people, swapped_people
from .settings import MatchSettings
from .rarity import contained
from .titles import MAIN_TITLE_FACTOR, MAIN_TITLE_MIN_WORDS, TitleReading, is_noise, noise_words, read_titles
from .venues import venue_similarity
from .words import NEGATION_WORDS, NOTICE_WORDS, replaced, typo_like, unmatched

__all__ = ["Distance", "distance", "shared_people", "typo_like", "venue_similarity"]

# Flags: contradictions found while comparing. Each forbids an automatic merge (an extra
# title prefix only unless everything else agrees: see recommend.py).
TYPE_CONFLICT = "type conflict"
PREFIX = "extra title prefix"
WORDS_DIFFER = "title words differ"
PREPRINT = "preprint vs published"
ISBN_DIFFERS = "isbn differs"
NOTICE = "correction notice"
ISSUE_DIFFERS = "other issue"  # a generic title in another volume, number or pages
PAGES_APART = "pages apart"  # page ranges that do not overlap, in one venue, the same year or one apart
VOLUME_DIFFERS = "other volume"  # one venue, two of its volumes (volume field, or the year in its name)
SAME_WORK = "same work"  # an identifier links the two, but they are different records of it


@dataclass
class Distance:
    """Parts with their levels and weights, shown items for the explanation, and flags."""

    parts: dict[str, float] = field(default_factory=dict)  # similarity of each part, 0..1
    levels: dict[str, str] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)  # bits each part adds
    items: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    base: float = 0.0  # bits before any part: the prior odds of a candidate pair
    decided_by: str | None = None
    same: bool | None = None  # True / False when an identifier settled the pair
    generic: bool = False
    issue_same: bool = False  # a generic title's item named alike (number or first page), or by neither
    authors_missing: bool = False
    same_type: bool = False
    venue_known: bool = False
    shared_people: int = 0  # people both lists name
    fewest_people: int = 0  # length of the shorter list
    named: bool = False  # both author lists spell every given name out
    agree: bool = False  # every person of the shorter list, the year and a known venue agree
    consistent: bool = False  # the people agree, and no year or venue disagrees (one may be missing)
    title_level: str = ""

    def add(self, name: str, value: float | None, item: str, level: str | None = None,
            weight: float | None = None) -> None:
        """Record part ``name`` (its similarity, level and weight in bits) and its explanation item."""
        if value is not None:
            self.parts[name] = value
        if level is not None:
            self.levels[name] = level
        if weight is not None:
            self.weights[name] = weight
            item = f"{item} {weight:+.1f}"
        if item:
            self.items.append(item)

    def flag(self, flag: str, item: str = "") -> None:
        """Record a contradiction (and show ``item`` if given)."""
        self.flags.append(flag)
        if item:
            self.items.append(item)

    @property
    def weight(self) -> float:
        """The match weight in bits: the base plus every part's weight (±64 when an identifier decided)."""
        if self.same is not None:
            return 64.0 if self.same else -64.0
        return self.base + sum(self.weights.values())

    @property
    def score(self) -> float:
        """The probability that the two records are one work: 1 / (1 + 2^-weight)."""
        if self.same is not None:
            return 1.0 if self.same else 0.0
        return 1.0 / (1.0 + 2.0 ** -self.weight)


def _fitted(part: str, level: str) -> float:
    return fitted.WEIGHTS.get(part, {}).get(level, 0.0)


def _ratio(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100.0 if a and b else 0.0


# --- identifiers ----------------------------------------------------------------------------

def _identifiers(d: Distance, a: Features, b: Features) -> None:
    """Settle the pair by DOI, PMID or arXiv id where both have one; flag what forbids merging."""
    for name, x, y in (("doi", a.doi, b.doi), ("pmid", a.pmid, b.pmid), ("arxiv", a.arxiv, b.arxiv)):
        if not (x and y):
            continue
        d.decided_by = name
        if x != y:
            d.same = False
            d.add(name, 0.0, f"{name} ≠")
        elif name == "arxiv" and a.preprint != b.preprint:
            d.add(name, 1.0, "arxiv = (preprint vs published)")
            d.flag(SAME_WORK)  # the preprint and its published version: scored below, never merged blindly
        else:
            d.same = True
            d.add(name, 1.0, f"{name} =")
        return
    if a.isbns and b.isbns and a.family in ("book", LOOSE) and b.family in ("book", LOOSE):
        # Chapters and papers carry the ISBN of their book, so only whole books compare by it.
        if a.isbns & b.isbns:
            d.decided_by, d.same = "isbn", True
            d.add("isbn", 1.0, "isbn =")
        else:
            d.flag(ISBN_DIFFERS, "isbn ≠")


# --- the title --------------------------------------------------------------------------------

def _review_reading(a: Features, b: Features, reading: TitleReading) -> tuple[TitleReading, str, str]:
    """The reading and the two label kinds, after reading a book review that names the book's
    authors ("X by A and B") against one that does not: that record counts as a review too."""
    labels = [a.label, b.label]
    if "review" not in labels:
        return reading, a.label, b.label
    for k, (x, y) in enumerate(((a, b), (b, a))):
        cut = _ratio(x.by_cut, y.title) if x.by_cut else 0.0
        if cut >= max(reading.value, 0.6) and (cut > reading.value or not reading.level.startswith("exact")):
            level = "exact" if cut >= 0.97 else "near" if cut >= 0.92 else reading.level
            reading = TitleReading(cut, level, "", words=(content_words(x.by_cut), y.words))
            labels = [a.label, b.label]
            labels[k] = "review"
    return reading, labels[0], labels[1]


def _prefix(a: Features, b: Features, reading: TitleReading, s: MatchSettings) -> tuple[str, float] | None:
    """(the prefix, how alike the rest is) when one full title is the other's subtitle ("Poster: X"
    against "X"), unless what stands in front was read as noise (an author's name, a year)."""
    if reading.level == "noise":
        return None
    for p, q in ((a, b), (b, a)):
        if q.sub:
            value = _ratio(p.title, q.sub)
            if value >= s.title_match_min and value > _ratio(p.title, q.title):
                return q.main, value
    return None


# Levels that read two titles as one title with a slip, junk or reordered words: as the exact
# levels, they are split by how specific the title is only through this cap (below).
_ALIKE_TITLES = ("near", "noise", "reordered")


def _title_weight(reading: TitleReading) -> float:
    """The title's weight for its level; for a short title (under 4 content words) read as
    alike but not equal, never more than the same title equal ("exact-short"): agreement less
    than exact is never stronger evidence than exact agreement on the same words (the alike
    levels have no short variant, and "near" was fitted above "exact-short")."""
    weight = _fitted("title", reading.level)
    if reading.level in _ALIKE_TITLES and any(reading.words) and min(len(w) for w in reading.words if w) < 4:
        weight = min(weight, _fitted("title", "exact-short"))
    return weight


def _title(d: Distance, a: Features, b: Features, s: MatchSettings, reading: TitleReading,
           least: float | None = None) -> bool:
    """The title part, the label part and the title's contradictions, from the titles' ``reading``
    (by the settings); call after authors, year and venue. False, and the pair left unfinished,
    when a reworded title cannot reach ``least`` bits (see :func:`distance_above`)."""
    reading, x, y = _review_reading(a, b, reading)
    prefix = _prefix(a, b, reading, s)
    if prefix is not None:
        # Read as the title behind the prefix, which is what makes the two alike; the prefix
        # itself is a contradiction (flagged below) unless everything else agrees.
        label, value = prefix
        reading = TitleReading(value, "cut" if value >= s.title_match_min else reading.level, "", words=reading.words)
    d.title_level = reading.level
    if d.generic:
        # A generic title ("Editorial") says nothing about which item it is, for or against:
        # the year, venue, people and issue decide (recommend.py).
        d.add("title", reading.value, f"title {reading.value:.2f} (generic)", "generic")
    else:
        d.add("title", reading.value, f"title {reading.value:.2f}{reading.how}", reading.level,
              _title_weight(reading))
    if not d.generic and reading.level in REWORDED_TITLES:
        if least is not None and _out_of_reach(d, reading.value, s, least):
            return False
        _title_words(d, a, b)
    if x or y:
        level = "same" if x == y else "differ" if x and y else "one-side item" if (x or y) in ITEM_LABELS else "one-side"
        d.add("label", 1.0 if x == y else 0.0,
              f"label = {x}" if x == y else f"label ≠ ({x or 'none'}/{y or 'none'})", level, LABEL_WEIGHTS[level])
    notice = (NOTICE_WORDS & set(a.words)) ^ (NOTICE_WORDS & set(b.words))
    if notice:
        d.flag(NOTICE, f"{min(notice)} notice")
        return True
    if prefix is not None:
        d.flag(PREFIX, f"prefix '{prefix[0]}'")
        return True
    if reading.sequel:
        d.flag(WORDS_DIFFER, "sequel")
        return True
    names = _names(d, a, b)
    if names is not None:
        d.flag(WORDS_DIFFER, f"names ≠ {names[0]}/{names[1]}")
        return True
    if reading.level in ("fair", "weak", "different"):
        return True  # too different to match anyway: no need to name the words
    one, other = reading.words
    missing_a, missing_b = unmatched(one, other), unmatched(other, one)
    swapped = replaced(missing_a, missing_b) if missing_a and missing_b else None
    if swapped and d.agree and len(missing_a) == len(missing_b) == 1 and typo_like(missing_a[0], missing_b[0]):
        # One word mistyped in one record, while the people, year and venue all agree.
        d.add("typo", None, f"typo {missing_a[0]}/{missing_b[0]}")
    elif swapped or NEGATION_WORDS.intersection(missing_a + missing_b):
        d.flag(WORDS_DIFFER, f"words ≠ {' '.join(missing_a[:2]) or '-'}/{' '.join(missing_b[:2]) or '-'}")
    return True


# The most the parts compared after the title's level can add, in bits: the title words, a
# presentation label and the pages (each adds at most its largest weight, or nothing).
_MOST_AFTER_TITLE = (max(0.0, *fitted.WEIGHTS.get("words", {}).values()) + max(0.0, *LABEL_WEIGHTS.values())
                     + max(0.0, PAGES_SAME, PAGES_DIFFER))
_ROUNDING = 1e-6  # bits kept in hand: the bound never rests on how a sum of floats is rounded


def _out_of_reach(d: Distance, title: float, s: MatchSettings, least: float) -> bool:
    """True when a pair whose title is not generic and that no identifier settled can only be
    "new" or stay below ``least`` bits: its title is below the floor, or its weight so far
    plus the most the remaining parts can add is below ``least``."""
    if d.same is not None or d.generic or SAME_WORK in d.flags:
        return False
    return title < s.title_floor or d.weight + _MOST_AFTER_TITLE + _ROUNDING < least


def _names(d: Distance, a: Features, b: Features) -> tuple[str, str] | None:
    """The two names when both titles open with a one-word name before the subtitle ("NASTIA:
    ..." / "DINASTI: ..."): a system, corpus or tool each. Only between curated records (every
    given name spelt out: a scraped title glues junk and OCR slips to its first word), and only
    names more than one slip apart (an edit, or a word cut short): None otherwise."""
    if not d.named or len(a.main_words) != 1 or len(b.main_words) != 1 or not (a.sub and b.sub):
        return None
    x, y = a.main_words[0], b.main_words[0]
    if x == y or typo_like(x, y) or OSA.distance(x, y) <= 1:
        return None
    return x, y


def _title_words(d: Distance, a: Features, b: Features) -> None:
    """The title words part of a reworded title: how much of one title's information, each word
    weighed by its rarity, the other holds (noise such as the records' own names left out)."""
    names = noise_words(a, b)
    share = contained(tuple(w for w in a.words if not is_noise(w, names)),
                      tuple(w for w in b.words if not is_noise(w, names)))
    if share is not None:
        level = words_level(share)
        d.add("words", share, f"title words {share:.2f}", level, _fitted("words", level))


# --- the other parts ----------------------------------------------------------------------------

def _authors(d: Distance, a: Features, b: Features, title_level: str) -> None:
    if not a.people or not b.people:
        d.authors_missing = True
        return
    na, nb = min(len(a.people), MAX_PEOPLE), min(len(b.people), MAX_PEOPLE)
    shared = shared_people(a.people, b.people)
    low, high = min(na, nb), max(na, nb)
    d.named = a.named and b.named
    swapped = swapped_people(a.people, b.people) if shared == 0 else 0
    if a.truncated or b.truncated:
        value = shared / low  # an "and others" list: only the names shown can be compared
    else:
        value = 0.75 * shared / low + 0.25 * shared / high
    item = f"authors {shared}/{low}" + (f" of {high}" if high != low else "")
    headless = (d.named and not d.generic and low < high and shared >= low
                and not _same_first(a.people, b.people))
    if headless:
        # A curated list cut short keeps its head ("and others" drops the tail): a shorter
        # list found inside the longer one but without its first author is another team
        # (Ng alone, against Rahman and Ng); its people are not all the longer list's. Not
        # for a generic title: a column's editor stands anywhere among its contributors.
        value = shared / high
        item = f"authors {shared}/{low} of {high} (first ≠)"
    d.shared_people, d.fewest_people = shared, high if headless else low
    level = author_level(shared, low, swapped, title_level, headless)
    if level.startswith("swapped"):
        item = f"authors {swapped}/{low} (initials swapped)"
    d.add("authors", value, item, level, _fitted("authors", level))


def _same_first(a: tuple[PersonKey, ...], b: tuple[PersonKey, ...]) -> bool:
    """True when the two lists' first people are one person."""
    return shared_people(a[:1], b[:1]) == 1


def _year(d: Distance, a: Features, b: Features) -> None:
    level = year_level(a, b)
    if level is None:
        return
    value = {"same": 1.0, "one": 0.5}.get(level, 0.0)
    item = "year =" if level == "same" else "year ±1" if level == "one" else f"year ≠ ({a.year}/{b.year})"
    d.add("year", value, item, level, _fitted("year", level))


def _venue(d: Distance, a: Features, b: Features, s: MatchSettings) -> None:
    value, item, known = venue_similarity(a.venue, b.venue, s)
    d.venue_known = known
    if value is None:
        return
    level = venue_level(value, known, item.startswith("venue ≠"), s.venue_agree_min)
    d.add("venue", value, item, level, _fitted("venue", level))


def _type(d: Distance, a: Features, b: Features) -> None:
    if a.type == b.type:
        d.add("type", 1.0, "")
    elif a.family == b.family or LOOSE in (a.family, b.family):
        d.add("type", 0.75, f"type {a.type}/{b.type}")
    else:
        d.add("type", 0.0, "")
        d.flag(TYPE_CONFLICT, f"type ≠ ({a.family}/{b.family})")


def _volume(d: Distance, a: Features, b: Features) -> None:
    """Two records of one venue in two of its volumes are two items: a work is printed once.
    The volume is the ``volume`` field, or the year a dated series writes in its name
    ("The 2009 Annual Conference ..." / "NAACL HLT 2010 Tutorial Abstracts")."""
    if not _same_venue(d):
        return
    if a.volume and b.volume and a.volume != b.volume:
        d.flag(VOLUME_DIFFERS, f"volume ≠ ({a.volume}/{b.volume})")
    elif a.venue_years and b.venue_years and not a.venue_years & b.venue_years:
        d.flag(VOLUME_DIFFERS, f"volume ≠ ({min(a.venue_years)}/{min(b.venue_years)})")


def _same_venue(d: Distance) -> bool:
    """The two venues are known to agree."""
    return d.venue_known and d.parts.get("venue", 0.0) >= 0.5


def _pages(d: Distance, a: Features, b: Features) -> None:
    """Pages: the same first page within one volume is strong evidence of one work, pages that
    differ weak evidence against; page ranges of one venue series that do not overlap, in the
    same year or a year apart, are two items."""
    if not (a.pages and b.pages):
        return
    same = a.pages == b.pages
    apart = d.levels.get("year", "same") != "same" or d.levels.get("venue") in ("low", "kind") or (
        VOLUME_DIFFERS in d.flags)
    if same and apart:
        # Volumes of a series, and different venues, number their pages alike (each opens
        # at page 1): the same pages in another year or venue say nothing.
        d.add("pages", 1.0, "pages = (other volume)")
    else:
        d.add("pages", 1.0 if same else 0.0, "pages =" if same else "pages ≠", None,
              PAGES_SAME if same else PAGES_DIFFER)
    ra, rb = a.pages_range, b.pages_range
    if (not same and ra and rb and (ra[1] < rb[0] or rb[1] < ra[0])
            and d.levels.get("year") in ("same", "one") and _same_venue(d)):
        # One work keeps its pages when its date is given two ways (online first, printed the
        # next year): two page ranges of one venue that do not overlap are two pieces of it.
        d.flag(PAGES_APART, f"pages apart ({ra[0]}-{ra[1]}/{rb[0]}-{rb[1]})")


def _issue(d: Distance, a: Features, b: Features) -> None:
    """A generic title ("Editorial") names its item only by volume, number and pages: any of them
    differing is another item. An item is named by its number, first page or DOI (a volume
    holds several issues, each with its editorial): the pair is one item only when both name
    it alike (the same number or first page), or neither names it at all (nothing tells the
    two apart, nor is specific to one issue); when one record names its item and the other
    does not, the other may be any issue of the year."""
    for name, x, y in (("volume", a.volume, b.volume), ("number", a.number, b.number), ("pages", a.pages, b.pages)):
        if x and y and x != y:
            d.flag(ISSUE_DIFFERS, f"{name} ≠ ({x}/{y})")
            return
    named_a, named_b = bool(a.number or a.pages or a.doi), bool(b.number or b.pages or b.doi)
    d.issue_same = (not named_a and not named_b) or bool(a.number and a.number == b.number) or bool(
        a.pages and a.pages == b.pages)


def _agreement(d: Distance, s: MatchSettings) -> bool:
    """Everything but the title agrees: every person of the shorter list, the year, a known venue."""
    venue = d.parts.get("venue")
    return (not d.authors_missing and d.shared_people >= d.fewest_people and d.parts.get("year") == 1.0
            and d.venue_known and venue is not None and venue >= s.venue_agree_min)


def _consistency(d: Distance) -> bool:
    """The people agree, and the year and venue do not disagree (or are missing).

    The people agree when every person of the shorter list is found; between lists that do
    not both spell given names out (scraped records, which lose and mangle names: "w wei"
    for W. Wang), when at least two people and half the shorter list are found.
    """
    people = d.shared_people >= d.fewest_people or (
        not d.named and d.shared_people >= 2 and d.shared_people * 2 >= d.fewest_people)
    return (not d.authors_missing and people
            and d.levels.get("year", "same") == "same" and d.levels.get("venue", "agree") in ("agree", "unrelated"))


def distance(a: Features, b: Features, settings: MatchSettings) -> Distance:
    """Compare two entries' keys: identifiers first, then every named part."""
    found = distance_above(a, b, settings, None)
    assert found is not None  # without a least weight every pair is compared in full
    return found


def distance_above(a: Features, b: Features, settings: MatchSettings, least: float | None) -> Distance | None:
    """:func:`distance`, or None for a pair that can only be "new" with a weight below ``least``
    bits: a title that is not generic, no identifier settling it, and either a title below
    ``title_floor`` or a weight that, with the most the title words, a label and the pages
    could add, stays below ``least``. Finding duplicates asks only for pairs that may be a
    match or a review, and the title words (the costliest part) are then never read for the
    many pairs that share common title words and little else. A pair that is returned is
    compared in full, exactly as by :func:`distance`."""
    d = Distance(base=fitted.INTERCEPT + settings.prior_bits)
    _identifiers(d, a, b)
    if d.same is not None:
        return d
    d.generic = a.generic or b.generic
    d.same_type = a.type == b.type
    n_items, n_flags = len(d.items), len(d.flags)
    reading = read_titles(a, b, generic=d.generic, main_title_factor=settings.main_title_factor,
                          main_title_min_words=settings.main_title_min_words)
    # The people are read by the level read_titles gives with its defaults: the reading above,
    # unless the settings ask another (each pair's titles are read once, as a rule).
    as_default = (settings.main_title_factor, settings.main_title_min_words) == (MAIN_TITLE_FACTOR, MAIN_TITLE_MIN_WORDS)
    title_level = "generic" if d.generic else reading.level if as_default else read_titles(a, b).level
    _authors(d, a, b, title_level)
    _year(d, a, b)
    _venue(d, a, b, settings)
    # The title reads whether everything else agrees, but is shown (and kept) before them.
    d.agree = _agreement(d, settings)
    d.consistent = _consistency(d)
    items, flags = d.items[n_items:], d.flags[n_flags:]
    del d.items[n_items:], d.flags[n_flags:]
    if not _title(d, a, b, settings, reading, least):
        return None
    d.items += items
    d.flags += flags
    _type(d, a, b)
    if not d.generic:
        _volume(d, a, b)  # a generic title's volume is read with its number and pages (_issue)
    _pages(d, a, b)
    if d.generic:
        _issue(d, a, b)
    if SAME_WORK not in d.flags and ((a.preprint and b.published) or (b.preprint and a.published)):
        d.flag(PREPRINT, "preprint vs published")
    return d
