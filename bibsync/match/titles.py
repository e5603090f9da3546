"""How two titles compare: the best reading of the pair, as a level of agreement.

Titles pasted from citation databases are damaged in a few recurring ways, each read here
as the evidence it is (docs/matching.md, section 3):

- typos, case, punctuation, words glued together (``forhigh-dimensionalnearest``):
  character similarity of the keys, with and without spaces;
- a dropped subtitle: the full title against the other's main title;
- the same words in another order: similarity of the sorted words;
- noise glued before or after the title (the previous reference's authors, a year, the
  venue, page numbers: ``srikant r. fastalgorithms formining ...``, ``... , vldb 1997 ,
  446-455``): the shorter title found inside the longer one, the rest being only
  *bibliographic noise* (the records' own people and venue words, numbers, initials,
  words that describe the item rather than name it);
- a title cut short (mid-word too), or extended by more words: one title is the other's
  beginning.

The reading with the highest similarity names the *level* (``TITLE_LEVELS``), which is
what the weights are estimated for; the similarity itself is what the explanation shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from .normalize import TITLE_STOPWORDS, Features, content_words
from .words import SEQUEL_RE, unmatched

# Levels, strongest first. "exact" titles are split by how many content words they have:
# a long title identifies a work, a two-word one much less (the term-frequency idea of
# record linkage, with title length standing for rarity).
TITLE_LEVELS = ("exact", "exact-short", "noise", "near", "cut", "cut-short", "main", "reordered", "fair",
                "loose", "weak", "different", "near-other", "main-other", "fair-other", "loose-other")

# Words that describe an item or a record rather than name a work: they are noise when
# glued to a title ("( system demonstration )", ". technical report", "in : proc.").
_DESCRIPTIVE = frozenset("""
    in proc proceedings conference conf symposium symp workshop journal trans transactions intl international
    annual technical report technicalreport tr vol volume pp pages page no number issue submitted revision
    preprint draft version et al etal eds ed editor editors abstract extended invited tutorial demo
    demonstration panel paper talk research session notes experience short full poster keynote lecture
    acm ieee usenix springer lncs verlag press university dept department thesis phd ms msc pages
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec vldb sigmod icde pods edbt kdd cikm tods tkde
    """.split())
# Words that open a question: the title's own first word, never noise glued in front.
QUESTION_OPENERS = frozenset("is are was were do does did can could should will would how what why when which who where"
                             .split())
_NOISE_SHORT = 2  # words of at most this many letters are initials or fragments
# Content words the shorter title needs to be read with noise around it, and to be read as
# the beginning of a longer title (two words begin too many titles).
_MIN_NOISY_WORDS, _MIN_CUT_WORDS = 2, 3


@dataclass(frozen=True)
class TitleReading:
    """The best reading of two titles: similarity in 0..1, its level, how it was read, and the
    two titles' content words as that reading aligns them (noise left out, a longer title cut
    to the shorter one's length) for the word-by-word checks."""

    value: float
    level: str
    how: str = ""  # shown after the value: " (main title)", " (noise)", " (cut)", " (reordered)"
    sequel: bool = False  # the longer title extends the shorter with a sequel marker ("Part II")
    words: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


def _ratio(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100.0 if a and b else 0.0


def noise_words(a: Features, b: Features) -> frozenset[str]:
    """The records' people and venue words: noise when glued to a title (but not the venue of
    front matter, whose words are all its title's: "Proceedings of the Workshop on X")."""
    names = set()
    for f in (a, b):
        for p in f.people:
            names.add(p.surname)
            names.update(p.words)
        if not set(f.venue.words) <= set(f.words):
            names.update(f.venue.words)
    return frozenset(names)


def is_noise(word: str, names: frozenset[str]) -> bool:
    """True for a word that is bibliographic noise, not part of a title.

    A word that starts with a person's or venue's name counts too: OCR and mojibake glue
    letters to names (``vldba``, ``nguyenandv``).
    """
    if (len(word) <= _NOISE_SHORT or any(c.isdigit() for c in word) or word in TITLE_STOPWORDS
            or word in _DESCRIPTIVE or word in names):
        return True
    if any(word[:k] in names for k in range(4, len(word) - 1)):
        return True
    # A name misread by OCR ("zwiiiing" for "zwilling").
    return len(word) >= 5 and process.extractOne(word, names, scorer=fuzz.ratio, score_cutoff=80) is not None


def mostly_noise(words: list[str], names: frozenset[str]) -> bool:
    """True when every word is noise or a given name: a word right before a name or an initial
    ("shariq rizvi and jayant r. haritsa", where the records give only initials)."""
    noise = [is_noise(w, names) for w in words]
    for k, w in enumerate(words):
        if noise[k]:
            continue
        following = words[k + 1] if k + 1 < len(words) else ""
        if not (following in names or (len(following) <= _NOISE_SHORT and following.isalpha()
                                       and following not in TITLE_STOPWORDS)):
            return False
    return True


_ALIGN_CHARS = 24  # the beginning of a title looked for inside the other one
_ALIGN_MIN = 85  # how alike (0-100) that beginning must be where it is found
_PREFIX_MIN = 0.9  # how alike the shorter title and the longer one's beginning must be
_SHIFT = 6  # characters a word may have moved by (spaces lost or added before it)
_CUT_MIN = 0.95  # a title cut short or extended: its shared beginning is the same but for a slip


def _strip_leading_noise(p: str, q: str, names: frozenset[str]) -> tuple[str, bool]:
    """``p`` without the noise glued before it (``srikant r. fast algorithms ...``): (rest, stripped).

    The beginning of ``q`` is looked for in ``p``; the words before where it is found must
    all be noise, and ``p`` must not start with ``q``'s beginning already. A word that opens
    a question ("Is", "How", "Why") right before it belongs to the title: "Is X feasible
    without Y?" asks something about X, it is not X with noise in front.
    """
    head = q[:_ALIGN_CHARS]
    if p.startswith(head):
        return p, False
    found = fuzz.partial_ratio_alignment(head, p, score_cutoff=_ALIGN_MIN)
    if found is None or found.dest_start == 0:
        return p, False
    start = found.dest_start
    while 0 < start < len(p) and p[start - 1] != " ":
        start -= 1  # the word the match starts in belongs to the title
    before = p[:start].split()
    if not before or before[-1] in QUESTION_OPENERS or not mostly_noise(before, names):
        return p, False
    return p[start:], True


def _prefix_reading(x: str, y: str, names: frozenset[str]) -> tuple[float, str, bool, str, str] | None:
    """(similarity, kind, sequel, shorter, longer's aligned part) when the shorter title is the
    beginning of the longer one.

    ``kind`` is "noise" when what follows is only noise (``... , vldb 1997 , 446-455``),
    "cut" when more title words follow (a title cut short, perhaps mid-word, or extended).
    """
    short, longer = (x, y) if len(x) <= len(y) else (y, x)
    if _ratio(short.split(" ", 1)[0], longer.split(" ", 1)[0]) < 0.8:
        return None  # not the same first word (a shifted title can look alike character by character)
    value = _ratio(short, longer[:len(short)])
    if value < _PREFIX_MIN:
        return None
    end = len(short)
    while 0 < end < len(longer) and longer[end - 1] != " " and longer[end] != " ":
        end += 1  # a word cut short belongs to the title
    last = short.rsplit(" ", 1)[-1]
    window = longer[max(len(short) - len(last) - _SHIFT, 0):len(short) + _SHIFT]
    if len(last) >= 3 and fuzz.partial_ratio(last, window) < 75:
        return None  # the last word is another word, not the same one cut short ("humor"/"approaches")
    rest = longer[end:].split()
    if not rest or mostly_noise(rest, names):
        return value, "noise", False, short, longer[:end]
    if value < _CUT_MIN:
        return None  # more words follow, and the shared beginning is not the same either
    return value, "cut", _sequel(rest), short, longer[:end]


def _sequel(rest: list[str]) -> bool:
    """True when the words after a shared title announce another work: "Part 2", "II", "revisited".

    A number above 12 is not a sequel's: titles cut from a reference run on into volumes,
    years and pages ("..., 23rd intl").
    """
    if not SEQUEL_RE.match(" ".join(rest)):
        return False
    digits = "".join(c for c in rest[0] if c.isdigit())
    return not digits or int(digits[:6]) <= 12


def _noisy_reading(x: str, y: str, names: frozenset[str]) -> tuple[float, str, bool, str, str] | None:
    """The titles read without noise glued before either, then as one the beginning of the other."""
    x2, stripped_x = _strip_leading_noise(x, y, names)
    y2, stripped_y = _strip_leading_noise(y, x2, names)
    if x2 == y2:
        return 1.0, "noise", False, x2, y2
    found = _prefix_reading(x2, y2, names)
    if found is None and (stripped_x or stripped_y):
        value = _ratio(x2, y2)
        return (value, "noise", False, x2, y2) if value >= _PREFIX_MIN else None
    return found


def _specificity(words: tuple[str, ...]) -> str:
    return "exact" if len(words) >= 4 else "exact-short"


def _plain_level(value: float) -> str:
    if value >= 0.87:
        return "near"
    if value >= 0.82:
        return "fair"
    if value >= 0.76:
        return "loose"
    if value >= 0.65:
        return "weak"
    return "different"


def _rank(level: str) -> int:
    return TITLE_LEVELS.index(level)


# read_titles' defaults for a main title standing for the full title (MatchSettings holds the same).
MAIN_TITLE_FACTOR, MAIN_TITLE_MIN_WORDS = 0.9, 2


def read_titles(a: Features, b: Features, *, generic: bool = False, main_title_factor: float = MAIN_TITLE_FACTOR,
                main_title_min_words: int = MAIN_TITLE_MIN_WORDS) -> TitleReading:
    """The best reading of the two titles (see the module docstring).

    A generic title ("Editorial") is read only as it stands: it is exact (with the weight of
    a one-word title) or not, never found inside another title.
    """
    x, y = a.title, b.title
    if not x or not y:
        return TitleReading(0.0, "different", words=(a.words, b.words))
    value = _ratio(x, y)
    if value < 1.0 and (" " in x or " " in y):
        value = max(value, _ratio(x.replace(" ", ""), y.replace(" ", "")))
    fuller = max(a.words, b.words, key=len)
    if value >= 0.97:
        return TitleReading(value, _specificity(fuller), words=(a.words, b.words))
    best = TitleReading(value, _plain_level(value), words=(a.words, b.words))
    for p, q, flip in ((a, b, False), (b, a, True)):
        if q.main and len(q.main_words) >= main_title_min_words:
            alike = _ratio(p.title, q.main)
            words = (q.main_words, p.words) if flip else (p.words, q.main_words)
            if alike >= _CUT_MIN and not generic:
                # A dropped subtitle: the title is the other's main title, a deliberate unit
                # (often a system's name), so two content words are enough.
                best = TitleReading(alike, "cut", " (main title)", words=words)
                break
            if main_title_factor * alike > best.value:
                best = TitleReading(main_title_factor * alike, "main", " (main title)", words=words)
    if len(a.words) >= 2 and len(b.words) >= 2:
        ordered = fuzz.token_sort_ratio(" ".join(a.words), " ".join(b.words)) / 100.0
        if ordered >= 0.95 and ordered > best.value:
            best = TitleReading(ordered, "reordered", " (reordered)", words=(a.words, b.words))
    names = noise_words(a, b)
    if min(len(a.words), len(b.words)) >= _MIN_NOISY_WORDS and not generic:
        found = _noisy_reading(x, y, names)
        if found is not None:
            value, level, sequel, one, other = found
            if level == "cut" and min(len(a.words), len(b.words)) < _MIN_CUT_WORDS:
                if _rank("cut-short") >= _rank(best.level):
                    return best
                level = "cut-short"
            if _rank(level) < _rank(best.level) or sequel:
                how = " (cut)" if level == "cut-short" else f" ({level})"
                return TitleReading(value, level, how, sequel, (content_words(one), content_words(other)))
    if best.level in _WORDED and _other_words(best.words, names):
        return replace(best, level=f"{best.level}-other")
    return best


# Levels read on the characters of the titles: whether each title has words the other lacks
# (beyond noise and typos) tells a reworded title ("disjunctive datalog" / "disjunctive
# databases") from a damaged one (words glued, cut, misspelt), so they are levels of their own.
_WORDED = frozenset({"near", "main", "fair", "loose"})


def _other_words(words: tuple[tuple[str, ...], tuple[str, ...]], names: frozenset[str]) -> bool:
    """True when each title has a word the other lacks that is neither noise nor a typo of one."""
    one, other = words
    return (any(not is_noise(w, names) for w in unmatched(one, other))
            and any(not is_noise(w, names) for w in unmatched(other, one)))
