"""The traps of issue 4, with real entries from samples/imperial-respub-pietzuch.txt.

None of these pairs may be merged automatically; each may be offered for review.
Entries are written as the respub source builds them ("Sartakov V" is surname Sartakov,
initials V.; "Russello Get al." is Russello, G. and others).
"""

from __future__ import annotations

import pytest

from bibsync.match import Matcher, find_duplicates
from bibsync.model import Entry, Person
from locations import SAMPLES
from sample_entries import CUBICLE_ARTEFACT, CUBICLE_PAPER, respub

CLOUD_CHALLENGE = respub(
    "Brito A, Fetzer C, Kopsell S, Pietzuch P, Pasin M, Felber P, Fonseca K, Rosa M, Gomes L, Riella R, "
    "Prado C, Da Costa Carmo LFR, Lucani D, Sipos M, Nagy L, Feher Met al.", 2018,
    "Cloud challenge: Secure end-To-end processing of smart metering data", "inproceedings", pages="19--20")
SMART_METERING = respub(
    "Brito A, Fetzer C, Köpsell S, Pietzuch P, Pasin M, Felber P, Fonseca K, Rosa M, Gomes L, Riella R, "
    "Prado C, Rust LF, Lucani DE, Sipos M, Nagy L, Fehér Met al.", 2019,
    "Secure end-to-end processing of smart metering data", "article",
    journal="Journal of Cloud Computing", volume="8")
SPECIAL_TRACK = respub(
    "Goeschka KM, Oliveira R, Pietzuch P, Russello Get al.", 2019,
    "Special track on dependable, adaptive and trustworthy distributed systems", "article",
    journal="Proceedings of the ACM Symposium on Applied Computing", volume="Part F147772", pages="266--267")
EDITORIAL_TRACK = respub(
    "Goeschka KM, Oliveira R, Pietzuch P, Russello Get al.", 2020,
    "Editorial message: Special track on dependable, adaptive and trustworthy distributed systems", "article",
    journal="Proceedings of the ACM Symposium on Applied Computing", pages="230--231")
WELCOME = respub(
    "Özcan F, Tian Y, Pietzuch P", 2023, "Welcome from the Chairs", "inproceedings",
    booktitle="SoCC 2023 - Proceedings of the 2023 ACM Symposium on Cloud Computing", pages="v--vi")
MESSAGE = respub(
    "Pietzuch P", 2018, "Message from the ICDCS 2018 program chair", "article",
    journal="Proceedings - International Conference on Distributed Computing Systems", volume="2018-July")
MSRL = respub(
    "Zhu H, Zhao B, Chen G, Chen W, Chen Y, Shi L, Yang Y, Pietzuch P, Chen Let al.", 2023,
    "MSRL: Distributed reinforcement learning with dataflow fragments", "inproceedings",
    booktitle="USENIX Annual Technical Conference (USENIX ATC)", publisher="USENIX Assoc", pages="977--993")

TRAPS = [
    pytest.param(CUBICLE_ARTEFACT, CUBICLE_PAPER, id="cubicleos-artefact-misc-vs-paper"),
    pytest.param(CLOUD_CHALLENGE, SMART_METERING, id="cloud-challenge-vs-journal"),
    pytest.param(SPECIAL_TRACK, EDITORIAL_TRACK, id="special-track-vs-editorial-message"),
]


@pytest.mark.parametrize("a, b", TRAPS)
def test_trap_pairs_are_never_merged_but_offered_for_review(a, b):
    matcher = Matcher([b])
    assert matcher.compare(a, b).verdict == "review"
    assert matcher.compare(b, a).verdict == "review"
    proposal = matcher.propose(a)
    assert proposal.recommendation == "review"
    assert proposal.best.index == 0


@pytest.mark.parametrize("a, b", TRAPS)
def test_trap_pairs_are_review_groups_in_dedupe(a, b):
    groups = find_duplicates([a, b])
    assert [(g.indices, g.recommendation) for g in groups] == [((0, 1), "review")]


def test_cubicleos_as_biblatex_software_is_a_type_conflict():
    software = Entry("software", dict(CUBICLE_ARTEFACT.fields), authors=CUBICLE_ARTEFACT.authors)
    c = Matcher([]).compare(software, CUBICLE_PAPER)
    assert c.verdict == "review" and "type conflict" in c.flags
    assert c.explanation == ("title 1.00 +7.9 · authors 3/3 +3.2 · year ±1 -3.1 · type ≠ (artefact/paper) "
                             "-> review 0.91 (is one item the other?)")


def test_cubicleos_misc_without_any_artefact_marker_still_not_merged():
    bare = Entry("misc", {"title": CUBICLE_ARTEFACT.title, "year": "2020"}, authors=CUBICLE_ARTEFACT.authors)
    c = Matcher([]).compare(bare, CUBICLE_PAPER)
    assert c.verdict == "review"
    assert c.explanation.endswith("(year ±1 across types; a paper and its journal version?)")


def test_cloud_challenge_explanation_names_the_prefix():
    c = Matcher([]).compare(CLOUD_CHALLENGE, SMART_METERING)
    assert "prefix 'cloud challenge'" in c.explanation
    assert "authors 15/16" in c.explanation  # Kopsell = Köpsell, Feher = Fehér; Da Costa Carmo ≠ Rust
    assert "extra title prefix" in c.flags


def test_editorial_message_explanation():
    c = Matcher([]).compare(SPECIAL_TRACK, EDITORIAL_TRACK)
    # Two page ranges of one venue a year apart that do not overlap: two items (rule 3).
    assert c.explanation == ("title 1.00 +5.4 · prefix 'editorial message' · authors 4/4 +3.2 · year ±1 -3.1 · "
                             "venue 1.00 +0.4 · pages ≠ -2.0 · pages apart (266-267/230-231) -> review 0.39 "
                             "(two items of one venue?)")


# --- generic titles: match only when year and venue (or an identifier) agree -------------------

def _again(entry: Entry, **changes: str | None) -> Entry:
    return entry.with_fields(**changes)


@pytest.mark.parametrize("entry", [WELCOME, MESSAGE], ids=["welcome", "message"])
def test_generic_title_same_year_and_venue_matches(entry):
    copy = Entry(entry.type, dict(entry.fields), authors=entry.authors)
    assert Matcher([]).compare(copy, entry).verdict == "match"


@pytest.mark.parametrize("entry", [WELCOME, MESSAGE], ids=["welcome", "message"])
def test_generic_title_other_year_is_new(entry):
    next_year = _again(entry, year=str(int(entry.year) + 1))
    c = Matcher([]).compare(next_year, entry)
    assert c.verdict == "new"
    assert c.explanation.endswith("(generic title, other year)")


def test_generic_title_without_venue_on_one_side_is_only_review():
    c = Matcher([]).compare(_again(WELCOME, booktitle=None), WELCOME)
    assert c.verdict == "review"
    assert "(generic)" in c.explanation


def test_generic_title_with_other_venue_is_not_merged():
    other = _again(WELCOME, booktitle="Proceedings of the ACM Symposium on Operating Systems Principles")
    assert Matcher([]).compare(other, WELCOME).verdict != "match"


def test_generic_title_with_same_doi_matches_whatever_the_year():
    a = _again(WELCOME, doi="10.1145/3620678.welcome")
    b = _again(WELCOME, year="2024", doi="https://doi.org/10.1145/3620678.WELCOME")
    c = Matcher([]).compare(a, b)
    assert (c.verdict, c.decided_by) == ("match", "doi")


@pytest.mark.parametrize("title", ["Welcome from the Chairs", "Message from the SoCC 2023 general chair",
                                   "Editorial", "Preface", "Keynote", "Keynote Address",
                                   "Reminiscences on Influential Papers", "Guest Editorial", "Foreword",
                                   "Book review column", "Chair's message", "Erratum"])
def test_generic_titles_are_recognised(title):
    a = Entry("article", {"title": title, "year": "2020", "journal": "SIGMOD Record"}, authors=(Person("Ross", "K."),))
    later = a.with_fields(year="2021")
    assert Matcher([]).compare(a, later).verdict == "new"
    assert "(generic)" in Matcher([]).compare(a, a).explanation


def test_many_same_year_generic_entries_are_ambiguous():
    """Four 'Book review column' of one year by one editor: which one is meant cannot be told."""
    column = Entry("article", {"title": "Book review column", "year": "2002", "journal": "SIGMOD Record"},
                   authors=(Person("Aberer", "Karl"),))
    targets = [column.with_key(f"aberer2002{c}") for c in "abcd"]
    assert Matcher(targets).propose(column).recommendation == "review"


# --- preprint against published version ---------------------------------------------------------

MSRL_PREPRINT = Entry("misc", {"title": "MSRL: Distributed Reinforcement Learning with Dataflow Fragments",
                               "year": "2022", "eprint": "2210.00882", "archiveprefix": "arXiv"},
                      authors=MSRL.authors, authors_truncated=True)


def test_arxiv_preprint_vs_published_is_review():
    c = Matcher([]).compare(MSRL_PREPRINT, MSRL)
    assert c.verdict == "review"
    assert "preprint vs published" in c.flags
    assert Matcher([MSRL]).propose(MSRL_PREPRINT).recommendation == "review"


def test_arxiv_doi_vs_published_doi_is_review_not_different():
    preprint = MSRL_PREPRINT.with_fields(eprint=None, archiveprefix=None, doi="10.48550/arXiv.2210.00882")
    published = MSRL.with_fields(doi="10.5555/3620237.3620292")
    c = Matcher([]).compare(preprint, published)
    assert c.verdict == "review" and c.decided_by is None


def test_same_arxiv_id_on_preprint_and_published_is_review_as_same_work():
    published = MSRL.with_fields(eprint="2210.00882v3", archiveprefix="arXiv", doi="10.5555/3620237.3620292")
    c = Matcher([]).compare(MSRL_PREPRINT, published)
    assert (c.verdict, c.decided_by) == ("review", "arxiv")
    assert c.explanation.startswith("arxiv = (preprint vs published)")


def test_preprint_is_not_a_rival_of_the_published_version():
    """Target holds the paper and its preprint: the published incoming entry matches the paper."""
    matcher = Matcher([MSRL_PREPRINT, MSRL])
    incoming = Entry("inproceedings", dict(MSRL.fields), authors=MSRL.authors[:3], authors_truncated=True)
    proposal = matcher.propose(incoming)
    assert (proposal.recommendation, proposal.best.index) == ("match", 1)


def test_the_imperial_sample_itself_has_exactly_the_three_traps_as_review_groups():
    from bibsync.pipeline import parse_sources
    from bibsync.registry import default_registry

    if "respub" not in default_registry().names():
        pytest.skip("the respub source is not installed")
    sample = SAMPLES / "imperial-respub-pietzuch.txt"
    entries = parse_sources([str(sample)]).entries
    groups = find_duplicates(entries)
    assert all(g.recommendation == "review" for g in groups)
    titles = sorted(sorted(entries[i].title[:24] for i in g.indices) for g in groups)
    assert titles == [["Cloud challenge: Secure ", "Secure end-to-end proces"],
                      ["CubicleOS: A Library OS ", "CubicleOS: A library OS "],
                      ["Editorial message: Speci", "Special track on dependa"]]
