"""Entry <-> Zotero item mapping, both ways. Pure: no I/O, no pyzotero.

Conventions (Better BibTeX's, which Zotero users already rely on):

- The citation key lives in the native ``citationKey`` field when the server lists it in
  ``/itemFields``, else in a ``Citation Key: KEY`` line of Extra. Reading accepts both.
- A BibTeX field with no Zotero field is a ``tex.field: value`` line in Extra
  (``bibtex.`` and ``biblatex.`` prefixes are read too).
- Extra lines that are none of these belong to the user; they are kept, and read back as
  the canonical field ``extra`` so that an update never drops them.

``item_from_entry`` checks its own work: it reads the item back and records any field the
native mapping could not carry (an unusual type, a value the reverse would normalise) as a
``tex.`` line, so entry -> item -> entry keeps every canonical field.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping

from .model import Entry, Person
from .names import format_people, parse_bibtex_names
from .text import MONTHS, month_from_number, normalize_doi, normalize_pages

# Canonical field -> Zotero field, for every item type.
COMMON_FIELDS = {
    "title": "title", "abstract": "abstractNote", "doi": "DOI", "url": "url",
    "language": "language", "shorttitle": "shortTitle",
}

# Canonical field -> Zotero field, per item type (zotero-schema names).
TYPE_FIELDS: dict[str, dict[str, str]] = {
    "conferencePaper": {
        "booktitle": "proceedingsTitle", "eventtitle": "conferenceName", "publisher": "publisher",
        "address": "place", "volume": "volume", "pages": "pages", "series": "series",
        "isbn": "ISBN", "issn": "ISSN",
    },
    "journalArticle": {
        "journal": "publicationTitle", "volume": "volume", "number": "issue", "pages": "pages",
        "series": "series", "issn": "ISSN", "shortjournal": "journalAbbreviation",
    },
    "computerProgram": {"version": "versionNumber", "publisher": "company", "address": "place", "isbn": "ISBN"},
    "bookSection": {
        "booktitle": "bookTitle", "series": "series", "volume": "volume", "edition": "edition",
        "publisher": "publisher", "address": "place", "pages": "pages", "isbn": "ISBN",
    },
    "book": {
        "series": "series", "volume": "volume", "edition": "edition", "publisher": "publisher",
        "address": "place", "isbn": "ISBN",
    },
    "report": {
        "number": "reportNumber", "type": "reportType", "institution": "institution",
        "address": "place", "pages": "pages", "series": "seriesTitle",
    },
    "thesis": {"school": "university", "type": "thesisType", "address": "place"},
    # eprint and archiveprefix are handled apart (archiveID carries the "arXiv:" prefix).
    "preprint": {"address": "place", "series": "series", "number": "seriesNumber"},
    "document": {"publisher": "publisher"},
}

# Reading an item type bibsync does not write (webpage, magazineArticle, ...).
GENERIC_READ = {
    "publicationTitle": "journal", "websiteTitle": "howpublished", "publisher": "publisher",
    "place": "address", "volume": "volume", "issue": "number", "pages": "pages",
    "series": "series", "ISBN": "isbn", "ISSN": "issn", "edition": "edition",
}

ENTRY_TO_ITEM_TYPE = {
    "inproceedings": "conferencePaper", "conference": "conferencePaper",
    "article": "journalArticle", "software": "computerProgram",
    "incollection": "bookSection", "inbook": "bookSection", "book": "book",
    "techreport": "report", "report": "report",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
}
ITEM_TO_ENTRY_TYPE = {
    "conferencePaper": "inproceedings", "journalArticle": "article", "computerProgram": "software",
    "bookSection": "incollection", "book": "book", "report": "techreport", "preprint": "misc",
    "document": "misc",
}
THESIS_DEFAULT = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}

# Item types whose creators may be editors; elsewhere editors become a tex.editor line.
EDITOR_TYPES = frozenset({"conferencePaper", "journalArticle", "bookSection", "book", "preprint", "document"})
PRIMARY_CREATOR = {"computerProgram": "programmer"}
AUTHOR_CREATORS = frozenset({"author", "programmer"})

# Item types that are not bibliographic entries.
NON_ENTRY_TYPES = frozenset({"note", "attachment", "annotation"})

_KEY_LINE = re.compile(r"^\s*citation\s*key\s*:\s*(\S+)\s*$", re.IGNORECASE)
_TEX_LINE = re.compile(r"^\s*(?:tex|bibtex|biblatex)\.([A-Za-z][\w\-+]*)\s*:\s?(.*)$")
_TRUNCATED = "andothers"  # tex.andothers: yes  <->  "and others"
_ENTRYTYPE = "entrytype"  # tex.entrytype: inbook  (when the item type maps back to another type)


def item_type_for(entry: Entry) -> str:
    """The Zotero item type an entry becomes (``document`` when nothing fits better)."""
    if entry.type in ENTRY_TO_ITEM_TYPE:
        return ENTRY_TO_ITEM_TYPE[entry.type]
    if entry.type in ("misc", "online", "unpublished") and ("eprint" in entry.fields or "archiveprefix" in entry.fields):
        return "preprint"
    return "document"


def is_entry_item(data: Mapping) -> bool:
    """True for regular items (not notes, attachments, annotations, or trashed items)."""
    return data.get("itemType") not in NON_ENTRY_TYPES and not data.get("deleted")


# --- Extra ---------------------------------------------------------------------------------


def parse_extra(extra: str) -> tuple[str | None, dict[str, str], list[str]]:
    """Split Extra into (citation key, tex fields, the user's own lines)."""
    key: str | None = None
    tex: dict[str, str] = {}
    own: list[str] = []
    for line in (extra or "").split("\n"):
        match = _KEY_LINE.match(line)
        if match and key is None:
            key = match.group(1)
            continue
        match = _TEX_LINE.match(line)
        if match:
            tex.setdefault(match.group(1).lower(), match.group(2).rstrip())
            continue
        own.append(line)
    while own and not own[-1].strip():
        own.pop()
    while own and not own[0].strip():
        own.pop(0)
    return key, tex, own


def compose_extra(own: Iterable[str], key: str | None, tex: Mapping[str, str]) -> str:
    """Write Extra: the user's lines first, then ``Citation Key:``, then sorted ``tex.`` lines."""
    lines = [line for line in own]
    if key:
        lines.append(f"Citation Key: {key}")
    lines.extend(f"tex.{name}: {' '.join(value.split())}" for name, value in sorted(tex.items()))
    return "\n".join(lines)


# --- dates -----------------------------------------------------------------------------------


def compose_date(year: str, month: str) -> str | None:
    """Return the Zotero date for a 4-digit year and optional month, or None if it cannot carry them."""
    if not re.fullmatch(r"\d{4}", year or ""):
        return None
    if month:
        if month not in MONTHS:
            return None
        return f"{year}-{MONTHS.index(month) + 1:02d}"
    return year


_MONTH_WORD = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE)


def parse_date(date: str) -> tuple[str, str]:
    """Read (year, month) from a Zotero date (``2024-11``, ``2024-11-05``, ``November 5, 2024``)."""
    date = (date or "").strip()
    if not date:
        return "", ""
    iso = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?", date)
    if iso:
        return iso.group(1), month_from_number(iso.group(2))
    year = re.search(r"\b(\d{4})\b", date)
    if not year:
        return date, ""
    word = _MONTH_WORD.search(date)
    return year.group(1), word.group(1).lower() if word else ""


# --- creators ----------------------------------------------------------------------------------


def creator_from_person(person: Person, creator_type: str) -> dict:
    """One Zotero creator: ``{creatorType, firstName, lastName}`` or ``{creatorType, name}``."""
    if person.literal:
        return {"creatorType": creator_type, "name": person.last}
    first = f"{person.first}, {person.suffix}" if person.suffix else person.first
    return {"creatorType": creator_type, "firstName": first, "lastName": person.last}


def person_from_creator(creator: Mapping) -> Person:
    """The person a Zotero creator names (a single-field name is kept whole, as an institution)."""
    if creator.get("name") is not None and not creator.get("lastName"):
        return Person(last=creator["name"], literal=True)
    first = creator.get("firstName", "") or ""
    suffix = ""
    if ", " in first:
        first, suffix = first.rsplit(", ", 1)
    return Person(last=creator.get("lastName", "") or "", first=first, suffix=suffix)


# --- entry -> item -------------------------------------------------------------------------------


def _forward(entry: Entry, item_type: str, native_key: bool, valid: frozenset[str] | None,
             overrides: Mapping[str, str]) -> dict:
    mapping = {**COMMON_FIELDS, **TYPE_FIELDS.get(item_type, {})}
    if valid is not None:
        mapping = {c: z for c, z in mapping.items() if z in valid}
    fields = dict(entry.fields)
    data: dict = {"itemType": item_type}
    tex: dict[str, str] = {}
    own = fields.pop("extra").split("\n") if "extra" in fields else []

    date = compose_date(fields.get("year", ""), fields.get("month", ""))
    if date is not None and (valid is None or "date" in valid):
        data["date"] = date
        fields.pop("year", None)
        fields.pop("month", None)

    if item_type == "preprint" and (valid is None or {"repository", "archiveID"} <= valid):
        prefix, eprint = fields.pop("archiveprefix", ""), fields.pop("eprint", "")
        if prefix:
            data["repository"] = prefix
        if eprint:
            data["archiveID"] = f"{prefix}:{eprint}" if prefix else eprint

    if item_type == "thesis" and "thesisType" in mapping.values() and "type" not in fields:
        default = THESIS_DEFAULT.get(entry.type, "")
        if default:
            data["thesisType"] = default

    keywords = fields.pop("keywords", None)
    if keywords is not None:
        words = [w.strip() for w in keywords.split(",")]
        if all(words) and ", ".join(words) == keywords:
            data["tags"] = [{"tag": w} for w in words]
        else:
            tex["keywords"] = keywords

    for name, value in fields.items():
        if name in mapping:
            data[mapping[name]] = value
        else:
            tex[name] = value

    primary = PRIMARY_CREATOR.get(item_type, "author")
    creators = [creator_from_person(p, primary) for p in entry.authors]
    if entry.editors:
        if item_type in EDITOR_TYPES:
            creators.extend(creator_from_person(p, "editor") for p in entry.editors)
        else:
            tex["editor"] = format_people(entry.editors)
    data["creators"] = creators
    if entry.authors_truncated:
        tex[_TRUNCATED] = "yes"

    tex.update(overrides)
    key_in_extra = None
    if entry.key:
        if native_key:
            data["citationKey"] = entry.key
        else:
            key_in_extra = entry.key
    data["extra"] = compose_extra(own, key_in_extra, tex)
    return data


def item_from_entry(entry: Entry, *, native_key: bool = True, item_type: str | None = None,
                    valid_fields: Iterable[str] | None = None) -> dict:
    """Return the Zotero item data (editable JSON) for an entry.

    ``native_key``: write the key to ``citationKey`` (else to Extra). ``item_type`` forces a
    type (an update keeps the item's type); ``valid_fields`` limits native fields to those the
    item has. Anything the item cannot carry natively goes to Extra as ``tex.`` lines.
    """
    item_type = item_type or item_type_for(entry)
    valid = frozenset(valid_fields) if valid_fields is not None else None
    overrides: dict[str, str] = {}
    data = _forward(entry, item_type, native_key, valid, overrides)
    # Read the item back; whatever did not survive is carried by a tex. line (which wins on reading).
    for _ in range(2):
        back = entry_from_item(data)
        if back.type != entry.type:
            overrides[_ENTRYTYPE] = entry.type
        for name, value in entry.fields.items():
            if name != "extra" and back.fields.get(name) != value:
                overrides[name] = value
        if back.authors != entry.authors:
            overrides["author"] = format_people(entry.authors)
        if back.editors != entry.editors:
            overrides["editor"] = format_people(entry.editors)
        if not overrides:
            break
        data = _forward(entry, item_type, native_key, valid, overrides)
    return data


def update_item_data(base: Mapping, entry: Entry, *, native_key: bool = True) -> dict:
    """Return the item ``base`` changed to say what ``entry`` says, keeping everything bibsync does not map.

    The item type stays; fields bibsync maps take the entry's values (emptied when the entry
    lacks them); creators other than authors and editors, tags' types, collections,
    relations and unmapped fields are kept.
    """
    item_type = base.get("itemType", "document")
    valid = {k for k in base if k not in ("key", "version", "creators", "tags", "collections", "relations")}
    new = item_from_entry(entry, native_key=native_key, item_type=item_type, valid_fields=valid)
    data = copy.deepcopy(dict(base))
    mapped = {**COMMON_FIELDS, **TYPE_FIELDS.get(item_type, {})}.values()
    for field in set(mapped) | {"date", "extra", "repository", "archiveID", "thesisType"}:
        if field in base or field in new:
            data[field] = new.get(field, "")
    if native_key and ("citationKey" in base or "citationKey" in new):
        data["citationKey"] = new.get("citationKey", "")
    kept = [c for c in base.get("creators", []) if c.get("creatorType") not in AUTHOR_CREATORS | {"editor"}]
    data["creators"] = new["creators"] + kept
    if "tags" in new or "keywords" not in entry.fields:
        old = {t.get("tag"): t for t in base.get("tags", [])}  # a kept tag keeps its type
        data["tags"] = [old.get(tag["tag"], tag) for tag in new.get("tags", [])]
    return data


def changed_fields(base: Mapping, data: Mapping) -> dict:
    """The part of ``data`` that differs from ``base`` (a PATCH body, without key and version)."""
    return {k: v for k, v in data.items() if k not in ("key", "version") and base.get(k) != v}


# --- item -> entry -----------------------------------------------------------------------------------


def entry_from_item(data: Mapping) -> Entry:
    """Return the canonical entry for Zotero item data (the ``data`` part of an API object)."""
    item_type = data.get("itemType", "document")
    key, tex, own = parse_extra(data.get("extra", ""))
    key = data.get("citationKey") or key
    if item_type in TYPE_FIELDS:
        reverse = {z: c for c, z in {**COMMON_FIELDS, **TYPE_FIELDS[item_type]}.items()}
    else:
        reverse = {**GENERIC_READ, **{z: c for c, z in COMMON_FIELDS.items()}}
    fields: dict[str, str] = {}
    for zfield, cfield in reverse.items():
        value = data.get(zfield)
        if isinstance(value, str) and value.strip():
            fields[cfield] = value
    if "pages" in fields:
        fields["pages"] = normalize_pages(fields["pages"])
    if "doi" in fields:
        fields["doi"] = normalize_doi(fields["doi"]) or fields["doi"]
    year, month = parse_date(data.get("date", ""))
    if year:
        fields["year"] = year
    if month:
        fields["month"] = month
    if item_type == "preprint":
        prefix, archive_id = data.get("repository", "") or "", data.get("archiveID", "") or ""
        if prefix:
            fields["archiveprefix"] = prefix
        if archive_id:
            fields["eprint"] = archive_id[len(prefix) + 1:] if prefix and archive_id.startswith(prefix + ":") else archive_id
    tags = [t.get("tag", "") for t in data.get("tags", []) if t.get("tag")]
    if tags:
        fields["keywords"] = ", ".join(tags)
    if own:
        fields["extra"] = "\n".join(own)

    entry_type = tex.pop(_ENTRYTYPE, None)
    if not entry_type:
        if item_type == "thesis":
            entry_type = "mastersthesis" if "master" in (data.get("thesisType", "") or "").lower() else "phdthesis"
        else:
            entry_type = ITEM_TO_ENTRY_TYPE.get(item_type, "misc")
    if item_type == "thesis" and "type" in fields and fields["type"] == THESIS_DEFAULT.get(entry_type):
        del fields["type"]

    authors = tuple(person_from_creator(c) for c in data.get("creators", []) if c.get("creatorType") in AUTHOR_CREATORS)
    editors = tuple(person_from_creator(c) for c in data.get("creators", []) if c.get("creatorType") == "editor")
    truncated = tex.pop(_TRUNCATED, "").strip().lower() in ("yes", "true", "1")
    if "author" in tex:
        authors, more = parse_bibtex_names(tex.pop("author"))
        truncated = truncated or more
    if "editor" in tex:
        editors, _ = parse_bibtex_names(tex.pop("editor"))
    fields.update({name: value for name, value in tex.items() if value != ""})
    return Entry(type=entry_type, fields=fields, authors=authors, editors=editors,
                 authors_truncated=truncated, key=key or None)


def citation_key_of(data: Mapping) -> str | None:
    """The item's citation key (native field, else the ``Citation Key:`` line of Extra), or None."""
    native = data.get("citationKey")
    if native:
        return native
    return parse_extra(data.get("extra", ""))[0]


def with_citation_key(data: Mapping, key: str, *, native_key: bool) -> dict:
    """Return item data with its citation key set (natively or in Extra), all else unchanged."""
    out = dict(data)
    _, tex, own = parse_extra(data.get("extra", ""))
    if native_key:
        out["citationKey"] = key
        out["extra"] = compose_extra(own, None, tex)
    else:
        out["extra"] = compose_extra(own, key, tex)
    return out
