"""Source: RIS, as Zotero, Mendeley, EndNote, Scopus and Web of Science export it.

A record is ``TAG  - value`` lines from ``TY`` to ``ER``; lines without a tag continue the
previous value (wrapped abstracts). A byte-order mark and CRLF line ends are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from ..model import Entry, Failure, Origin, Person
from ..names import NAME_SUFFIXES, format_initials, person_from_natural
from ..registry import ParseContext
from ..text import MONTHS, month_from_number, normalize_doi, normalize_month, normalize_pages, one_line, repair_text

# RIS reference type -> canonical entry type; anything else becomes misc.
RIS_TYPES = {
    "JOUR": "article", "JFULL": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article",
    "INPR": "article",
    "CONF": "inproceedings", "CPAPER": "inproceedings",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CHAP": "incollection", "ECHAP": "incollection",
    "THES": "phdthesis",
    "RPRT": "techreport",
    "COMP": "software",
    "ELEC": "online", "WEB": "online", "BLOG": "online",
    "UNPB": "unpublished", "MANSCPT": "unpublished",
    "GEN": "misc",
}

# Tags naming the container, in order of preference, per canonical type.
_JOURNAL_TAGS = ("JF", "T2", "JO", "JA", "J2")
_BOOKTITLE_TAGS = ("T2", "BT", "C3", "JF", "JO", "JA", "J2")

_TAG_RE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?:\s(.*))?$")
_TY_RE = re.compile(r"^TY\s{1,2}-")
_ISSN_RE = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


@dataclass
class RisRecord:
    """One record's tags in order (a tag may repeat), with the line of its ``TY``."""

    line: int
    tags: list[tuple[str, str]] = field(default_factory=list)
    closed: bool = False
    raw: list[str] = field(default_factory=list)

    def all(self, tag: str) -> list[str]:
        """Every non-empty value of ``tag``."""
        return [v for t, v in self.tags if t == tag and v]

    def first(self, *tags: str) -> str:
        """The first non-empty value of the first of ``tags`` that has one."""
        for tag in tags:
            values = self.all(tag)
            if values:
                return values[0]
        return ""


def split_records(text: str) -> tuple[list[RisRecord], list[int]]:
    """Split RIS text into records; also return the lines of tagged data outside any record."""
    records: list[RisRecord] = []
    stray: list[int] = []
    current: RisRecord | None = None
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        match = _TAG_RE.match(line.rstrip())
        if match and match.group(1) == "TY":
            current = RisRecord(line=number)
            records.append(current)
        if current is None or current.closed:
            if line.strip():
                stray.append(number)
            continue
        current.raw.append(line)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "ER":
                current.closed = True
            else:
                current.tags.append((tag, value))
        elif line.strip() and current.tags:
            tag, value = current.tags[-1]
            current.tags[-1] = (tag, f"{value} {line.strip()}".strip())
    return records, stray


def person_from_ris(name: str) -> Person:
    """Parse ``Last, First[, Suffix]`` (the RIS form) or ``First Last``; initials get dots."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 1:
        person = person_from_natural(name)
    elif len(parts) >= 3 and parts[1].lower() in NAME_SUFFIXES:  # "Last, Jr., First"
        person = Person(last=parts[0], first=", ".join(parts[2:]), suffix=parts[1])
    else:
        person = Person(last=parts[0], first=parts[1], suffix=", ".join(parts[2:]))
    if person.first:
        person = Person(last=person.last, first=format_initials(person.first), suffix=person.suffix)
    return person


def ris_year_month(record: RisRecord) -> tuple[str, str]:
    """Year from PY, Y1 or DA (``2017///``, ``2017/05/12/``); month from DA or PY/Y1."""
    year, month = "", ""
    for tag in ("PY", "Y1", "DA"):
        for value in record.all(tag):
            parts = value.split("/")
            found = re.search(r"\d{4}", parts[0])
            if found and not year:
                year = found.group(0)
            if len(parts) > 1 and not month:
                piece = parts[1].strip()
                if month_from_number(piece):
                    month = month_from_number(piece)
                elif piece and normalize_month(piece) in MONTHS:
                    month = normalize_month(piece)
    if not month:
        spelled = re.search(r"[A-Za-z]{3,}", record.first("DA"))
        if spelled and normalize_month(spelled.group(0)) in MONTHS:
            month = normalize_month(spelled.group(0))
    return year, month


def _pages(record: RisRecord) -> str:
    start, end = record.first("SP"), record.first("EP")
    if start and end and end != start:
        return normalize_pages(f"{start}-{end}")
    return normalize_pages(start or end)


def _serial_field(serial: str, entry_type: str) -> str:
    """Where an SN value goes: issn or isbn by its shape, a report's number, else nowhere ("")."""
    first = serial.split()[0] if serial else ""
    if _ISSN_RE.match(first):
        return "issn"
    digits = re.sub(r"[\s-]", "", serial)
    if re.fullmatch(r"\d{9}[\dXx]|\d{13}", digits):
        return "isbn"
    return "number" if entry_type == "techreport" else ""


def _text(value: str) -> str:
    return one_line(repair_text(value))


def entry_from_record(record: RisRecord, origin: Origin) -> Entry:
    """Map one RIS record to a canonical entry (the caller checks for a title)."""
    ris_type = record.first("TY").upper()
    entry_type = RIS_TYPES.get(ris_type, "misc")
    if entry_type == "phdthesis" and "master" in record.first("M3").lower():
        entry_type = "mastersthesis"
    title = record.first("TI", "T1", "CT") or (record.first("BT") if entry_type == "book" else "")
    fields: dict[str, str] = {"title": _text(title)}
    if entry_type == "article":
        fields["journal"] = _text(record.first(*_JOURNAL_TAGS))
    elif entry_type in ("inproceedings", "incollection"):
        fields["booktitle"] = _text(record.first(*_BOOKTITLE_TAGS))
    elif entry_type == "book":
        fields["series"] = _text(record.first("T2", "T3"))
    elif entry_type in ("misc", "online"):
        fields["howpublished"] = _text(record.first("T2", "JF", "JO"))
    if "series" not in fields:
        fields["series"] = _text(record.first("T3"))
    fields["volume"] = _text(record.first("VL"))
    fields["number"] = _text(record.first("IS", "CP"))
    fields["pages"] = _pages(record)
    fields["year"], fields["month"] = ris_year_month(record)
    publisher_field = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}
    fields[publisher_field.get(entry_type, "publisher")] = _text(record.first("PB"))
    fields["address"] = _text(record.first("CY", "PP"))
    fields["edition"] = _text(record.first("ET"))
    serial = record.first("SN").split(";")[0].strip()
    target = _serial_field(serial, entry_type)
    if target and not fields.get(target):
        fields[target] = serial
    urls = record.all("UR")
    doi = normalize_doi(record.first("DO")) or next((normalize_doi(u) for u in urls if "doi.org/" in u), "")
    fields["doi"] = doi
    fields["url"] = next((u for u in urls if not (doi and "doi.org/" in u)), "")
    fields["abstract"] = repair_text(record.first("AB", "N2"))
    fields["keywords"] = ", ".join(_text(k) for k in record.all("KW"))
    accessed = re.match(r"(\d{4})/(\d{2})/(\d{2})", record.first("Y2"))  # Zotero: the access date
    fields["urldate"] = "-".join(accessed.groups()) if accessed and fields["url"] else ""
    return Entry(
        type=entry_type,
        fields={k: v for k, v in fields.items() if v},
        # Some exporters repeat the people under both tags: take one list, not both.
        authors=tuple(person_from_ris(n) for n in record.all("AU") or record.all("A1")),
        editors=tuple(person_from_ris(n) for n in record.all("ED") or record.all("A2")),
        origin=origin,
    )


class RisSource:
    """RIS (.ris) from reference managers and databases."""

    name = "ris"
    suffixes = (".ris",)
    description = "RIS (Zotero, Mendeley, EndNote, Scopus, Web of Science): TY types mapped"

    def sniff(self, text: str) -> bool:
        """True when the first non-blank line is a ``TY  -`` line."""
        for line in text[:4096].lstrip("\ufeff").splitlines():
            if line.strip():
                return bool(_TY_RE.match(line))
        return False

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield one entry per record; records without a title are reported with their line."""
        records, stray = split_records(text)
        if stray and not records:
            yield Failure("no RIS record (a TY line) found", context.filename, stray[0],
                          hint="RIS records start with 'TY  - JOUR' and end with 'ER  - '")
            return
        if stray:
            yield Failure(f"{len(stray)} line(s) outside any record ignored", context.filename, stray[0],
                          hint="each record starts with a TY line", severity="warning")
        for record in records:
            origin = Origin(self.name, context.filename, record.line)
            entry = entry_from_record(record, origin)
            raw = "\n".join(record.raw)
            if not entry.title:
                yield Failure("record without a title (no TI or T1 line); skipped", context.filename,
                              record.line, hint="add a TI line to the record", raw=raw,
                              kind="RIS records without a title (no TI or T1 line), skipped")
                continue
            if not record.closed:
                yield Failure("record not closed with an ER line; read up to the end of the file",
                              context.filename, record.line, hint="check that the file is complete",
                              raw=raw, severity="warning",
                              kind="RIS records not closed with an ER line (read up to the end of the file)")
            yield entry


source = RisSource()
