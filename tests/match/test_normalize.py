"""Every normalisation the matcher relies on: identifiers, titles, people, venues, types, pages."""

from __future__ import annotations

import pytest

from bibsync.match import Matcher, MatchSettings
from bibsync.match.distance import shared_people, venue_similarity
from bibsync.match.normalize import (
    arxiv_key, doi_key, entry_arxiv, entry_doi, entry_isbns, entry_pmid, features, fold, is_generic_title,
    isbn13, person_key, split_title, title_key, type_family, venue_key,
)
from bibsync.model import Entry, Person
from bibsync.names import person_from_bibtex, person_from_natural

S = MatchSettings()


def entry(kind: str = "article", **fields: str) -> Entry:
    return Entry(kind, fields)


# --- DOI ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "10.1145/3445814.3446731", "10.1145/3445814.3446731".upper(), "https://doi.org/10.1145/3445814.3446731",
    "http://dx.doi.org/10.1145/3445814.3446731", "https://dx.doi.org/10.1145/3445814.3446731",
    "doi:10.1145/3445814.3446731", "DOI: 10.1145/3445814.3446731", " doi:10.1145/3445814.3446731. ",
    "https://doi.org/10.1145%2F3445814.3446731",
])
def test_doi_forms_fold_to_one(raw):
    assert doi_key(raw) == "10.1145/3445814.3446731"


def test_doi_from_url_field_and_not_from_other_links():
    assert entry_doi(entry(url="https://doi.org/10.1109/ICDCS.2018.00010")) == "10.1109/icdcs.2018.00010"
    assert entry_doi(entry(url="https://example.org/paper.pdf")) == ""


def test_equal_dois_in_different_forms_decide_a_match():
    a = entry(title="A", doi="https://doi.org/10.1145/ABC", year="2020")
    b = entry(title="Something else entirely", doi="doi:10.1145/abc", year="2003")
    c = Matcher([]).compare(a, b)
    assert (c.verdict, c.score, c.decided_by, c.explanation) == ("match", 1.0, "doi", "doi = -> match 1.00")


def test_different_published_dois_are_different_entries():
    a = entry(title="Same title", doi="10.1145/1", year="2020")
    b = entry(title="Same title", doi="10.1109/2", year="2020")
    c = Matcher([]).compare(a, b)
    assert (c.verdict, c.score, c.decided_by, c.explanation) == ("new", 0.0, "doi", "doi ≠ -> new 0.00")


# --- arXiv ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["2401.01234", "2401.01234v2", "arXiv:2401.01234", "arXiv:2401.01234v3",
                                 "ARXIV: 2401.01234", "https://arxiv.org/abs/2401.01234v2",
                                 "http://arxiv.org/pdf/2401.01234v1.pdf", "10.48550/arXiv.2401.01234"])
def test_arxiv_id_forms(raw):
    assert arxiv_key(raw) == "2401.01234"


def test_old_style_arxiv_ids():
    assert arxiv_key("hep-th/9901001v2") == "hep-th/9901001"
    assert arxiv_key("arXiv:math.GT/0309136") == "math.gt/0309136"


@pytest.mark.parametrize("fields", [
    {"eprint": "2401.01234v2", "archiveprefix": "arXiv"},
    {"eprint": "arXiv:2401.01234"},
    {"eprint": "2401.01234", "eprinttype": "arxiv"},
    {"url": "https://arxiv.org/abs/2401.01234v2"},
    {"doi": "10.48550/arXiv.2401.01234"},
    {"journal": "arXiv preprint arXiv:2401.01234"},
    {"note": "arXiv:2401.01234 [cs.DC]"},
])
def test_arxiv_id_from_any_field(fields):
    assert entry_arxiv(entry(**fields)) == "2401.01234"


def test_eprint_of_another_archive_is_not_arxiv():
    assert entry_arxiv(entry(eprint="12345678", eprinttype="pubmed")) == ""


def test_arxiv_doi_is_a_preprint_not_a_published_doi():
    f = features(entry(doi="10.48550/arXiv.2401.01234", title="T"), S)
    assert (f.doi, f.arxiv, f.preprint, f.published) == ("", "2401.01234", True, False)


def test_same_arxiv_id_with_and_without_version_matches():
    a = entry("misc", title="X", eprint="2401.01234v1", archiveprefix="arXiv")
    b = entry("misc", title="Y", url="https://arxiv.org/abs/2401.01234v3")
    c = Matcher([]).compare(a, b)
    assert (c.verdict, c.decided_by) == ("match", "arxiv")


def test_different_arxiv_ids_are_different_works():
    a = entry("misc", title="X", eprint="2401.01234")
    b = entry("misc", title="X", eprint="2401.01235")
    assert Matcher([]).compare(a, b).verdict == "new"


# --- ISBN and PMID ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("0-306-40615-2", "9780306406157"), ("0306406152", "9780306406157"), ("978-0-306-40615-7", "9780306406157"),
    ("ISBN 978 0 306 40615 7", "9780306406157"), ("0-8044-2957-X", "9780804429573"), ("12345", ""),
])
def test_isbn_10_becomes_13(raw, expected):
    assert isbn13(raw) == expected


def test_several_isbns_in_one_field():
    assert entry_isbns(entry(isbn="0-306-40615-2, 978-3-16-148410-0")) == {"9780306406157", "9783161484100"}


def test_isbn_decides_between_books_only():
    book10 = Entry("book", {"title": "Transaction Processing", "isbn": "1-55860-190-2", "year": "1992"})
    book13 = Entry("book", {"title": "Transaction processing: concepts and techniques", "isbn": "978-1-55860-190-1"})
    assert Matcher([]).compare(book10, book13).decided_by == "isbn"
    chapter1 = Entry("incollection", {"title": "Isolation concepts", "isbn": "1-55860-190-2", "year": "1992"})
    chapter2 = Entry("incollection", {"title": "Log manager", "isbn": "1-55860-190-2", "year": "1992"})
    c = Matcher([]).compare(chapter1, chapter2)
    assert c.decided_by is None and c.verdict == "new"


def test_different_isbns_of_books_are_never_merged_blindly():
    first = Entry("book", {"title": "Database Systems", "isbn": "0-306-40615-2", "year": "2020"},
                  authors=(Person("Doe", "J."),))
    second = first.with_fields(isbn="978-3-16-148410-0")
    c = Matcher([]).compare(first, second)
    assert c.verdict == "review" and "isbn differs" in c.flags


@pytest.mark.parametrize("fields", [{"pmid": "12345678"}, {"eprint": "12345678", "eprinttype": "pubmed"},
                                    {"url": "https://pubmed.ncbi.nlm.nih.gov/12345678/"}])
def test_pmid_forms(fields):
    assert entry_pmid(entry(**fields)) == "12345678"


def test_pmid_decides():
    a, b = entry(title="A", pmid="1"), entry(title="A", pmid="2")
    assert Matcher([]).compare(a, b).decided_by == "pmid"
    assert Matcher([]).compare(a, entry(title="B", pmid="1")).verdict == "match"


# --- titles -------------------------------------------------------------------------------------

def test_title_latex_accents_braces_punctuation():
    assert title_key(r"{\"U}ber {GPU}s: A {\em Study} of {C}afé-Latency!") == "uber gpus a study of cafe latency"
    assert title_key("Über GPUs — a study of café latency") == "uber gpus a study of cafe latency"


def test_title_keeps_other_scripts():
    assert title_key("分布式 系统") == "分布式 系统"


def test_main_title_and_subtitle():
    assert split_title("CubicleOS: A library OS") == ("cubicleos a library os", "cubicleos", "a library os")
    assert split_title("Where's the beef? Rethinking XML") == ("where s the beef rethinking xml", "where s the beef",
                                                               "rethinking xml")
    assert split_title("Plain title") == ("plain title", "", "")
    assert split_title("Database tuning (part II)")[1:] == ("database tuning", "part ii")


@pytest.mark.parametrize("raw", ["Data access (tutorial session)", "Tutorial: Data Access",
                                 "Data Access (Panel Abstract)", "Data access (demo abstract)"])
def test_presentation_labels_are_dropped(raw):
    assert title_key(raw) == "data access"


def test_number_words_written_as_digits():
    assert title_key("The Fourth International Workshop") == title_key("The 4th international workshop")


def test_truncated_subtitle_is_a_match_signal():
    full = Entry("article", {"title": "Spons & Shields: practical isolation for trusted execution", "year": "2021"},
                 authors=(Person("Sartakov", "V."), Person("Pietzuch", "P.")))
    short = full.with_fields(title="Spons & Shields")
    c = Matcher([]).compare(short, full)
    assert c.explanation.startswith("title 1.00 (main title) +5.4")
    assert c.verdict == "match"


def test_short_words_that_differ_tell_works_apart():
    a = Entry("article", {"title": "Fast joins on CPUs", "year": "2020"}, authors=(Person("Doe", "J."),))
    b = a.with_fields(title="Fast joins on GPUs")
    c = Matcher([]).compare(a, b)
    assert c.verdict == "review" and "title words differ" in c.flags
    part1 = a.with_fields(title="Database tuning (part I)")
    assert "title words differ" in Matcher([]).compare(part1, part1.with_fields(title="Database tuning (part II)")).flags


def test_typo_in_a_long_word_is_tolerated():
    a = Entry("article", {"title": "Upsizing from file server to client server architectures", "year": "1995"},
              authors=(Person("Doe", "J."),))
    b = a.with_fields(title="Upsizing from File Server to Clent Server Architectures")
    assert Matcher([]).compare(a, b).verdict == "match"


def test_erratum_is_not_the_paper():
    a = Entry("article", {"title": "A database model for object dynamics", "year": "1997"},
              authors=(Person("Papazoglou", "M."),))
    c = Matcher([]).compare(a, a.with_fields(title="Erratum: A database model for object dynamics"))
    assert "correction notice" in c.flags and c.verdict != "match"


def test_generic_title_check():
    assert is_generic_title(title_key("Message from the ICDCS 2018 program chair"), S)
    assert not is_generic_title(title_key("Editorial message: Special track on dependable systems"), S)


# --- people -------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    (person_from_natural("Marcel Wagenlander"), person_from_natural("Marcel Wagenländer")),
    (person_from_bibtex("Kopsell, S."), person_from_bibtex("Köpsell, Stefan")),
    (person_from_bibtex(r"K{\"o}psell, S."), person_from_bibtex("Köpsell, S.")),
    (person_from_natural("Brabete AO"), person_from_bibtex("Brabete, A.-O.")),
    (Person("Brabete", "A. O."), person_from_bibtex("Brabete, A.-O.")),
    (person_from_natural("J. A. Doe"), person_from_bibtex("Doe, JA")),
    (person_from_natural("Lluís Vilanova"), person_from_bibtex(r"Vilanova, Llu{\'\i}s")),
])
def test_same_person_same_surname_key(a, b):
    assert person_key(a).surname == person_key(b).surname


def test_author_lists_as_sets_any_order():
    a = tuple(person_key(person_from_natural(n)) for n in ["Peter Pietzuch", "Lluís Vilanova", "V. Sartakov"])
    b = tuple(person_key(person_from_bibtex(n)) for n in ["Sartakov, Vasily", "Pietzuch, P. R.", "Vilanova, L."])
    assert shared_people(a, b) == 3


def test_compound_and_misspelt_surnames():
    a = tuple(person_key(person_from_natural(n)) for n in ["Rafael Camps", "Bill Rosneblatt", "Mourad Quzzani"])
    b = tuple(person_key(person_from_natural(n)) for n in ["Rafael Camps Paré", "Bill Rosenblatt", "Mourad Ouzzani"])
    assert shared_people(a, b) == 3


def test_different_people_with_similar_names_need_the_same_initial():
    a = (person_key(person_from_natural("Wei Wang")),)
    b = (person_key(person_from_natural("Lu Wong")),)
    assert shared_people(a, b) == 0


def test_authors_explanation_counts():
    people = tuple(Person(n, "X.") for n in ["Ann", "Bohr", "Curie", "Dirac"])
    a = Entry("article", {"title": "One title here", "year": "2020"}, authors=people[:3])
    b = Entry("article", {"title": "One title here", "year": "2020"}, authors=people)
    c = Matcher([]).compare(a, b)
    assert "authors 3/3 of 4" in c.explanation
    assert c.parts["authors"] == pytest.approx(0.75 + 0.25 * 3 / 4)
    truncated = Entry("article", dict(a.fields), authors=people[:2], authors_truncated=True)
    assert Matcher([]).compare(truncated, b).parts["authors"] == 1.0


# --- years, venues, types, pages ------------------------------------------------------------------

@pytest.mark.parametrize("other, value, item", [("2020", 1.0, "year ="), ("2021", 0.5, "year ±1"),
                                                ("2017", 0.0, "year ≠ (2020/2017)")])
def test_year_part(other, value, item):
    a = Entry("article", {"title": "Some long enough title", "year": "2020"})
    c = Matcher([]).compare(a, a.with_fields(year=other))
    assert c.parts["year"] == value and item in c.explanation


@pytest.mark.parametrize("x, y, value", [
    ("VLDB", "Very Large Data Bases", 1.0),
    ("SIGMOD Conference", "International Conference on Management of Data", 1.0),
    ("ACM Trans. Database Syst.", "ACM Transactions on Database Systems (TODS)", 1.0),
    ("VLDB J.", "The VLDB Journal — The International Journal on Very Large Data Bases", 1.0),
    ("SIGMOD Record", "ACM SIGMOD Record", 1.0),
    ("Journal of Cloud Computing", "Proceedings of the ACM Symposium on Applied Computing", 0.0),
])
def test_venue_similarity(x, y, value):
    assert venue_similarity(venue_key(x), venue_key(y), S)[0] == value


def test_unrelatable_venue_names_are_half_evidence():
    value, item, known = venue_similarity(venue_key("OSDI"), venue_key("VLDB"), S)
    assert (value, item, known) == (0.5, "venue ?", False)


def test_preprint_server_is_no_venue():
    assert venue_key("arXiv preprint arXiv:2401.01234").words == ()
    assert venue_key("CoRR").words == ()


@pytest.mark.parametrize("kind, fields, family", [
    ("article", {}, "paper"), ("inproceedings", {}, "paper"), ("software", {}, "artefact"),
    ("misc", {}, "loose"), ("online", {}, "loose"), ("misc", {"howpublished": "Software"}, "artefact"),
    ("misc", {"url": "https://github.com/lsds/CubicleOS"}, "artefact"),
    ("misc", {"doi": "10.5281/zenodo.4321"}, "artefact"), ("book", {}, "book"), ("phdthesis", {}, "thesis"),
])
def test_type_families(kind, fields, family):
    assert type_family(Entry(kind, fields)) == family


@pytest.mark.parametrize("x, y, value", [("misc", "software", 0.75), ("online", "software", 0.75),
                                         ("misc", "online", 0.75), ("article", "inproceedings", 0.75),
                                         ("software", "article", 0.0), ("book", "inproceedings", 0.0),
                                         ("article", "article", 1.0)])
def test_type_part(x, y, value):
    a = Entry(x, {"title": "A sufficiently long title", "year": "2020"})
    b = Entry(y, {"title": "A sufficiently long title", "year": "2020"})
    assert Matcher([]).compare(a, b).parts["type"] == value


def test_pages_part():
    a = Entry("article", {"title": "A sufficiently long title", "pages": "546--558"})
    assert Matcher([]).compare(a, a.with_fields(pages="546-558")).parts["pages"] == 1.0
    assert Matcher([]).compare(a, a.with_fields(pages="12--20")).parts["pages"] == 0.0
    assert "pages" not in Matcher([]).compare(a, a.with_fields(pages=None)).parts


def test_fold_decodes_html_entities_then_latex():
    assert fold(r"Wagenl{\"a}nder &amp; K\"opsell") == "wagenlander & kopsell"
    assert fold(r"Llu{\'\i}s \v{R}eh\r{u}\v rek G{\"o}{\ss}ling {\L}ukasiewicz \c{C}etin") == \
        "lluis rehurek gossling lukasiewicz cetin"
    assert fold(r"\emph{Fast} {GPU}s") == "fast gpus"
    assert fold("Lud&#228;scher") == "ludascher"


def test_pages_or_publisher_make_a_record_published():
    printed = Entry("inproceedings", {"title": "Faasm", "year": "2020", "pages": "419--433"})
    preprint = Entry("misc", {"title": "Faasm", "year": "2020", "eprint": "2002.09344", "archiveprefix": "arXiv"})
    assert features(printed, S).published and not features(printed, S).preprint
    assert features(preprint, S).preprint and not features(preprint, S).published
    bare = Entry("misc", {"title": "Faasm", "year": "2020"})
    assert not features(bare, S).published and not features(bare, S).preprint
