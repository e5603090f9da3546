"""Shared parts of the Imperial College "respub" sources: citation lines, names, types, venues.

A respub citation line (the publication-list page and the profile widget) reads::

    Authors, Year, Title[, Venue][, Place][, Publisher][, Publisher: X][, Vol: n][, Pages: a-b][, ISSN: n]

How it is taken apart:

1. Authors end at the first ``, YYYY`` whose prefix is a list of ``Surname Initials`` names
   (``Chen L``, ``Da Costa Carmo LFR``, ``Brabete A-O``), optionally ending in ``et al.``
   glued to the last name (``Pietzuch Pet al.``) or as its own part (``, et al.,``). A name
   respub prints without initials (``Ogden, Thomas D, Pietzuch P``) counts as a surname when
   the list has at least as many initialled names as bare ones.
2. Labelled parts (``Publisher:``, ``Pages:``, ``Vol:``, ``ISSN:``, ``ISBN:``, ``DOI:``,
   ``Issue:``, ``Edition:``, ``Editors:``, with or without a space after the colon) are cut
   off: each runs to the next label.
3. What remains is title + venue. A trailing place (``New York, NY, USA``, ``Berlin,
   Germany``) becomes the address; a trailing bare publisher (``ACM``, ``USENIX Assoc``,
   ``... Press``) the publisher (the widget writes publishers without a label).
4. Title and venue are split at a ", " chosen by evidence (see :func:`split_title_venue`):
   the venue is the first comma part that *starts* like a venue (``Proceedings``,
   ``Journal``, ``17th USENIX Symposium``, ``SoCC 2023 - ...``, ``... (OSDI)``), else the
   first part that mentions a venue word (``Conference``, ``Transactions``, ``ACM``,
   ``University`` ...), else - for journal articles, book chapters and theses, which
   practically always name one - the last part; otherwise there is no venue.
   Titles may contain ``: `` and commas; parts before the venue stay in the title. A part
   that only repeats the record's year (``(OSDI), 2016, USENIX``) is dropped.
5. The label says the type, but a venue that names a meeting (conference, symposium,
   workshop, proceedings of one) makes the record an ``@inproceedings`` whatever the label:
   the profile widget files conference papers under "Journal articles". Journals named
   "Proceedings" (``Proceedings of the VLDB Endowment``, ``Proceedings of the ACM on ...``,
   ``Proceedings of the IEEE``) stay articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Entry, Origin, Person
from ..names import PARTICLES, format_initials
from ..text import normalize_doi, normalize_pages, one_line

# --- publication types -----------------------------------------------------------------

# Type labels as respub prints them (page: singular, after each record; widget: section
# headings, often plural). Keys are lower-case with single spaces and "/" spaced.
_TYPE_LABELS: dict[str, str] = {}
for _labels, _type in (
    ("journal article|journal articles|journals|journal|article|articles", "article"),
    ("conference paper|conference papers|conference|conferences|conference proceeding", "inproceedings"),
    ("book chapter|book chapters|chapter|chapters|chapter in book", "incollection"),
    ("book|books|edited book|monograph", "book"),
    ("report|reports|technical report|technical reports", "techreport"),
    ("thesis|theses|thesis / dissertation|theses / dissertations|dissertation|dissertations|phd thesis",
     "phdthesis"),
    ("software|software / code|code", "software"),
    ("working paper|working papers|poster|posters|presentation|presentations|conference presentation|"
     "patent|patents|dataset|datasets|internet publication|internet publications|scholarly edition|"
     "scholarly editions|other|others|preprint|preprints|meeting abstract|performance|exhibition|"
     "composition|design|artefact|website|media|letter|editorial|conference proceedings", "misc"),
):
    for _label in _labels.split("|"):
        _TYPE_LABELS[_label] = _type

# Labels that only the profile widget uses, as section headings above its records.
SECTION_HEADINGS = frozenset({
    "journal articles", "journals", "conference papers", "conference", "conferences", "book chapters",
    "chapters", "books", "reports", "technical reports", "theses", "theses / dissertations",
    "working papers", "posters", "presentations", "patents", "datasets", "internet publications",
    "scholarly editions", "others", "preprints",
})


def label_key(line: str) -> str:
    """Normalise a type label for lookup: lower case, single spaces, `` / `` spaced."""
    return re.sub(r"\s*/\s*", " / ", " ".join(line.split()).lower()).strip()


def type_for_label(label: str) -> str | None:
    """Return the canonical entry type for a respub type label, or None if it is not one."""
    return _TYPE_LABELS.get(label_key(label))


def looks_like_label(line: str) -> bool:
    """True for a short line that could be a type label we do not know (it maps to misc)."""
    words = line.split()
    return (0 < len(words) <= 4 and len(line) <= 40 and line[:1].isupper()
            and not re.search(r"[\d.,;:!?()\"“”]", line))


# --- names -------------------------------------------------------------------------------

_ET_AL_RE = re.compile(r"et\.? al\.?", re.IGNORECASE)
_GLUED_ET_AL_RE = re.compile(r"(.*\S)\s?et\.? al\.?", re.IGNORECASE)
_INITIAL_RE = re.compile(r"[^\W\d_](?:-[^\W\d_])*")


def parse_person(chunk: str) -> Person | None:
    """Parse ``Surname Initials`` (``Da Costa Carmo LFR``, ``Brabete A-O``); None if it is not one."""
    chunk = chunk.strip()
    if len(chunk) > 60 or any(c.isdigit() for c in chunk) or re.search(r"[;:()\[\]?!/\"“”@]", chunk):
        return None
    surname, _, initials = chunk.rpartition(" ")
    bare = initials.replace(".", "")
    if not surname or not bare or len(bare.replace("-", "")) > 5:
        return None
    if not all(c.isupper() or c == "-" for c in bare) or bare.startswith("-") or bare.endswith("-") or "--" in bare:
        return None
    words = surname.split()
    if len(words) > 5 or not all(w[:1].isupper() or w.lower() in PARTICLES or w[:2].lower() in ("d'", "d’")
                                 for w in words):
        return None
    given = format_initials(" ".join(_INITIAL_RE.findall(bare)))
    return Person(last=" ".join(words), first=given)


_BARE_SURNAME_RE = re.compile(r"(?:(?:[a-z]{1,3}|[dD][’'])\s?)?[^\W\d_][^\W\d_’'-]*(?:[-’'][^\W\d_][^\W\d_’'-]*)*")


def parse_bare_surname(chunk: str) -> Person | None:
    """Parse a surname printed without initials (``Ogden``, ``Castro-Fernandez``, ``van Renesse``):
    one capitalised word (a particle may precede it); None for anything else."""
    chunk = chunk.strip()
    if not _BARE_SURNAME_RE.fullmatch(chunk) or len(chunk) < 2:
        return None
    word = chunk.split()[-1]
    if not word[:1].isupper() or word.isupper() or _ET_AL_RE.fullmatch(word):
        return None  # an acronym (ACM) or "et al." is no surname
    return Person(last=chunk)


def parse_people(text: str) -> tuple[tuple[Person, ...], bool] | None:
    """Parse a respub author list; return (people, truncated) or None if any name is not one.

    ``Pietzuch Pet al.`` (glued, the page) and ``Pietzuch P, et al.`` (the widget) both mean
    "and others". A bare surname (``Ogden``) is a name only among at least as many
    initialled ones (``Ogden, Thomas D, Pietzuch P``).
    """
    chunks = [c.strip() for c in text.split(",")]
    truncated = False
    if len(chunks) > 1 and _ET_AL_RE.fullmatch(chunks[-1]):
        chunks.pop()
        truncated = True
    elif chunks:
        glued = _GLUED_ET_AL_RE.fullmatch(chunks[-1])
        if glued and parse_person(glued.group(1)) is not None:
            chunks[-1] = glued.group(1)
            truncated = True
    people = []
    bare = 0
    for chunk in chunks:
        person = parse_person(chunk)
        if person is None:
            person = parse_bare_surname(chunk)
            bare += 1
        if person is None:
            return None
        people.append(person)
    if bare and bare * 2 > len(people):
        return None
    return (tuple(people), truncated) if people else None


def leading_people_count(line: str) -> int:
    """How many ``Surname Initials`` parts a line starts with (for spotting broken records)."""
    count = 0
    for chunk in line.split(", ")[:-1]:
        if parse_person(_GLUED_ET_AL_RE.sub(r"\1", chunk)) is None:
            break
        count += 1
    return count


# --- the citation line ---------------------------------------------------------------------

_YEAR_RE = re.compile(r",\s*((?:1[89]|20)\d{2})(?=\s*,|\s*$)")


@dataclass
class Citation:
    """One citation line taken apart; ``fields`` holds canonical values (title, venue, pages ...)."""

    people: tuple[Person, ...]
    truncated: bool
    year: str
    fields: dict[str, str] = field(default_factory=dict)
    venue: str = ""
    editors: tuple[Person, ...] = ()


def split_header(line: str) -> tuple[tuple[Person, ...], bool, str, str] | None:
    """Find ``Authors, Year, rest``; return (people, truncated, year, rest) or None."""
    for match in _YEAR_RE.finditer(line):
        parsed = parse_people(line[:match.start()])
        if parsed is not None:
            return parsed[0], parsed[1], match.group(1), line[match.end():].lstrip(" ,")
        if match.start() > 2000:
            break
    return None


_LABELS = {
    "publisher": "publisher", "pages": "pages", "page": "pages", "issn": "issn", "eissn": "issn",
    "isbn": "isbn", "vol": "volume", "volume": "volume", "issue": "number", "number": "number",
    "doi": "doi", "edition": "edition", "editors": "editor", "editor": "editor",
}
_LABEL_RE = re.compile(
    r"(?:^|,)\s*(Publisher|Pages|Page|ISSN|eISSN|ISBN|Vol|Volume|Issue|Number|DOI|Edition|Editors|Editor)\s*:\s*"
)


def split_labelled(rest: str) -> tuple[str, dict[str, str]]:
    """Cut labelled parts off a citation's tail; return (title+venue text, {field: raw value})."""
    matches = list(_LABEL_RE.finditer(rest))
    if not matches:
        return rest.strip(" ,"), {}
    labelled: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
        name = _LABELS[match.group(1).lower()]
        value = rest[match.end():end].strip(" ,")
        if value and name not in labelled:
            labelled[name] = value
    return rest[:matches[0].start()].strip(" ,"), labelled


_COUNTRIES = (
    "USA|United States|UK|United Kingdom|England|Scotland|Germany|France|Italy|Spain|Portugal|Brazil|"
    "Canada|China|Japan|Switzerland|Netherlands|The Netherlands|Austria|Belgium|Greece|Ireland|Sweden|"
    "Norway|Denmark|Finland|Poland|Australia|New Zealand|India|Singapore|South Korea|Korea|Israel|"
    "Czech Republic|Hungary|Cyprus|Luxembourg|Mexico|Chile|Argentina|Turkey|Taiwan|Hong Kong"
)
_CITY = r"[A-Z][\w'’.-]*(?: (?:[A-Z][\w'’.-]*|de|du|da|am|upon))*"
_PLACE_RE = re.compile(rf"(?:^|, )({_CITY}, (?:[A-Z]{{2}}, )?(?:{_COUNTRIES}))$")

_PUBLISHERS = frozenset(p.lower() for p in (
    "ACM", "ACM Press", "IEEE", "IEEE Press", "IEEE Computer Society", "Association for Computing Machinery",
    "USENIX", "Usenix", "USENIX Assoc", "USENIX Association", "Springer", "Springer Nature",
    "Springer International Publishing", "Springer Verlag", "Springer-Verlag", "Elsevier", "Elsevier BV",
    "Wiley", "VLDB Endowment", "OpenProceedings.org", "CEUR-WS", "CEUR-WS.org", "MIT Press", "IOS Press",
    "Morgan Kaufmann", "Schloss Dagstuhl", "Cambridge University Press", "Oxford University Press",
    "Imperial College London", "AAAI Press", "PMLR", "Curran Associates", "IFIP", "SIAM",
))
_PUBLISHER_RE = re.compile(
    r"(?:[A-Z][\w&.'’-]*\s+){0,4}(?:Press|Publishing|Publishers|Publications|Verlag|Inc\.?|Ltd\.?|GmbH|B\.V\.|LLC)"
)


def is_publisher(text: str) -> bool:
    """True when ``text`` is a publisher's name (a known one, or ``... Press``/``Publishing``)."""
    return text.strip().lower() in _PUBLISHERS or bool(_PUBLISHER_RE.fullmatch(text.strip()))


# A venue usually *starts* like one ...
_VENUE_START_RE = re.compile(
    r"(?:(?:The|\d+(?:st|nd|rd|th)|(?:19|20)\d{2})\s+)*"
    r"(?:Proceedings|Proc\.|Journal|Transactions|International|Int\.|Intl\.?|Annual|Conference|Symposium|"
    r"Workshop|ACM|IEEE|USENIX|IFIP|SIAM|AAAI|VLDB|PVLDB|Lecture Notes|LNCS|Advances in|Communications of|"
    r"European|Euro[A-Z]\w*|Asia[A-Z\-]\w*|National|Joint|World|SIG[A-Z]+)\b"
)
# ... or ends in an acronym in brackets, "(OSDI)", "(ASPLOS ’21)", "(USENIX ATC)" ...
_VENUE_ACRONYM_RE = re.compile(r"\((?=[^)]*[A-Z][^)]*[A-Z])[A-Z][\w@&/.\- ]*?(?:\s*['’]?\d{2,4})?\)$")
# ... or names its year ("SoCC 2023 - ...", "Middleware '18").
_VENUE_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b|['’]\d{2}\b")
# Weaker: a venue word anywhere.
_VENUE_WORD_RE = re.compile(
    r"\b(?:Proceedings|Proc\.|Journal|Transactions|Conference|Symposium|Workshop|Colloquium|Congress|"
    r"Review|Letters|Magazine|Bulletin|Endowment|Lecture Notes|Handbook|Encyclopa?edia|University|Universit\w+|"
    r"College|Institute|ACM|IEEE|USENIX|IFIP|SIAM|VLDB|LNCS)\b"
)


def venue_evidence(part: str) -> int:
    """Score how much a comma part looks like the start of a venue: 2 strong, 1 weak, 0 none."""
    if _VENUE_START_RE.match(part) or _VENUE_ACRONYM_RE.search(part) or _VENUE_YEAR_RE.search(part):
        return 2
    return 1 if _VENUE_WORD_RE.search(part) else 0


# Types whose records practically always name a venue (journal, book, school).
_VENUE_EXPECTED = frozenset({"article", "incollection", "phdthesis"})


def split_title_venue(text: str, entry_type: str) -> tuple[str, str]:
    """Split ``Title, Venue`` at the comma the evidence points to; return (title, venue)."""
    parts = text.split(", ")
    if len(parts) == 1:
        return text, ""
    scores = [venue_evidence(p) for p in parts]
    for wanted in (2, 1):
        for i in range(1, len(parts)):
            if scores[i] == wanted:
                return ", ".join(parts[:i]), ", ".join(parts[i:])
    if entry_type in _VENUE_EXPECTED:  # these types almost always print one; it is the last part
        return ", ".join(parts[:-1]), parts[-1]
    return text, ""


def parse_citation(rest: str, entry_type: str, year: str = "") -> tuple[dict[str, str], str, tuple[Person, ...]]:
    """Take apart what follows the year: return (fields, venue, editors). A part that only
    repeats ``year`` is dropped."""
    body, labelled = split_labelled(one_line(rest))
    fields: dict[str, str] = {}
    editors: tuple[Person, ...] = ()
    for name, value in labelled.items():
        if name == "pages":
            fields[name] = normalize_pages(value)
        elif name == "doi":
            fields[name] = normalize_doi(value) or value
        elif name == "editor":
            parsed = parse_people(value)
            editors = parsed[0] if parsed else ()
        else:
            fields[name] = value
    while True:  # a trailing place and a bare publisher, in either order
        place = _PLACE_RE.search(body)
        head, _, last = body.rpartition(", ")
        if place and place.start() > 0 and "address" not in fields:
            fields["address"] = place.group(1)
            body = body[:place.start()].strip(" ,")
        elif head and is_publisher(last) and "publisher" not in fields:
            fields["publisher"] = last
            body = head
        else:
            break
    if year:  # a part that only repeats the year, unless it ends a date ("August 27, 2018")
        parts = body.split(", ")
        body = ", ".join([parts[0]] + [p for prev, p in zip(parts, parts[1:])
                                       if p.strip() != year or prev.rstrip()[-1:].isdigit()])
    title, venue = split_title_venue(body, entry_type)
    fields["title"] = title.strip()
    return fields, venue.strip(), editors


# --- building the entry --------------------------------------------------------------------

# Where the venue goes for each type.
VENUE_FIELD = {
    "inproceedings": "booktitle", "incollection": "booktitle", "article": "journal", "book": "series",
    "techreport": "institution", "phdthesis": "school",
}


# A venue that names a meeting ...
_MEETING_RE = re.compile(r"\b(?:Conference|Conf\.|Symposium|Symp\.|Workshop|Congress|Colloquium|Summit|"
                         r"Proceedings|Proc\.)(?![\w])", re.IGNORECASE)
# ... unless it names a journal: a journal word, or a journal titled "Proceedings of the <society>".
_JOURNAL_RE = re.compile(
    r"\b(?:Journal|Transactions|Letters|Magazine|Review|Bulletin|Record|Endowment|Communications of)\b"
    r"|Proceedings of the (?:ACM on|IEEE\s*$|National Academy|Royal Society|London Mathematical|American Mathematical)",
    re.IGNORECASE)


def names_a_meeting(venue: str) -> bool:
    """True for a venue that is a conference, symposium or workshop (or its proceedings), not a journal."""
    return bool(_MEETING_RE.search(venue)) and not _JOURNAL_RE.search(venue)


def build_entry(
    entry_type: str,
    people: tuple[Person, ...],
    truncated: bool,
    fields: dict[str, str],
    venue: str,
    origin: Origin,
    editors: tuple[Person, ...] = (),
) -> Entry:
    """Make the canonical entry: the venue goes to the field the type wants; empty values dropped.

    An article whose venue names a meeting is an ``inproceedings`` (see the module docstring)."""
    fields = {k: v for k, v in fields.items() if v}
    if entry_type == "article" and venue and names_a_meeting(venue):
        entry_type = "inproceedings"
    target = VENUE_FIELD.get(entry_type, "howpublished")
    if venue:
        fields[target] = venue
    elif target in ("institution", "school") and "publisher" in fields:
        fields[target] = fields.pop("publisher")
    return Entry(type=entry_type, fields=fields, authors=people, editors=editors,
                 authors_truncated=truncated, origin=origin)
