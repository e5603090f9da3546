"""Look-alikes from real records that are different works: never merged automatically.

The pairs are the ACL Anthology entries and the editorials of tests/data/match/lookalikes/
(provenance in its README). Each rule they exercise is a general statement about evidence
(docs/matching.md, section 4); the unit tests below state each on its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.match import Matcher, find_duplicates
from bibsync.pipeline import load_bib
from bibsync.match.words import negates, replaced, words_match
from bibsync.model import Entry, Person
from locations import DATA as LOCATIONS_DATA

DATA = LOCATIONS_DATA / "match" / "lookalikes"
ACL = {e.key: e for e in load_bib(str(DATA / "acl.bib")).entries}
EDITORIALS = {e.key: e for e in load_bib(str(DATA / "editorials.bib")).entries}
runner = CliRunner()

# (target, incoming, what the explanation must say)
# (target, incoming, what the explanation must say, with the target's side first)
ACL_PAIRS = [
    pytest.param("L10-1262", "N10-1105", "reworded title, other venue", id="is-arabic-pos-tagging-feasible"),
    pytest.param("D07-1106", "N07-4011", "reworded title, other venue", id="emnlp-paper-vs-naacl-demo"),
    pytest.param("D08-1067", "D09-1101", "words ≠ unsupervised/supervised", id="unsupervised-vs-supervised"),
    pytest.param("L14-1465", "L14-1466", "names ≠ nastia/dinasti", id="nastia-vs-dinasti"),
    pytest.param("N09-4001", "N10-4001", "volume ≠ (2009/2010)", id="tutorial-2009-vs-2010"),
]


def _swapped(item: str) -> str:
    """The same explanation item with the two records the other way round ("x/y" as "y/x")."""
    head, _, pair = item.rpartition(" ")
    x, _, y = pair.strip("()").partition("/")
    return f"{head} ({y}/{x})" if pair.startswith("(") else f"{head} {y}/{x}" if y else item


@pytest.mark.parametrize("target, incoming, reason", ACL_PAIRS)
def test_acl_lookalikes_are_never_merged(target, incoming, reason):
    a, b = ACL[target], ACL[incoming]
    for x, y, said in ((a, b, reason), (b, a, _swapped(reason))):
        found = Matcher([y]).propose(x)
        assert found.recommendation != "match", found.best.explanation
        assert said in Matcher([]).compare(x, y).explanation
    assert [g.recommendation for g in find_duplicates([a, b])] in ([], ["review"])


@pytest.mark.parametrize("target, incoming, reason", ACL_PAIRS)
def test_sync_yes_writes_nothing_into_the_lookalike(tmp_path, target, incoming, reason):
    into, source = tmp_path / "t.bib", tmp_path / "in.bib"
    into.write_text(_block(target), encoding="utf-8")
    source.write_text(_block(incoming), encoding="utf-8")
    before = into.read_bytes()
    result = runner.invoke(app, ["sync", str(source), "--into", str(into), "--yes"])
    assert result.exit_code in (0, 3), result.output
    text = into.read_text(encoding="utf-8")
    assert text.startswith(before.decode("utf-8"))  # the target's entry is untouched ...
    # ... and the incoming entry is not "same": it is left for review (exit 3) or added.
    assert result.exit_code == 3 or f"{{{incoming}," in text, result.output


def _block(key: str) -> str:
    """The entry's block, as the file holds it."""
    text = (DATA / "acl.bib").read_text(encoding="utf-8")
    start = text.index(f"{{{key},")
    start = text.rindex("@", 0, start)
    end = text.find("\n@", start + 1)
    return text[start:] if end < 0 else text[start:end + 1]


def test_the_question_keeps_its_first_word_and_is_not_a_cut():
    c = Matcher([]).compare(ACL["N10-1105"], ACL["L10-1262"])
    assert "(cut)" not in c.explanation and "(noise)" not in c.explanation
    assert c.explanation.startswith("title 0.60 ")
    assert c.verdict == "review"


def test_the_tutorial_years_apart_reads_its_equal_pages_as_no_evidence():
    c = Matcher([]).compare(ACL["N10-4001"], ACL["N09-4001"])
    assert "pages = (other volume) ·" not in c.explanation  # shown, without a weight
    assert "pages = (other volume) -> review" in c.explanation
    assert "pages = +3.0" not in c.explanation


def test_one_author_found_second_in_a_curated_list_is_not_that_list_cut_short():
    c = Matcher([]).compare(ACL["D09-1101"], ACL["D08-1067"])
    assert "authors 1/1 of 2 (first ≠) +0.3" in c.explanation
    assert c.verdict == "new"


# --- the rules, one by one ----------------------------------------------------------------------

def paper(title: str, year: str = "2019", *people: Person, **fields: str) -> Entry:
    return Entry("inproceedings", {"title": title, "year": year, **fields},
                 authors=people or (Person("Lin", "Jimmy"), Person("Dyer", "Chris")))


def test_a_negated_word_is_a_replaced_word_not_a_typo():
    assert negates("supervised", "unsupervised") and negates("nonlinear", "linear")
    assert negates("asynchronous", "synchronous") and negates("incomplete", "complete")
    assert not words_match("unsupervised", "supervised")
    assert words_match("supervised", "supervized")
    assert replaced(["unsupervised"], ["supervised"]) == ("unsupervised", "supervised")
    a = paper("Unsupervised Learning of Parsers for Dependency Grammars")
    b = paper("Supervised Learning of Parsers for Dependency Grammars")
    assert Matcher([]).compare(a, b).verdict == "review"  # everything else agrees: a person tells a typo
    c = paper("Non-linear Models of Dependency Grammars")
    d = paper("Linear Models of Dependency Grammars")
    assert "words ≠" in Matcher([]).compare(c, d).explanation


def test_different_names_before_the_subtitle_are_two_systems_between_curated_records():
    a = paper("HERMES: Scheduling Streams on Edge Devices")
    b = paper("HESTIA: Scheduling Streams on Edge Devices")
    assert "names ≠ hermes/hestia" in Matcher([]).compare(a, b).explanation
    assert Matcher([]).compare(a, b).verdict == "review"
    typo = paper("HERMSE: Scheduling Streams on Edge Devices")  # two letters swapped: one slip
    assert "names ≠" not in Matcher([]).compare(a, typo).explanation
    scraped = Entry("inproceedings", {"title": "bHERMES: Scheduling Streams on Edge Devices", "year": "2019"},
                    authors=(Person("Lin", "J"), Person("Dyer", "C")))  # a scraped record glues junk
    assert "names ≠" not in Matcher([]).compare(a, scraped).explanation


def test_a_reworded_title_in_another_venue_is_review_however_alike_the_rest():
    a = paper("Learning to Find English to Chinese Transliterations on the Web", "2007",
              booktitle="Proceedings of the Conference on Empirical Methods in Natural Language Processing")
    b = paper("Learning to Find Transliteration on the Web", "2007",
              booktitle="Proceedings of the Annual Meeting of the Association for Computational Linguistics")
    c = Matcher([]).compare(a, b)
    assert c.verdict == "review" and "reworded title, other venue" in c.explanation
    same_venue = paper(b.title, "2007", booktitle=a.fields["booktitle"])
    assert Matcher([]).compare(a, same_venue).verdict == "match"


def test_pages_of_one_venue_a_year_apart_that_do_not_overlap_are_two_items():
    a = paper("Data Intensive Text Processing with MapReduce", "2009", booktitle="NAACL Tutorials", pages="5--6")
    b = paper("Data Intensive Text Processing with MapReduce", "2010", booktitle="NAACL Tutorials", pages="1--2")
    c = Matcher([]).compare(a, b)
    assert "pages apart (5-6/1-2)" in c.explanation and c.verdict == "review"


def test_a_volume_of_its_own_is_another_item():
    a = Entry("article", {"title": "Query Answering over Ontologies", "journal": "Journal of Web Semantics",
                          "volume": "12", "year": "2020"}, authors=(Person("Lin", "Jimmy"),))
    b = a.with_fields(volume="13")
    c = Matcher([]).compare(a, b)
    assert "volume ≠ (12/13)" in c.explanation and c.verdict == "review"
    assert Matcher([]).compare(a, a.with_fields(volume=None)).verdict == "match"  # missing: neither for nor against


# --- generic titles: the issue must be named alike, or by neither --------------------------------

@pytest.mark.parametrize("key, verdict", [
    ("smith2020editorial2", "new"),   # issue 2: number and pages differ
    ("smith2020editorial3", "review"),  # names no issue; the target does
    ("x4", "new"),   # its own DOI
    ("x5", "new"),   # its own DOI
    ("x6", "review"),  # only the volume (and a note): any issue of volume 12
])
def test_an_editorial_against_issue_one(key, verdict):
    target = EDITORIALS["smith2020editorial1"]
    found = Matcher([target]).propose(EDITORIALS[key])
    assert found.recommendation == verdict
    if verdict == "review":
        assert found.best.explanation.endswith(
            "-> review 0.30 (generic title, issue not named; a number, pages or DOI would settle it)")


@pytest.mark.parametrize("key", ["smith2020editorial3", "x6"])
def test_sync_yes_writes_nothing_into_issue_one(tmp_path, key):
    text = (DATA / "editorials.bib").read_text(encoding="utf-8")
    blocks = {b.split("{", 1)[1].split(",", 1)[0]: "@" + b for b in text.split("@")[1:]}
    into, source = tmp_path / "t.bib", tmp_path / "in.bib"
    into.write_text(blocks["smith2020editorial1"], encoding="utf-8")
    source.write_text(blocks[key], encoding="utf-8")
    result = runner.invoke(app, ["sync", str(source), "--into", str(into), "--yes"])
    assert result.exit_code == 3, result.output  # left for review
    assert into.read_text(encoding="utf-8") == blocks["smith2020editorial1"]


def test_editorials_naming_one_issue_alike_or_none_at_all_match():
    one = EDITORIALS["smith2020editorial2"]
    same_number = one.with_fields(pages=None, doi=None)
    assert Matcher([]).compare(one, same_number).verdict == "match"
    bare = Entry("article", {"title": "Editorial", "journal": "Journal of Systems Research", "year": "2020"},
                 authors=(Person("Smith", "John"),))
    assert Matcher([]).compare(bare, bare.with_fields(journal="J. Systems Research")).verdict == "match"


def test_dedupe_keeps_the_unnamed_editorial_in_review_after_a_decision(tmp_path):
    entries = [EDITORIALS[k] for k in ("smith2020editorial1", "smith2020editorial2", "smith2020editorial3")]
    decided = {(1, 2): "different"}  # "a": keep editorial2 and editorial3 both
    groups = find_duplicates(entries, decided=lambda i, j: decided.get((min(i, j), max(i, j))))
    open_groups = [g for g in groups if g.decision is None]
    assert [(g.indices, g.recommendation) for g in open_groups] == [((0, 2), "review")]
    assert "-> review 0.30" in open_groups[0].explanation


def test_a_held_back_pair_reads_review_in_its_own_explanation():
    a = paper("Faasm: Lightweight Isolation for Efficient Stateful Serverless Computing", "2020",
              booktitle="USENIX ATC")
    groups = find_duplicates([a.with_fields(doi="10.1000/a"), a, a.with_fields(doi="10.1000/b")])
    assert [g.recommendation for g in groups] == ["review"]
    assert "-> match" not in groups[0].explanation
    assert groups[0].explanation.endswith(
        "-> review 1.00 (held back: another entry matches about as well and is a different work; "
        "which of them is this one?)")


def test_a_short_title_read_alike_never_outweighs_the_same_title_equal():
    """"Dataflow Fragments for Learning" (3 content words) equal to a target's title weighs as
    "exact-short" (+5.7); read as alike with "... Learning Systems" it once weighed more (+5.9:
    the alike levels have no short variant), so an entry ranked a look-alike above its own
    exact title. Now a short title read as alike weighs at most what it weighs equal."""
    from bibsync.match import Matcher, MatchSettings

    person = (Person("Smith", "Ann"),)
    incoming = Entry("misc", {"title": "Dataflow Fragments for Learning", "year": "2021"}, person)
    exact = Entry("misc", {"title": "Dataflow Fragments for Learning", "year": "2021"}, person).with_key("own")
    alike = Entry("article", {"title": "Dataflow Fragments for Learning Systems", "journal": "JMLR", "year": "2021"},
                  person).with_key("other")
    matcher = Matcher([alike, exact], MatchSettings())
    by_key = {("other", "own")[c.index]: c for c in matcher.propose(incoming).candidates}
    assert by_key["own"].weight >= by_key["other"].weight
    assert "title 1.00 +5.7" in by_key["own"].explanation and "title 0.89 +5.7" in by_key["other"].explanation
