"""The distance between two entries: identifiers first, then named parts in 0..1 with weights.

Like beets' ``Distance``: each part is a similarity in 0..1 with a weight from the
settings; the score is the weighted mean of the parts both entries have. Beside the
parts the distance records *flags*: contradictions that forbid merging blindly whatever
the score (a type conflict, a preprint against its published version, ...).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from .normalize import LOOSE, SPELLED_NUMBERS, TITLE_ABBREVIATIONS, Features, PersonKey, VenueKey, content_words
from .settings import MatchSettings, Weights

# Flags: contradictions found while comparing. Each forbids an automatic merge (an extra
# title prefix only unless everything else agrees: see recommend.py).
TYPE_CONFLICT = "type conflict"
PREFIX = "extra title prefix"
WORDS_DIFFER = "title words differ"
PREPRINT = "preprint vs published"
ISBN_DIFFERS = "isbn differs"
NOTICE = "correction notice"
SAME_WORK = "same work"  # an identifier links the two, but they are different records of it

_MAX_PEOPLE = 60  # longer author lists are compared on their first 60 names


@dataclass
class Distance:
    """Named parts with weights, shown items for the explanation, and flags."""

    weights: Weights
    parts: dict[str, float] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    decided_by: str | None = None
    same: bool | None = None  # True / False when an identifier settled the pair
    generic: bool = False
    authors_missing: bool = False
    long_title: bool = False
    same_type: bool = False
    venue_known: bool = False
    shared_people: int = 0  # people both lists name
    fewest_people: int = 0  # length of the shorter list
    agree: bool = False  # every person of the shorter list, the year and a known venue agree

    def add(self, name: str, value: float | None, item: str) -> None:
        """Record part ``name`` (None: not scored, only shown) and its explanation item."""
        if value is not None:
            self.parts[name] = value
        if item:
            self.items.append(item)

    def flag(self, flag: str, item: str = "") -> None:
        """Record a contradiction (and show ``item`` if given)."""
        self.flags.append(flag)
        if item:
            self.items.append(item)

    @property
    def score(self) -> float:
        """1.0 / 0.0 when an identifier decided; else the weighted mean of the scored parts."""
        if self.same is not None:
            return 1.0 if self.same else 0.0
        total = weighted = 0.0
        for name, value in self.parts.items():
            weight = getattr(self.weights, name, 0.0)
            total += weight
            weighted += weight * value
        return weighted / total if total else 0.0


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


# --- parts ----------------------------------------------------------------------------------

_ROMAN_RE = re.compile(r"[ivxlc]+")
# A well-formed roman numeral (i .. mmmcmxcix): "ii", "xiv"; not "civil".
_STRICT_ROMAN_RE = re.compile(r"(?=[mdclxvi])m{0,3}(?:c[md]|d?c{0,3})(?:x[cl]|l?x{0,3})(?:i[xv]|v?i{0,3})")
# A correction or reply is a different item from the paper it is about.
_NOTICE_WORDS = frozenset({"erratum", "errata", "corrigendum", "corrigenda", "retraction", "retracted",
                           "addendum", "rejoinder"})
# Words that, right after a shared title, announce another work: "X, Part 2", "X II", "X revisited".
_SEQUEL_RE = re.compile(r"(?:part|parts|vol|volume|chapter|section|book|revisited|continued|reloaded|redux|sequel"
                        r"|[0-9]\w*|[ivx]+)\b")


def _words_match(x: str, y: str) -> bool:
    """Same word: equal, one typo apart (four letters or more), or an abbreviation (ed/edition, dept/department)."""
    if x == y:
        return True
    if y in TITLE_ABBREVIATIONS.get(x, ()) or x in TITLE_ABBREVIATIONS.get(y, ()):
        return True
    x, y = SPELLED_NUMBERS.get(x, x), SPELLED_NUMBERS.get(y, y)  # "4th" against a misspelt "foruth"
    if len(x) == len(y) <= 4:
        return False  # short words one letter apart name different things: CPUs/GPUs, 2D/3D
    if len(x) >= 4 and len(y) >= 4:
        return fuzz.ratio(x, y) >= 75
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return len(short) >= 2 and len(long_) >= 5 and short.isalpha() and long_.startswith(short) \
        and not _ROMAN_RE.fullmatch(short)


def identifying(word: str) -> bool:
    """Numbers, roman numerals and short words (acronyms) tell works apart: Part I/II, SQL/XML."""
    return len(word) <= 3 or any(c.isdigit() for c in word) or _ROMAN_RE.fullmatch(word) is not None


def _numeral(word: str) -> bool:
    return any(c.isdigit() for c in word) or _STRICT_ROMAN_RE.fullmatch(word) is not None


def typo_like(x: str, y: str) -> bool:
    """True when ``y`` could be ``x`` mistyped: one letter replaced, added, dropped or two swapped
    (DDS/DSS, XJML/XML, TCP/TPC), or the word cut short (S/Strudel).

    Numbers and roman numerals never are (Part I/II, 1st/21st, IPv4/IPv6), nor words whose
    first letters differ: typing errors rarely hit the first letter, deliberate variants
    often do (CPUs/GPUs, DRAM/SRAM).
    """
    if x == y or x[0] != y[0] or _numeral(x) or _numeral(y):
        return False
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return long_.startswith(short) or (len(long_) >= 3 and OSA.distance(x, y) == 1)


def _twins(xs: list[str], ys: list[str]) -> bool:
    """True when a short word on one side differs from one on the other in one letter (CPUs/GPUs)."""
    return any(len(x) == len(y) <= 4 and sum(a != b for a, b in zip(x, y)) == 1 for x in xs for y in ys)


def _unmatched(words: tuple[str, ...], others: tuple[str, ...]) -> list[str]:
    """Words without a counterpart (equal, a typo apart, or two joined words) among ``others``."""
    pool = set(others)
    joined = {x + y for x, y in zip(others, others[1:])}
    out = []
    for w in words:
        if w in pool or w in joined:
            continue
        if not any(_words_match(w, o) for o in pool) and not any(_words_match(w, j) for j in joined):
            out.append(w)
    return out


def _agreement(d: Distance, s: MatchSettings) -> bool:
    """Everything but the title agrees: every person of the shorter list, the year, a known venue."""
    venue = d.parts.get("venue")
    return (not d.authors_missing and d.shared_people >= d.fewest_people and d.parts.get("year") == 1.0
            and d.venue_known and venue is not None and venue >= s.venue_agree_min)


def _word_prefix(d: Distance, x: str, y: str, s: MatchSettings) -> bool:
    """True when one title's words are the first words of the other's, extended by more than a sequel marker.

    ("Research and practice in federated information systems" and "..., Report of the EFIS
    2000 International Workshop"). The shorter title needs three content words, or two
    people in common, to identify the work; a generic one never does.
    """
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    if d.generic or not short or not long_.startswith(short + " ") or _SEQUEL_RE.match(long_, len(short) + 1):
        return False
    return len(content_words(short)) >= 3 or d.shared_people >= 2


@dataclass
class _TitleView:
    """The title of one side as compared: key, content words, label kind."""

    key: str
    words: tuple[str, ...]
    label: str


def _title_views(d: Distance, a: Features, b: Features, s: MatchSettings) -> tuple[float, str, _TitleView, _TitleView]:
    """(title similarity, how it was found, the two titles as compared): the best reading of the pair."""
    value, how = _ratio(a.title, b.title), ""
    va, vb = _TitleView(a.title, a.words, a.label), _TitleView(b.title, b.words, b.label)
    # A truncated subtitle: one full title is the other's main title.
    for x, y, flip in ((a, b, False), (b, a, True)):
        if y.main and len(y.main_words) >= s.main_title_min_words:
            main = s.main_title_factor * _ratio(x.title, y.main)
            if main > value:
                value, how = main, " (main title)"
                vx, vy = _TitleView(x.title, x.words, x.label), _TitleView(y.main, y.main_words, y.label)
                va, vb = (vy, vx) if flip else (vx, vy)
    # A book review naming the book's authors ("X by A and B") against one that does not.
    if "review" in (a.label, b.label):
        for x, y, flip in ((a, b, False), (b, a, True)):
            cut = _ratio(x.by_cut, y.title) if x.by_cut else 0.0
            if cut > value:
                value, how = cut, ""
                vx, vy = _TitleView(x.by_cut, content_words(x.by_cut), "review"), _TitleView(y.title, y.words, y.label)
                va, vb = (vy, vx) if flip else (vx, vy)
    # A title cut short, or extended ("X" against "X, Report of the Y Workshop"), when all else agrees.
    if d.agree and value < s.main_title_factor and _word_prefix(d, a.title, b.title, s):
        value, how = s.main_title_factor, " (truncated title)"
        short = min(a.words, b.words, key=len)
        va, vb = _TitleView(a.title, short, a.label), _TitleView(b.title, short, b.label)
    return value, how, va, vb


def _title(d: Distance, a: Features, b: Features, s: MatchSettings) -> None:
    """The title part, the label part and the title's contradictions; call after authors, year and venue."""
    value, how, va, vb = _title_views(d, a, b, s)
    d.add("title", value, f"title {value:.2f}{how}" + (" (generic)" if d.generic else ""))
    _label(d, va.label, vb.label)
    notice = (_NOTICE_WORDS & set(a.words)) ^ (_NOTICE_WORDS & set(b.words))
    if notice:
        d.flag(NOTICE, f"{min(notice)} notice")
        return
    # An extra prefix: one full title is the other's subtitle ("Poster: X" against "X").
    for x, y in ((a, b), (b, a)):
        if y.sub and _ratio(x.title, y.sub) >= s.title_match_min and _ratio(x.title, y.sub) > _ratio(x.title, y.title):
            d.flag(PREFIX, f"prefix '{y.main}'")
            return
    if value < s.title_reworded_min:
        return  # too different to match anyway: no need to name the words
    missing_a, missing_b = _unmatched(va.words, vb.words), _unmatched(vb.words, va.words)
    if missing_a and missing_b and (any(map(identifying, missing_a)) or any(map(identifying, missing_b))
                                    or _twins(missing_a, missing_b)):
        if d.agree and len(missing_a) == len(missing_b) == 1 and typo_like(missing_a[0], missing_b[0]):
            # One word mistyped in one record, while the people, year and venue all agree.
            d.add("typo", None, f"typo {missing_a[0]}/{missing_b[0]}")
        else:
            d.flag(WORDS_DIFFER, f"words ≠ {' '.join(missing_a[:2])}/{' '.join(missing_b[:2])}")


def _label(d: Distance, x: str, y: str) -> None:
    """Presentation labels: a demo pairs with a demo better than with a paper (neither: no part)."""
    if x or y:
        same = x == y
        d.add("label", 1.0 if same else 0.0, f"label = {x}" if same else f"label ≠ ({x or 'none'}/{y or 'none'})")


def _people_match(p: PersonKey, q: PersonKey) -> bool:
    """Same person, allowing compound surnames, swapped name order, and small spelling slips."""
    if p.surname in q.words or q.surname in p.words:
        return True
    return (len(p.surname) >= 4 and len(q.surname) >= 4 and fuzz.ratio(p.surname, q.surname) >= 80
            and (not p.initial or not q.initial or p.initial == q.initial))


def shared_people(a: tuple[PersonKey, ...], b: tuple[PersonKey, ...]) -> int:
    """How many people the two lists share (each person counted once)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short, long_ = short[:_MAX_PEOPLE], long_[:_MAX_PEOPLE]
    pool = Counter(p.surname for p in long_)
    shared, unmatched = 0, []
    for p in short:
        if pool[p.surname] > 0:
            pool[p.surname] -= 1
            shared += 1
        else:
            unmatched.append(p)
    if unmatched:
        rest = []
        for q in long_:
            if pool[q.surname] > 0:
                pool[q.surname] -= 1
                rest.append(q)
        for p in unmatched:
            for k, q in enumerate(rest):
                if _people_match(p, q):
                    shared += 1
                    del rest[k]
                    break
    return shared


def _authors(d: Distance, a: Features, b: Features) -> None:
    if not a.people or not b.people:
        d.authors_missing = True
        return
    na, nb = min(len(a.people), _MAX_PEOPLE), min(len(b.people), _MAX_PEOPLE)
    shared = shared_people(a.people, b.people)
    low, high = min(na, nb), max(na, nb)
    d.shared_people, d.fewest_people = shared, low
    if a.truncated or b.truncated:
        value = shared / low  # an "and others" list: only the names shown can be compared
    else:
        value = 0.75 * shared / low + 0.25 * shared / high
    d.add("authors", value, f"authors {shared}/{low}" + (f" of {high}" if high != low else ""))


def _year(d: Distance, a: Features, b: Features) -> None:
    if a.year is None or b.year is None:
        return
    apart = abs(a.year - b.year)
    value = 1.0 if apart == 0 else 0.5 if apart == 1 else 0.0
    d.add("year", value, "year =" if apart == 0 else "year ±1" if apart == 1 else f"year ≠ ({a.year}/{b.year})")


def _shared_venue_words(a: VenueKey, b: VenueKey) -> int:
    short, long_ = (a, b) if len(a.words) <= len(b.words) else (b, a)
    pool = set(long_.words)
    count = 0
    for w in short.words:
        if w in pool or w.rstrip("s") in pool or w + "s" in pool:
            count += 1
        elif len(w) >= 3 and w in short.abbreviated and any(x.startswith(w) for x in pool):
            count += 1  # "syst." against "systems"
        elif any(w.startswith(x) for x in long_.abbreviated if len(x) >= 3):
            count += 1
    return count


def _acronym_of(a: VenueKey, b: VenueKey) -> bool:
    """True when a word of ``a`` spells the initials of consecutive words of ``b`` (VLDB, TODS).

    ACM's special interest groups count without their "SIG": SIGMOD = Management Of Data.
    """
    for w in a.words:
        spelled = (w, w[3:]) if w.startswith("sig") and len(w) >= 5 else (w,)
        if any(len(x) >= 3 and x in initials for x in spelled for initials in b.initials):
            return True
    return False


UNRELATED_VENUE = 0.5  # both name a venue, but the names cannot be related: half evidence


def venue_similarity(a: VenueKey, b: VenueKey, s: MatchSettings) -> tuple[float | None, str, bool]:
    """(agreement in 0..1 or None when a side has no venue, explanation item, known).

    ``known`` is False where the names cannot be related (an unknown acronym against a
    full name): the part is then ``UNRELATED_VENUE``, neither agreement nor conflict.
    """
    if not a.words or not b.words:
        return None, "", False
    if a.kind and b.kind and a.kind != b.kind:
        return 0.0, f"venue ≠ ({a.kind}/{b.kind})", True
    overlap = _shared_venue_words(a, b) / min(len(a.words), len(b.words))
    value = 1.0 if _acronym_of(a, b) or _acronym_of(b, a) else overlap
    # Venues are written in too many ways for a low overlap between short names to count against.
    if value >= s.venue_agree_min or (len(a.words) >= 3 and len(b.words) >= 3):
        return value, f"venue {value:.2f}", True
    return UNRELATED_VENUE, "venue ?", False


def _venue(d: Distance, a: Features, b: Features, s: MatchSettings) -> None:
    value, item, known = venue_similarity(a.venue, b.venue, s)
    d.add("venue", value, item)
    d.venue_known = known


def _type(d: Distance, a: Features, b: Features) -> None:
    if a.type == b.type:
        d.add("type", 1.0, "")
    elif a.family == b.family or LOOSE in (a.family, b.family):
        d.add("type", 0.75, f"type {a.type}/{b.type}")
    else:
        d.add("type", 0.0, "")
        d.flag(TYPE_CONFLICT, f"type ≠ ({a.family}/{b.family})")


def _pages(d: Distance, a: Features, b: Features) -> None:
    if a.pages and b.pages:
        same = a.pages == b.pages
        d.add("pages", 1.0 if same else 0.0, "pages =" if same else "pages ≠")


def distance(a: Features, b: Features, settings: MatchSettings) -> Distance:
    """Compare two entries' keys: identifiers first, then every named part."""
    d = Distance(settings.weights)
    _identifiers(d, a, b)
    if d.same is not None:
        return d
    d.generic = a.generic or b.generic
    d.same_type = a.type == b.type
    d.long_title = min(len(a.words), len(b.words)) >= settings.distinctive_title_words
    n_items, n_flags, before = len(d.items), len(d.flags), dict(d.parts)
    _authors(d, a, b)
    _year(d, a, b)
    _venue(d, a, b, settings)
    # The title reads whether everything else agrees, but is shown (and kept) before them.
    d.agree = _agreement(d, settings)
    items, flags, parts = d.items[n_items:], d.flags[n_flags:], {k: v for k, v in d.parts.items() if k not in before}
    del d.items[n_items:], d.flags[n_flags:]
    d.parts = before
    _title(d, a, b, settings)
    d.items += items
    d.flags += flags
    d.parts.update(parts)
    _type(d, a, b)
    _pages(d, a, b)
    if SAME_WORK not in d.flags and ((a.preprint and b.published) or (b.preprint and a.published)):
        d.flag(PREPRINT, "preprint vs published")
    return d
