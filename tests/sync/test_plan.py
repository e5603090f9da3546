"""make_plan: kinds, policies, keys, incoming duplicates, earlier decisions."""

from __future__ import annotations

import pytest

from bibsync.errors import UsageError
from bibsync.model import Entry, Person
from bibsync.plan import FieldChange, Plan, make_plan

FAASM_TITLE = "Faasm: Lightweight Isolation for Efficient Stateful Serverless Computing"
PEOPLE = (Person("Shillaker", "Simon"), Person("Pietzuch", "Peter"))


def faasm(key: str | None = None, **fields: str) -> Entry:
    base = {"title": FAASM_TITLE, "booktitle": "USENIX ATC", "year": "2020"}
    base.update(fields)
    return Entry("inproceedings", {k: v for k, v in base.items() if v}, PEOPLE, key=key)


def lamport(key: str | None = "lamport1978time") -> Entry:
    return Entry("article", {"title": "Time, Clocks, and the Ordering of Events in a Distributed System",
                             "journal": "Communications of the ACM", "year": "1978"},
                 (Person("Lamport", "Leslie"),), key=key)


class FakeDecisions:
    """A DecisionLookup with fixed answers: {(incoming title, candidate key or None): decision}."""

    def __init__(self, answers: dict[tuple[str, str | None], str]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str | None]] = []

    def decision_for(self, entry: Entry, candidate: Entry | None) -> str | None:
        pair = (entry.title, candidate.key if candidate else None)
        self.asked.append(pair)
        return self.answers.get(pair)


def test_fill_adds_missing_fields_only() -> None:
    target = faasm("shillaker2020faasm", booktitle="2020 USENIX ATC")
    incoming = faasm(pages="419--434", booktitle="USENIX Annual Technical Conference")
    plan = make_plan([incoming], [target])
    (change,) = plan.changes
    assert change.kind == "update"
    assert change.key == change.target_key == "shillaker2020faasm"
    assert change.field_changes == (FieldChange("pages", None, "419--434"),)
    assert change.result.get("pages") == "419--434"
    assert change.result.get("booktitle") == "2020 USENIX ATC"  # existing value kept


def test_prefer_source_replaces_differing_values_but_not_case_or_spacing() -> None:
    target = faasm("k", booktitle="2020 USENIX ATC", title=FAASM_TITLE.upper())
    incoming = faasm(pages="419--434", booktitle="USENIX Annual Technical Conference")
    (change,) = make_plan([incoming], [target], policy="source").changes
    assert change.field_changes == (
        FieldChange("booktitle", "2020 USENIX ATC", "USENIX Annual Technical Conference"),
        FieldChange("pages", None, "419--434"),
    )


def test_prefer_target_changes_nothing_that_exists() -> None:
    target = faasm("k")
    plan = make_plan([faasm(pages="1--2"), lamport(None)], [target], policy="target")
    assert [c.kind for c in plan.changes] == ["same", "add"]


def test_same_when_nothing_is_missing() -> None:
    plan = make_plan([faasm()], [faasm("k", pages="1--2")])
    assert plan.counts() == {"add": 0, "update": 0, "same": 1, "review": 0}


def test_author_list_filled_only_when_missing_and_never_with_a_truncated_one() -> None:
    bare = Entry("inproceedings", {"title": FAASM_TITLE, "year": "2020"}, key="k")
    (change,) = make_plan([faasm()], [bare]).changes
    assert change.field_changes[0] == FieldChange("author", None, "Shillaker, Simon and Pietzuch, Peter")
    assert change.result.authors == PEOPLE
    truncated = Entry("inproceedings", {"title": FAASM_TITLE, "year": "2020"}, (Person("Shillaker", "S."),),
                      authors_truncated=True)
    (change,) = make_plan([truncated], [faasm("k")], policy="source").changes
    assert change.kind == "same"


def test_venue_of_the_other_kind_is_not_added() -> None:
    target = Entry("article", {"title": FAASM_TITLE, "journal": "J", "year": "2020"}, PEOPLE, key="k")
    (change,) = make_plan([faasm(pages="3--4")], [target]).changes
    assert [fc.name for fc in change.field_changes] == ["pages"]


def test_new_key_is_unique_case_insensitively_and_incoming_keys_are_kept_when_free() -> None:
    existing = Entry("misc", {"title": "Something else entirely", "year": "1978"}, key="Lamport1978Time")
    plan = make_plan([lamport(None), lamport("mykey").with_fields(title="Other title, also new")], [existing])
    assert [c.key for c in plan.changes] == ["lamport1978timea", "mykey"]
    assert plan.changes[0].result.key == "lamport1978timea"


def test_identical_entries_are_same_even_when_the_target_has_duplicates() -> None:
    entries = [lamport("a"), lamport("b"), faasm("c")]
    plan = make_plan(entries, entries)
    assert [(c.kind, c.target_key) for c in plan.changes] == [("same", "a"), ("same", "a"), ("same", "c")]


def test_incoming_duplicates_are_merged_before_planning() -> None:
    one = faasm(pages="419--434", doi="10.5555/1")
    two = faasm(doi="10.5555/1", publisher="USENIX Association")
    plan = make_plan([one, lamport(None), two], [])
    assert plan.merged == [(0, 2)]
    assert plan.counts()["add"] == 2
    merged = plan.changes[0].result
    assert merged.get("pages") == "419--434" and merged.get("publisher") == "USENIX Association"


def test_a_target_entry_matched_twice_sends_the_second_to_review() -> None:
    plan = make_plan([faasm(pages="1--2", doi="10.1/a"), faasm(doi="10.1/b", note="x")],
                     [faasm("k")], merge_duplicates=False)
    assert [c.kind for c in plan.changes] == ["update", "review"]
    assert "already matched" in plan.changes[1].explanation


def test_decision_add_makes_an_add() -> None:
    decisions = FakeDecisions({(FAASM_TITLE, None): "add"})
    (change,) = make_plan([faasm(pages="1--2")], [faasm("k")], decisions=decisions).changes
    assert change.kind == "add"


def test_decision_different_excludes_the_candidate() -> None:
    decisions = FakeDecisions({(FAASM_TITLE, "k"): "different"})
    (change,) = make_plan([faasm(pages="1--2")], [faasm("k")], decisions=decisions).changes
    assert change.kind == "add"
    assert (FAASM_TITLE, "k") in decisions.asked


def test_decision_merge_turns_a_review_into_an_update() -> None:
    software = Entry("software", {"title": FAASM_TITLE, "year": "2019", "url": "https://github.com/faasm"}, PEOPLE)
    without = make_plan([software], [faasm("k")])
    assert without.changes[0].kind == "review"
    decisions = FakeDecisions({(FAASM_TITLE, "k"): "merge"})
    (change,) = make_plan([software], [faasm("k")], decisions=decisions).changes
    assert change.kind == "update" and change.key == "k"
    assert change.field_changes == (FieldChange("url", None, "https://github.com/faasm"),)


class FakeChoices(FakeDecisions):
    """A lookup that also remembers the field choices of merges (as DecisionStore does)."""

    def __init__(self, answers: dict[tuple[str, str | None], str], choices: dict[str, str]) -> None:
        super().__init__(answers)
        self.choices = choices

    def field_choices(self, entry: Entry, candidate: Entry) -> dict[str, str]:
        return dict(self.choices) if self.decision_for(entry, candidate) == "merge" else {}


@pytest.mark.parametrize("policy", ["fill", "source"])
def test_remembered_field_choices_keep_the_target_side(policy: str) -> None:
    software = Entry("software", {"title": FAASM_TITLE, "year": "2019", "url": "https://github.com/faasm",
                                  "booktitle": "USENIX Annual Technical Conference"}, PEOPLE)
    target = faasm("k")
    decisions = FakeChoices({(FAASM_TITLE, "k"): "merge"}, {"url": "target", "booktitle": "target", "year": "target"})
    (change,) = make_plan([software], [target], policy=policy, decisions=decisions).changes
    assert change.kind == "same" and change.key == "k" and change.result == target
    decisions.choices = {"url": "incoming", "year": "target"}  # the other fields follow the policy
    (change,) = make_plan([software], [target], policy=policy, decisions=decisions).changes
    expected = (FieldChange("booktitle", "USENIX ATC", "USENIX Annual Technical Conference"),) if policy == "source" else ()
    assert change.field_changes == expected + (FieldChange("url", None, "https://github.com/faasm"),)


def test_review_change_carries_candidates_and_no_result() -> None:
    software = Entry("software", {"title": FAASM_TITLE, "year": "2019"}, PEOPLE)
    (change,) = make_plan([software], [faasm("k")]).changes
    assert change.kind == "review"
    assert change.result is None and change.key is None
    assert change.target_key == "k" and change.candidates[0].index == 0


def test_empty_target_adds_everything() -> None:
    plan = make_plan([faasm(), lamport(None)], [])
    assert [c.kind for c in plan.changes] == ["add", "add"]
    assert isinstance(plan, Plan) and len(plan.to_apply()) == 2


def test_unknown_policy_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        make_plan([], [], policy="mine")
