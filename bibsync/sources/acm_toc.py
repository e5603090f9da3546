"""Source: the HTML export of an ACM Digital Library proceedings table of contents.

Accepts the page as saved, or as the text of a GitHub file view of it (page chrome and a
column of line numbers before ``<html``). Every paper becomes an ``@inproceedings``;
"Session details" entries (whose "author" is the session chair) are skipped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator
from urllib.parse import unquote

from ..model import Entry, Failure, Origin, Person
from ..names import person_from_natural
from ..registry import ParseContext

if TYPE_CHECKING:
    from .acm_html import RawPage, RawPaper

PUBLISHER = "Association for Computing Machinery"
ADDRESS = "New York, NY, USA"

_SNIFF_CHARS = 200_000
# The export's own markup: its container, a title link, or its style block.
# (Bounded: on a hostile start of text the class value is not searched past 200 characters.)
_SNIFF_RE = re.compile(r"""id\s*=\s*["']?DLtoc\b|class\s*=\s*["']?[^"'<>]{0,200}?\bDLtitleLink\b""", re.IGNORECASE)
# "SoCC '24: Proceedings of ...", "DeFi'22: ...", "ICFP '18- ...", "UIST '24 Adjunct: ...":
# the part before the first separator is the series when it carries a year.
_HEADING_RE = re.compile(r"^\s*(?P<series>[^:]{1,60}?)\s*(?::|(?<=\d)-|\s[-–—])\s*(?P<rest>\S.*)$")
_SHORT_YEAR_RE = re.compile(r"['‘’]\s?(\d{2})\b")
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
_DOI_IN_URL_RE = re.compile(r"(?:/doi/(?:abs/|full/|pdf/|epdf/|fullHtml/)?|doi\.org/)(10\.\d{4,9}/[^?#\s]+)", re.IGNORECASE)
_SUFFIX_RE = re.compile(r"^(?P<name>.+?),?\s+(?P<suffix>Jr\.?|Sr\.?|II|III|IV)$")


class AcmTocSource:
    """ACM Digital Library table of contents (HTML export, raw or as a GitHub file view)."""

    name = "acm-toc"
    suffixes: tuple[str, ...] = ()  # .html alone says nothing: only the content decides
    description = "ACM Digital Library proceedings table of contents (HTML export, or its GitHub file view)"

    def sniff(self, text: str) -> bool:
        """True when the text carries the export's markup (``id="DLtoc"``, ``class="DLtitleLink"``,
        or its style block's ``#DLtoc`` and ``.DLtitleLink`` rules), in a GitHub view or not."""
        head = text[:_SNIFF_CHARS]
        if "DLtoc" not in head and "DLtitleLink" not in head:
            return False
        return bool(_SNIFF_RE.search(head)) or ("#DLtoc" in head and ".DLtitleLink" in head)

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield one entry per paper, in page order; a paper the text ends inside is a Failure."""
        from .acm_html import read_page  # BeautifulSoup and lxml load when a page is read

        page = read_page(text)
        proceedings = proceedings_fields(page.heading)
        produced = 0
        for paper in page.papers:
            if is_session_details(paper):
                continue
            produced += 1
            yield paper_entry(paper, proceedings, context.filename)
            if paper.swallowed:
                yield swallowed_warning(paper, context.filename)
        if produced == 0:
            yield _no_papers(page, context.filename)


def is_session_details(paper: RawPaper) -> bool:
    """True for a "Session details: ..." entry: a session's chair, not a paper."""
    return paper.title.lower().startswith("session details")


def proceedings_fields(heading: str) -> dict[str, str]:
    """Return booktitle, series and year from the page heading, plus ACM's publisher and address.

    ``SoCC '24: Proceedings of the ACM Symposium on Cloud Computing`` gives the booktitle
    ``Proceedings of the ACM Symposium on Cloud Computing``, series ``SoCC '24``, year 2024.
    """
    fields: dict[str, str] = {}
    match = _HEADING_RE.match(heading)
    series = match.group("series") if match else ""
    short = _SHORT_YEAR_RE.search(series)
    if match and (short or _YEAR_RE.search(series)):
        fields["series"] = series
        fields["booktitle"] = match.group("rest").strip()
    elif heading:
        fields["booktitle"] = heading
    years = _YEAR_RE.findall(series) + _YEAR_RE.findall(fields.get("booktitle", ""))
    if short:
        fields["year"] = _century(short.group(1))
    elif years:
        fields["year"] = years[0]
    fields["publisher"] = PUBLISHER
    fields["address"] = ADDRESS
    return fields


def _century(two_digits: str) -> str:
    """``'24`` -> 2024, ``'98`` -> 1998 (ACM proceedings go back to the 1960s)."""
    value = int(two_digits)
    return str(2000 + value if value < 60 else 1900 + value)


def link_fields(href: str) -> dict[str, str]:
    """Return url (as given; a protocol-relative ``//dl.acm.org/...`` gets ``https:``) and the DOI in it."""
    if not href:
        return {}
    url = "https:" + href if href.startswith("//") else href
    fields = {"url": url}
    match = _DOI_IN_URL_RE.search(url)
    if match:
        fields["doi"] = unquote(match.group(1)).rstrip(".,;/")
    return fields


def person(name: str) -> Person:
    """Parse a name as the page writes it ("Given Surname"; the last word is the surname)."""
    match = _SUFFIX_RE.match(name)
    if match:
        base = person_from_natural(match.group("name"))
        return Person(last=base.last, first=base.first, suffix=match.group("suffix"))
    return person_from_natural(name)


def paper_entry(paper: RawPaper, proceedings: dict[str, str], filename: str) -> Entry | Failure:
    """Turn one paper of the page into an entry, or a Failure when it cannot be read whole."""
    record = None if paper.line is not None else str(paper.index)
    if paper.cut:
        shown = f': "{_shorten(paper.title)}"' if paper.title else ""
        return Failure(f"the page ends inside this entry{shown}", filename, paper.line, record,
                       hint="the file looks cut off: save the whole table of contents page again",
                       raw=paper.raw)
    if not paper.title:
        return Failure("an entry without a title", filename, paper.line, record,
                       hint='check the <a class="DLtitleLink"> element at this place', raw=paper.raw)
    fields = {"title": paper.title, **proceedings, **link_fields(paper.href)}
    if paper.paragraphs:
        fields["abstract"] = "\n\n".join(paper.paragraphs)
    return Entry(type="inproceedings", fields=fields, authors=tuple(person(n) for n in paper.authors),
                 origin=Origin("acm-toc", filename, paper.line, record))


def swallowed_warning(paper: RawPaper, filename: str) -> Failure:
    """The warning for a paper whose abstract left an element open and held what follows it
    (the papers after it were recovered, but its abstract may hold stray text)."""
    record = None if paper.line is not None else str(paper.index)
    return Failure(f'the abstract of "{_shorten(paper.title)}" leaves an element open, and the page\'s next '
                   "entries were inside it; they were read as entries of their own", filename, paper.line, record,
                   hint="check this paper's abstract against the page: it may end with text that followed it",
                   severity="warning")


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _no_papers(page: RawPage, filename: str) -> Failure:
    """The Failure for a page that yields no paper at all, with what to do about it."""
    if not page.ends:
        return Failure("no papers found in this ACM table of contents", filename, None, None,
                       hint="the page seems cut off before its first paper: save the whole page again")
    if page.papers:
        return Failure("this ACM table of contents lists only \"Session details\" entries, no papers",
                       filename, None, None,
                       hint="those entries name a session's chair, not a paper: there is nothing to add")
    return Failure("no papers found in this ACM table of contents", filename, None, None,
                   hint="each paper is an <a class=\"DLtitleLink\"> link and this page has none; "
                        "check that it is the proceedings' table of contents")


source = AcmTocSource()
