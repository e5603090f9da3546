"""The review's decision logic, driven by queued answers through the library API (no terminal)."""

import pytest

from bibsync.match import DuplicateGroup, Matcher
from bibsync.model import Entry, Person
from bibsync.review.cases import (Action, CaseCandidate, ReviewCase, auto_decide, cases_from_duplicates,
                                  cases_from_pending)
from bibsync.review.decisions import DecisionStore, PendingCandidate, PendingCase
from bibsync.review.merge import default_choices, differing_fields, merge_entries
from bibsync.review.outcomes import plan_review, plan_sync_outcomes
from bibsync.review.walk import QueuedReviewer, ReviewExhausted, run_review
from review_helpers import ARTEFACT, LOOKALIKE, OTHER, PAPER, PREPRINT, TARGETS, Interrupting



def cand(i, score=0.8):
    return CaseCandidate(TARGETS[i], i, score, f"score {score}")


def sync_cases():
    return [ReviewCase("sync", PREPRINT, (cand(0, 0.86), cand(2, 0.72))),
            ReviewCase("sync", LOOKALIKE, (cand(1, 0.81),))]


@pytest.fixture
def store(tmp_path):
    return DecisionStore.for_bib(tmp_path / "refs.bib")


def test_field_defaults_fill_missing_and_keep_existing():
    other = OTHER.with_key("x").with_fields(journal=None, pages="3--9", volume="2")
    diffs = {d.name: (d.incoming, d.target, d.default) for d in differing_fields(other, OTHER)}
    # no second venue; what the target has is kept; what it lacks is filled
    assert diffs == {"journal": (None, "JMLR", "target"), "volume": ("2", None, "incoming"),
                     "pages": ("3--9", None, "incoming")}
    assert dict(merge_entries(other, OTHER).fields) == {**OTHER.fields, "volume": "2", "pages": "3--9"}


def test_a_preprint_merged_into_its_published_version_keeps_the_publication_and_adds_its_arxiv_id():
    diffs = {d.name: (d.incoming, d.target, d.default) for d in differing_fields(PREPRINT, PAPER)}
    # the published side (the target) wins type, venue, year, pages and DOI, absent ones included
    assert diffs == {
        "@type": ("article", "inproceedings", "target"),
        "booktitle": (None, "USENIX ATC", "target"),
        "journal": ("arXiv", None, "target"),
        "pages": ("1--14", None, "target"),
        "year": ("2022", "2023", "target"),
        "doi": ("10.48550/arXiv.2210.00882", None, "target"),
        "archiveprefix": ("arXiv", None, "incoming"),
        "eprint": ("2210.00882", None, "incoming"),
    }
    merged = merge_entries(PREPRINT, PAPER)
    assert merged.key == "zhu2023msrl" and merged.type == "inproceedings"
    assert dict(merged.fields) == {**PAPER.fields, "eprint": "2210.00882", "archiveprefix": "arXiv"}
    # the other way round: the published version comes in, the target is the preprint
    published = PAPER.with_key(None).with_fields(doi="10.5555/atc23", pages="7--21")
    flipped = {d.name: d.default for d in differing_fields(published, PREPRINT.with_fields(pages=None))}
    assert {n: flipped[n] for n in ("@type", "booktitle", "journal", "year", "doi", "pages")} == {
        "@type": "incoming", "booktitle": "incoming", "journal": "incoming", "year": "incoming",
        "doi": "incoming", "pages": "incoming"}
    result = merge_entries(published, PREPRINT.with_fields(pages=None))
    assert (result.key, result.type, result.year, result.get("booktitle"), result.get("journal")) == (
        "zhu2022msrl", "inproceedings", "2023", "USENIX ATC", "")
    assert (result.get("doi"), result.get("eprint"), result.get("archiveprefix")) == ("10.5555/atc23", "2210.00882",
                                                                                       "arXiv")
    # the published version merged the other way round: its type wins, the old venue goes
    chosen = merge_entries(PREPRINT, PAPER, {"@type": "incoming", "year": "incoming", "journal": "incoming",
                                             "booktitle": "incoming", "doi": "target"})
    assert chosen.type == "article" and chosen.year == "2022" and chosen.get("journal") == "arXiv"
    assert "doi" not in chosen.fields and "booktitle" not in chosen.fields


def test_queued_merge_add_skip_then_plan(store):
    reviewer = QueuedReviewer([Action("merge", 0, {"eprint": "target", "pages": "incoming"}), Action("add")])
    result = run_review(sync_cases(), reviewer, store)
    assert not result.quit and [p for _, p in reviewer.asked] == [0, 1]
    assert store.decision_for(PREPRINT, PAPER) == "merge"
    assert store.field_choices(PREPRINT, PAPER) == {**default_choices(PREPRINT, PAPER), "eprint": "target",
                                                    "pages": "incoming"}
    assert store.decision_for(LOOKALIKE, None) == "add" and store.decision_for(LOOKALIKE, OTHER) == "different"
    changes = plan_sync_outcomes(result.decided(), TARGETS + [Entry("misc", key="Smith2021DataflowA")])
    update, add = changes
    assert (update.kind, update.key, update.target_index) == ("update", "zhu2023msrl", 0)
    assert [(f.name, f.old, f.new) for f in update.field_changes] == [
        ("pages", None, "1--14"), ("archiveprefix", None, "arXiv"),
        ("ids", None, "zhu2022msrl")]  # eprint refused, pages asked for, the preprint's key an alias
    assert "doi" not in update.result.fields and "eprint" not in update.result.fields
    # the new key avoids a case-insensitive clash with an existing key
    assert (add.kind, add.key, add.result.key) == ("add", "smith2021dataflowaa", "smith2021dataflowaa")


def test_skip_leaves_the_case_open(store):
    result = run_review(sync_cases(), QueuedReviewer([Action("skip"), Action("skip")]), store)
    assert result.open_positions(2) == [0, 1] and result.decided() == [] and store.decisions() == []


def test_undo_goes_back_and_takes_the_decision_back(store):
    reviewer = QueuedReviewer([Action("merge", 1), Action("undo"), Action("undo"), Action("different", 0),
                               Action("skip"), Action("add")])
    result = run_review(sync_cases(), reviewer, store)
    # asked: case 0, case 1 (undo -> back to case 0), case 0 (undo with nothing left -> notice),
    # case 0 (d on candidate 1: asked again with the artefact only), case 0 again (skip), case 1 (add)
    assert [p for _, p in reviewer.asked] == [0, 1, 0, 0, 0, 1]
    assert reviewer.notices == ["nothing to undo"]
    assert [c.entry.key for c in reviewer.asked[4][0].candidates] == ["zhu2023software"]
    assert store.decision_for(PREPRINT, ARTEFACT) is None  # the merge was undone
    assert store.decision_for(PREPRINT, PAPER) == "different"
    assert result.outcomes[0].action.kind == "skip" and result.outcomes[1].action.kind == "add"


def test_different_on_every_candidate_adds_the_entry(store):
    reviewer = QueuedReviewer([Action("different", 0), Action("different", 0), Action("quit")])
    result = run_review(sync_cases(), reviewer, store)
    # settled by the person's two answers in this session, so not an automatic decision
    assert result.outcomes[0].action == Action("add") and not result.outcomes[0].auto
    assert result.quit and 1 not in result.outcomes


def test_quit_and_resume_applies_remembered_decisions_silently(store, tmp_path):
    first = run_review(sync_cases(), QueuedReviewer([Action("merge", 0), Action("quit")]), store)
    assert first.quit and list(first.outcomes) == [0]
    store.save()
    resumed = DecisionStore.for_bib(tmp_path / "refs.bib")
    reviewer = QueuedReviewer([Action("different", 0)])
    second = run_review(sync_cases(), reviewer, resumed)
    # case 0 was not asked again; the remaining case is shown as 1 of 1
    assert [(c.entry.key, p) for c, p in reviewer.asked] == [("smith2021dataflowa", 0)]
    assert second.outcomes[0].auto and second.outcomes[0].action.kind == "merge"
    assert second.outcomes[1].action == Action("add")
    # a third run asks nothing at all (a reviewer with an empty queue fails on any question)
    third = run_review(sync_cases(), QueuedReviewer([]), resumed)
    assert [o.action.kind for o in third.outcomes.values()] == ["merge", "add"]


def test_unexpected_question_fails_loudly(store):
    with pytest.raises(ReviewExhausted, match="zhu2022msrl"):
        run_review(sync_cases(), QueuedReviewer([]), store)


def test_ctrl_c_keeps_decisions_taken_so_far(store):
    with pytest.raises(KeyboardInterrupt):
        run_review(sync_cases(), Interrupting([Action("add")]), store)
    assert store.decision_for(PREPRINT, None) == "add"


def test_auto_decide_from_remembered_decisions(store):
    case = sync_cases()[0]
    assert auto_decide(case, store) is None
    store.record(PREPRINT, ARTEFACT, "merge", {"title": "incoming"})
    assert auto_decide(case, store) == Action("merge", 1, {"title": "incoming"})
    store.undo_last()
    store.record(PREPRINT, PAPER, "different")
    assert auto_decide(case, store) is None
    store.record(PREPRINT, ARTEFACT, "different")
    assert auto_decide(case, store) == Action("add")


def test_pending_cases_find_candidates_by_key_against_the_current_target():
    pending = [PendingCase(PREPRINT, (PendingCandidate("zhu2023software", 2, 0.7), PendingCandidate("gone", 7, 0.9)))]
    [case] = cases_from_pending(pending, TARGETS, Matcher(TARGETS))
    keys = [c.entry.key for c in case.candidates]
    assert "zhu2023software" in keys and "gone" not in keys
    assert "zhu2023msrl" in keys  # proposed afresh by the matcher
    assert [c.score for c in case.candidates] == sorted((c.score for c in case.candidates), reverse=True)


def dup_entries():
    a = Entry("article", {"title": "Stream Processing at Scale", "year": "2019", "journal": "VLDB J."},
              (Person("Koliousis", "Alexandros"),), key="koliousis2019stream")
    b = a.with_key("Koliousis19").with_fields(journal=None, pages="1--20")
    c = a.with_key("stream-dup").with_fields(ids="oldkey", volume="28")
    d = Entry("misc", {"title": "Unrelated"}, key="other")
    return [a, d, b, c]


def test_duplicates_merge_into_kept_key_with_aliases(store):
    entries = dup_entries()
    cases = cases_from_duplicates(entries, [DuplicateGroup((0, 2, 3), "match", 1.0, "title 1.00")], Matcher(entries))
    assert [(c.entry.key, [x.entry.key for x in c.candidates]) for c in cases] == [
        ("Koliousis19", ["koliousis2019stream", "stream-dup"]), ("stream-dup", ["koliousis2019stream", "Koliousis19"])]
    # Koliousis19 -> koliousis2019stream; then stream-dup's screen is rebuilt: Koliousis19 is gone
    # (merged away) and koliousis2019stream shows its merged content
    reviewer = QueuedReviewer([Action("merge", 0), Action("merge", 0)])
    result = run_review(cases, reviewer, store)
    second = reviewer.asked[1][0]
    assert [c.entry.key for c in second.candidates] == ["koliousis2019stream"]
    assert second.candidates[0].entry.get("pages") == "1--20"
    assert second.candidates[0].entry.get("ids") == "Koliousis19"
    plan = plan_review(entries, result.settled())
    assert plan.removed == [2, 3]
    assert plan.renames == {"Koliousis19": "koliousis2019stream", "stream-dup": "koliousis2019stream"}
    [change] = plan.changes
    kept = change.result
    assert kept.key == "koliousis2019stream"
    assert kept.get("ids") == "Koliousis19,stream-dup,oldkey"
    assert kept.get("pages") == "1--20" and kept.get("volume") == "28" and kept.get("journal") == "VLDB J."
    assert change.kind == "update" and change.target_index == 0
    assert [f.name for f in change.field_changes] == ["volume", "pages", "ids"]


def test_a_merge_keeps_the_key_the_person_picks(store):
    entries = dup_entries()
    cases = cases_from_duplicates(entries, [DuplicateGroup((0, 2), "match", 1.0, "")], Matcher(entries))
    result = run_review(cases, QueuedReviewer([Action("merge", 0, keep_key="Koliousis19")]), store)
    plan = plan_review(entries, result.settled())
    # the entry with the key asked for stays where it is; the other is merged into it and removed
    assert plan.removed == [0] and plan.renames == {"koliousis2019stream": "Koliousis19"}
    [change] = plan.changes
    assert change.target_index == 2 and change.result.key == "Koliousis19"
    assert change.result.get("ids") == "koliousis2019stream" and change.result.get("journal") == "VLDB J."
    # a sync merge may keep the incoming key: the target entry is renamed, its old key an alias
    sync = [ReviewCase("sync", PREPRINT, (cand(0, 0.86),))]
    renamed = plan_review(TARGETS, run_review(sync, QueuedReviewer([Action("merge", 0, keep_key="zhu2022msrl")]),
                                              DecisionStore(store.path.with_name("y.json"))).settled())
    [update] = renamed.changes
    assert [(f.name, f.old, f.new) for f in update.field_changes][0] == ("@key", "zhu2023msrl", "zhu2022msrl")
    assert update.result.get("ids") == "zhu2023msrl" and renamed.renames == {"zhu2023msrl": "zhu2022msrl"}


def test_duplicates_kept_apart_are_never_asked_again(store):
    entries = dup_entries()
    groups = [DuplicateGroup((0, 2), "review", 0.9, "")]
    cases = cases_from_duplicates(entries, groups, Matcher(entries))
    result = run_review(cases, QueuedReviewer([Action("add")]), store)  # a = keep both
    assert plan_review(entries, result.settled()).removed == []
    # asked the other way round (as a later dedupe might), the pair is still settled
    flipped = [ReviewCase("duplicate", entries[0], (CaseCandidate(entries[2], 2, 0.9),), 0)]
    again = run_review(flipped, QueuedReviewer([]), store)
    assert again.outcomes[0].action.kind == "different" and again.outcomes[0].auto


def test_inline_review_replaces_the_plans_review_changes(store):
    from bibsync.match import Candidate
    from bibsync.plan import Change, Plan
    from bibsync.review.outcomes import review_plan

    plan = Plan([
        Change("add", OTHER.with_key("smith2021dataflowa"), key="smith2021dataflowa"),
        Change("review", PREPRINT, key="zhu2022msrl", target_index=0, target_key="zhu2023msrl", score=0.86,
               candidates=(Candidate(0, 0.86, {}, "title 1.00 · year ≠"), Candidate(2, 0.72, {}, "title 0.3"))),
        Change("review", LOOKALIKE, key="smith2021dataflowa", target_index=1, target_key="smith2021dataflow",
               score=0.81, candidates=(Candidate(1, 0.81, {}, "title 0.9"),)),
        Change("same", PAPER, key="zhu2023msrl", target_index=0),
    ])
    reviewer = QueuedReviewer([Action("merge", 0), Action("add")])
    new_plan, result = review_plan(plan, TARGETS, reviewer, store)
    assert [c.kind for c in new_plan.changes] == ["add", "update", "add", "same"]
    assert new_plan.changes[1].key == "zhu2023msrl"
    # the second add's key avoids the key the plan already gives the first one
    assert new_plan.changes[2].key == "smith2021dataflowaa"
    skipped, _ = review_plan(plan, TARGETS, QueuedReviewer([Action("skip"), Action("quit")]), DecisionStore(store.path.with_name("x.json")))
    assert [c.kind for c in skipped.changes] == ["add", "review", "review", "same"]


def test_different_on_a_duplicate_counts_as_the_persons_decision(store):
    entries = dup_entries()
    cases = cases_from_duplicates(entries, [DuplicateGroup((0, 2), "review", 0.9, "")], Matcher(entries))
    result = run_review(cases, QueuedReviewer([Action("different", 0)]), store)
    assert result.outcomes[0].action.kind == "different" and not result.outcomes[0].auto
    assert plan_review(entries, result.settled()).removed == []


def test_the_key_picked_is_remembered_with_the_merge(store):
    entries = dup_entries()
    cases = cases_from_duplicates(entries, [DuplicateGroup((0, 2), "match", 1.0, "")], Matcher(entries))
    run_review(cases, QueuedReviewer([Action("merge", 0, keep_key="Koliousis19")]), store)
    # asked again (say the file was left untouched after Ctrl-C): settled from memory, same key kept
    again = run_review(cases, QueuedReviewer([]), store)
    assert again.outcomes[0].auto and again.outcomes[0].action.fields["@key"] == "incoming"
    plan = plan_review(entries, again.settled())
    assert plan.removed == [0] and plan.changes[0].result.key == "Koliousis19"
