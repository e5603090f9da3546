"""Source: an Imperial College publication list ("respub"), as the text of the page or widget.

Two renderings of the same records are read:

* the publication-list page (``respub/WEB-INF/jsp/search-html.jsp``): after some page
  chrome, each record is a citation line, then abstract paragraphs, then a type line
  (``Conference paper``, ``Journal article``, ``Software`` ...); page chrome follows;
* the profile widget: section headings (``Journal articles``, ``Conference`` ...) above
  citation lines in the widget's style (``Vol:6, ISSN:2150-8097, Pages:1738-1749``,
  ``, et al., 2016,``, a publisher without a label) and no abstracts.

The citation line itself is taken apart in :mod:`bibsync.sources.respub_common`. A record
without a type line gets ``misc``; the last record of a page that was cut off keeps its
abstract only if that ends like a sentence. A record that cannot be read (no year, no
title) is reported as a Failure with its line; the others go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..errors import InputError
from ..model import Entry, Failure, Origin
from ..registry import ParseContext
from ..text import repair_text
from .respub_common import (
    SECTION_HEADINGS, build_entry, label_key, leading_people_count, looks_like_label, parse_citation,
    split_header, type_for_label,
)

_CHROME_RE = re.compile(
    r"^(?:This data is extracted from|Request URL:|Copyright|©|\d+ results? found|Show more|Next|Previous)",
    re.IGNORECASE,
)
_WIDGET_STYLE_RE = re.compile(r"\b(?:Vol|Pages|ISSN|ISBN|Publisher):\S|, et al\., (?:19|20)\d\d")
_JSON_START_RE = re.compile(r"\s*(?:/\*\*/\s*)?(?:[\[{]|[\w$.]+\s*\()")
_NOT_TEXT_RE = re.compile(r"<html|<body|<div|^\s*@\s*\w+\s*[{(]|^TY  - ", re.IGNORECASE | re.MULTILINE)
_MARKER_RE = re.compile(r"\b(?:Pages|Vol|ISSN|Publisher): ?\S|^(?:Conference paper|Journal article)\s*$|respub",
                        re.MULTILINE)
_CITATION_YEAR_RE = re.compile(r", (?:1[89]|20)\d\d(?:,|$)")
_SENTENCE_END_RE = re.compile(r"[.!?)\]”\"']\s*$")


@dataclass
class _Item:
    """One non-blank line, classified: header, broken (a record we cannot read), label or text."""

    line: int  # 1-based
    kind: str
    text: str
    header: tuple | None = None
    entry_type: str | None = None


def _classify(lines: list[str]) -> list[_Item]:
    items: list[_Item] = []
    for number, raw in enumerate(lines, start=1):
        text = repair_text(raw)
        if not text:
            continue
        header = split_header(text)
        if header is not None:
            items.append(_Item(number, "header", text, header=header))
        elif type_for_label(text) is not None:
            items.append(_Item(number, "label", text, entry_type=type_for_label(text)))
        elif leading_people_count(text) >= 2:
            items.append(_Item(number, "broken", text))
        else:
            items.append(_Item(number, "text", text))
    # A last line that starts with a name right after a type line is a record cut off.
    if (len(items) >= 2 and items[-1].kind == "text" and items[-2].kind == "label"
            and leading_people_count(items[-1].text) >= 1):
        items[-1].kind = "broken"
    return items


def _widget_mode(items: list[_Item]) -> bool:
    """True for the profile widget: headings above records, not type lines below them."""
    if any(i.kind == "label" and label_key(i.text) in SECTION_HEADINGS for i in items):
        return True
    first_label = next((i for i in items if i.kind == "label"), None)
    first_record = next((i for i in items if i.kind == "header"), None)
    return (first_label is not None and first_record is not None and first_label.line < first_record.line
            and bool(_WIDGET_STYLE_RE.search(first_record.text)))


class RespubSource:
    """Imperial College publication lists (respub page text and profile widget text)."""

    name = "respub"
    suffixes: tuple[str, ...] = ()
    description = "Imperial College publication list (respub page or profile widget, as text)"

    def sniff(self, text: str) -> bool:
        """True when the start of the text has respub citation lines and no HTML/BibTeX/RIS/JSON."""
        head = text[:30000]
        if _JSON_START_RE.match(head) or _NOT_TEXT_RE.search(head):
            return False
        headers = 0
        for line in head.splitlines()[:400]:
            if len(line) < 2000 and split_header(line.strip()) is not None:
                headers += 1
                if headers >= 3:
                    return True
        return headers >= 1 and bool(_MARKER_RE.search(head))

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield one entry per record (failures for records that cannot be read), in order."""
        items = _classify(text.replace("\r\n", "\n").split("\n"))
        if not any(i.kind in ("header", "broken") for i in items):
            raise InputError("no respub records found", where=context.filename,
                             hint="copy the whole publication list (lines like 'Smith J, Doe A, 2020, Title, Venue')")
        if _widget_mode(items):
            yield from self._parse_widget(items, context)
        else:
            yield from self._parse_page(items, context)

    def _parse_widget(self, items: list[_Item], context: ParseContext) -> Iterator[Entry | Failure]:
        section = None
        for item in items:
            if item.kind == "label":
                section = item.entry_type
            elif item.kind == "header":
                yield _record(item, section or "misc", "", context)
            elif item.kind == "broken":
                yield _broken(item, context)
            elif section is not None and _CITATION_YEAR_RE.search(item.text):
                yield _unread(item, context)

    def _parse_page(self, items: list[_Item], context: ParseContext) -> Iterator[Entry | Failure]:
        starts = [n for n, i in enumerate(items) if i.kind in ("header", "broken")]
        for k, start in enumerate(starts):
            item = items[start]
            if item.kind == "broken":
                yield _broken(item, context)
                continue
            terminated = k + 1 < len(starts)
            body = items[start + 1:starts[k + 1]] if terminated else items[start + 1:]
            entry_type, abstract, unread = _read_body(body, terminated)
            yield _record(item, entry_type, abstract, context)
            for lost in unread:
                yield _unread(lost, context)


def _is_type_line(item: _Item) -> bool:
    return item.kind == "label" or (item.kind == "text" and looks_like_label(item.text))


def _read_body(body: list[_Item], terminated: bool) -> tuple[str, str, list[_Item]]:
    """Return (type, abstract, unreadable record starts) for the lines after a citation line.

    The type line is the first known type label, or the first short label-like line (a type
    bibsync does not know: misc). After it comes page chrome - or, when a later type line
    follows a line with ", YYYY,", a record whose authors could not be read.
    """
    first = next((n for n, i in enumerate(body) if _is_type_line(i)), None)
    if first is not None:
        paragraphs = [i.text for i in body[:first] if i.kind == "text"]
        unread, segment = [], []
        for item in body[first + 1:]:
            if item.kind == "label":
                if segment and _CITATION_YEAR_RE.search(segment[0].text):
                    unread.append(segment[0])
                segment = []
            elif item.kind == "text":
                segment.append(item)
        return body[first].entry_type or "misc", "\n\n".join(paragraphs), unread
    paragraphs = [i.text for i in body if i.kind == "text"]
    if terminated:
        return "misc", "\n\n".join(paragraphs), []
    # The page ends inside this record: drop page chrome, and an abstract cut mid-sentence.
    paragraphs = [p for p in paragraphs if not _CHROME_RE.match(p)]
    if paragraphs and not _SENTENCE_END_RE.search(paragraphs[-1]):
        paragraphs = []
    return "misc", "\n\n".join(paragraphs), []


def _record(item: _Item, entry_type: str, abstract: str, context: ParseContext) -> Entry | Failure:
    people, truncated, year, rest = item.header
    fields, venue, editors = parse_citation(rest, entry_type, year)
    if not fields.get("title"):
        return Failure("this record has no title", context.filename, item.line,
                       hint="a respub record reads 'Authors, Year, Title, Venue, ...'; it was skipped", raw=item.text,
                       kind="respub records without a title, skipped")
    fields["year"] = year
    if abstract:
        fields["abstract"] = abstract
    origin = Origin("respub", context.filename, item.line)
    return build_entry(entry_type, people, truncated, fields, venue, origin, editors)


def _unread(item: _Item, context: ParseContext) -> Failure:
    return Failure("cannot find the authors and year of this record", context.filename, item.line,
                   hint="a respub record starts 'Surname I, Surname I, YYYY, Title'; it was skipped", raw=item.text,
                   kind="respub records without authors and year, skipped")


def _broken(item: _Item, context: ParseContext) -> Failure:
    return Failure("cannot find the year and title of this record", context.filename, item.line,
                   hint="the line starts with authors but has no ', YYYY, Title'; the page may be cut off here",
                   raw=item.text, kind="respub records without year and title, skipped")


source = RespubSource()
