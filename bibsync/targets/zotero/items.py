"""Entry <-> Zotero item mapping, both ways. Pure: no I/O, no pyzotero.

Conventions (Better BibTeX's, which Zotero users already rely on):

- The citation key lives in the native ``citationKey`` field when the server lists it in
  ``/itemFields``, else in a ``Citation Key: KEY`` line of Extra. Reading accepts both.
- A BibTeX field with no Zotero field is a ``tex.field: value`` line in Extra
  (``bibtex.`` and ``biblatex.`` prefixes are read too).
- Extra lines that are none of these belong to the user; they are kept, and read back as
  the canonical field ``extra`` so that an update never drops them.
- Values are written as Zotero stores them: page ranges with a hyphen (``546-558``; BibTeX's
  ``--`` only on the way out to BibTeX), no line for "and others" (Zotero does not need it).

``item_from_entry`` checks its own work: it reads the item back and records any field the
native mapping could not carry (an unusual type, a value the reverse would normalise) as a
``tex.`` line, so entry -> item -> entry keeps every canonical field (a truncated author
list comes back as the listed authors). ``patch_from_changes`` turns a plan's field changes
into exactly the item fields that say them, Extra edited line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ...model import Entry, Person
from ...names import format_people, parse_bibtex_names
from ...text import MONTHS, month_from_number, normalize_doi, normalize_pages

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
_TRUNCATED = "andothers"  # tex.andothers: yes (read from older items; no longer written)
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


class ExtraLines:
    """Extra, edited line by line: the user's lines stay as they are, in place; only the
    ``Citation Key:`` line and the ``tex.`` lines named are changed, added or removed."""

    def __init__(self, extra: str) -> None:
        """Split ``extra`` into its lines."""
        self.lines = (extra or "").split("\n") if extra else []

    @property
    def text(self) -> str:
        """The edited Extra."""
        return "\n".join(self.lines)

    def _find_tex(self, name: str) -> int | None:
        for i, line in enumerate(self.lines):
            match = _TEX_LINE.match(line)
            if match and match.group(1).lower() == name:
                return i
        return None

    def set_tex(self, name: str, value: str) -> None:
        """Set the ``tex.name`` line (in place, keeping its prefix), append it, or (value "") drop it."""
        i = self._find_tex(name)
        if i is None:
            if value:
                self.lines.append(f"tex.{name}: {' '.join(value.split())}")
            return
        if not value:
            del self.lines[i]
            return
        prefix = self.lines[i].split(".", 1)[0].strip()
        self.lines[i] = f"{prefix}.{name}: {' '.join(value.split())}"

    def has_key(self) -> bool:
        """True if a ``Citation Key:`` line is there."""
        return any(_KEY_LINE.match(line) for line in self.lines)

    def set_key(self, key: str) -> None:
        """Set the ``Citation Key:`` line in place, or append it."""
        for i, line in enumerate(self.lines):
            if _KEY_LINE.match(line):
                self.lines[i] = f"Citation Key: {key}"
                return
        self.lines.append(f"Citation Key: {key}")

    def set_own(self, text: str) -> None:
        """Replace the user's own lines (neither key nor ``tex.``) with ``text``, first."""
        mine = [line for line in self.lines if _KEY_LINE.match(line) or _TEX_LINE.match(line)]
        self.lines = ([text] if text else []) + mine


def zotero_pages(value: str) -> str:
    """A page range as Zotero stores it: ``546--558`` -> ``546-558``."""
    return re.sub(r"\s*--+\s*|\s*\u2013\s*", "-", value) if value else value


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
            data[mapping[name]] = zotero_pages(value) if name == "pages" else value
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


# Item fields that belong to no type mapping and stay whatever the item type (Zotero's own).
_KEPT_ON_RETYPE = ("title", "abstractNote", "date", "shortTitle", "language", "url", "accessDate", "archive",
                   "archiveLocation", "libraryCatalog", "callNumber", "rights", "extra", "DOI", "citationKey")


def patch_from_changes(base: Mapping, changes: Iterable, result: Entry, *, native_key: bool = True) -> dict:
    """The item fields to send so that item ``base`` says what the plan's ``changes`` say,
    and nothing else (``changes`` are ``bibsync.plan.FieldChange``: name, old, new).

    Values are in Zotero's conventions (pages with a hyphen, the year and month as
    ``date``); a field the item type lacks is its ``tex.`` line in Extra, edited in place;
    every other Extra line, field, creator, tag and the citation key stay as they are.
    ``@key`` moves the citation key where the item keeps it; ``@type`` changes the item
    type, moving the mapped fields to the new type's names (``result`` gives the values).
    """
    changes = list(changes)
    names = {c.name for c in changes}
    if "@type" in names and item_type_for(result) != base.get("itemType"):
        return _retyped(base, changes, result, native_key=native_key)
    item_type = base.get("itemType", "document")
    mapping = {c: z for c, z in {**COMMON_FIELDS, **TYPE_FIELDS.get(item_type, {})}.items() if z in base}
    extra = ExtraLines(base.get("extra", ""))
    patch: dict = {}
    for change in changes:
        name, new = change.name, change.new
        if name == "@type":
            extra.set_tex(_ENTRYTYPE, "" if ITEM_TO_ENTRY_TYPE.get(item_type) == new else new)
        elif name == "@key":
            if native_key and "citationKey" in base and (base.get("citationKey") or not extra.has_key()):
                patch["citationKey"] = new
            else:
                extra.set_key(new)
        elif name in ("author", "editor"):
            patch["creators"] = _creators_after(base, result, name, extra)
        elif name in ("year", "month"):
            date = compose_date(result.get("year"), result.get("month"))
            if date is not None and "date" in base:
                patch["date"] = date
                extra.set_tex("year", "")
                extra.set_tex("month", "")
            else:
                extra.set_tex(name, new)
        elif name == "keywords":
            old = {t.get("tag"): t for t in base.get("tags", [])}  # a kept tag keeps its type
            words = [w.strip() for w in new.split(",") if w.strip()]
            patch["tags"] = [old.get(w, {"tag": w}) for w in words]
        elif name == "extra":
            extra.set_own(new)
        elif item_type == "preprint" and name in ("eprint", "archiveprefix") and {"repository", "archiveID"} <= set(base):
            prefix = result.get("archiveprefix")
            patch["repository"] = prefix
            eprint = result.get("eprint")
            patch["archiveID"] = f"{prefix}:{eprint}" if prefix and eprint else eprint
        elif name in mapping:
            patch[mapping[name]] = zotero_pages(new) if name == "pages" else new
        else:
            extra.set_tex(name, new)
    if extra.text != (base.get("extra", "") or ""):
        patch["extra"] = extra.text
    return {k: v for k, v in patch.items() if base.get(k) != v}


def _creators_after(base: Mapping, result: Entry, role: str, extra: ExtraLines) -> list[dict]:
    """The item's creators with the authors (or editors) replaced by ``result``'s; others stay."""
    item_type = base.get("itemType", "document")
    creators = list(base.get("creators", []))
    if role == "author":
        primary = PRIMARY_CREATOR.get(item_type, "author")
        new = [creator_from_person(p, primary) for p in result.authors]
        first = next((i for i, c in enumerate(creators) if c.get("creatorType") in AUTHOR_CREATORS), 0)
        rest = [c for c in creators if c.get("creatorType") not in AUTHOR_CREATORS]
        return rest[:first] + new + rest[first:]
    if item_type not in EDITOR_TYPES:
        extra.set_tex("editor", format_people(result.editors))
        return creators
    rest = [c for c in creators if c.get("creatorType") != "editor"]
    return rest + [creator_from_person(p, "editor") for p in result.editors]


def _retyped(base: Mapping, changes: list, result: Entry, *, native_key: bool) -> dict:
    """The patch for a change of item type: the new type's fields from ``result``, the item's
    own Zotero fields and Extra lines kept (Zotero drops the fields the new type lacks)."""
    item_type = item_type_for(result)
    data = item_from_entry(result.with_key(None), native_key=native_key, item_type=item_type)
    patch = {k: v for k, v in data.items() if k not in _KEPT_ON_RETYPE and k not in ("tags", "collections")}
    patch["itemType"] = item_type
    extra = ExtraLines(base.get("extra", ""))
    _, wanted, _ = parse_extra(data.get("extra", ""))
    _, had, _ = parse_extra(base.get("extra", ""))
    for name in sorted(set(had) | set(wanted)):
        extra.set_tex(name, wanted.get(name, ""))
    if extra.text != (base.get("extra", "") or ""):
        patch["extra"] = extra.text
    kept = [c for c in base.get("creators", []) if c.get("creatorType") not in AUTHOR_CREATORS | {"editor"}]
    patch["creators"] = data["creators"] + kept
    rest = [c for c in changes if c.name not in ("@type", "author", "editor") and c.name not in TYPE_FIELDS.get(item_type, {})]
    patch.update(patch_from_changes({**base, **patch}, rest, result, native_key=native_key))
    return {k: v for k, v in patch.items() if base.get(k) != v}


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
    """Return item data with its citation key set (natively or as a line of Extra), all else
    unchanged: Extra keeps every line where it is."""
    out = dict(data)
    if native_key:
        out["citationKey"] = key
    else:
        extra = ExtraLines(data.get("extra", ""))
        extra.set_key(key)
        out["extra"] = extra.text
    return out


# --- the review screen in Zotero's words -------------------------------------------------------------

VIEW_ORDER = ("itemType", "title", "author", "programmer", "editor", "publicationTitle", "proceedingsTitle",
              "bookTitle", "conferenceName", "volume", "issue", "pages", "date", "series", "seriesTitle",
              "seriesNumber", "publisher", "place", "company", "institution", "university", "reportNumber",
              "reportType", "thesisType", "repository", "archiveID", "versionNumber", "edition", "ISBN", "ISSN",
              "DOI", "url", "abstractNote", "language", "shortTitle", "journalAbbreviation", "extra", "tags")
_VIEW_SKIP = frozenset({"key", "version", "itemType", "creators", "tags", "collections", "relations", "citationKey"})


def zotero_view(entry: Entry, item_type: str) -> dict[str, str]:
    """The entry as a Zotero item of ``item_type`` shows it: item type, creators by role,
    fields by their Zotero names, Extra, tags (empty ones left out)."""
    data = item_from_entry(entry.with_key(None), item_type=item_type)
    view = {"itemType": item_type}
    if data.get("title"):
        view["title"] = data["title"]
    for creator in data.get("creators", []):
        role = creator.get("creatorType", "author")
        name = creator.get("name") or ", ".join(x for x in (creator.get("lastName"), creator.get("firstName")) if x)
        view[role] = f"{view[role]}; {name}" if role in view else name
    for name, value in data.items():
        if name not in _VIEW_SKIP and name not in view and isinstance(value, str) and value:
            view[name] = value
    if data.get("tags"):
        view["tags"] = ", ".join(t["tag"] for t in data["tags"])
    return view


def zotero_field_name(name: str, item_type: str) -> str:
    """The Zotero name of a canonical field (or ``@type``) for an item of ``item_type``."""
    if name == "@type":
        return "itemType"
    if name == "author":
        return PRIMARY_CREATOR.get(item_type, "author")
    if name == "editor":
        return "editor" if item_type in EDITOR_TYPES else "extra: tex.editor"
    if name in ("year", "month"):
        return "date"
    if name == "keywords":
        return "tags"
    if name == "extra":
        return "extra"
    if item_type == "preprint" and name in ("eprint", "archiveprefix"):
        return "archiveID" if name == "eprint" else "repository"
    mapped = {**COMMON_FIELDS, **TYPE_FIELDS.get(item_type, {})}.get(name)
    return mapped or f"extra: tex.{name}"
