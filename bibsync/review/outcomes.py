"""A review's outcomes as changes for the target: ``plan_review`` (every merge applied to one
:class:`~bibsync.review.walk.MergeView`; adds with keys unique in the target) and, for an
inline review during a sync, ``plan_sync_outcomes`` and ``review_plan``. Pure: no terminal,
no I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from ..keys import DEFAULT_PATTERN, compile_pattern
from ..model import Entry
from ..plan import ENTRY_KEY, Change, FieldChange, Plan, join_change, new_key, writers_of
from .cases import cases_from_changes
from .merge import field_changes
from .walk import MergeView, Outcome, Recorder, Reviewer, ReviewResult, run_review


def plan_sync_outcomes(outcomes: Sequence[Outcome], targets: Sequence[Entry],
                       taken: Iterable[str] = (), key_pattern: str = DEFAULT_PATTERN) -> list[Change]:
    """The changes for decided sync cases: ``update`` (merge) or ``add`` (with a new key).

    A merge that changes nothing becomes ``same``. An added entry keeps its own key if it
    is free, else gets one from ``key_pattern``, unique against the target, ``taken`` and
    each other (case-insensitive).
    """
    make_key = compile_pattern(key_pattern)
    taken = {e.key.lower() for e in targets if e.key} | {k.lower() for k in taken}
    changes = []
    for outcome in outcomes:
        case, action = outcome.case, outcome.action
        if case.kind != "sync":
            continue
        if action.kind == "merge":
            cand = case.candidates[action.candidate or 0]
            merged = MergeView.of({cand.index: cand.entry}, [outcome]).current[cand.index]
            if merged.key != cand.entry.key and (merged.key or "").lower() in taken - {(cand.entry.key or "").lower()}:
                merged = merged.with_key(cand.entry.key)  # the key asked for is taken: keep the entry's own
            diffs = field_changes(cand.entry, merged)
            if merged.key != cand.entry.key:
                diffs = (FieldChange(ENTRY_KEY, cand.entry.key, merged.key or ""), *diffs)
                taken.add((merged.key or "").lower())
            changes.append(Change("update" if diffs else "same", case.entry, cand.entry.key, cand.index,
                                  cand.entry.key, cand.score, cand.explanation, diffs, (), merged))
        elif action.kind == "add":
            key = new_key(case.entry, make_key, taken)
            added = case.entry.with_key(key)
            changes.append(Change("add", case.entry, key, None, None, None, "added after review",
                                  field_changes(Entry(added.type), added), (), added))
    return changes


@dataclass
class ReviewPlan:
    """What a review's outcomes do to a target: the changes to write, the entries removed
    (merged-away duplicates, by index), the keys renamed (old -> kept), and the change each
    sync outcome became (for remembering what was added)."""

    changes: list[Change] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)
    by_outcome: list[tuple[Outcome, Change]] = field(default_factory=list)


def plan_review(targets: Sequence[Entry], outcomes: Sequence[Outcome], key_pattern: str = DEFAULT_PATTERN,
                taken: Iterable[str] = ()) -> ReviewPlan:
    """The changes that the outcomes of a review make to ``targets``.

    Every merge (sync and duplicate cases, in order) is applied to one :class:`MergeView`,
    so an entry merged twice is written once with both merges; an entry whose kept key is
    not its own is renamed (``ENTRY_KEY``), the old key kept in ``ids``; ``add`` outcomes
    become new entries with keys unique in the target.
    """
    view = MergeView.of(dict(enumerate(targets)), outcomes)
    keys = Counter((e.key or "").lower() for e in targets)
    for i, after in list(view.current.items()):
        own = (targets[i].key or "").lower()
        if i not in view.into and (after.key or "").lower() != own and keys[(after.key or "").lower()]:
            view.current[i] = after.with_key(targets[i].key)  # the key asked for is taken: keep its own
    plan = ReviewPlan()
    plan.removed = sorted(view.into)
    for i, after in sorted(view.current.items()):
        if i in view.into or after == targets[i]:
            continue
        before = targets[i]
        diffs = field_changes(before, after)
        if after.key != before.key:
            diffs = (FieldChange(ENTRY_KEY, before.key, after.key or ""), *diffs)
            plan.renames[before.key or ""] = after.key or ""
        plan.changes.append(Change("update", before, before.key, i, before.key, None, "merged in a review",
                                   diffs, (), after))
    for i in plan.removed:
        old, new = targets[i].key, view.current[view.final(i)].key
        if old and new and old != new:
            plan.renames[old] = new
    updates = {c.target_index: c for c in plan.changes}
    adds = plan_sync_outcomes([o for o in outcomes if o.action.kind == "add"], targets, taken, key_pattern)
    plan.changes.extend(adds)
    added = iter(adds)
    for outcome in outcomes:
        if outcome.case.kind != "sync":
            continue
        if outcome.action.kind == "add":
            plan.by_outcome.append((outcome, next(added)))
        elif outcome.action.kind == "merge":
            index = view.final(outcome.case.candidates[outcome.action.candidate or 0].index)
            change = updates.get(index) or Change("same", outcome.case.entry, targets[index].key, index,
                                                  targets[index].key, result=targets[index])
            plan.by_outcome.append((outcome, change))
        elif outcome.action.kind == "decline":
            plan.by_outcome.append((outcome, Change("declined", outcome.case.entry, explanation="declined in a review")))
    return plan


def review_plan(plan: Plan, targets: Sequence[Entry], reviewer: Reviewer, store: Recorder) -> tuple[Plan, ReviewResult]:
    """Ask about a plan's ``review`` changes (inline review during a sync).

    Each case shows its candidates as the plan's other changes leave them (an entry the sync
    completes is shown completed). Returns the plan with every decided review change
    replaced by its ``update``/``add``/``same`` change (undecided ones stay ``review``), one
    writing change per target entry (a merge into an entry the plan already updates joins
    that update: see ``bibsync.plan.join_change``), and the review's result.
    """
    reviews = [i for i, c in enumerate(plan.changes) if c.kind == "review"]
    changes: list[Change | None] = list(plan.changes)
    writers = writers_of(changes)
    planned = list(targets)
    for j, position in writers.items():
        planned[j] = plan.changes[position].result or targets[j]
    cases = cases_from_changes([plan.changes[i] for i in reviews], planned)
    result = run_review(cases, reviewer, store)
    added = [c.key for c in plan.changes if c.kind == "add" and c.key] + sorted(plan.reserved)
    for position, outcome in sorted(result.outcomes.items()):
        if outcome.action.kind == "decline":
            changes[reviews[position]] = Change("declined", outcome.case.entry,
                                                explanation="declined in this review: never add it")
            continue
        decided = plan_sync_outcomes([outcome], planned, added)
        if decided:
            # the candidates it was reviewed against stay with it (an add is settled apart from them)
            change = replace(decided[0], candidates=plan.changes[reviews[position]].candidates)
            join_change(changes, reviews[position], change, writers)
            if decided[0].kind == "add" and decided[0].key:
                added.append(decided[0].key)
    return Plan([c for c in changes if c is not None], plan.merged, plan.reserved), result
