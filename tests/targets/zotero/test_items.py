"""Entry <-> Zotero item mapping: types, creators, keys, Extra, dates; lossless both ways."""

from __future__ import annotations

import string
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zotero_server import META_FIELDS, SCHEMA, type_fields

from bibsync.model import Entry, Person
from bibsync.plan import FieldChange
from bibsync.targets.zotero.items import (citation_key_of, entry_from_item, item_from_entry, item_type_for, parse_date,
                                          parse_extra, patch_from_changes, with_citation_key)
from bibsync.text import MONTHS

PAPER = Entry(
    "inproceedings",
    {"title": "Hops: Fine-grained heterogeneous sensing", "booktitle": "Proceedings of the ACM Symposium on Cloud Computing",
     "series": "SoCC '24", "year": "2024", "month": "nov", "pages": "15--30", "publisher": "Association for Computing Machinery",
     "address": "New York, NY, USA", "doi": "10.1145/3698038.3698515", "isbn": "9798400712869",
     "url": "https://dl.acm.org/doi/10.1145/3698038.3698515", "note": "Artifact evaluated"},
    (Person("Wang", "Qinghe"), Person("Müller", "Jörg", "Jr."), Person("ACM Research", literal=True)),
    key="wang2024hops",
)


def assert_valid_for_server(data: dict, citation_key: bool = True) -> None:
    """Every field is one the test server (and Zotero's schema) accepts for the item type."""
    allowed = set(type_fields(data["itemType"], citation_key)) | META_FIELDS
    assert set(data) <= allowed, set(data) - allowed
    creator_types = SCHEMA[data["itemType"]][1]
    assert all(c["creatorType"] in creator_types for c in data.get("creators", []))


def test_conference_paper_maps_to_native_fields():
    data = item_from_entry(PAPER, native_key=True)
    assert data["itemType"] == "conferencePaper"
    assert data["proceedingsTitle"] == "Proceedings of the ACM Symposium on Cloud Computing"
    assert data["series"] == "SoCC '24"
    assert data["date"] == "2024-11"
    assert data["pages"] == "15-30"  # as Zotero stores a range; BibTeX's -- only on the way out
    assert data["place"] == "New York, NY, USA"
    assert data["DOI"] == "10.1145/3698038.3698515"
    assert data["ISBN"] == "9798400712869"
    assert data["citationKey"] == "wang2024hops"
    assert data["creators"] == [
        {"creatorType": "author", "firstName": "Qinghe", "lastName": "Wang"},
        {"creatorType": "author", "firstName": "Jörg, Jr.", "lastName": "Müller"},
        {"creatorType": "author", "name": "ACM Research"},
    ]
    assert data["extra"] == "tex.note: Artifact evaluated"
    assert_valid_for_server(data)
    assert entry_from_item(data) == PAPER


def test_key_goes_to_extra_when_the_server_has_no_citation_key_field():
    data = item_from_entry(PAPER, native_key=False)
    assert "citationKey" not in data
    assert data["extra"] == "Citation Key: wang2024hops\ntex.note: Artifact evaluated"
    assert_valid_for_server(data, citation_key=False)
    assert entry_from_item(data) == PAPER


def test_reading_accepts_both_key_places_native_first():
    assert citation_key_of({"citationKey": "native", "extra": "Citation Key: old"}) == "native"
    assert citation_key_of({"citationKey": "", "extra": "PMID: 1\nCitation Key: fromextra"}) == "fromextra"
    assert citation_key_of({"extra": "citation key:  spaced "}) == "spaced"
    assert citation_key_of({"extra": "nothing here"}) is None


def test_types_both_ways():
    cases = {
        "inproceedings": "conferencePaper", "article": "journalArticle", "software": "computerProgram",
        "incollection": "bookSection", "book": "book", "techreport": "report", "phdthesis": "thesis",
        "mastersthesis": "thesis", "misc": "document", "online": "document", "unpublished": "document",
    }
    for entry_type, item_type in cases.items():
        entry = Entry(entry_type, {"title": "T", "year": "2020"}, (Person("Doe", "Jane"),), key="k")
        data = item_from_entry(entry)
        assert data["itemType"] == item_type, entry_type
        assert_valid_for_server(data)
        assert entry_from_item(data) == entry, entry_type
    arxiv = Entry("misc", {"title": "T", "eprint": "2401.01234", "archiveprefix": "arXiv", "primaryclass": "cs.DC"})
    data = item_from_entry(arxiv)
    assert (data["itemType"], data["repository"], data["archiveID"]) == ("preprint", "arXiv", "arXiv:2401.01234")
    assert data["extra"] == "tex.primaryclass: cs.DC"
    assert entry_from_item(data) == arxiv


def test_software_creators_are_programmers_and_editors_without_a_zotero_role_go_to_extra():
    tool = Entry("software", {"title": "bibsync", "version": "1.2", "year": "2025"},
                 (Person("Doe", "Jane"),), (Person("Roe", "Rick"),))
    data = item_from_entry(tool)
    assert data["creators"] == [{"creatorType": "programmer", "firstName": "Jane", "lastName": "Doe"}]
    assert data["versionNumber"] == "1.2"
    assert data["extra"] == "tex.editor: Roe, Rick"
    assert entry_from_item(data) == tool


def test_thesis_type_default_and_entry_type_kept():
    phd = Entry("phdthesis", {"title": "T", "school": "Imperial College London", "year": "2019"})
    data = item_from_entry(phd)
    assert (data["thesisType"], data["university"], data["extra"]) == ("PhD thesis", "Imperial College London", "")
    assert entry_from_item(data) == phd
    inbook = Entry("inbook", {"title": "T", "booktitle": "B", "chapter": "3"})
    data = item_from_entry(inbook)
    assert data["itemType"] == "bookSection"
    assert data["extra"] == "tex.chapter: 3\ntex.entrytype: inbook"
    assert entry_from_item(data) == inbook


def test_unusual_years_survive_and_and_others_is_not_written():
    entry = Entry("article", {"title": "T", "journal": "J", "year": "in press", "month": "spring"},
                  (Person("Doe", "Jane"),), authors_truncated=True)
    data = item_from_entry(entry)
    assert data.get("date", "") == ""
    assert data["extra"] == "tex.month: spring\ntex.year: in press"  # no tex.andothers: Zotero does not need it
    assert entry_from_item(data) == replace(entry, authors_truncated=False)
    assert entry_from_item({**data, "extra": "tex.andothers: yes"}).authors_truncated  # older items still read


def test_keywords_become_tags_when_that_is_lossless():
    entry = Entry("article", {"title": "T", "keywords": "cloud, serverless"})
    assert item_from_entry(entry)["tags"] == [{"tag": "cloud"}, {"tag": "serverless"}]
    odd = Entry("article", {"title": "T", "keywords": "cloud,serverless"})
    data = item_from_entry(odd)
    assert "tags" not in data and data["extra"] == "tex.keywords: cloud,serverless"
    assert entry_from_item(data) == odd


def test_reading_an_item_made_in_zotero():
    data = {
        "key": "ABCD2345", "version": 7, "itemType": "journalArticle", "title": "Serverless in the wild",
        "creators": [{"creatorType": "author", "firstName": "Mohammad", "lastName": "Shahrad"},
                     {"creatorType": "reviewedAuthor", "firstName": "X", "lastName": "Y"}],
        "publicationTitle": "Commun. ACM", "volume": "64", "issue": "5", "pages": "12-15",
        "date": "May 3, 2021", "DOI": "https://doi.org/10.1145/3450000", "url": "", "ISSN": "0001-0782",
        "extra": "PMID: 123\nbibtex.note: cited twice\nCitation Key: shahrad2021serverless",
        "tags": [{"tag": "faas", "type": 1}], "collections": [], "relations": {}, "libraryCatalog": "ACM",
    }
    entry = entry_from_item(data)
    assert entry.type == "article"
    assert entry.key == "shahrad2021serverless"
    assert dict(entry.fields) == {
        "title": "Serverless in the wild", "journal": "Commun. ACM", "volume": "64", "number": "5",
        "pages": "12--15", "year": "2021", "month": "may", "doi": "10.1145/3450000", "issn": "0001-0782",
        "keywords": "faas", "note": "cited twice", "extra": "PMID: 123",
    }
    assert entry.authors == (Person("Shahrad", "Mohammad"),)


def test_dates():
    assert parse_date("2024") == ("2024", "")
    assert parse_date("2024-11-05") == ("2024", "nov")
    assert parse_date("2024-00-00") == ("2024", "")
    assert parse_date("November 2024") == ("2024", "nov")
    assert parse_date("n.d.") == ("n.d.", "")
    assert parse_date("") == ("", "")


def test_a_patch_says_the_field_changes_and_nothing_else():
    base = item_from_entry(PAPER, native_key=True)
    base.update({"key": "ABCD2345", "version": 9, "libraryCatalog": "ACM Digital Library", "conferenceName": "",
                 "collections": ["COLL2345"], "relations": {"dc:relation": ["x"]}, "volume": "", "pages": "15–30",
                 "tags": [{"tag": "a", "type": 1}]})
    base["creators"].append({"creatorType": "translator", "firstName": "T", "lastName": "Rans"})
    base["extra"] = "PMID: 42\n\ntex.note:  Artifact evaluated\nCitation Key: old"
    target = entry_from_item(base)
    assert target.get("extra") == "PMID: 42"
    changes = [FieldChange("volume", None, "3"), FieldChange("keywords", "a", "a, b"),
               FieldChange("edition", None, "2"), FieldChange("note", "Artifact evaluated", "")]
    result = target.with_fields(volume="3", keywords="a, b", edition="2", note=None)
    patch = patch_from_changes(base, changes, result, native_key=True)
    # pages stay "15–30" (en dash, as stored), Extra keeps its blank line and key line in place
    assert patch == {"volume": "3", "tags": [{"tag": "a", "type": 1}, {"tag": "b"}],
                     "extra": "PMID: 42\n\nCitation Key: old\ntex.edition: 2"}
    after = {**base, **patch}
    assert entry_from_item(after) == result.with_key("wang2024hops")
    pages = patch_from_changes(base, [FieldChange("pages", "15--30", "15--31")], target.with_fields(pages="15--31"))
    assert pages == {"pages": "15-31"}


def test_a_patch_moves_a_key_where_the_item_keeps_it():
    native = {"itemType": "document", "title": "T", "citationKey": "", "extra": "Citation Key: a\nPMID: 1"}
    assert patch_from_changes(native, [FieldChange("@key", "a", "b")], Entry("misc", key="b")) == {
        "extra": "Citation Key: b\nPMID: 1"}
    native["citationKey"] = "a"
    assert patch_from_changes(native, [FieldChange("@key", "a", "b")], Entry("misc", key="b")) == {"citationKey": "b"}


def test_with_citation_key_writes_only_the_key():
    base = {"itemType": "document", "title": "T", "extra": "PMID: 1\ntex.b: 2\ntex.a: 1"}
    assert with_citation_key(base, "k1", native_key=True) == {**base, "citationKey": "k1"}
    assert with_citation_key(base, "k1", native_key=False)["extra"] == "PMID: 1\ntex.b: 2\ntex.a: 1\nCitation Key: k1"
    assert parse_extra("PMID: 1\nCitation Key: k1\ntex.x: y") == ("k1", {"x": "y"}, ["PMID: 1"])


# --- property: entry -> item -> entry keeps every canonical field ------------------------------------

_WORD = st.text(alphabet=string.ascii_letters + string.digits + "éøßçüÅ'&-.()", min_size=1, max_size=8)
_TEXT = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
_FIELD_NAMES = ["title", "booktitle", "journal", "volume", "number", "publisher", "address", "issn", "isbn",
                "url", "series", "edition", "note", "howpublished", "institution", "school", "organization",
                "eprint", "archiveprefix", "primaryclass", "type", "version", "language", "shorttitle",
                "chapter", "date", "eventtitle", "urldate", "shortjournal", "editora"]
_VALUES = {
    "year": st.one_of(st.integers(1900, 2099).map(str), _TEXT),
    "month": st.one_of(st.sampled_from(MONTHS), _TEXT),
    "pages": st.one_of(st.integers(1, 999).map(str), st.tuples(st.integers(1, 99), st.integers(100, 999))
                       .map(lambda p: f"{p[0]}--{p[1]}")),
    "doi": st.tuples(st.integers(1000, 99999), _WORD).map(lambda p: f"10.{p[0]}/{p[1].lower()}x"),
    "abstract": st.lists(_TEXT, min_size=1, max_size=3).map("\n\n".join),
    "keywords": st.one_of(st.lists(_WORD, min_size=1, max_size=3).map(", ".join),
                          st.lists(_WORD, min_size=2, max_size=3).map(";".join)),
}
_NAME = st.text(alphabet=string.ascii_letters + "éøÅ-'", min_size=1, max_size=10)
_PERSON = st.one_of(
    st.builds(Person, last=_NAME, first=st.one_of(st.just(""), _NAME, st.just("J. R.")),
              suffix=st.sampled_from(["", "", "Jr.", "III"])),
    st.builds(Person, last=_TEXT, literal=st.just(True)),
)
_ENTRY_TYPES = ["inproceedings", "article", "software", "incollection", "inbook", "book", "techreport",
                "report", "phdthesis", "mastersthesis", "thesis", "misc", "online", "unpublished", "manual",
                "proceedings", "conference"]


@st.composite
def entries(draw) -> Entry:
    fields = draw(st.dictionaries(st.sampled_from(_FIELD_NAMES), _TEXT, max_size=8))
    for name, strategy in _VALUES.items():
        if draw(st.booleans()):
            fields[name] = draw(strategy)
    fields.setdefault("title", draw(_TEXT))
    authors = draw(st.lists(_PERSON, max_size=4))
    return Entry(draw(st.sampled_from(_ENTRY_TYPES)), fields, tuple(authors), tuple(draw(st.lists(_PERSON, max_size=2))),
                 draw(st.booleans()) and bool(authors),
                 draw(st.one_of(st.none(), st.from_regex(r"[a-z][a-z0-9:_-]{0,15}", fullmatch=True))))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries(), st.booleans())
def test_entry_to_item_to_entry_keeps_everything(entry, native_key):
    data = item_from_entry(entry, native_key=native_key)
    assert data["itemType"] == item_type_for(entry)
    assert_valid_for_server(data, citation_key=native_key)
    assert entry_from_item(data) == replace(entry, authors_truncated=False)  # Zotero has no "and others"
