"""Source: the JSON (or JSONP) an Imperial College publication list loads its records from.

The respub page fetches ``search.jsonp?respub-action=search.html&id=...``. Accepted:

* plain JSON, or JSONP: ``callback({...});`` (any JavaScript name, optional ``/**/`` before it);
* the records as a top-level list, or a list inside an object (``{"records": [...]}``,
  ``{"response": {"publications": [...]}}``, ...): the first list of objects that have a
  ``title`` or ``objectid``, searched breadth-first;
* per record, keys compared without regard to case: ``objectid``, ``type`` (the page's labels:
  ``Conference paper``, ``journal-article`` ...), ``authors`` (respub's ``Chen L, Da Costa Carmo
  LFR`` string, a list of such strings, or a list of objects with ``lastName``/``surname`` and
  ``initials``/``firstNames``), ``extraAuthors`` (a count, ``true`` or ``"et al."`` mean "and
  others"; names are appended), ``publicationDate`` (``2023``, ``2023-07-10``, ``July 2023``,
  epoch milliseconds, or ``{"year": .., "month": ..}``), ``doiUrl`` (kept as a bare DOI),
  ``title``, ``parentTitle``, ``nameOfConference``, ``journalText``, ``publisher``,
  ``placeOfPublication``, ``volume``, ``issue``, ``pages``, ``issn``, ``isbn``, ``abstractText``.

Text is repaired (double-encoded UTF-8 such as ``JimÃ©nez``, HTML entities, tags). A record
that cannot be read (not an object, no title) is a Failure with its line; the others go on.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Iterator

from ..errors import InputError
from ..files.jsonload import json_error_message, load_json
from ..model import Entry, Failure, Origin, Person
from ..names import person_from_bibtex, person_from_natural
from ..registry import ParseContext
from ..text import MONTHS, normalize_doi, normalize_month, normalize_pages, one_line, repair_text
from .inputs import line_numbers
from .respub_common import build_entry, parse_people, parse_person, type_for_label

_WRAPPER_RE = re.compile(r"\s*(?:/\*\*/\s*)?([A-Za-z_$][\w$.]*)\s*\(")
_SNIFF_RE = re.compile(r"\s*(?:/\*\*/\s*)?(?:[A-Za-z_$][\w$.]*\s*\(\s*)?[\[{]")
_KEYS_RE = re.compile(r'"(?:objectid|journalText|nameOfConference|abstractText|extraAuthors|doiUrl|publicationDate|parentTitle)"\s*:',
                      re.IGNORECASE)
_TAG_RE = re.compile(r"<[^<>]{0,200}>")
_PARAGRAPH_TAG_RE = re.compile(r"<\s*br\s*/?\s*>|<\s*/\s*p\s*>", re.IGNORECASE)

# Where the venue is taken from, in order of preference, for each entry type.
_VENUE_KEYS = {
    "article": ("journaltext", "parenttitle", "nameofconference"),
    "inproceedings": ("parenttitle", "nameofconference", "journaltext"),
}
_DEFAULT_VENUE_KEYS = ("parenttitle", "nameofconference", "journaltext")


def unwrap_jsonp(text: str) -> tuple[str, int]:
    """Strip a JSONP wrapper ``name(...);``; return (JSON text, lines before it)."""
    match = _WRAPPER_RE.match(text)
    if not match:
        return text, 0
    body = text[match.end():].rstrip().rstrip(";").rstrip()
    if body.endswith(")"):
        body = body[:-1]
    return body, text[:match.end()].count("\n")


def find_records(data: Any) -> tuple[list, tuple] | None:
    """Return the first list of record objects (with ``title`` or ``objectid``) and its key path.

    Searched breadth-first; the path holds the dict keys and list indexes leading to it.
    """
    queue: list[tuple[Any, tuple]] = [(data, ())]
    for _ in range(5):
        next_queue = []
        for value, path in queue:
            if isinstance(value, list):
                dicts = [v for v in value if isinstance(v, dict)]
                if dicts and any({"title", "objectid"} & {str(k).lower() for k in d} for d in dicts):
                    return value, path
                next_queue.extend((v, path + (i,)) for i, v in enumerate(value) if isinstance(v, (dict, list)))
            elif isinstance(value, dict):
                next_queue.extend((v, path + (k,)) for k, v in value.items() if isinstance(v, (dict, list)))
        queue = next_queue
    return None


def record_offsets(body: str, records: list, path: tuple) -> list[int] | None:
    """Character offset of each record in ``body``, found by decoding the list where it stands."""
    decoder = json.JSONDecoder()
    if not path:
        starts = [len(body) - len(body.lstrip())]
    elif isinstance(path[-1], str):
        starts = [m.end() - 1 for m in re.finditer(rf'"{re.escape(path[-1])}"\s*:\s*\[', body)]
    else:
        return None
    for start in starts:
        try:
            if decoder.raw_decode(body, start)[0] != records:
                continue
        except ValueError:
            continue
        offsets, pos = [], start + 1
        for _ in records:
            pos = _skip(body, pos)
            offsets.append(pos)
            pos = _skip(body, decoder.raw_decode(body, pos)[1], ",")
        return offsets
    return None


def _skip(text: str, pos: int, extra: str = "") -> int:
    while pos < len(text) and (text[pos].isspace() or text[pos] in extra):
        pos += 1
    return pos


def clean_text(value: Any, paragraphs: bool = False) -> str:
    """Turn a JSON value into repaired plain text (tags removed; paragraphs kept if asked)."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = str(value)
    if paragraphs:
        text = _PARAGRAPH_TAG_RE.sub("\n\n", text)
    text = repair_text(_TAG_RE.sub("", text))
    if not paragraphs:
        return one_line(text)
    return "\n\n".join(one_line(p) for p in re.split(r"\n\s*\n", text) if p.strip())


def _person(value: Any) -> Person | None:
    if isinstance(value, dict):
        low = {k.lower(): v for k, v in value.items()}
        last = clean_text(low.get("lastname") or low.get("surname") or low.get("last") or low.get("familyname"))
        first = clean_text(low.get("initials") or low.get("firstnames") or low.get("firstname")
                           or low.get("forenames") or low.get("first") or low.get("given"))
        if last:
            return parse_person(f"{last} {first}") or Person(last=last, first=first)
        value = low.get("name") or low.get("displayname") or ""
    name = clean_text(value).strip(" ;")
    if not name:
        return None
    if "," in name:
        return person_from_bibtex(name)
    return parse_person(name) or person_from_natural(name)


def people_from(value: Any) -> tuple[tuple[Person, ...], bool]:
    """Read an ``authors`` value (string, list of strings, list of objects) into people."""
    if isinstance(value, list):
        found = [_person(v) for v in value]
        return tuple(p for p in found if p is not None), False
    text = clean_text(value)
    if not text:
        return (), False
    parsed = parse_people(text)
    if parsed is not None:
        return parsed
    chunks = re.split(r"\s*;\s*|\s+and\s+", text) if ";" in text or " and " in text else text.split(",")
    found = [_person(c) for c in chunks]
    return tuple(p for p in found if p is not None), False


def _extra(value: Any) -> tuple[tuple[Person, ...], bool]:
    """``extraAuthors``: a count or flag means "and others"; names are more authors."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return (), bool(value)
    if isinstance(value, str) and re.fullmatch(r"\s*(?:et\.? al\.?|\.\.\.|…|\d+|true)?\s*", value, re.IGNORECASE):
        return (), value.strip().lower() not in ("", "0")
    return people_from(value)


def date_parts(value: Any) -> tuple[str, str]:
    """Return (year, month) from a ``publicationDate`` value; either may be ""."""
    if isinstance(value, dict):
        low = {k.lower(): v for k, v in value.items()}
        year = str(low.get("year") or "")
        month = normalize_month(str(low.get("month") or "")) if low.get("month") else ""
        return (year if re.fullmatch(r"\d{4}", year) else ""), month
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            when = datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return "", ""
        return str(when.year), normalize_month(str(when.month))
    text = clean_text(value)
    year = re.search(r"\b(1[89]\d{2}|20\d{2})\b", text)
    month = ""
    iso = re.match(r"\s*\d{4}-(\d{1,2})\b", text)
    if iso:
        month = normalize_month(iso.group(1))
    else:
        word = re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b", text, re.IGNORECASE)
        month = normalize_month(word.group(0)) if word else ""
    return (year.group(1) if year else ""), (month if month in MONTHS else "")


class RespubJsonSource:
    """Imperial College publication list records as JSON or JSONP."""

    name = "respub-json"
    suffixes = (".jsonp",)
    description = "Imperial College publication list JSON/JSONP (search.jsonp?respub-action=...)"

    def sniff(self, text: str) -> bool:
        """True for JSON or JSONP whose start has respub record keys (objectid, journalText ...)."""
        head = text[:20000]
        return bool(_SNIFF_RE.match(head)) and bool(_KEYS_RE.search(head))

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield one entry per record; unreadable records are failures; bad JSON is an InputError."""
        body, offset = unwrap_jsonp(text)
        try:
            data = load_json(body)
        except json.JSONDecodeError as exc:
            raise InputError(json_error_message(exc), where=f"{context.filename}:{exc.lineno + offset}",
                             hint="save the whole response of search.jsonp (with or without callback(...))") from None
        found = find_records(data)
        if found is None:
            raise InputError("no respub records in this JSON", where=context.filename,
                             hint="expected a list of objects with title, authors, publicationDate ...")
        records, path = found
        offsets = record_offsets(body, records, path)
        lines = ([line + offset for line in line_numbers(body, offsets)] if offsets is not None
                 else [None] * len(records))
        for index, (record, line) in enumerate(zip(records, lines), start=1):
            yield self._read(record, index, line, context)

    def _read(self, record: Any, index: int, line: int | None, context: ParseContext) -> Entry | Failure:
        if not isinstance(record, dict):
            return Failure(f"record {index} is not an object", context.filename, line, str(index),
                           hint="each record should be {\"title\": ..., \"authors\": ...}", raw=str(record)[:200],
                           kind="respub records that are not objects, skipped")
        low = {str(k).lower(): v for k, v in record.items()}
        label = str(low.get("objectid") or index)
        title = clean_text(low.get("title"))
        if not title:
            return Failure("this record has no title", context.filename, line, label,
                           hint="the record was skipped", raw=json.dumps(record, ensure_ascii=False)[:200],
                           kind="respub records without a title, skipped")
        entry_type = type_for_label(re.sub(r"[-_]+", " ", clean_text(low.get("type")))) or "misc"
        people, truncated = people_from(low.get("authors"))
        more, more_truncated = _extra(low.get("extraauthors"))
        year, month = date_parts(low.get("publicationdate") or low.get("year"))
        fields = {
            "title": title,
            "volume": clean_text(low.get("volume")),
            "number": clean_text(low.get("issue") or low.get("number")),
            "pages": normalize_pages(clean_text(low.get("pages"))),
            "year": year,
            "month": month,
            "publisher": clean_text(low.get("publisher")),
            "address": clean_text(low.get("placeofpublication")),
            "issn": clean_text(low.get("issn")),
            "isbn": clean_text(low.get("isbn")),
            "doi": normalize_doi(clean_text(low.get("doiurl") or low.get("doi"))),
            "abstract": clean_text(low.get("abstracttext"), paragraphs=True),
        }
        venue = next((clean_text(low.get(k)) for k in _VENUE_KEYS.get(entry_type, _DEFAULT_VENUE_KEYS)
                      if clean_text(low.get(k))), "")
        origin = Origin("respub-json", context.filename, line, label)
        return build_entry(entry_type, people + more, truncated or more_truncated, fields, venue, origin)


source = RespubJsonSource()
