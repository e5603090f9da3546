"""A preprint merged into its published version in ``bibsync review`` stays merged: a later
sync of the file as it was (both records) changes nothing and asks nothing, however often.

(QA R2: the merge was remembered by the two keys only, so the preprint read again was asked
about as a preprint/published pair, exit 3.)
"""

from __future__ import annotations

import re
import shutil

from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.model import Entry, Person
from bibsync.plan import make_plan
from bibsync.review.decisions import DecisionStore
from locations import DATA

PAIR = DATA / "review" / "preprint-pair.bib"
runner = CliRunner()
ENV = {"COLUMNS": "150", "NO_COLOR": "1"}


def test_a_preprint_merged_in_review_is_the_published_entry_in_later_syncs(tmp_path):
    bib, original = tmp_path / "r2.bib", tmp_path / "r2-orig.bib"
    shutil.copy(PAIR, bib)
    shutil.copy(PAIR, original)
    review = runner.invoke(app, ["review", "--into", str(bib)], input="m\n\n\n",
                           env={**ENV, "BIBSYNC_INTERACTIVE": "1"})
    assert review.exit_code == 0, review.output
    assert "liu2023fingpt -> fingpt (kept as an alias in ids)" in review.output
    merged = bib.read_bytes()
    assert b"ids={liu2023fingpt}" in merged and b"@article{liu2023fingpt" not in merged
    for _ in range(2):
        sync = runner.invoke(app, ["sync", str(original), "--into", str(bib), "--yes"], env=ENV)
        assert sync.exit_code == 0, sync.output
        counts = dict(re.findall(r"│ (\w+) +│ +(\d+) │", sync.output))
        assert counts == {"add": "0", "update": "0", "same": "2", "review": "0"}, sync.output
        assert "nothing to write" in sync.output
        assert bib.read_bytes() == merged
        assert DecisionStore.for_bib(bib).pending() == []


AUTHORS = (Person("Liu", "Xiao-Yang"), Person("Zha", "Daochen"))
TITLE = "FinGPT: Open-Source Financial Large Language Models"
PREPRINT = Entry("article", {"title": TITLE, "journal": "arXiv preprint arXiv:2306.06031", "year": "2023"},
                 AUTHORS, key="liu2023fingpt")
PUBLISHED = Entry("inproceedings", {"title": TITLE, "booktitle": "FinLLM Symposium at IJCAI 2023", "year": "2023",
                                    "ids": "liu2023fingpt"}, AUTHORS, key="fingpt")
MERGED = PUBLISHED.with_fields(eprint="2306.06031", archiveprefix="arXiv")


def test_merging_two_records_of_a_target_remembers_each_by_its_fingerprint_in_one_undo_step(tmp_path):
    store = DecisionStore(tmp_path / "d.json")
    older = PREPRINT.with_fields(year="2022")  # another fingerprint than the published record
    choices = {"booktitle": "target", "journal": "target", "year": "target", "eprint": "incoming",
               "@key": "target", "@type": "target"}
    store.record_duplicate_merge(older, PUBLISHED, choices, "fingpt")
    found = {(d.entry, d.candidate): d.fields for d in store.decisions()}
    fp = "t:fingpt open source financial large language models|{}|liu"
    assert found == {
        ("key:liu2023fingpt", "fingpt"): choices,
        # each record sees the choices from its own side; the kept key is the entry's own
        (fp.format(2022), "fingpt"): {"booktitle": "target", "journal": "target", "year": "target",
                                      "eprint": "incoming", "@type": "target"},
        (fp.format(2023), "fingpt"): {"booktitle": "incoming", "journal": "incoming", "year": "incoming",
                                      "eprint": "target", "@type": "incoming"},
    }
    assert store.decision_for(PREPRINT.with_fields(year="2022"), MERGED) == "merge"
    assert store.undo_last() and store.decisions() == []


def test_two_records_alike_keep_a_side_only_where_both_took_it(tmp_path):
    store = DecisionStore(tmp_path / "d.json")
    store.record_duplicate_merge(PUBLISHED, PREPRINT, {"booktitle": "incoming", "journal": "incoming",
                                                       "eprint": "target"}, "fingpt")
    [_, by_fingerprint] = store.decisions()
    assert (by_fingerprint.entry, by_fingerprint.candidate) == (
        "t:fingpt open source financial large language models|2023|liu", "fingpt")
    assert by_fingerprint.fields == {"booktitle": "target", "journal": "target", "eprint": "target"}


def test_a_decision_about_a_key_holds_for_the_entry_that_key_is_now_an_alias_of(tmp_path):
    store = DecisionStore(tmp_path / "d.json")
    other = Entry("article", {"title": "Something else", "year": "2023"}, AUTHORS, key="liu2023other")
    store.record(PREPRINT, PREPRINT.with_key("liu2023fingpt"), "merge")
    store.record(other, PREPRINT.with_key("liu2023fingpt"), "different")
    assert store.decision_for(PREPRINT, PUBLISHED) == "merge"  # liu2023fingpt went into fingpt (ids)
    assert store.decision_for(other, PUBLISHED) == "different"
    assert store.decision_for(PREPRINT, PUBLISHED.with_fields(ids=None)) is None


def test_a_sync_of_both_records_after_the_merge_is_same_throughout(tmp_path):
    store = DecisionStore(tmp_path / "d.json")
    published, merged = PUBLISHED.with_fields(ids=None), MERGED.with_fields(ids=None)  # the decision alone
    assert make_plan([PREPRINT, published], [merged]).counts()["review"] == 1  # the matcher alone asks
    store.record_duplicate_merge(published, PREPRINT, {"journal": "incoming", "booktitle": "incoming"}, "fingpt")
    plan = make_plan([PREPRINT, published], [merged], decisions=store)
    assert [(c.kind, c.target_key) for c in plan.changes] == [("same", "fingpt"), ("same", "fingpt")]
    assert "decided earlier: same as fingpt" in plan.changes[0].explanation


def test_an_incoming_key_that_is_its_candidates_alias_answers_the_matchers_question():
    plan = make_plan([PREPRINT], [PUBLISHED])  # no decision file: the ids say it (a person wrote them)
    [change] = plan.changes
    assert (change.kind, change.target_key, change.field_changes) == ("same", "fingpt", ())  # no second venue
    assert "liu2023fingpt is an alias of fingpt (ids)" in change.explanation
    # without the alias, or with another key, the matcher's question stays
    assert make_plan([PREPRINT], [PUBLISHED.with_fields(ids=None)]).counts()["review"] == 1
    assert make_plan([PREPRINT.with_key("liu2023other")], [PUBLISHED]).counts()["review"] == 1


class Different:
    def decision_for(self, entry: Entry, candidate: Entry | None) -> str | None:
        return "different" if candidate is not None else None


def test_a_person_who_said_different_outweighs_an_alias():
    assert make_plan([PREPRINT], [PUBLISHED], decisions=Different()).counts()["add"] == 1
