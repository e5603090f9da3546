"""DecisionStore: remembered decisions and pending review cases, in a committed JSON file."""

import json

import pytest

from bibsync.errors import TargetError
from bibsync.match import Candidate
from bibsync.model import Entry, Person
from bibsync.plan import Change
from bibsync.review.decisions import DecisionStore, fingerprint

PAPER = Entry("inproceedings", {"title": "MSRL: Distributed Reinforcement Learning with Dataflow Fragments",
                                "booktitle": "USENIX ATC", "year": "2023", "pages": "977--993"},
              (Person("Zhu", "Huanzhou"), Person("Pietzuch", "Peter")), key="zhu2023msrl")
PREPRINT = Entry("article", {"title": "MSRL: distributed reinforcement learning with dataflow fragments",
                             "journal": "arXiv", "year": "2022"}, (Person("Zhu", "H."),), key="zhu22")
WITH_DOI = Entry("article", {"title": "Anything", "doi": "10.1145/ABC.123", "year": "2020"}, key="k")


def test_fingerprint_uses_doi_else_title_year_surname():
    assert fingerprint(WITH_DOI) == "doi:10.1145/abc.123"
    assert fingerprint(WITH_DOI.with_fields(doi="https://doi.org/10.1145/abc.123")) == "doi:10.1145/abc.123"
    assert fingerprint(PAPER) == "t:msrl distributed reinforcement learning with dataflow fragments|2023|zhu"
    # the key plays no part; case, punctuation and accents do not matter
    other = PAPER.with_key("x").with_fields(title="MSRL -- distributed Reinforcement Learning with Dataflow Fragments!")
    assert fingerprint(other) == fingerprint(PAPER)


def test_missing_file_is_empty_and_save_writes_nothing(tmp_path):
    store = DecisionStore.for_bib(tmp_path / "refs.bib")
    assert store.path == tmp_path / "refs.bib.bibsync.json"
    assert store.decision_for(PAPER, PREPRINT) is None
    assert store.pending() == []
    store.set_pending([])
    assert store.save() is False
    assert not store.path.exists()


def test_record_lookup_roundtrip_and_file_text(tmp_path):
    store = DecisionStore.for_bib(tmp_path / "refs.bib")
    store.record(PREPRINT, PAPER, "merge", {"year": "target", "journal": "incoming"})
    store.record(WITH_DOI, None, "add", different_from=[PAPER])
    assert store.decision_for(PREPRINT, PAPER) == "merge"
    assert store.decision_for(PAPER, PREPRINT) is None  # direction matters for sync decisions
    assert store.decision_for(WITH_DOI, None) == "add"
    assert store.decision_for(WITH_DOI, PAPER) == "different"
    assert store.save() is True
    data = json.loads(store.path.read_text())
    assert data["decisions"] == [
        {"entry": "doi:10.1145/abc.123", "candidate": None, "decision": "add", "label": "? 2020: Anything"},
        {"entry": "doi:10.1145/abc.123", "candidate": "zhu2023msrl", "decision": "different",
         "label": "? 2020: Anything"},
        {"entry": "t:msrl distributed reinforcement learning with dataflow fragments|2022|zhu",
         "candidate": "zhu2023msrl", "decision": "merge", "fields": {"journal": "incoming", "year": "target"},
         "label": "Zhu 2022: MSRL: distributed reinforcement learning with dataflow fragments"},
    ]
    again = DecisionStore.for_bib(tmp_path / "refs.bib")
    assert again.field_choices(PREPRINT, PAPER) == {"journal": "incoming", "year": "target"}
    assert again.save() is False  # nothing changed
    assert again.to_text() == store.path.read_text()


def test_duplicates_inside_one_target_are_known_by_key(tmp_path):
    store = DecisionStore.for_bib(tmp_path / "refs.bib")
    twin = PAPER.with_key("zhu23")  # same fingerprint, another key
    store.record(twin, PAPER, "different", by_key=True)
    assert store.pair_decision(PAPER, twin).decision == "different"
    assert store.pair_decision(twin, PAPER).decision == "different"
    assert store.decision_for(twin, PAPER) is None  # an incoming entry is known by fingerprint
    assert [(d.entry, d.candidate) for d in store.decisions()] == [("key:zhu23", "zhu2023msrl")]


def test_undo_last_restores_the_previous_state(tmp_path):
    store = DecisionStore.for_bib(tmp_path / "refs.bib")
    store.record(PREPRINT, PAPER, "different")
    store.record(PREPRINT, PAPER, "merge")
    assert store.decision_for(PREPRINT, PAPER) == "merge"
    assert store.undo_last() is True
    assert store.decision_for(PREPRINT, PAPER) == "different"
    store.record(WITH_DOI, None, "add", different_from=[PAPER, PREPRINT])
    assert store.undo_last() is True  # one step takes back the add and both "different"s
    assert store.decision_for(WITH_DOI, None) is None and store.decision_for(WITH_DOI, PAPER) is None
    assert store.undo_last() is True and store.undo_last() is False
    assert store.decisions() == []


def test_forget_clears_decisions_but_keeps_pending(tmp_path):
    store = DecisionStore.for_bib(tmp_path / "refs.bib")
    store.record(PREPRINT, PAPER, "merge")
    store.set_pending([Change("review", PREPRINT, key="zhu22", target_index=0, target_key="zhu2023msrl",
                              score=0.8, explanation="title 0.97 · year ≠ -> 0.80")])
    store.save()
    again = DecisionStore.for_bib(tmp_path / "refs.bib")
    assert again.forget() == 1
    again.save()
    third = DecisionStore.for_bib(tmp_path / "refs.bib")
    assert third.decisions() == [] and len(third.pending()) == 1


def test_pending_cases_keep_the_whole_entry_and_candidates(tmp_path):
    store = DecisionStore.for_bib(tmp_path / "refs.bib")
    software = Entry("software", {"title": "Ünïcode & 50% of $x$ in brackets []", "year": "2024",
                                  "url": "https://example.org/a_b%20c", "version": "1.2"},
                     (Person("Müller", "Jörg"), Person("Team", literal=True)), authors_truncated=True)
    targets = [PAPER, PREPRINT]
    change = Change("review", software, key="muller2024unicode", target_index=1, target_key="zhu22", score=0.75,
                    explanation="best", candidates=(Candidate(1, 0.75, {}, "title 0.75"),
                                                    Candidate(0, 0.71, {}, "title 0.71")))
    store.set_pending([Change("add", PAPER), change], target_entries=targets)
    store.save()
    [case] = DecisionStore.for_bib(tmp_path / "refs.bib").pending()
    assert case.entry == software.with_key("muller2024unicode")
    assert [(c.key, c.index, c.score, c.explanation) for c in case.candidates] == [
        ("zhu22", 1, 0.75, "title 0.75"), ("zhu2023msrl", 0, 0.71, "title 0.71")]
    assert case.score == 0.75 and case.explanation == "best"
    # without the target entries only the best candidate's key is known
    store.set_pending([change])
    assert [c.key for c in store.pending()[0].candidates] == ["zhu22", None]
    assert store.resolve_pending(software) is True and store.pending() == []


def test_zotero_store_lives_in_the_cache(tmp_path):
    store = DecisionStore.for_zotero("group:4711", tmp_path)
    assert store.path == tmp_path / "zotero" / "group-4711.decisions.json"
    store.record(PREPRINT, PAPER.with_key("ABCD1234"), "different")
    assert store.save() and store.path.exists()


def test_unreadable_file_is_a_clear_error(tmp_path):
    (tmp_path / "refs.bib.bibsync.json").write_text("{not json")
    with pytest.raises(TargetError) as err:
        DecisionStore.for_bib(tmp_path / "refs.bib")
    assert "refs.bib.bibsync.json" in str(err.value) and "hint" in str(err.value)
    (tmp_path / "refs.bib.bibsync.json").write_text('{"bibsync": 3, "decisions": [{"entry": "x", "decision": "maybe"}]}')
    with pytest.raises(TargetError, match="unknown decision"):
        DecisionStore.for_bib(tmp_path / "refs.bib")


def test_two_stores_on_one_file_keep_each_others_work(tmp_path):
    """A sync's store saves pending cases after the inline review's store saved decisions."""
    bib = tmp_path / "refs.bib"
    sync_store = DecisionStore.for_bib(bib)
    review_store = DecisionStore.for_bib(bib)
    review_store.record(PREPRINT, PAPER, "merge")
    review_store.save()
    sync_store.set_pending([Change("review", WITH_DOI, key="k", target_index=0, target_key="zhu2023msrl")])
    sync_store.save()
    again = DecisionStore.for_bib(bib)
    assert again.decision_for(PREPRINT, PAPER) == "merge" and len(again.pending()) == 1
    # an undo saved later drops the decision again, and forget clears what others saved too
    review_store.record(WITH_DOI, None, "add")
    review_store.undo_last()
    review_store.undo_last()
    review_store.save()
    assert DecisionStore.for_bib(bib).decisions() == [] and len(DecisionStore.for_bib(bib).pending()) == 1
    other = DecisionStore.for_bib(bib)
    other.record(PREPRINT, PAPER, "different")
    other.save()
    forgetting = DecisionStore.for_bib(bib)
    assert forgetting.forget() == 1
    forgetting.save()
    assert DecisionStore.for_bib(bib).decisions() == []


@pytest.mark.parametrize("text, message", [
    ('{"bibsync": 99, "decisions": [], "pending": []}', "format 99"),
    ('{"bibsync": "1", "decisions": []}', 'format "1", which is not a format number'),
    ('{"bibsync": 3, "decisions": [{"entry": "x", "decision": "merge", "fields": "abc"}]}', "malformed decision"),
    ('{"bibsync": 3, "decisions": [{"entry": "x", "decision": "merge", "candidate": ["a"]}]}', "malformed decision"),
    ('{"bibsync": 3, "decisions": [], "pending": [5]}', "must be lists of objects"),
    ('{"bibsync": 3, "decisions": [], "pending": {"a": 1}}', "must be lists of objects"),
    ('{"decisions": [], "pending": []}', 'an object without the "bibsync" format number'),
])
def test_a_malformed_or_newer_file_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "refs.bib.bibsync.json"
    path.write_text(text)
    with pytest.raises(TargetError, match=message) as err:
        DecisionStore.for_bib(tmp_path / "refs.bib")
    assert err.value.hint and path.read_text() == text  # nothing rewritten


@pytest.mark.parametrize("case", [
    {"bibtex": ["@article{x, title={T}}"], "candidates": [{"key": "a1", "score": "high"}]},
    {"bibtex": ["@article{x, title={T}}"], "candidates": [5]},
    {"bibtex": ["@article{x, title={T}}"], "candidates": [{"key": ["a1"], "score": 1}]},
    {"bibtex": ["@article{x, title={T}}"], "score": [1]},
])
def test_a_malformed_pending_case_is_a_clear_error(tmp_path, case):
    path = tmp_path / "refs.bib.bibsync.json"
    path.write_text(json.dumps({"bibsync": 1, "decisions": [], "pending": [case]}))
    store = DecisionStore.for_bib(tmp_path / "refs.bib")
    with pytest.raises(TargetError, match="pending case 1") as err:
        store.pending()
    assert "malformed" in str(err.value) and "run the sync again" in err.value.hint


def test_a_zotero_store_says_where_it_lives(tmp_path):
    cached = DecisionStore.for_zotero("groups/4711", tmp_path / "cache")
    assert "cache folder" in cached.about and "--decisions FILE" in cached.about
    named = DecisionStore.for_zotero("groups/4711", tmp_path / "cache", tmp_path / "group.decisions.json")
    assert named.path == tmp_path / "group.decisions.json" and "commit this file" in named.about
