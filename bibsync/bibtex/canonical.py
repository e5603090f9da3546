"""BibLaTeX-flavoured entries into bibsync's canonical BibTeX form.

Shared by the bibtex source (every entry it reads) and the .bib target (entries compared with
incoming ones): BibLaTeX types become BibTeX ones (``report`` -> ``techreport``, ``thesis`` ->
``phdthesis``/``mastersthesis``, ...; ``online`` and ``software`` stay), ``date`` gives
``year`` and ``month``, ``subtitle`` joins the title, ``eprinttype``/``eprintclass`` become
``archiveprefix``/``primaryclass``, a doi.org ``url`` gives a missing ``doi``.
"""

from __future__ import annotations

import re

from ..model import Entry
from ..text import month_from_number, normalize_doi

_BIBTEX_TYPES = frozenset({
    "article", "book", "booklet", "inbook", "incollection", "inproceedings", "manual",
    "mastersthesis", "misc", "phdthesis", "proceedings", "techreport", "unpublished",
    "online", "software",  # BibLaTeX types bibsync keeps canonically
})
_TYPE_MAP = {
    "conference": "inproceedings", "report": "techreport", "thesis": "phdthesis",
    "mvbook": "book", "collection": "book", "mvcollection": "book", "reference": "book",
    "mvreference": "book", "bookinbook": "inbook", "suppbook": "inbook",
    "suppcollection": "incollection", "inreference": "incollection",
    "mvproceedings": "proceedings", "suppperiodical": "article", "electronic": "online",
    "www": "online",
}
# BibLaTeX ``type`` values that only restate the entry type.
_TYPE_KEYS = frozenset({"techreport", "phdthesis", "mathesis", "mastersthesis", "candthesis", "resreport"})
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?")

# Fields that canonical_entry may change (and a url holding a DOI); an entry of a BibTeX type
# without any is canonical.
_TOUCHED = frozenset({"type", "institution", "date", "subtitle", "eprinttype", "eprintclass"})


def canonical_entry(entry: Entry) -> Entry:
    """Turn a BibLaTeX-flavoured entry into bibsync's canonical BibTeX form (see module doc)."""
    if (entry.type in _BIBTEX_TYPES and _TOUCHED.isdisjoint(entry.fields)
            and ("doi" in entry.fields or "doi.org/" not in entry.fields.get("url", ""))):
        return entry  # the common case of a large BibTeX file: nothing to change (nothing decoded)
    fields = dict(entry.fields)
    kind = entry.type
    if kind == "thesis" and re.search(r"ma(ster|sters)?thesis|master", fields.get("type", ""), re.IGNORECASE):
        kind = "mastersthesis"
    kind = _TYPE_MAP.get(kind, kind if kind in _BIBTEX_TYPES else "misc")
    if fields.get("type", "").lower() in _TYPE_KEYS:
        del fields["type"]
    if kind in ("phdthesis", "mastersthesis") and "institution" in fields and "school" not in fields:
        fields["school"] = fields.pop("institution")
    date = _DATE_RE.match(fields.get("date", ""))
    if date and date.group(2) and "month" not in fields and month_from_number(date.group(2)):
        fields["month"] = month_from_number(date.group(2))
    if "subtitle" in fields and "title" in fields:
        fields["title"] = f"{fields['title']}: {fields.pop('subtitle')}"
    for old, new in (("eprinttype", "archiveprefix"), ("eprintclass", "primaryclass")):
        if old in fields and new not in fields:
            value = fields.pop(old)
            fields[new] = "arXiv" if value.lower() == "arxiv" else value
    if "doi" not in fields and "doi.org/" in fields.get("url", ""):
        doi = normalize_doi(fields["url"])
        if doi:
            fields["doi"] = doi
    if kind == entry.type and fields == dict(entry.fields):
        return entry
    return Entry(type=kind, fields=fields, authors=entry.authors, editors=entry.editors,
                 authors_truncated=entry.authors_truncated, key=entry.key, origin=entry.origin)
