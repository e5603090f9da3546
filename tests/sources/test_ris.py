"""The ris source: golden files (Zotero with CRLF and BOM; Scopus, Mendeley, WoS) and the mapping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bibsync.files.decoding import decode_bytes
from bibsync.model import Entry, Failure, Origin, Person
from bibsync.sources import ParseContext
from bibsync.sources.ris import entry_from_record, person_from_ris, ris_year_month, source, split_records
from source_golden import DATA, cases, check_golden


def parse(text: str, name: str = "x.ris") -> list[Entry | Failure]:
    return list(source.parse(text, ParseContext(filename=name)))


def record(*lines: str):
    records, _ = split_records("\n".join(("TY  - JOUR",) + lines + ("ER  - ",)))
    return records[0]


@pytest.mark.parametrize("case", cases("ris", ".ris"), ids=lambda p: p.stem)
def test_golden(case):
    check_golden(case, parse(decode_bytes(case.read_bytes(), case.name), case.name))


def test_fixture_really_has_bom_and_crlf():
    data = (DATA / "ris" / "zotero_crlf_bom.ris").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfTY  - JOUR\r\n") and data.count(b"\r\n") > 100


def test_bom_and_crlf_in_text_handed_over_directly():
    items = parse("\ufeffTY  - JOUR\r\nTI  - A Title\r\nPY  - 2017///\r\nER  - \r\n")
    assert [(e.type, e.title, e.year) for e in items] == [("article", "A Title", "2017")]


def test_record_without_title_reported_with_line_others_kept():
    items = parse((DATA / "ris" / "scopus_mendeley_wos.ris").read_text(), "s.ris")
    failures = [i for i in items if isinstance(i, Failure)]
    assert [(f.line, f.severity) for f in failures] == [(40, "error")]
    assert "no TI or T1" in failures[0].message and "Journal of Things Without Titles" in failures[0].raw
    assert sum(isinstance(i, Entry) for i in items) == 5


@pytest.mark.parametrize("ty, expected", [
    ("JOUR", "article"), ("CONF", "inproceedings"), ("CPAPER", "inproceedings"), ("BOOK", "book"),
    ("CHAP", "incollection"), ("THES", "phdthesis"), ("RPRT", "techreport"), ("COMP", "software"),
    ("ELEC", "online"), ("GEN", "misc"), ("UNPB", "unpublished"), ("EJOUR", "article"), ("PAT", "misc"),
])
def test_types(ty, expected):
    records, _ = split_records(f"TY  - {ty}\nTI  - T\nER  - \n")
    assert entry_from_record(records[0], Origin("ris")).type == expected


@pytest.mark.parametrize("name, person", [
    ("LeCun, Yann", Person("LeCun", "Yann")),
    ("Jeffrey Dean", Person("Dean", "Jeffrey")),
    ("Pietzuch, P.R.", Person("Pietzuch", "P. R.")),
    ("Carbone, P", Person("Carbone", "P.")),
    ("Steele, Guy L., Jr.", Person("Steele", "Guy L.", "Jr.")),
    ("Ludwig van Beethoven", Person("van Beethoven", "Ludwig")),
])
def test_names_in_either_order(name, person):
    assert person_from_ris(name) == person


@pytest.mark.parametrize("lines, expected", [
    (("PY  - 2017///",), ("2017", "")),
    (("PY  - 2017/05/12/",), ("2017", "may")),
    (("Y1  - 2008/01//",), ("2008", "jan")),
    (("DA  - 2015/05/28/", "PY  - 2015"), ("2015", "may")),
    (("PY  - 2017", "DA  - AUG"), ("2017", "aug")),
    (("DA  - 2019/12//",), ("2019", "dec")),
])
def test_dates(lines, expected):
    assert ris_year_month(record(*lines)) == expected


def test_container_tags_and_pages():
    article = entry_from_record(record("TI  - T", "JA  - J. Abbr.", "JO  - Journal Full", "SP  - 5", "EP  - 9"),
                                Origin("ris"))
    assert (article.get("journal"), article.get("pages")) == ("Journal Full", "5--9")
    records, _ = split_records("TY  - CPAPER\nTI  - T\nT2  - Proc. Conf\nSP  - 12-20\nER  - \n")
    paper = entry_from_record(records[0], Origin("ris"))
    assert (paper.get("booktitle"), paper.get("pages")) == ("Proc. Conf", "12--20")


def test_doi_from_url_and_keywords():
    entry = entry_from_record(record("TI  - T", "UR  - https://doi.org/10.1145/1.2", "KW  - a", "KW  - b",
                                     "AB  - first part", "continued here"), Origin("ris"))
    assert (entry.get("doi"), entry.get("url"), entry.get("keywords")) == ("10.1145/1.2", "", "a, b")
    assert entry.get("abstract") == "first part continued here"


def test_unclosed_record_and_stray_lines_are_warnings():
    items = parse("junk before\nTY  - JOUR\nTI  - Kept\nPY  - 2020\n")
    assert [type(i).__name__ for i in items] == ["Failure", "Failure", "Entry"]
    assert all(f.severity == "warning" for f in items[:2])
    assert (items[0].line, items[1].line) == (1, 2)


def test_not_ris_at_all():
    items = parse("AU  - Someone\nTI  - No TY line\n")
    assert len(items) == 1 and items[0].severity == "error" and "no RIS record" in items[0].message


def test_sniff():
    assert source.sniff("\ufeff\r\nTY  - JOUR\r\n")
    assert not source.sniff("@article{x,}\n")
    assert not source.sniff("")


_RIS_LINES = st.lists(st.one_of(
    st.sampled_from(["TY  - JOUR", "TY  - CONF", "ER  - ", "TI  - A title", "AU  - Doe, J", "PY  - 2017///",
                     "SP  - 5", "EP  - ", "DA  - //", "SN  - 1234-5678", "UR  - https://doi.org/x", ""]),
    st.text(max_size=30)), max_size=25)


@settings(max_examples=150, deadline=None)
@given(_RIS_LINES)
def test_any_text_gives_entries_or_failures_never_a_traceback(lines):
    items = parse("\n".join(lines))
    assert all(isinstance(i, (Entry, Failure)) for i in items)
    assert all(i.title for i in items if isinstance(i, Entry))


def test_people_repeated_under_au_and_a1_are_taken_once():
    entry = entry_from_record(record("TI  - T", "AU  - Doe, Jane", "A1  - Doe, Jane", "A2  - Ed, Ward"), Origin("ris"))
    assert entry.authors == (Person("Doe", "Jane"),) and entry.editors == (Person("Ed", "Ward"),)
