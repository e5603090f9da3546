"""Source: DOIs, on the command line or in a text file (one per line), via the Crossref REST API.

Each DOI is first checked for syntax (``10.`` + a registrant code of 4 to 9 digits + ``/`` +
a suffix): a malformed one is reported as such and never sent. The others are looked up at
``https://api.crossref.org/works/{doi}`` through the shared polite fetcher (cache, rate
limit, User-Agent with the contact address). Each DOI that cannot be resolved is reported
and skipped, saying why (malformed, not found at Crossref, Crossref unreachable, not in the
cache with ``--offline``); the others go on.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import quote, unquote, urlsplit

from ..config import Settings
from ..files.jsonload import load_json
from ..model import Entry, Failure, Origin
from ..registry import ParseContext
from ..text import normalize_doi
from .csl_json import clean_text, entry_from_csl
from .http_cache import Fetcher, Unreachable
from .identifiers import identifier_lines, looks_like_list

if TYPE_CHECKING:
    import httpx

CROSSREF_WORKS = "https://api.crossref.org/works/"

# Crossref work type -> CSL type (the CSL mapping then gives the entry type).
CROSSREF_TO_CSL = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "dissertation": "thesis",
    "report": "report",
    "report-component": "report",
    "posted-content": "article",
    "dataset": "dataset",
    "reference-entry": "entry-encyclopedia",
}

_DOI_LINE_RE = re.compile(r"^(?:doi:\s*|https?://(?:dx\.|www\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_ARXIV_DOI_RE = re.compile(r"^10\.48550/arxiv\.", re.IGNORECASE)
# Anything that means to be a DOI, well formed or not: ``10.``, a ``doi:`` prefix or a doi.org
# link (checked by doi_problem).
_MEANS_DOI_RE = re.compile(r"^(?:doi:|https?://(?:dx\.|www\.)?doi\.org/|10\.)", re.IGNORECASE)
_PREFIX_RE = re.compile(r"^10\.\d{4,9}(?:\.\d+)*$")


def doi_problem(value: str) -> str:
    """What makes ``value`` (something that means to be a DOI) malformed, or "" if it is well formed."""
    text = re.sub(r"^(?:doi:\s*|https?://(?:dx\.|www\.)?doi\.org/)", "", unquote(value.strip()), flags=re.IGNORECASE)
    prefix, slash, suffix = text.partition("/")
    if not _PREFIX_RE.match(prefix):
        return "a DOI starts with 10. and a registrant code of 4 to 9 digits (10.1145/...)"
    if not slash or not suffix.strip("/"):
        return "a DOI has a suffix after the '/' (10.1145/3698038.3698515)"
    if re.search(r"\s|[\x00-\x1f]", suffix):
        return "a DOI has no spaces or control characters"
    return ""


def doi_from_text(value: str, strict: bool = True) -> str:
    """Return the bare DOI in ``value`` (bare, ``doi:``, or a doi.org URL), else "".

    With ``strict=False`` a publisher URL that carries a DOI in its path also counts
    (``https://dl.acm.org/doi/10.1145/3698038.3698515``).
    """
    value = value.strip()
    match = _DOI_LINE_RE.match(value)
    if match:
        return unquote(match.group(1)).rstrip(".,;")
    if not strict and re.match(r"(?i)https?://", value):
        return normalize_doi(unquote(urlsplit(value).path))
    return ""


def is_arxiv_doi(doi: str) -> bool:
    """True for the DataCite DOIs arXiv gives its papers (``10.48550/arXiv.2401.01234``)."""
    return bool(_ARXIV_DOI_RE.match(doi))


def crossref_url(doi: str) -> str:
    """The Crossref REST URL for ``doi`` (lower-cased: DOIs are case-insensitive)."""
    return CROSSREF_WORKS + quote(doi.lower(), safe="/")


def jats_to_text(abstract: str) -> str:
    """Crossref abstracts are JATS XML: drop the "Abstract" heading, keep paragraphs."""
    text = re.sub(r"(?s)<jats:title>.*?</jats:title>", "", abstract)
    paragraphs = [clean_text(p) for p in re.split(r"(?i)</?jats:p\b[^>]*>", text)]
    return "\n\n".join(p for p in paragraphs if p)


def _date(work: dict[str, Any]) -> Any:
    """Prefer the print date (it matches volume and issue), else ``issued``."""
    for key in ("published-print", "issued", "published-online", "published"):
        date = work.get(key)
        parts = date.get("date-parts") if isinstance(date, dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0] and parts[0][0] is not None:
            return date
    return None


def csl_from_crossref(work: dict[str, Any]) -> dict[str, Any]:
    """Turn a Crossref ``message`` (one work) into a CSL item."""
    title = clean_text(work.get("title"))
    subtitle = clean_text(work.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    container = clean_text(work.get("container-title"))
    if not container and work.get("type") == "posted-content":
        container = _institution(work)  # the preprint server: bioRxiv, SSRN, Research Square
    item: dict[str, Any] = {
        "type": CROSSREF_TO_CSL.get(str(work.get("type")), "misc"),
        "title": title,
        "container-title": container,
        "author": work.get("author") or [],
        "editor": work.get("editor") or [],
        "issued": _date(work),
        "DOI": work.get("DOI", ""),
        "URL": work.get("URL", ""),
        "abstract": jats_to_text(str(work["abstract"])) if work.get("abstract") else "",
    }
    for source_key, csl_key in (("volume", "volume"), ("issue", "issue"), ("page", "page"),
                                ("publisher", "publisher"), ("publisher-location", "publisher-place"),
                                ("ISSN", "ISSN"), ("ISBN", "ISBN"), ("edition-number", "edition")):
        if work.get(source_key):
            item[csl_key] = work[source_key]
    if work.get("type") == "dissertation" and not item.get("publisher"):
        item["publisher"] = _institution(work)  # the university, which becomes the school
    return item


def _institution(work: dict[str, Any]) -> str:
    """The name of a work's first ``institution``, or ""."""
    institutions = work.get("institution")
    first = institutions[0] if isinstance(institutions, list) and institutions else None
    return clean_text(first.get("name")) if isinstance(first, dict) else ""


def entry_from_crossref(work: dict[str, Any], origin: Origin | None = None) -> Entry:
    """Map a Crossref work to a canonical entry."""
    entry = entry_from_csl(csl_from_crossref(work), origin)
    if work.get("type") == "proceedings":
        entry = Entry(type="proceedings", fields=entry.fields, authors=entry.authors, editors=entry.editors,
                      origin=origin)
    return entry


class DoiSource:
    """DOIs looked up at Crossref; ``transport`` replaces the network (tests)."""

    name = "doi"
    suffixes = (".doi",)
    description = "DOIs as arguments or one per line (doi.org URLs allowed): Crossref metadata, cached"

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.transport = transport

    def claims_argument(self, argument: str) -> bool:
        """True for a command-line argument that is, or means to be, a DOI (``10.1145/...``,
        ``doi:``, doi.org URL); a malformed one is then reported by ``parse``."""
        doi = doi_from_text(argument)
        if doi:
            return not is_arxiv_doi(doi)
        return bool(_MEANS_DOI_RE.match(argument.strip())) and not is_arxiv_doi(argument.strip())

    def sniff(self, text: str) -> bool:
        """True when at least two thirds of the non-blank, non-``#`` lines of the start are DOIs."""
        return looks_like_list(text, doi_from_text)

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield one entry per DOI, in line order; lines that are not DOIs and DOIs Crossref
        does not know are reported where they stand."""
        items = list(self._read_lines(text, context.filename))
        if not any(isinstance(item, str) for _, item in items):
            yield from (item for _, item in items)
            return
        settings = context.settings if isinstance(context.settings, Settings) else Settings()
        total = sum(1 for _, item in items if isinstance(item, str))
        done = 0
        if context.progress is not None:
            context.progress(0, total)
        with Fetcher(settings, transport=self.transport) as fetcher:
            for where, item in items:
                if isinstance(item, Failure):
                    yield item
                    continue
                found = self._lookup(fetcher, item, where, context.filename)
                done += 1
                if context.progress is not None:
                    context.progress(done, total)
                yield found

    def _read_lines(self, text: str, filename: str) -> Iterator[tuple[int | None, str | Failure]]:
        """Yield (line, bare DOI or Failure) for each non-blank, non-``#`` line."""
        for where, line in identifier_lines(text, filename):
            doi = doi_from_text(line, strict=False)
            problem = doi_problem(doi or line) if doi or _MEANS_DOI_RE.match(line) else ""
            if problem:
                yield where, Failure(f"malformed DOI {line!r}: {problem}", filename, where,
                                     hint="check the DOI where you copied it from; it was not looked up", raw=line,
                                     kind="malformed DOIs (not looked up)")
            elif not doi:
                yield where, Failure(f"not a DOI: {line!r}", filename, where,
                                     hint="write one DOI per line (10.1145/..., doi:10..., or https://doi.org/10...)",
                                     raw=line, kind="lines that are not DOIs")
            elif is_arxiv_doi(doi):
                yield where, Failure(f"{doi} is an arXiv DOI, registered with DataCite, not Crossref", filename,
                                     where, hint=f"give the arXiv id {doi.split('.', 2)[-1]} instead", raw=line,
                                     kind="arXiv DOIs (give their arXiv ids instead)")
            else:
                yield where, doi

    def _lookup(self, fetcher: Fetcher, doi: str, line: int | None, filename: str) -> Entry | Failure:
        try:
            response = fetcher.get(crossref_url(doi), service="Crossref (api.crossref.org)")
        except Unreachable as exc:  # no network, or --offline and not cached (NotCached)
            return Failure(f"DOI {doi} not looked up: {exc.message}", filename, line, hint=exc.hint, raw=doi,
                           kind="DOIs not looked up")
        if response.status == 404:
            return Failure(f"DOI {doi} not found at Crossref (HTTP 404)", filename, line,
                           hint="check the DOI; DOIs of datasets and software (DataCite, Zenodo) are not in Crossref",
                           raw=doi, kind="DOIs not found at Crossref")
        if not response.ok:
            return Failure(f"Crossref answered HTTP {response.status} for DOI {doi}", filename, line,
                           hint="try again later", raw=doi, kind="DOIs Crossref answered with an error")
        try:
            work = load_json(response.text)["message"]
        except (ValueError, KeyError, TypeError):
            return Failure(f"Crossref sent an answer that is not a work record for DOI {doi}", filename, line,
                           hint="try again later", raw=response.text[:300],
                           kind="DOIs Crossref answered without a work record")
        entry = entry_from_crossref(work, Origin(self.name, filename, line))
        if not entry.title:
            return Failure(f"Crossref has no title for DOI {doi}; skipped", filename, line,
                           hint="look the DOI up at https://doi.org/ and add the entry by hand", raw=doi,
                           kind="DOIs Crossref has no title for, skipped")
        return entry


source = DoiSource()
