"""The Matcher and find_duplicates: ranking, the gap to the runner-up, blocking, groups, the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.match import Candidate, Matcher, MatchSettings, Proposal, find_duplicates
from bibsync.match.index import CandidateIndex, as_list
from bibsync.match.normalize import features
from bibsync.model import Entry, Person
import locations

DATA = locations.DATA / "match"
runner = CliRunner()
PEOPLE = (Person("Shillaker", "Simon"), Person("Pietzuch", "Peter"))


def paper(title: str, year: str = "2020", key: str | None = None, **fields: str) -> Entry:
    return Entry("inproceedings", {"title": title, "year": year, **fields}, authors=PEOPLE, key=key)


FAASM = paper("Faasm: Lightweight Isolation for Efficient Stateful Serverless Computing", key="faasm",
              booktitle="USENIX ATC", pages="419--433")


def test_contract_names_and_fields():
    c = Candidate(0, 0.5)
    assert (c.index, c.score, c.parts, c.explanation, c.decided_by) == (0, 0.5, {}, "", None)
    p = Proposal(FAASM)
    assert (p.entry, p.candidates, p.recommendation, p.best) == (FAASM, (), "new", None)
    assert MatchSettings().match_threshold == 0.675 and MatchSettings().review_threshold == 0.25
    assert c.weight == 0.0 and MatchSettings().prior == 0.18


def test_compare_has_index_minus_one_and_the_explanation_format():
    other = paper("FAASM: lightweight isolation for efficient stateful serverless computing",
                  booktitle="2020 USENIX Annual Technical Conference (USENIX ATC 20)")
    c = Matcher([]).compare(other, FAASM)
    assert c.index == -1
    assert c.explanation == "title 1.00 +7.9 · authors 2/2 +2.9 · year = +1.3 · venue 1.00 +0.4 -> match 1.00"
    assert c.parts == {"title": 1.0, "authors": 1.0, "year": 1.0, "venue": 1.0, "type": 1.0}
    # the score is the probability of the weight: the parts' bits on top of the prior's
    assert c.score == pytest.approx(1 / (1 + 2 ** -c.weight), abs=1e-4)


def test_propose_ranks_and_limits():
    targets = [paper("Something unrelated about databases", key="u"), FAASM,
               paper("Faasm: lightweight isolation for efficient serverless computing", "2019", key="near")]
    proposal = Matcher(targets).propose(paper(FAASM.title), limit=1)
    assert proposal.recommendation == "match"
    assert [c.index for c in proposal.candidates] == [1]


def test_no_candidates_is_new():
    proposal = Matcher([FAASM]).propose(paper("Translation pass-through for near-native paging in VMs"))
    assert (proposal.recommendation, proposal.candidates) == ("new", ())


def test_two_equally_good_targets_need_a_person():
    twin = FAASM.with_key("faasm-twin")
    proposal = Matcher([FAASM, twin]).propose(paper(FAASM.title))
    assert proposal.recommendation == "review"
    assert {c.index for c in proposal.candidates} == {0, 1}


def test_identifier_settles_it_unless_two_targets_share_it():
    with_doi = FAASM.with_fields(doi="10.5555/3489146.3489174")
    near = paper(FAASM.title, key="copy")
    incoming = paper("Faasm", doi="https://doi.org/10.5555/3489146.3489174")
    assert Matcher([with_doi, near]).propose(incoming).recommendation == "match"
    assert Matcher([with_doi, with_doi.with_key("again")]).propose(incoming).recommendation == "review"


def test_propose_all_equals_propose_one_by_one():
    targets = [FAASM, paper("KungFu: making training in distributed machine learning adaptive", key="k")]
    incoming = [paper("Kungfu: Making Training in Distributed Machine Learning Adaptive"), paper(FAASM.title)]
    matcher = Matcher(targets)
    assert matcher.propose_all(incoming) == [matcher.propose(e) for e in incoming]


def test_blocking_uses_year_window_and_word_pairs():
    entries = [FAASM, FAASM.with_fields(year="2021"), FAASM.with_fields(year="2023"), FAASM.with_fields(year=None),
               paper("Measuring costs of lightweight serverless computing platforms at scale", "2020")]
    index = CandidateIndex([features(e, MatchSettings()) for e in entries], MatchSettings())
    _, t = index.candidates([features(FAASM, MatchSettings())])
    # the same year, one year later, no year; not two years later, not a title below title_floor
    assert sorted(as_list(t)) == [0, 1, 3]


def test_blocking_finds_a_truncated_subtitle_and_a_one_word_title():
    short = paper("Faasm", key="short")
    generic = [paper("Editorial", key="e1"), paper("Editorial", key="e2")]
    index = CandidateIndex([features(e, MatchSettings()) for e in [FAASM, *generic]], MatchSettings())
    assert as_list(index.candidates([features(short, MatchSettings())])[1]) == [0]
    assert as_list(index.candidates([features(generic[0], MatchSettings())])[1]) == [1, 2]


def test_settings_change_the_decision():
    other = paper(FAASM.title, "2021")
    assert Matcher([]).compare(other, FAASM).verdict == "match"
    strict = MatchSettings(match_threshold=0.95)
    assert Matcher([], strict).compare(other, FAASM).verdict == "review"


# --- duplicates -----------------------------------------------------------------------------------

def test_find_duplicates_groups_and_keeps_singletons_out():
    entries = [FAASM, paper("Something else entirely"), paper(FAASM.title.upper(), key="upper")]
    groups = find_duplicates(entries)
    assert [(g.indices, g.recommendation) for g in groups] == [((0, 2), "match")]
    assert groups[0].explanation.endswith("-> match 0.99")


def test_a_record_without_doi_between_two_dois_is_asked_around_it():
    """Issue 10: never one group for two different DOIs; the record without one is the centre."""
    a = FAASM.with_fields(doi="10.1000/a")
    b = FAASM.with_fields(doi="10.1000/b")
    c = FAASM
    groups = find_duplicates([a, c, b])
    assert [(g.indices, g.recommendation, g.centre) for g in groups] == [((0, 1, 2), "review", 1)]
    assert "held back: another entry matches about as well" in groups[0].explanation


def test_no_duplicates_in_an_empty_or_single_list():
    assert find_duplicates([]) == []
    assert find_duplicates([FAASM]) == []


# --- the commands ----------------------------------------------------------------------------------

def test_dedupe_json_is_the_golden_file():
    golden = DATA / "library.dedupe.json"
    result = runner.invoke(app, ["dedupe", str(DATA / "library.bib"), "--json"])
    assert result.exit_code == 3, result.output  # groups nobody has decided remain
    assert json.loads(result.stdout) == json.loads(golden.read_text(encoding="utf-8"))


def test_dedupe_text_output():
    result = runner.invoke(app, ["dedupe", str(DATA / "library.bib")])
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0] == (f"5 duplicate group(s) among 14 entries in {DATA / 'library.bib'}; "
                        "bibsync review asks 6 questions about them, one per entry to merge")
    assert lines[1] == "match  1.00 mai2020kungfu, kungfu-copy"
    assert lines[2].strip() == "title 1.00 +7.9 · authors 6/6 +3.2 · year = +1.3 · venue 1.00 +0.4 -> match 1.00"
    assert lines[-2] == "review 1.00 scabbard-no-doi ~ theodorakis2022scabbard, scabbard-other-doi"


def test_match_command_json():
    result = runner.invoke(app, ["match", str(DATA / "incoming.bib"), "--against", str(DATA / "library.bib"),
                                 "--json"])
    assert result.exit_code == 0, result.output
    proposals = json.loads(result.stdout)["proposals"]
    summary = [(p["key"], p["recommendation"], [c["key"] for c in p["candidates"]][:2]) for p in proposals]
    assert summary == [
        ("in-spotnik", "match", ["wagenlander2020spotnik"]),
        ("in-cubicleos", "review", ["sartakov2021cubicleos", "cubicleos-doi"]),  # two targets share the DOI
        ("in-artefact", "match", ["sartakov2020cubicleos", "sartakov2021cubicleos"]),
        ("in-new", "new", []),
    ]
    assert proposals[1]["candidates"][0]["decided_by"] == "doi"
    assert proposals[2]["candidates"][1]["explanation"] == (
        "title 1.00 +7.9 · authors 3/3 +3.2 · year ±1 -3.1 · type ≠ (artefact/paper) -> review 0.91 "
        "(is one item the other?)")


def test_match_command_text():
    result = runner.invoke(app, ["match", str(DATA / "incoming.bib"), "--against", str(DATA / "library.bib")])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "match  in-spotnik: Spotnik: designing distributed machine learning for transient cloud resources",
        "  1.00 wagenlander2020spotnik  title 1.00 +7.9 · authors 4/4 +3.2 · year = +1.3 · type misc/inproceedings "
        "-> match 1.00",
    ]


@pytest.mark.parametrize("argv", [["dedupe", "nope.bib"], ["match", "nope.bib", "--against", "nope2.bib"]])
def test_missing_files_are_clear_errors(tmp_path, argv):
    result = runner.invoke(app, [str(tmp_path / a) if a.endswith(".bib") else a for a in argv])
    assert result.exit_code == 1
    assert "no such file" in result.stderr and "Traceback" not in result.output + result.stderr
