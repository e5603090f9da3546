"""A review of entries that share one key (tests/data/review/repeated-keys.bib: BERT three
times as ``devlin2018bert``, as Scholar, a short export and a hand-edited copy give it): each
entry is told apart by its line, every merge is the one shown, the candidate chosen is the
entry kept, and nothing is remembered under the shared key."""

from __future__ import annotations

import json
import shutil

from bibsync.match import Matcher, find_duplicates
from bibsync.review.cases import Action, cases_from_duplicates
from bibsync.review.decisions import DecisionStore
from bibsync.review.session import review_bib
from bibsync.review.walk import QueuedReviewer, run_review
from bibsync.targets.bibfile.target import BibFileTarget
from locations import DATA

SOURCE = DATA / "review" / "repeated-keys.bib"
FIRST, SECOND, THIRD = (block.strip() for block in SOURCE.read_text().split("\n\n"))


def _copy(tmp_path):
    bib = tmp_path / "same.bib"
    shutil.copy(SOURCE, bib)
    return bib


def test_each_entry_is_named_by_its_line_and_no_decision_is_remembered_by_the_shared_key(tmp_path):
    bib = _copy(tmp_path)
    reviewer = QueuedReviewer([Action("merge", 0), Action("quit")])
    report = review_bib(bib, reviewer)
    first, second = (case for case, _ in reviewer.asked)  # the second question is asked, not settled silently
    assert first.label == "devlin2018bert (line 8)"
    assert [first.name(c.entry) for c in first.candidates] == ["devlin2018bert (line 1)", "devlin2018bert (line 15)"]
    assert first.ambiguous
    assert second.label == "devlin2018bert (line 15)"
    assert [second.name(c.entry) for c in second.candidates] == ["devlin2018bert (line 1)"]
    assert (report.merged, report.removed, len(report.open_cases)) == (1, 1, 1)
    # the entry kept is the candidate chosen (line 1), the one merged away (line 8) is gone, the
    # third (line 15, never merged) is as it was
    assert bib.read_text() == FIRST + "\n\n" + THIRD + "\n"
    store = bib.with_name(bib.name + ".bibsync.json")
    assert not store.exists() or json.loads(store.read_text())["decisions"] == []


def test_merging_into_the_second_candidate_keeps_that_entry(tmp_path):
    bib = _copy(tmp_path)
    report = review_bib(bib, QueuedReviewer([Action("merge", 1), Action("quit")]))
    assert (report.merged, report.removed) == (1, 1)
    text = bib.read_text()
    assert text.startswith(FIRST + "\n\n") and SECOND not in text
    # line 15's entry stays where it was, its own title and url kept (it filled nothing: it had all)
    assert "Pre-training of Deep Bidirectional Transformers" in text and "url" in text and text.count("@article") == 2


def test_undo_after_an_unremembered_answer_takes_back_nothing_else(tmp_path):
    entries = BibFileTarget(SOURCE).load()
    store = DecisionStore.for_bib(tmp_path / "same.bib")
    store.record(entries[0].with_key("other"), entries[2].with_key("third"), "different", by_key=True)
    cases = cases_from_duplicates(entries, find_duplicates(entries), Matcher(entries))
    reviewer = QueuedReviewer([Action("merge", 0), Action("undo"), Action("quit")])
    result = run_review(cases, reviewer, store)
    assert [position for _, position in reviewer.asked] == [0, 1, 0]
    # the earlier decision (this session's last record) is still there: the merge recorded nothing
    assert [d.entry for d in store.decisions()] == ["key:other"]
    assert result.quit and result.outcomes == {}


def test_a_candidate_called_different_is_not_shown_again_though_nothing_is_remembered(tmp_path):
    entries = BibFileTarget(SOURCE).load()
    store = DecisionStore.for_bib(tmp_path / "same.bib")
    cases = cases_from_duplicates(entries, find_duplicates(entries), Matcher(entries))
    reviewer = QueuedReviewer([Action("different", 0), Action("different", 0), Action("quit")])
    result = run_review(cases, reviewer, store)
    shown = [[c.index for c in case.candidates] for case, _ in reviewer.asked]
    assert shown == [[0, 2], [2], [0, 1]]  # line 8 against lines 1 and 15, then against 15 alone; then line 15
    assert result.outcomes[0].action.kind == "different" and not result.outcomes[0].auto
    assert store.decisions() == []


def test_a_pending_case_finds_the_entry_the_sync_named_among_those_sharing_its_key():
    from bibsync.review.cases import cases_from_pending
    from bibsync.review.decisions import PendingCandidate, PendingCase

    entries = BibFileTarget(SOURCE).load()
    # an entry the matcher would not propose today: only the stored candidate names it
    incoming = entries[1].with_fields(title="Attention is all you need", year="2017", journal="NeurIPS").with_key("v")
    pending = [PendingCase(incoming, (PendingCandidate("devlin2018bert", 0, 0.9),))]
    (case,) = cases_from_pending(pending, entries, Matcher(entries))
    assert [(c.index, case.name(c.entry)) for c in case.candidates] == [(0, "devlin2018bert (line 1)")]
    assert case.ambiguous
