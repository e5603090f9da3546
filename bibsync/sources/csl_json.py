"""Source: CSL-JSON as Zotero, Mendeley and citeproc tools export it.

The mapping from one CSL item to a canonical entry (:func:`entry_from_csl`) is shared with
the doi source, whose Crossref records are close to CSL.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from ..errors import InputError
from ..files.jsonload import json_error_message, load_json
from ..model import Entry, Failure, Origin, Person
from ..names import person_from_natural
from ..registry import ParseContext
from ..text import month_from_number, normalize_doi, normalize_pages, one_line, repair_text

# CSL item type -> canonical entry type; anything else becomes misc.
CSL_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "review-book": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection",
    "book": "book",
    "classic": "book",
    "thesis": "phdthesis",
    "report": "techreport",
    "webpage": "online",
    "post-weblog": "online",
    "post": "online",
    "software": "software",
    "manuscript": "unpublished",
    "article": "misc",  # CSL 1.0.2: a preprint
    "dataset": "misc",
}

# Where container-title goes for each canonical type.
_CONTAINER_FIELD = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}

_TAG_RE = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_SNIFF_TYPE_RE = re.compile(r'"type"\s*:\s*"(?:' + "|".join(re.escape(t) for t in CSL_TYPES) + r')"')
# Keys only CSL uses (other JSON listings share "type" and "title").
_SNIFF_KEY_RE = re.compile(r'"(?:issued|container-title|family|literal|citation-key|publisher-place|collection-title)"\s*:')


def strip_markup(text: str) -> str:
    """Remove CSL rich-text / HTML / JATS tags (``<i>``, ``<sub>``, ``<scp>``), keep their text."""
    return _TAG_RE.sub("", text) if "<" in text else text


def clean_text(value: Any) -> str:
    """A one-line Unicode value: markup removed, entities and mojibake repaired."""
    if value is None:
        return ""
    if isinstance(value, list):  # Crossref wraps titles in lists; tolerate it here too
        value = value[0] if value else ""
    return one_line(repair_text(strip_markup(str(value))))


def person_from_csl(name: Any) -> Person | None:
    """Build a Person from a CSL name object; ``{"literal": "OECD"}`` is an institution."""
    if isinstance(name, str):
        return person_from_natural(clean_text(name)) if name.strip() else None
    if not isinstance(name, dict):
        return None
    literal = clean_text(name.get("literal") or name.get("name"))
    if literal and not name.get("family"):
        return Person(last=literal, literal=True)
    family = clean_text(name.get("family"))
    particles = " ".join(clean_text(name.get(k)) for k in ("dropping-particle", "non-dropping-particle")
                         if name.get(k))
    last = f"{particles} {family}".strip()
    if not last:
        given = clean_text(name.get("given"))
        return person_from_natural(given) if given else None
    return Person(last=last, first=clean_text(name.get("given")), suffix=clean_text(name.get("suffix")))


def people_from_csl(names: Any) -> tuple[Person, ...]:
    """Build the people of a CSL name list, skipping unusable ones."""
    if not isinstance(names, list):
        return ()
    return tuple(p for p in (person_from_csl(n) for n in names) if p is not None)


def csl_year_month(date: Any) -> tuple[str, str]:
    """Return (year, month macro) from a CSL date: ``date-parts`` (numbers or strings), ``raw``, ``literal``."""
    if not isinstance(date, dict):
        return "", ""
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = [str(p).strip() for p in parts[0]]
        year = first[0] if re.fullmatch(r"-?\d{1,4}", first[0]) else ""
        month = month_from_number(first[1]) if len(first) > 1 else ""
        if year:
            return year, month
    for key in ("raw", "literal"):
        text = str(date.get(key) or "")
        match = re.search(r"\b(\d{4})(?:[-/](\d{1,2})\b)?", text)
        if match:
            return match.group(1), month_from_number(match.group(2))
    return "", ""


def _first(value: Any) -> str:
    """The first of a list (Crossref ISSN/ISBN) or the value itself, cleaned."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return clean_text(value)


def entry_from_csl(item: dict[str, Any], origin: Origin | None = None) -> Entry:
    """Map one CSL item (a dict) to a canonical entry; the caller checks for a title."""
    entry_type = CSL_TYPES.get(str(item.get("type", "")), "misc")
    genre = clean_text(item.get("genre")).lower()
    if entry_type == "phdthesis" and ("master" in genre or "m.sc" in genre or "msc" in genre):
        entry_type = "mastersthesis"
    fields: dict[str, str] = {"title": clean_text(item.get("title"))}
    container = clean_text(item.get("container-title"))
    if entry_type == "inproceedings" and not container:
        container = clean_text(item.get("event-title") or item.get("event"))
    if container:
        fields[_CONTAINER_FIELD.get(entry_type, "howpublished")] = container
    fields["series"] = clean_text(item.get("collection-title"))
    fields["volume"] = clean_text(item.get("volume"))
    fields["number"] = clean_text(item.get("issue") or item.get("number"))
    pages = clean_text(item.get("page") or item.get("page-first"))
    fields["pages"] = normalize_pages(pages.replace("–", "-")) if pages else ""
    fields["year"], fields["month"] = csl_year_month(item.get("issued"))
    publisher = clean_text(item.get("publisher"))
    publisher_field = {"techreport": "institution", "phdthesis": "school", "mastersthesis": "school"}
    fields[publisher_field.get(entry_type, "publisher")] = publisher
    fields["address"] = clean_text(item.get("publisher-place"))
    fields["edition"] = clean_text(item.get("edition"))
    fields["version"] = clean_text(item.get("version"))
    fields["issn"] = _first(item.get("ISSN"))
    fields["isbn"] = _first(item.get("ISBN"))
    doi = normalize_doi(clean_text(item.get("DOI")))
    fields["doi"] = doi
    url = clean_text(item.get("URL"))
    fields["url"] = "" if doi and normalize_doi(url).lower() == doi.lower() else url
    abstract = item.get("abstract")
    fields["abstract"] = repair_text(strip_markup(str(abstract))) if abstract else ""
    keywords = item.get("keyword")
    if isinstance(keywords, list):
        keywords = ", ".join(str(k) for k in keywords)
    fields["keywords"] = clean_text(keywords)
    _arxiv_preprint(fields, item)
    key = item.get("citation-key")
    return Entry(
        type=entry_type,
        fields={k: v for k, v in fields.items() if v},
        authors=people_from_csl(item.get("author")),
        editors=people_from_csl(item.get("editor")),
        key=str(key) if isinstance(key, str) and key.strip() else None,
        origin=origin,
    )


def _arxiv_preprint(fields: dict[str, str], item: dict[str, Any]) -> None:
    """Zotero exports an arXiv preprint with number "arXiv:2401.01234": make it an eprint."""
    number = clean_text(item.get("number"))
    match = re.fullmatch(r"(?i)arxiv:(\S+?)(v\d+)?", number)
    if match and "arxiv" in clean_text(item.get("publisher")).lower():
        fields["number"] = ""
        fields["eprint"] = match.group(1)
        fields["archiveprefix"] = "arXiv"


def csl_records(text: str, filename: str) -> list[Any]:
    """Load the records of a CSL-JSON document: a list, one object, or ``{"items": [...]}``."""
    try:
        data = load_json(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(json_error_message(exc), where=f"{filename}:{exc.lineno}",
                         hint="export CSL-JSON again, or name the format with --from") from None
    if isinstance(data, dict):
        data = data.get("items", [data]) if "items" in data else [data]
    if not isinstance(data, list):
        raise InputError("CSL-JSON must be a list of items", where=filename,
                         hint="export CSL-JSON from Zotero or Mendeley")
    return data


class CslJsonSource:
    """CSL-JSON from Zotero, Mendeley and citeproc tools."""

    name = "csl-json"
    suffixes = (".json",)
    description = "CSL-JSON (Zotero, Mendeley): types mapped, literal (institutional) authors"

    def sniff(self, text: str) -> bool:
        """True for a JSON list/object whose start has a CSL ``"type"`` and a CSL-only key."""
        head = text[:20000].lstrip("\ufeff \t\r\n")
        return head[:1] in ("[", "{") and bool(_SNIFF_TYPE_RE.search(head)) and bool(_SNIFF_KEY_RE.search(head))

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield one entry per item; items without a title are reported by record number (1-based)."""
        for index, item in enumerate(csl_records(text, context.filename), start=1):
            if not isinstance(item, dict):
                yield Failure("this record is not a JSON object", context.filename, record=str(index),
                              hint="each CSL-JSON item is an object {...}", raw=json.dumps(item)[:200],
                              kind="CSL-JSON records that are not JSON objects, skipped")
                continue
            origin = Origin(self.name, context.filename, record=str(index))
            entry = entry_from_csl(item, origin)
            if not entry.title:
                label = item.get("id", "")
                yield Failure(f"record {label!r} has no title; skipped" if label else "record has no title; skipped",
                              context.filename, record=str(index), hint="add a title in the reference manager",
                              raw=json.dumps(item, ensure_ascii=False)[:500],
                              kind="CSL-JSON records without a title, skipped")
                continue
            yield entry


source = CslJsonSource()
