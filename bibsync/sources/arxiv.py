"""Source: arXiv ids, on the command line or in a text file (one per line), via the arXiv API.

Accepted forms: ``2401.01234``, ``arXiv:2401.01234v2``, old-style ``cs/0601001`` or
``math.GT/0309136``, abs/pdf URLs, and arXiv's DataCite DOIs ``10.48550/arXiv.2401.01234``.
Each id is first checked for syntax (a new-style ``YYMM.NNNNN`` needs a real month, since
2007, with 4 digits before 2015 and 5 after; an old-style ``archive/YYMMNNN`` a real month
too): a malformed one is reported as such and never sent. Metadata comes from
``export.arxiv.org/api/query?id_list=...`` (Atom XML) through the shared polite fetcher;
arXiv asks for at most one request every three seconds, so the ids of one file are asked
for in batches. An id that cannot be resolved is reported (not found, arXiv unreachable,
not in the cache with ``--offline``) and the others go on.

An entry is what arXiv's own "Export BibTeX citation" gives, plus month and abstract:
``@misc`` with ``eprint`` (the id without version), ``archiveprefix = {arXiv}``,
``primaryclass`` and ``url``. The DOI of a later journal version (``arxiv:doi``) is not
copied: it names a different record than the preprint.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator
from urllib.parse import unquote, urlencode

from ..config import Settings
from ..model import Entry, Failure, Origin
from ..names import person_from_natural
from ..registry import ParseContext
from ..text import month_from_number, latex_to_unicode, one_line, repair_text
from .http_cache import Fetcher, Unreachable
from .identifiers import identifier_lines, looks_like_list

if TYPE_CHECKING:  # httpx and lxml load when ids are looked up, not when a command starts
    import httpx
    from lxml import etree

ARXIV_API = "https://export.arxiv.org/api/query"
ARXIV_MIN_INTERVAL = 3.0  # seconds between requests, as arXiv's API terms ask
BATCH_SIZE = 50

_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_ID = r"(\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(v\d+)?"
_ID_RE = re.compile(
    r"^(?:arxiv:\s*"
    r"|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/"
    r"|(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.)?"
    + _ID + r"(?:\.pdf)?/?$",
    re.IGNORECASE,
)


# The archives of old-style ids (archive/YYMMNNN), current and retired: with one of them, a
# "name/digits" argument means to be an arXiv id rather than a path.
OLD_ARCHIVES = frozenset("""
    astro-ph cond-mat cs gr-qc hep-ex hep-lat hep-ph hep-th math math-ph nlin nucl-ex nucl-th physics
    q-bio q-fin quant-ph stat acc-phys adap-org alg-geom ao-sci atom-ph bayes-an chao-dyn chem-ph cmp-lg
    comp-gas dg-ga funct-an mtrl-th patt-sol plasm-ph q-alg solv-int supr-con""".split())
# What means to be an arXiv id, well formed or not: an ``arXiv:`` prefix, an arxiv.org link,
# an arXiv DOI, digits.digits, or an old-style archive name and digits.
_MEANS_ARXIV_RE = re.compile(
    r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/|(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\."
    r"|\d{3,}\.\d+(?:v\d+)?$)", re.IGNORECASE)
_OLD_STYLE_RE = re.compile(r"^([a-z]+(?:-[a-z]+)*)(?:\.[a-z]{2})?/\d+(?:v\d+)?$", re.IGNORECASE)
SHAPES = "an arXiv id is YYMM.NNNNN (2401.01234) or archive/YYMMNNN (math/0309136), with an optional version (v2)"


def means_arxiv_id(value: str) -> bool:
    """True for text that means to be an arXiv id, whether well formed or not (``arXiv:foo``,
    ``2401.1``, ``math/99``): such a command-line argument is an id, never a path."""
    text = unquote(value.strip())
    if _MEANS_ARXIV_RE.match(text):
        return True
    old = _OLD_STYLE_RE.match(text)
    return old is not None and old.group(1).lower() in OLD_ARCHIVES


def arxiv_id_from_text(value: str) -> tuple[str, str] | None:
    """Return (id without version, version like "v2" or "") for an arXiv id or URL, else None."""
    match = _ID_RE.match(unquote(value.strip()))
    if not match:
        return None
    base = match.group(1)
    if "/" in base:  # old style: the archive is lower case, the subject class upper case
        archive, number = base.split("/")
        name, _, subject = archive.partition(".")
        base = f"{name.lower()}{'.' + subject.upper() if subject else ''}/{number}"
    return base, (match.group(2) or "").lower()


def arxiv_id_problem(base: str) -> str:
    """What makes an arXiv id (without version) malformed, or "" if it can exist."""
    if "/" in base:  # old style: archive/YYMMNNN, 1991-08 to 2007-03
        yymm = base.split("/")[1][:4]
        year, month = int(yymm[:2]), int(yymm[2:])
        if not 1 <= month <= 12:
            return f"month {month:02d} does not exist (old-style ids are archive/YYMMNNN)"
        if not (year >= 91 or year <= 7):
            return f"old-style ids run from 1991 to 2007, not 19{year:02d}/20{year:02d}"
        return ""
    yymm, number = base.split(".")
    year, month = int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12:
        return f"month {month:02d} does not exist (new-style ids are YYMM.NNNNN)"
    if (year, month) < (7, 4):
        return "new-style ids start in April 2007 (0704.NNNN)"
    digits = 4 if (year, month) < (15, 1) else 5
    if len(number) != digits:
        return f"ids of {'2007-2014' if digits == 4 else '2015 on'} have {digits} digits after the dot"
    return ""


def arxiv_query_url(ids: list[str]) -> str:
    """The arXiv API URL asking for ``ids`` (with versions where given)."""
    return ARXIV_API + "?" + urlencode({"id_list": ",".join(ids), "max_results": len(ids)})


def decode_tex(text: str) -> str:
    """Decode TeX accents in a title (``Schr\\"odinger``), leaving math and ``%`` alone."""
    text = one_line(repair_text(text))
    if "\\" not in text:
        return text
    return latex_to_unicode(re.sub(r"(?<!\\)%", r"\\%", text))


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, _NS)
    return (found.text or "") if found is not None else ""


def parse_feed(xml: str) -> tuple[dict[str, etree._Element], list[str]]:
    """Return the feed's entries by id (without version) and the messages of error entries."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml.encode("utf-8"), parser)
    entries, errors = {}, []
    for node in root.findall("atom:entry", _NS):
        entry_id = _text(node, "atom:id").strip()
        if "/api/errors" in entry_id:
            errors.append(one_line(_text(node, "atom:summary")))
            continue
        found = arxiv_id_from_text(entry_id.replace("http://arxiv.org/abs/", "").replace("https://arxiv.org/abs/", ""))
        if found:
            entries[found[0]] = node
    return entries, errors


def entry_from_atom(node: etree._Element, wanted: tuple[str, str], origin: Origin | None = None) -> Entry:
    """Map one Atom ``<entry>`` to a canonical ``misc`` entry (the caller checks for a title)."""
    base, version = wanted
    published = _text(node, "atom:published")
    year = published[:4] if published[:4].isdigit() else ""
    month_no = published[5:7]
    primary = node.find("arxiv:primary_category", _NS)
    fields = {
        "title": decode_tex(_text(node, "atom:title")),
        "year": year,
        "month": month_from_number(month_no),
        "eprint": base,
        "archiveprefix": "arXiv",
        "primaryclass": primary.get("term", "") if primary is not None else "",
        "url": f"https://arxiv.org/abs/{base}{version}",
        "abstract": one_line(repair_text(_text(node, "atom:summary"))),
    }
    authors = tuple(person_from_natural(one_line(repair_text(_text(a, "atom:name"))))
                    for a in node.findall("atom:author", _NS) if _text(a, "atom:name").strip())
    return Entry(type="misc", fields={k: v for k, v in fields.items() if v}, authors=authors, origin=origin)


class ArxivSource:
    """arXiv ids looked up with the arXiv API; ``transport`` replaces the network (tests)."""

    name = "arxiv"
    suffixes = (".arxiv",)
    description = "arXiv ids as arguments or one per line (2401.01234, arXiv:2401.01234v2, cs/0601001)"

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.transport = transport

    def claims_argument(self, argument: str) -> bool:
        """True for a command-line argument that is, or means to be, an arXiv id, abs/pdf URL
        or arXiv DOI (see :func:`means_arxiv_id`); a malformed one is then reported by ``parse``."""
        return arxiv_id_from_text(argument) is not None or means_arxiv_id(argument)

    def sniff(self, text: str) -> bool:
        """True when at least two thirds of the non-blank, non-``#`` lines of the start are arXiv ids."""
        return looks_like_list(text, arxiv_id_from_text)

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield one entry per id, in line order; ids arXiv does not know are reported."""
        items: list[tuple[int | None, tuple[str, str] | Failure]] = []
        for where, line in identifier_lines(text, context.filename):
            found = arxiv_id_from_text(line)
            problem = arxiv_id_problem(found[0]) if found is not None else ""
            if problem:
                items.append((where, Failure(f"malformed arXiv id {line!r}: {problem}", context.filename, where,
                                             hint="check the id where you copied it from; it was not looked up",
                                             raw=line, kind="malformed arXiv ids (not looked up)")))
                continue
            if found is None and means_arxiv_id(line):
                items.append((where, Failure(f"malformed arXiv id {line!r}: {SHAPES}", context.filename, where,
                                             hint="check the id where you copied it from; it was not looked up",
                                             raw=line, kind="malformed arXiv ids (not looked up)")))
                continue
            items.append((where, found if found is not None else Failure(
                f"not an arXiv id: {line!r}", context.filename, where,
                hint="write one id per line: 2401.01234, arXiv:2401.01234v2 or cs/0601001", raw=line,
                kind="lines that are not arXiv ids")))
        wanted = [(i, where, item) for i, (where, item) in enumerate(items) if not isinstance(item, Failure)]
        results: dict[int, Entry | Failure] = {}
        if wanted:
            settings = context.settings if isinstance(context.settings, Settings) else Settings()
            if context.progress is not None:
                context.progress(0, len(wanted))
            with Fetcher(settings, transport=self.transport, min_interval=ARXIV_MIN_INTERVAL) as fetcher:
                for start in range(0, len(wanted), BATCH_SIZE):
                    batch = wanted[start:start + BATCH_SIZE]
                    answers = self._batch(fetcher, [(where, item) for _, where, item in batch], context.filename)
                    results.update(zip((i for i, _, _ in batch), answers))
                    if context.progress is not None:
                        context.progress(min(start + BATCH_SIZE, len(wanted)), len(wanted))
        for i, (_, item) in enumerate(items):
            yield item if isinstance(item, Failure) else results[i]

    def _batch(self, fetcher: Fetcher, batch: list[tuple[int | None, tuple[str, str]]],
               filename: str) -> Iterator[Entry | Failure]:
        from lxml import etree

        ids = [base + version for _, (base, version) in batch]
        try:
            response = fetcher.get(arxiv_query_url(ids), accept="application/atom+xml",
                                   service="arXiv (export.arxiv.org)")
        except Unreachable as exc:  # no network, or --offline and not cached
            for line, (base, version) in batch:
                yield Failure(f"arXiv id {base}{version} not looked up: {exc.message}", filename, line,
                              hint=exc.hint, raw=base + version, kind="arXiv ids not looked up")
            return
        if not response.ok:
            for line, (base, version) in batch:
                yield Failure(f"arXiv answered HTTP {response.status} for {base}{version}", filename, line,
                              hint="try again later", raw=base + version, kind="arXiv ids arXiv answered with an error")
            return
        try:
            entries, errors = parse_feed(response.text)
        except etree.XMLSyntaxError:
            for line, (base, version) in batch:
                yield Failure(f"arXiv sent an answer that is not Atom XML for {base}{version}", filename, line,
                              hint="try again later", raw=response.text[:300],
                              kind="arXiv ids arXiv answered without Atom XML")
            return
        for line, (base, version) in batch:
            node = entries.get(base)
            entry = entry_from_atom(node, (base, version), Origin(self.name, filename, line)) if node is not None else None
            if entry is None or not entry.title:
                detail = next((e for e in errors if base in e), "")
                yield Failure(f"arXiv id {base}{version} not found" + (f" ({detail})" if detail else ""),
                              filename, line, hint="check the id at https://arxiv.org/abs/" + base + version,
                              raw=base + version, kind="arXiv ids not found")
            else:
                yield entry


source = ArxivSource()
