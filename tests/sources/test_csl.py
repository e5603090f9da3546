"""The csl-json source: a Zotero/Mendeley golden file and the mapping rules."""

from __future__ import annotations

import json

import pytest

from bibsync.bibtex.write import format_entry
from bibsync.errors import InputError
from bibsync.model import Entry, Failure, Person
from bibsync.sources import ParseContext
from bibsync.sources.csl_json import csl_year_month, entry_from_csl, person_from_csl, source
from source_golden import cases, check_golden


def parse(data, name: str = "x.json") -> list[Entry | Failure]:
    text = data if isinstance(data, str) else json.dumps(data)
    return list(source.parse(text, ParseContext(filename=name)))


@pytest.mark.parametrize("case", cases("csl", ".json"), ids=lambda p: p.stem)
def test_golden(case):
    check_golden(case, parse(case.read_text(encoding="utf-8"), case.name))


@pytest.mark.parametrize("csl_type, expected", [
    ("article-journal", "article"), ("paper-conference", "inproceedings"), ("chapter", "incollection"),
    ("book", "book"), ("thesis", "phdthesis"), ("report", "techreport"), ("webpage", "online"),
    ("software", "software"), ("manuscript", "unpublished"), ("article", "misc"), ("dataset", "misc"),
    ("speech", "misc"),
])
def test_types(csl_type, expected):
    assert entry_from_csl({"type": csl_type, "title": "T"}).type == expected


def test_literal_author_is_an_institution():
    entry = entry_from_csl({"type": "report", "title": "T", "author": [{"literal": "OECD"}]})
    assert entry.authors == (Person("OECD", literal=True),)
    assert "author = {{OECD}}" in format_entry(entry)


def test_names_with_particles_and_suffix():
    assert person_from_csl({"family": "Aalst", "given": "Wil", "non-dropping-particle": "van der"}) == \
        Person("van der Aalst", "Wil")
    assert person_from_csl({"family": "King", "given": "Martin Luther", "suffix": "Jr."}) == \
        Person("King", "Martin Luther", "Jr.")
    assert person_from_csl({"given": "Plato"}) == Person("Plato")
    assert person_from_csl(42) is None


@pytest.mark.parametrize("date, expected", [
    ({"date-parts": [["2015", "5", "28"]]}, ("2015", "may")),
    ({"date-parts": [[2019]]}, ("2019", "")),
    ({"date-parts": [["2020", "13"]]}, ("2020", "")),
    ({"raw": "2022-03"}, ("2022", "mar")),
    ({"literal": "Spring 1997"}, ("1997", "")),
    ({"date-parts": [[]]}, ("", "")),
    (None, ("", "")),
])
def test_dates(date, expected):
    assert csl_year_month(date) == expected


def test_pages_doi_container_and_markup():
    entry = entry_from_csl({"type": "article-journal", "title": "On <i>Deep</i> &amp; Wide Nets",
                            "container-title": "J. Things", "page": "7–19", "DOI": "https://doi.org/10.1000/ABC",
                            "URL": "https://doi.org/10.1000/ABC"})
    assert (entry.title, entry.get("journal"), entry.get("pages"), entry.get("doi")) == (
        "On Deep & Wide Nets", "J. Things", "7--19", "10.1000/ABC")
    assert "url" not in entry.fields  # only the DOI's own link


def test_record_without_title_and_non_objects_are_reported_by_index():
    items = parse([{"type": "book", "title": "Kept"}, {"type": "book", "id": "x"}, "oops"])
    assert [type(i).__name__ for i in items] == ["Entry", "Failure", "Failure"]
    assert (items[1].record, items[1].where()) == ("2", "x.json, record 2")
    assert "'x' has no title" in items[1].message and items[2].record == "3"


def test_single_object_and_items_wrapper():
    assert [e.title for e in parse({"type": "book", "title": "One"})] == ["One"]
    assert [e.title for e in parse({"items": [{"type": "book", "title": "Two"}]})] == ["Two"]


def test_bad_json_is_an_input_error_with_line():
    with pytest.raises(InputError) as info:
        parse('[\n  {"type": "book",\n  "title": }\n]', "bad.json")
    assert info.value.where == "bad.json:3" and "not valid JSON" in info.value.message


def test_sniff():
    assert source.sniff('\ufeff[{"type": "article-journal", "issued": {"date-parts": [[2020]]}}]')
    assert not source.sniff('[{"type": "article", "objectid": 5, "title": "respub record"}]')
    assert not source.sniff('{"status":"ok","message":{"type":"journal-article"}}')
