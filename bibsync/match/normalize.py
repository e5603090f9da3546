"""Comparison keys: titles, people, venues, identifiers and entry types, computed once per entry.

Every key is insensitive to LaTeX markup, accents, case and punctuation; identifiers are
folded to one spelling (bare lower-case DOI, arXiv id without version, ISBN-13, PMID).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from ..model import Entry, Person
from ..text import fold_ascii, latex_to_unicode, normalize_doi
from .settings import MatchSettings

TITLE_STOPWORDS = frozenset(
    "a an the of on in for and or to with by from at as is are be via its into using towards toward"
    " vs versus do does how what why when which".split()
)

_WORD_RE = re.compile(r"[^\W_]+")


# Accent macros (\\"o, {\\'e}, \\v{r}) and letter macros (\\ss, \\o, \\l): folding drops accents anyway,
# so they are dropped here without the (slow) general LaTeX decoder.
_ACCENT_RE = re.compile(r"\\[\"'`^~=.uvHckrdb]\s*\{?\s*(\\?[A-Za-z])\}?")
_LETTER_MACROS = {"ss": "ss", "o": "o", "O": "O", "l": "l", "L": "L", "ae": "ae", "AE": "AE", "oe": "oe",
                  "OE": "OE", "aa": "a", "AA": "A", "i": "i", "j": "j"}
_LETTER_RE = re.compile(r"\\(" + "|".join(sorted(_LETTER_MACROS, key=len, reverse=True)) + r")(?![A-Za-z])\s*(?:\{\})?")


def _drop_accent_macros(text: str) -> str:
    text = _LETTER_RE.sub(lambda m: _LETTER_MACROS[m.group(1)], text)
    text = _ACCENT_RE.sub(lambda m: m.group(1).lstrip("\\"), text)
    text = _LETTER_RE.sub(lambda m: _LETTER_MACROS[m.group(1)], text)  # \\"\\i leaves \\i
    return text.replace("{", "").replace("}", "") if "\\" not in text else latex_to_unicode(text)


def fold(text: str) -> str:
    """Decode LaTeX and HTML entities, fold accents and case: ``K{\\"o}psell`` -> ``kopsell``.

    Letters of other scripts are kept (a Chinese title does not fold to nothing).
    """
    if "&" in text:
        text = html.unescape(text)
    if "\\" in text:
        text = _drop_accent_macros(text)
    elif "{" in text:
        text = text.replace("{", "").replace("}", "")
    if text.isascii():
        return text.lower()
    folded = fold_ascii(text)
    if 2 * sum(c.isalnum() for c in folded) < sum(c.isalnum() for c in text):
        # Mostly another script: strip accents only.
        folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return folded.lower()


def words_of(text: str) -> list[str]:
    """The words (letters and digits) of already folded text."""
    return _WORD_RE.findall(text)


def content_words(key: str) -> tuple[str, ...]:
    """The words of a title key that are not stop words, in order."""
    return tuple(w for w in key.split() if w not in TITLE_STOPWORDS)


_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}
SPELLED_NUMBERS = {digits: word for word, digits in _NUMBER_WORDS.items()}

# Abbreviations of title words that are not simply the word cut short (those match as
# prefixes, see distance.py), or are cut after four letters or more: "Dept." is "Department".
TITLE_ABBREVIATIONS: dict[str, frozenset[str]] = {
    short: frozenset(full.split()) for short, full in {
        "dept": "department", "depts": "departments", "univ": "university", "inst": "institute",
        "intl": "international", "natl": "national", "lab": "laboratory", "labs": "laboratories",
        "assoc": "association", "govt": "government", "mgmt": "management", "mgt": "management",
        "admin": "administration", "info": "information", "approx": "approximate approximation",
        "eval": "evaluation", "spec": "specification", "env": "environment", "syst": "system systems",
        "tech": "technology technical", "proc": "proceedings", "conf": "conference", "symp": "symposium",
        "intro": "introduction", "sci": "science sciences", "eng": "engineering", "appl": "application applications",
        "ctr": "center centre", "corp": "corporation",
    }.items()
}


def key_words(folded: str) -> list[str]:
    """The words of folded text with number words written as digits (``fourth`` -> ``4th``)."""
    return [_NUMBER_WORDS.get(w, w) for w in words_of(folded)]


# The first ':' or '?' with text after it, a spaced dash, or an em dash separates a subtitle.
_SUBTITLE_RE = re.compile(r"\s*(?::|\?(?=\s*\S)|\s[-\u2013]+\s|\s*\u2014\s*)\s*")
_TRAILING_PAREN_RE = re.compile(r"\s*\(([^()]*)\)\s*$")

# Presentation labels that databases record inconsistently ("(Panel Abstract)" in one,
# "(panel session)" in the other, "Tutorial:" in a third, "X - Book Review" against
# "Review of X"): not part of the title. What kind of item a label names is kept apart
# (``title_label``): a demo of a system is not its paper.
_KIND = (r"(?:tutorial|panel|demo|demonstration|poster|keynote|abstract|paper|session|description|version|talk"
         r"|summary)s?")
_ANNOTATIONS = (
    re.compile(rf"\s*\((?:[a-z]+ ){{0,2}}{_KIND}\)"),                       # "(tutorial session)"
    re.compile(rf"^(?:[a-z]+ ){{0,2}}{_KIND}\s*:\s*"),                        # "Tutorial: ", "Challenges paper: "
    re.compile(r"^(?:tutorial|panel|keynote|invited talk)s?\s+on\s+"),        # "Panel on "
    re.compile(r"(?<=[?.!:\-])\s*(?:a )?(?:panel|tutorial|demo|poster|book review)\s*$"),  # "... - Book Review"
    re.compile(r"^(?:book )?review of\s+"),                                  # "Review of X"
)
# The kind of item a label names; labels naming none ("(Extended Abstract)") are only dropped.
_LABEL_KINDS = (("demo", re.compile(r"\bdemo|\bdemonstration")), ("panel", re.compile(r"\bpanel")),
                ("review", re.compile(r"\breview")), ("tutorial", re.compile(r"\btutorial")),
                ("talk", re.compile(r"\bkeynote|\btalk")), ("poster", re.compile(r"\bposter")))

_KIND_HINT_RE = re.compile(r"tutorial|panel|demo|poster|keynote|abstract|paper|session|description|version"
                           r"|talk|summary|review")


def _strip_labels(folded: str) -> tuple[str, str]:
    """(folded title without presentation labels, the kind of item they name or "")."""
    if not _KIND_HINT_RE.search(folded):
        return folded, ""
    out, found = folded, []
    for pattern in _ANNOTATIONS:
        match = pattern.search(out)
        if match:
            found.append(match.group(0))
            out = pattern.sub(" ", out).strip()
    if not found or len(content_words(" ".join(words_of(out)))) < 2:
        return folded, ""
    text = " ".join(found)
    return out, next((kind for kind, pattern in _LABEL_KINDS if pattern.search(text)), "")


def strip_annotations(folded: str) -> str:
    """Remove presentation labels from a folded title, unless too little would remain."""
    return _strip_labels(folded)[0]


def title_label(title: str) -> str:
    """The kind of item a title's presentation label names: demo, panel, review, tutorial, talk, poster or ""."""
    return _strip_labels(fold(title).strip())[1]


# A book review may name the book's authors after its title: "X by A. Author and B. Author"
# (perhaps with "(editor)" and a closing ". Publisher, 2002."). Used only for reviews (see
# distance.py): "Learning by Doing" names no person, but "Query Optimization by Simulated
# Annealing" in title case looks like it would.
_BY_RE = re.compile(r"\s+by\s+(?=\S)", re.IGNORECASE)
_PUBLICATION_NOTE_RE = re.compile(r"[.,;]\s+[^.,;]*?(?:,\s*|\s+)(?:1[5-9]|20)\d\d\.?\s*$")
_ROLE_RE = re.compile(r"\s*\((?:eds?|editors?|translators?|trans)\.?\)", re.IGNORECASE)
_NAME_SEP_RE = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_NAME_TOKEN_RE = re.compile(r"[^\W\d_][\w.'\u2019\-]*")
_PARTICLES = frozenset("van von de der den da di du la le del della dos das ten ter bin al".split())


def _is_person_name(text: str) -> bool:
    """True for "Jiawei Han", "Marcus J. Healey", "Vincent van Gogh": 2-5 capitalised words."""
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or not all(_NAME_TOKEN_RE.fullmatch(t) for t in tokens):
        return False
    surname = tokens[-1]
    return (surname[0].isupper() and "." not in surname and sum(c.isalpha() for c in surname) >= 2
            and all(t[0].isupper() or t in _PARTICLES for t in tokens[:-1]))


def by_names_cut(title: str) -> str:
    """The title before a trailing " by <list of person names>", or "" when there is none."""
    found = None
    for found in _BY_RE.finditer(title):
        pass
    if found is None:
        return ""
    rest = _ROLE_RE.sub("", _PUBLICATION_NOTE_RE.sub("", title[found.end():])).strip().rstrip(".").strip()
    names = [n for n in _NAME_SEP_RE.split(rest) if n]
    return title[:found.start()] if names and all(map(_is_person_name, names)) else ""


def title_parts(title: str) -> tuple[str, str, str, str]:
    """(full title, main title, subtitle, label kind): ``split_title`` and ``title_label`` at once."""
    folded, label = _strip_labels(fold(title).strip())
    full = " ".join(key_words(folded))
    match = _SUBTITLE_RE.search(folded)
    if match and words_of(folded[:match.start()]) and words_of(folded[match.end():]):
        main, sub = folded[:match.start()], folded[match.end():]
    else:
        paren = _TRAILING_PAREN_RE.search(folded)
        if not paren or not words_of(folded[:paren.start()]):
            return full, "", "", label
        main, sub = folded[:paren.start()], paren.group(1)
    return full, " ".join(key_words(main)), " ".join(key_words(sub)), label


def split_title(title: str) -> tuple[str, str, str]:
    """Return the keys of (full title, main title, subtitle); main and subtitle are "" without a subtitle.

    ``"CubicleOS: A library OS"`` -> ``("cubicleos a library os", "cubicleos", "a library os")``;
    a trailing parenthesis counts as a subtitle: ``"X (Part II)"``; presentation labels
    (``"(panel session)"``, ``"Tutorial:"``) are dropped first.
    """
    return title_parts(title)[:3]


def title_key(title: str) -> str:
    """The comparable form of a title: folded, punctuation and braces dropped, single spaces."""
    return " ".join(key_words(strip_annotations(fold(title).strip())))


@lru_cache(maxsize=64)
def _generic_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def is_generic_title(key: str, settings: MatchSettings) -> bool:
    """True when a title key names a kind of text ("editorial", "keynote") rather than a work."""
    if not key:
        return True
    return _generic_regex(settings.generic_titles).fullmatch(key) is not None


# --- people ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PersonKey:
    """A person as the matcher compares them: surname letters, all name words, first initial."""

    surname: str
    words: frozenset[str]
    initial: str
    given: bool = False  # a given name spelt out (three letters or more), not initials


_INITIALS_RE = re.compile(r"(?:[A-Z]\.?-?){1,3}")


@lru_cache(maxsize=1 << 16)
def _person_key(last: str, first: str, literal: bool) -> PersonKey:
    if not literal and first and _INITIALS_RE.fullmatch(last) and not _INITIALS_RE.fullmatch(first.split()[0]):
        # "Brabete AO" read as given name "Brabete", surname "AO": the surname came first.
        last, first = first, last
    last_f, first_f = fold(last), fold(first)
    surname = "".join(words_of(last_f))
    if not surname and not literal:
        # Only symbols where the surname should be ("Altinel â ? ¦", a cut-off "…"): the
        # last word with letters is the surname.
        given = words_of(first_f)
        surname, first_f = (given[-1], " ".join(given[:-1])) if len(given) > 1 else ("".join(given), "")
    words = frozenset(w for w in words_of(f"{first_f} {last_f}") if len(w) >= 2)
    initial = "" if literal else next(iter(words_of(first_f)), "")[:1]
    # A given name spelt out: three letters or more, or two in title case ("Bo"), not
    # initials ("RH", or "rh" in a lower-cased scrape).
    given = not literal and any(len(w) >= 3 or (len(w) == 2 and w.istitle()) for w in words_of(first))
    return PersonKey(surname, words, initial, given)


def person_key(person: Person) -> PersonKey:
    """The comparison key of one person: ``Köpsell, S.`` and ``S. Kopsell`` give the same key."""
    return _person_key(person.last, person.first, person.literal)


# --- venues ---------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "j": "journal", "jour": "journal", "journ": "journal", "trans": "transactions", "tran": "transactions",
    "proc": "proceedings", "procs": "proceedings", "conf": "conference", "symp": "symposium",
    "int": "international", "intl": "international", "internat": "international", "ws": "workshop",
}
_JOURNAL_WORDS = frozenset({"journal", "transactions", "letters", "magazine", "record", "bulletin",
                            "newsletter", "quarterly", "annals", "review", "reviews"})
_PROCEEDINGS_WORDS = frozenset({"proceedings", "conference", "symposium", "workshop", "colloquium",
                                "congress", "meeting", "summit"})
_VENUE_NOISE = frozenset({"acm", "ieee", "usenix", "ifip", "siam", "aaai", "springer", "elsevier",
                          "international", "annual", "national", "joint", "part", "vol", "volume",
                          "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                          "ninth", "tenth"}) | TITLE_STOPWORDS | _JOURNAL_WORDS | _PROCEEDINGS_WORDS
_NUMBER_RE = re.compile(r"\d+(?:st|nd|rd|th)?")
PREPRINT_VENUE_RE = re.compile(
    r"\b(arxiv|corr|biorxiv|medrxiv|ssrn|techrxiv|chemrxiv|psyarxiv|preprints?|research square)\b")


@dataclass(frozen=True, slots=True)
class VenueKey:
    """A venue as compared: content words (abbreviations marked), its kind, word initials."""

    words: tuple[str, ...]
    abbreviated: frozenset[str]
    kind: str  # "journal", "proceedings" or "" (unknown)
    initials: tuple[str, ...]  # initials of the words in order: all words, content words only


EMPTY_VENUE = VenueKey((), frozenset(), "", ("", ""))


@lru_cache(maxsize=1 << 14)
def venue_key(venue: str) -> VenueKey:
    """The comparison key of a journal or proceedings name; preprint servers give an empty key."""
    folded = fold(venue)
    if not folded.strip() or PREPRINT_VENUE_RE.search(folded):
        return EMPTY_VENUE
    tokens: list[tuple[str, bool]] = []
    for match in re.finditer(r"([^\W_]+)(\.)?", folded):
        word, dotted = match.group(1), bool(match.group(2))
        if _NUMBER_RE.fullmatch(word):
            continue
        expanded = _ABBREVIATIONS.get(word) if dotted or word in ("intl", "proc", "conf", "symp") else None
        tokens.append((expanded or word, dotted and expanded is None))
    # The first kind word names the kind: "Proceedings of the Conference on Transactions ...".
    kind = next(("journal" if w in _JOURNAL_WORDS else "proceedings" for w, _ in tokens
                 if w in _JOURNAL_WORDS or w in _PROCEEDINGS_WORDS), "")
    words = tuple(w for w, _ in tokens if w not in _VENUE_NOISE)
    abbreviated = frozenset(w for w, dotted in tokens if dotted and w not in _VENUE_NOISE)
    initials = ("".join(w[0] for w, _ in tokens), "".join(w[0] for w in words))
    return VenueKey(words, abbreviated, kind, initials)


def entry_venue(entry: Entry) -> str:
    """The venue text of an entry: journal, else booktitle, else series."""
    return entry.get("journal") or entry.get("booktitle") or entry.get("series")


# --- identifiers ----------------------------------------------------------------------------

# arXiv ids: new style (1710.07283, with a version) and old style (cs/0112017, math.GT/0309136).
_ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?"
_ARXIV_BARE_RE = re.compile(rf"^\s*(?:arxiv:\s*)?{_ARXIV_ID}\s*$", re.IGNORECASE)
# Where an arXiv id is written in running text: an arxiv.org link, an arXiv DOI, "arXiv:ID",
# "arXiv preprint arXiv:ID", "{arXiv}:ID [cs, stat]", "arXiv ID", "CoRR abs/ID", "abs/ID".
_ARXIV_IN_TEXT_RE = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|10\.48550/arxiv\.|\barxiv\W{{0,3}}(?:preprint\W+)?(?:arxiv\W{{0,3}})?"
    rf"|\bcorr\W+abs/|\babs/){_ARXIV_ID}", re.IGNORECASE)
_PMID_URL_RE = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d+)", re.IGNORECASE)
_BIORXIV_DOI_RE = re.compile(r"10\.1101/(?:\d{4}\.\d{2}\.\d{2}\.)?\d{6,}")
_ISBN_RE = re.compile(r"(?:97[89][\s\-]?)?(?:\d[\s\-]?){9}[\dXx]")
# An ISBN written in another field says so: "ISBN 978-3-16-148410-0", "ISBN-10: 0-306-40615-2".
_LABELLED_ISBN_RE = re.compile(r"\bisbn(?:-?1[03])?\s*:?\s*((?:97[89][\s\-]?)?(?:\d[\s\-]?){9}[\dXx])",
                               re.IGNORECASE)
_DOI_IN_TEXT_RE = re.compile(r"(?:\bdoi\s*:?\s*|doi\.org/)(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)
# Fields where identifiers are written besides their own (doi, eprint, isbn).
IDENTIFIER_FIELDS = ("url", "doi", "eprint", "journal", "volume", "note", "howpublished", "publisher", "booktitle")


def doi_key(value: str) -> str:
    """A DOI folded for comparison: bare, lower case (``https://dx.doi.org/10.1/X`` -> ``10.1/x``)."""
    if not value:
        return ""
    return normalize_doi(unquote(value.strip())).lower()


def entry_doi(entry: Entry) -> str:
    """The entry's DOI key: the doi field, a doi.org link in ``url``, or ``doi:``/a doi.org link in
    ``note`` or ``howpublished``."""
    doi = doi_key(entry.get("doi"))
    if not doi and "doi.org/" in entry.get("url").lower():
        doi = doi_key(entry.get("url"))
    if not doi:
        for name in ("note", "howpublished"):
            found = _DOI_IN_TEXT_RE.search(entry.get(name))
            if found:
                return doi_key(found.group(1))
    return doi


def arxiv_key(value: str) -> str:
    """An arXiv id folded for comparison: no ``arXiv:`` prefix, no version, lower case; else "".

    ``arXiv preprint arXiv:1710.07283``, ``{arXiv}:1710.07283 [cs, stat]``,
    ``CoRR abs/1710.07283`` and ``https://arxiv.org/pdf/1710.07283v2`` all give ``1710.07283``.
    """
    value = value.replace("{", "").replace("}", "")
    match = _ARXIV_BARE_RE.match(value) or _ARXIV_IN_TEXT_RE.search(value)
    return match.group(1).lower() if match else ""


def entry_arxiv(entry: Entry) -> str:
    """The arXiv id of an entry: eprint, a link, an arXiv DOI, or an id written in the journal,
    note, howpublished (and other fields where exporters put it)."""
    prefix = (entry.get("archiveprefix") or entry.get("eprinttype")).lower()
    eprint = entry.get("eprint")
    if eprint and prefix in ("", "arxiv"):
        found = arxiv_key(eprint)
        if found:
            return found
    for name in IDENTIFIER_FIELDS:
        value = entry.get(name)
        if value and ("arxiv" in value.lower() or "abs/" in value.lower()):
            found = arxiv_key(value)
            if found:
                return found
    return ""


def isbn13(value: str) -> str:
    """An ISBN as 13 digits (ISBN-10 converted); "" when it is not 10 or 13 characters long."""
    digits = re.sub(r"[^0-9Xx]", "", value).upper()
    if len(digits) == 13 and digits.isdigit():
        return digits
    if len(digits) != 10 or not digits[:9].isdigit():
        return ""
    core = "978" + digits[:9]
    check = (10 - sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(core)) % 10) % 10
    return core + str(check)


# One empty set for the many entries without ISBNs or years in a venue's name: a set per
# entry would be one more object for the garbage collector to walk through, each time.
_NONE: frozenset = frozenset()


def entry_isbns(entry: Entry) -> frozenset[str]:
    """Every ISBN of an entry, as ISBN-13: the isbn field, and ``ISBN ...`` written in another field."""
    found = set(_ISBN_RE.findall(entry.get("isbn")))
    for name in ("note", "howpublished", "series", "publisher"):
        value = entry.get(name)
        if value and "isbn" in value.lower():
            found.update(_LABELLED_ISBN_RE.findall(value))
    return frozenset(filter(None, (isbn13(m) for m in found))) if found else _NONE


def entry_pmid(entry: Entry) -> str:
    """The PubMed id of an entry: pmid field, ``eprinttype = pubmed``, or a PubMed link."""
    pmid = entry.get("pmid").strip()
    if not pmid and (entry.get("eprinttype") or entry.get("archiveprefix")).lower() == "pubmed":
        pmid = entry.get("eprint").strip()
    if not pmid:
        match = _PMID_URL_RE.search(entry.get("url"))
        pmid = match.group(1) if match else ""
    return pmid if pmid.isdigit() else ""


# --- types ----------------------------------------------------------------------------------

_FAMILIES = {
    "paper": ("article", "inproceedings", "conference", "incollection", "inbook", "suppperiodical",
              "suppcollection", "suppbook"),
    "book": ("book", "proceedings", "collection", "mvbook", "mvcollection", "mvproceedings", "booklet",
             "reference", "mvreference", "bookinbook"),
    "thesis": ("phdthesis", "mastersthesis", "thesis"),
    "report": ("techreport", "report"),
    "artefact": ("software", "dataset", "artifact", "artwork"),
    "patent": ("patent",),
}
FAMILY_OF = {t: family for family, types in _FAMILIES.items() for t in types}
# misc, online, unpublished, manual and unknown types: compatible with every family.
LOOSE = "loose"
_ARTEFACT_HOSTS_RE = re.compile(r"(github\.com|gitlab\.|bitbucket\.org|zenodo\.org|figshare\.com|"
                                r"softwareheritage\.org|10\.5281/zenodo|10\.6084/m9\.figshare)", re.IGNORECASE)
_ARTEFACT_WORDS_RE = re.compile(r"\b(software|artefact|artifact|source code|dataset|data set|code repository)\b",
                                re.IGNORECASE)
_ARTEFACT_ABSTRACT_RE = re.compile(r"^\W*this (software|artefact|artifact|dataset|data set|repository|package|tool)\b",
                                   re.IGNORECASE)


def type_family(entry: Entry) -> str:
    """The family of an entry's type; a ``misc`` that describes itself as software is an artefact."""
    family = FAMILY_OF.get(entry.type)
    if family is not None:
        return family
    if entry.type == "misc" and (
        _ARTEFACT_HOSTS_RE.search(f"{entry.get('url')} {entry.get('doi')}")
        or _ARTEFACT_WORDS_RE.search(f"{entry.get('howpublished')} {entry.get('note')} {entry.get('type')}")
        or _ARTEFACT_ABSTRACT_RE.search(entry.get("abstract"))
    ):
        return "artefact"
    return LOOSE


def first_page(entry: Entry) -> str:
    """The first page (or article number) of an entry, folded; "" when it has none."""
    pages = fold(entry.get("pages")).replace("pp.", "").strip()
    return re.split(r"\s*(?:-+|\u2013|\u2014)\s*", pages, maxsplit=1)[0].strip() if pages else ""


_PAGE_RANGE_RE = re.compile(r"^\D{0,4}?(\d{1,7})\s*(?:-+|\u2013|\u2014)\s*(\d{1,7})\D{0,2}$")


def page_range(entry: Entry) -> tuple[int, int] | None:
    """The pages of an entry as numbers (first, last) when it gives a numeric range, else None.

    A last page written short (``1234--45``) is read as ``1234--1245``.
    """
    found = _PAGE_RANGE_RE.match(fold(entry.get("pages")).replace("pp.", "").strip())
    if not found:
        return None
    first, last = found.group(1), found.group(2)
    if len(last) < len(first):
        last = first[:len(first) - len(last)] + last
    start, end = int(first), int(last)
    return (start, end) if start <= end else None


def issue_key(value: str) -> str:
    """A volume or issue number as compared: folded, spaces and a leading "no."/"vol." dropped."""
    folded = fold(value).strip()
    return re.sub(r"^(?:vol(?:ume)?|no|num(?:ber)?|issue)\.?\s*", "", folded).replace(" ", "")


# --- all keys of one entry ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Features:
    """All comparison keys of one entry (computed once, compared many times)."""

    title: str
    main: str
    sub: str
    words: tuple[str, ...]
    main_words: tuple[str, ...]
    generic: bool
    people: tuple[PersonKey, ...]
    truncated: bool
    named: bool  # every person has a given name spelt out: a curated record, not a scraped one
    year: int | None
    venue: VenueKey
    type: str
    family: str
    pages: str
    doi: str
    arxiv: str
    isbns: frozenset[str]
    pmid: str
    preprint: bool
    published: bool
    label: str = ""  # the kind of item a presentation label names (title_label)
    by_cut: str = ""  # the title key before a trailing " by <person names>" (by_names_cut)
    pages_range: tuple[int, int] | None = None  # (first, last) page when numeric
    volume: str = ""
    number: str = ""
    venue_years: frozenset[int] = frozenset()  # years written in the venue's name ("NAACL HLT 2010")


# Words that name a publication, an institution or a gap, never a person: scraped records put
# them in the author list ("ACMS Anthology, P Edition", "T Authors, C Identified").
_NOT_NAME_WORDS = frozenset({
    "anthology", "edition", "editions", "introduction", "proceedings", "record", "notice", "authors",
    "identified", "anonymous", "unknown", "university", "universita", "universitat", "universite",
    "department", "dipartimento", "institute", "laboratory", "laboratories", "corporation", "inc",
    "ltd", "gmbh", "acm", "ieee", "sigmod", "vldb"})


def _fragment(person: Person) -> bool:
    """True for no one to compare: a name that is only a letter or two ("jf" ending a list cut
    short), or words of a publication or an institution in a scraped author list."""
    if person.literal:
        return False
    if not person.first and len("".join(words_of(fold(person.last)))) <= 2:
        return True
    return not _NOT_NAME_WORDS.isdisjoint(words_of(fold(f"{person.first} {person.last}")))


_VENUE_YEAR_RE = re.compile(r"(?<![\d\w])(1[89]\d\d|20\d\d)(?![\d\w])")


def venue_years(venue: str) -> frozenset[int]:
    """The years a venue's name carries ("Proceedings of the 2009 Annual Conference ...",
    "LREC-2014"): a dated series names its volume by them."""
    years = _VENUE_YEAR_RE.findall(venue) if venue else ()
    return frozenset(int(y) for y in years) if years else _NONE


def entry_year(entry: Entry) -> int | None:
    """The year of an entry as a number (1000..2999), else None.

    Without a year field, a year written in the venue's name is the record's year
    ("Proceedings of the 1995 ACM SIGMOD ...", "VLDB 1997"), when it names one year only.
    """
    year = entry.year.strip()
    if year:
        return int(year) if year.isdigit() and 1000 <= int(year) <= 2999 else None
    venue = entry_venue(entry)
    found = set(_VENUE_YEAR_RE.findall(venue)) if venue else set()
    return int(found.pop()) if len(found) == 1 else None


def is_preprint_doi(doi: str, settings: MatchSettings) -> bool:
    """True for the DOI of a preprint server (arXiv, OSF, SSRN, bioRxiv, ...): it names no published version."""
    return bool(doi) and (doi.startswith(settings.preprint_doi_prefixes) or bool(_BIORXIV_DOI_RE.match(doi)))


def title_words(title: str) -> tuple[str, ...]:
    """The content words of a title's key (``content_words(split_title(title)[0])``, faster)."""
    folded = fold(title).strip()
    if _KIND_HINT_RE.search(folded):
        folded = _strip_labels(folded)[0]
    words = _WORD_RE.findall(folded)
    if not _NUMBER_WORDS.keys().isdisjoint(words):
        words = [_NUMBER_WORDS.get(w, w) for w in words]
    return tuple([w for w in words if w not in TITLE_STOPWORDS])


def features(entry: Entry, settings: MatchSettings) -> Features:
    """Compute the comparison keys of one entry."""
    full, main, sub, label = title_parts(entry.title)
    cut = by_names_cut(entry.title)
    by_cut = title_key(cut) if cut else ""
    if len(content_words(by_cut)) < 2 or by_cut == full:
        by_cut = ""
    people = tuple(p for p in (entry.authors or entry.editors) if not _fragment(p))
    keys = tuple(person_key(p) for p in people)
    doi = entry_doi(entry)
    arxiv = entry_arxiv(entry)
    preprint_doi = is_preprint_doi(doi, settings)
    if preprint_doi:
        doi = ""
    venue_text = entry_venue(entry)
    venue = venue_key(venue_text) if venue_text else EMPTY_VENUE
    servers = f"{venue_text} {entry.get('howpublished')} {entry.get('publisher')}"
    on_server = bool(PREPRINT_VENUE_RE.search(fold(servers))) if servers.strip() else False
    # A record with a real venue is the published version even when it also names its preprint.
    preprint = not doi and (on_server or preprint_doi or (bool(arxiv) and not venue.words))
    return Features(
        title=full, main=main, sub=sub,
        words=content_words(full), main_words=content_words(main),
        generic=is_generic_title(full, settings) or (
            bool(main) and is_generic_title(main, settings) and is_generic_title(sub, settings)),
        people=keys,
        named=bool(keys) and all(k.given for k in keys),
        truncated=(entry.authors_truncated if entry.authors else False) or len(people) < len(entry.authors),
        year=entry_year(entry),
        venue=venue,
        type=entry.type,
        family=type_family(entry),
        pages=first_page(entry),
        doi=doi,
        arxiv=arxiv,
        isbns=entry_isbns(entry),
        pmid=entry_pmid(entry),
        preprint=preprint,
        # Printed somewhere: a published DOI, a venue, page numbers or a publisher.
        published=not preprint and (bool(doi) or bool(venue.words) or bool(entry.get("pages"))
                                    or bool(entry.get("publisher"))),
        label=label,
        by_cut=by_cut,
        pages_range=page_range(entry),
        volume=issue_key(entry.get("volume")),
        venue_years=venue_years(venue_text),
        number=issue_key(entry.get("number") or entry.get("issue")),
    )
