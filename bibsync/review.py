"""The review's decision logic: pure, no terminal, no I/O.

A ``ReviewCase`` is one question for a person: an incoming entry and its ranked candidates
(``kind="sync"``), or an entry of a .bib and the entries it seems to duplicate
(``kind="duplicate"``). ``auto_decide`` answers it from remembered decisions; a ``Reviewer``
(the terminal one, or ``QueuedReviewer`` in tests and scripts) answers the rest;
``run_review`` walks the cases (skip, undo, quit) and records decisions in a store;
``plan_sync_outcomes`` and ``plan_dedupe`` turn the outcomes into changes for the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping, Protocol, Sequence

from .bibtex_write import FIELD_ORDER, ordered_fields
from .decisions import Decision, PendingCase
from .keys import DEFAULT_PATTERN, compile_pattern
from .match import Candidate, DuplicateGroup
from .model import Entry
from .plan import ENTRY_TYPE, VENUES, Change, FieldChange, Plan, new_key

if TYPE_CHECKING:
    from .match import Matcher

ACTIONS = ("merge", "add", "different", "skip", "undo", "quit")
INCOMING, TARGET = "incoming", "target"
# Fields a person does not choose between: aliases are merged, never overwritten.
_UNCHOSEN = frozenset({"ids"})


# --- cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCandidate:
    """One candidate of a case: a target entry (with its key), where it is, and its score."""

    entry: Entry
    index: int
    score: float
    explanation: str = ""
    decided_by: str | None = None


@dataclass(frozen=True)
class ReviewCase:
    """One question: is ``entry`` one of ``candidates`` (best first), or something new?

    For ``kind="duplicate"``, ``entry`` is itself in the target (at ``index``) and merging it
    into a candidate removes it, its key becoming an alias of the candidate's key.
    """

    kind: str  # sync | duplicate
    entry: Entry
    candidates: tuple[CaseCandidate, ...]
    index: int | None = None
    explanation: str = ""

    @property
    def label(self) -> str:
        """What the case is about, for screens and lists."""
        return self.entry.key or "(no key)"


@dataclass(frozen=True)
class Action:
    """A reviewer's answer. ``candidate`` indexes ``case.candidates``; ``fields`` maps field
    names to ``incoming`` or ``target`` (a merge; fields left out take the default)."""

    kind: str
    candidate: int | None = None
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ACTIONS:
            raise ValueError(f"unknown action {self.kind!r}")


def _rank(candidates: Iterable[CaseCandidate]) -> tuple[CaseCandidate, ...]:
    return tuple(sorted(candidates, key=lambda c: (-c.score, c.index)))


def _as_case_candidate(c: Candidate, targets: Sequence[Entry], index: int | None = None) -> CaseCandidate:
    i = c.index if index is None else index
    return CaseCandidate(targets[i], i, c.score, c.explanation, c.decided_by)


def cases_from_pending(pending: Sequence[PendingCase], targets: Sequence[Entry], matcher: Matcher,
                       limit: int = 5) -> list[ReviewCase]:
    """Sync cases for the pending cases of a store, against the target as it is now.

    A stored candidate is found again by its key and scored afresh; candidates the matcher
    proposes now are added, so that a target edited since the sync is still judged right.
    """
    by_key = {e.key: i for i, e in enumerate(targets) if e.key}
    cases = []
    for case in pending:
        found: dict[int, CaseCandidate] = {}
        for stored in case.candidates:
            i = by_key.get(stored.key) if stored.key else None
            if i is not None:
                found[i] = _as_case_candidate(matcher.compare(case.entry, targets[i]), targets, i)
        for c in matcher.propose(case.entry, limit=limit).candidates:
            found.setdefault(c.index, _as_case_candidate(c, targets))
        cases.append(ReviewCase("sync", case.entry, _rank(found.values())[:limit], None, case.explanation))
    return cases


def cases_from_changes(changes: Sequence[Change], targets: Sequence[Entry]) -> list[ReviewCase]:
    """Sync cases for the ``review`` changes of a plan (inline review during a sync)."""
    cases = []
    for change in changes:
        if change.kind != "review":
            continue
        cands = [_as_case_candidate(c, targets) for c in change.candidates if 0 <= c.index < len(targets)]
        if not cands and change.target_index is not None:
            cands = [CaseCandidate(targets[change.target_index], change.target_index, change.score or 0.0,
                                   change.explanation)]
        entry = change.entry.with_key(change.key or change.entry.key)
        cases.append(ReviewCase("sync", entry, _rank(cands), None, change.explanation))
    return cases


def cases_from_duplicates(entries: Sequence[Entry], groups: Sequence[DuplicateGroup],
                          matcher: Matcher) -> list[ReviewCase]:
    """Duplicate cases: each member of a group after the first, against the other members.

    The first member (in file order) is ranked first on equal scores, so merging defaults
    to keeping the earliest key.
    """
    cases = []
    for group in groups:
        members = sorted(group.indices)
        for i in members[1:]:
            cands = [_as_case_candidate(matcher.compare(entries[i], entries[j]), entries, j)
                     for j in members if j != i]
            cases.append(ReviewCase("duplicate", entries[i], _rank(cands), i, group.explanation))
    return cases


# --- fields ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDiff:
    """A field on which two entries differ: its value on each side (None: absent), and which
    side wins unless a person says otherwise."""

    name: str
    incoming: str | None
    target: str | None
    default: str


def field_values(entry: Entry) -> dict[str, str]:
    """The entry as name -> value, in canonical order, people formatted, the entry type as
    ``ENTRY_TYPE`` (``@type``; a ``type`` field keeps its own name)."""
    return {ENTRY_TYPE: entry.type, **dict(ordered_fields(entry))}


_RANK = {name: i for i, name in enumerate((ENTRY_TYPE, *FIELD_ORDER))}


def in_field_order(names: Iterable[str]) -> list[str]:
    """Field names once each, in canonical order (the type first, unknown fields alphabetically)."""
    return sorted(set(names), key=lambda n: (_RANK.get(n, len(_RANK)), n))


def _same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return " ".join(a.split()) == " ".join(b.split())


def differing_fields(incoming: Entry, target: Entry) -> list[FieldDiff]:
    """The fields on which the entries differ, the entry type included, in canonical order.

    By default a field the target lacks is filled (except a second venue: no ``journal``
    beside a ``booktitle``) and everything the target has is kept. Choosing the incoming
    side of a field it lacks removes the field; ``ids`` (aliases) are merged, never chosen.
    """
    a, b = field_values(incoming), field_values(target)
    has_venue = any(v in b for v in VENUES)
    diffs = []
    for name in in_field_order([*a, *b]):
        mine, theirs = a.get(name), b.get(name)
        if name in _UNCHOSEN or _same(mine, theirs):
            continue
        fill = theirs is None and not (name in VENUES and has_venue)
        diffs.append(FieldDiff(name, mine, theirs, INCOMING if fill else TARGET))
    return diffs


def default_choices(incoming: Entry, target: Entry) -> dict[str, str]:
    """The default winner of every differing field."""
    return {d.name: d.default for d in differing_fields(incoming, target)}


def merge_entries(incoming: Entry, target: Entry, choices: Mapping[str, str] | None = None) -> Entry:
    """The target entry after merging ``incoming`` into it; it keeps its key.

    For each differing field the side named in ``choices`` wins (default: see
    ``differing_fields``).
    """
    choices = choices or {}
    result = target
    for diff in differing_fields(incoming, target):
        if choices.get(diff.name, diff.default) != INCOMING:
            continue
        if diff.name == ENTRY_TYPE:
            result = replace(result, type=incoming.type)
        elif diff.name == "author":
            result = replace(result, authors=incoming.authors, authors_truncated=incoming.authors_truncated)
        elif diff.name == "editor":
            result = replace(result, editors=incoming.editors)
        else:
            result = result.with_fields(**{diff.name: incoming.get(diff.name) or None})
    return result


def field_changes(before: Entry, after: Entry) -> tuple[FieldChange, ...]:
    """What turns ``before`` into ``after``, field by field (old None: a new field; new "":
    the field is removed; ``ENTRY_TYPE``: the entry type changes)."""
    a, b = field_values(before), field_values(after)
    return tuple(FieldChange(n, a.get(n), b.get(n, "")) for n in in_field_order([*a, *b])
                 if not _same(a.get(n), b.get(n)))


def split_ids(value: str) -> list[str]:
    """The keys of an ``ids`` field (comma separated)."""
    return [k.strip() for k in value.split(",") if k.strip()]


def with_aliases(entry: Entry, keys: Iterable[str]) -> Entry:
    """Add ``keys`` to the entry's ``ids`` field (BibLaTeX aliases), without repeats or itself."""
    ids = split_ids(entry.get("ids"))
    for key in keys:
        if key and key != entry.key and key not in ids:
            ids.append(key)
    return entry.with_fields(ids=",".join(ids) or None)


# --- remembered decisions ----------------------------------------------------------------------


class Decisions(Protocol):
    """What auto_decide needs from a store (DecisionStore implements it)."""

    def lookup(self, entry: Entry, candidate: Entry | None, *, by_key: bool = False) -> Decision | None:
        """The remembered decision about the pair, or None (``by_key``: entry known by its key)."""
        ...


def _remembered(case: ReviewCase, store: Decisions, cand: CaseCandidate) -> Decision | None:
    """The decision about the case's entry and a candidate. Duplicates are known by key, and
    "different" holds both ways round (a merge only in the direction it was taken)."""
    if case.kind != "duplicate":
        return store.lookup(case.entry, cand.entry)
    found = store.lookup(case.entry, cand.entry, by_key=True)
    if found is None:
        back = store.lookup(cand.entry, case.entry, by_key=True)
        found = back if back is not None and back.decision == "different" else None
    return found


def narrow(case: ReviewCase, store: Decisions) -> ReviewCase:
    """The case without the candidates a person called different."""
    kept = tuple(c for c in case.candidates if (d := _remembered(case, store, c)) is None or d.decision != "different")
    return case if len(kept) == len(case.candidates) else replace(case, candidates=kept)


def auto_decide(case: ReviewCase, store: Decisions) -> Action | None:
    """Answer a case from remembered decisions, or return None to ask a person.

    A remembered merge with a candidate wins (with its field choices); an entry decided
    ``add`` is added; when every candidate was called different, a sync case is added and
    a duplicate case is settled (nothing to do).
    """
    for i, cand in enumerate(case.candidates):
        found = _remembered(case, store, cand)
        if found is not None and found.decision == "merge":
            return Action("merge", i, dict(found.fields))
    if case.kind == "sync":
        found = store.lookup(case.entry, None)
        if found is not None and found.decision == "add":
            return Action("add")
    if not narrow(case, store).candidates:
        return Action("add") if case.kind == "sync" else Action("different")
    return None


# --- the walk -------------------------------------------------------------------------------


class Reviewer(Protocol):
    """Whoever answers the cases: a person at a terminal, or a queue of answers."""

    def choose(self, case: ReviewCase, position: int, total: int) -> Action:
        """Answer one case (merge/add/different/skip/undo/quit). May raise KeyboardInterrupt."""
        ...

    def notice(self, message: str) -> None:
        """Tell the person something (e.g. nothing to undo)."""
        ...


class ReviewExhausted(AssertionError):
    """A QueuedReviewer was asked a question it had no answer for."""


class QueuedReviewer:
    """Answers from a queue, in order; asking beyond the queue fails loudly (for tests and scripts)."""

    def __init__(self, actions: Iterable[Action]) -> None:
        """Queue the answers."""
        self.actions = list(actions)
        self.asked: list[tuple[ReviewCase, int]] = []
        self.notices: list[str] = []

    def choose(self, case: ReviewCase, position: int, total: int) -> Action:
        """Pop the next answer."""
        self.asked.append((case, position))
        if not self.actions:
            raise ReviewExhausted(f"unexpected question about {case.label} ({position + 1}/{total})")
        return self.actions.pop(0)

    def notice(self, message: str) -> None:
        """Keep the message."""
        self.notices.append(message)


class Recorder(Protocol):
    """Where decisions go (DecisionStore implements it)."""

    def lookup(self, entry: Entry, candidate: Entry | None, *, by_key: bool = False) -> Decision | None: ...  # noqa: D102

    def record(self, entry: Entry, candidate: Entry | None, decision: str,
               field_choices: dict[str, str] | None = None, *, different_from: Sequence[Entry] = (),
               by_key: bool = False) -> None: ...  # noqa: D102

    def undo_last(self) -> bool: ...  # noqa: D102


@dataclass(frozen=True)
class Outcome:
    """How a case ended: the case as last shown (without candidates ruled out), the action,
    whether it was settled without asking, and every candidate the case started with."""

    case: ReviewCase
    action: Action
    auto: bool = False
    considered: tuple[CaseCandidate, ...] = ()


@dataclass
class ReviewResult:
    """The outcomes by case position, and whether the person quit early."""

    outcomes: dict[int, Outcome] = field(default_factory=dict)
    quit: bool = False

    def decided(self) -> list[Outcome]:
        """Outcomes that change something (merge or add), in case order."""
        return [self.outcomes[i] for i in sorted(self.outcomes) if self.outcomes[i].action.kind in ("merge", "add")]

    def open_positions(self, total: int) -> list[int]:
        """Positions of cases left open (skipped, or not reached)."""
        return [i for i in range(total) if i not in self.outcomes or self.outcomes[i].action.kind == "skip"]


def _record(case: ReviewCase, action: Action, store: Recorder) -> None:
    others = [c.entry for c in case.candidates]
    by_key = case.kind == "duplicate"
    if action.kind == "merge":
        target = case.candidates[action.candidate or 0].entry
        choices = {**default_choices(case.entry, target), **action.fields}
        store.record(case.entry, target, "merge", choices, by_key=by_key)
    elif action.kind == "add":
        if not by_key:
            store.record(case.entry, None, "add", different_from=others)
        elif others:  # "keep both": different from every candidate
            store.record(case.entry, others[0], "different", different_from=others[1:], by_key=True)
    elif action.kind == "different":
        store.record(case.entry, case.candidates[action.candidate or 0].entry, "different", by_key=by_key)


def run_review(cases: Sequence[ReviewCase], reviewer: Reviewer, store: Recorder) -> ReviewResult:
    """Walk the cases: remembered ones are settled silently, the others asked.

    Every decision is recorded in ``store`` as it is taken (so Ctrl-C keeps them); ``u``
    goes back to the previous answer and takes its decision back; ``q`` stops. ``d`` rules
    out one candidate and asks again; with none left, a sync case is added as new.
    """
    result = ReviewResult()
    history: list[tuple[int, bool]] = []  # (position, whether a decision was recorded)
    # Positions shown to the person count only the cases that needed asking at the start.
    asking = [i for i, c in enumerate(cases) if auto_decide(narrow(c, store), store) is None]
    narrowed_here: set[int] = set()
    i = 0
    while i < len(cases):
        case = narrow(cases[i], store)
        auto = auto_decide(case, store)
        if auto is not None:
            # A case a person narrowed with "different" in this session settles itself: theirs.
            result.outcomes[i] = Outcome(case, auto, i not in narrowed_here, cases[i].candidates)
            i += 1
            continue
        shown = sum(1 for j in asking if j < i)
        action = reviewer.choose(case, shown, max(len(asking), shown + 1))
        if action.kind == "quit":
            result.quit = True
            break
        if action.kind == "undo":
            if not history:
                reviewer.notice("nothing to undo")
                continue
            i, recorded = history.pop()
            if recorded:
                store.undo_last()
            result.outcomes.pop(i, None)
            narrowed_here.discard(i)
            continue
        if action.candidate is not None and not 0 <= action.candidate < len(case.candidates):
            reviewer.notice(f"there is no candidate {action.candidate + 1}")
            continue
        _record(case, action, store)
        history.append((i, action.kind != "skip"))
        if action.kind == "different":
            narrowed_here.add(i)
            continue  # ask again about the rest; with none left the case settles itself
        result.outcomes[i] = Outcome(case, action, False, cases[i].candidates)
        i += 1
    return result


# --- outcomes -> changes -----------------------------------------------------------------------


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
            merged = merge_entries(case.entry, cand.entry, action.fields)
            diffs = field_changes(cand.entry, merged)
            changes.append(Change("update" if diffs else "same", case.entry, cand.entry.key, cand.index,
                                  cand.entry.key, cand.score, cand.explanation, diffs, (), merged))
        elif action.kind == "add":
            key = new_key(case.entry, make_key, taken)
            added = case.entry.with_key(key)
            changes.append(Change("add", case.entry, key, None, None, None, "added after review",
                                  field_changes(Entry(added.type), added), (), added))
    return changes


def review_plan(plan: Plan, targets: Sequence[Entry], reviewer: Reviewer, store: Recorder) -> tuple[Plan, ReviewResult]:
    """Ask about a plan's ``review`` changes (inline review during a sync).

    Returns the plan with every decided review change replaced by its ``update``/``add``/``same``
    change (undecided ones stay ``review``), and the review's result.
    """
    reviews = [i for i, c in enumerate(plan.changes) if c.kind == "review"]
    cases = cases_from_changes([plan.changes[i] for i in reviews], targets)
    result = run_review(cases, reviewer, store)
    added = [c.key for c in plan.changes if c.kind == "add" and c.key]
    changes = list(plan.changes)
    for position, outcome in result.outcomes.items():
        planned = plan_sync_outcomes([outcome], targets, added)
        if planned:
            changes[reviews[position]] = planned[0]
            if planned[0].kind == "add" and planned[0].key:
                added.append(planned[0].key)
    return Plan(changes), result


@dataclass
class DedupePlan:
    """What merging duplicates does to a .bib: entries rewritten, entries removed, keys renamed."""

    updated: dict[int, Entry] = field(default_factory=dict)  # index -> kept entry after the merge
    removed: list[int] = field(default_factory=list)  # indices of entries merged away
    renames: dict[str, str] = field(default_factory=dict)  # removed key -> key kept

    def changes(self, entries: Sequence[Entry]) -> list[Change]:
        """The ``update`` changes for the kept entries (removals are separate)."""
        return [Change("update", entries[i], entries[i].key, i, entries[i].key, None, "duplicates merged",
                       field_changes(entries[i], e), (), e)
                for i, e in sorted(self.updated.items())]


def plan_dedupe(entries: Sequence[Entry], outcomes: Sequence[Outcome]) -> DedupePlan:
    """Merge the duplicates the outcomes decided, in order.

    The entry of a case is merged into the chosen candidate (or into whatever that
    candidate was merged into before); the kept entry gets the removed keys (and their own
    aliases) in ``ids``. ``renames`` maps every removed key to the key finally kept.
    """
    current = {i: e for i, e in enumerate(entries)}
    into: dict[int, int] = {}

    def final(i: int) -> int:
        while i in into:
            i = into[i]
        return i

    for outcome in outcomes:
        case, action = outcome.case, outcome.action
        if case.kind != "duplicate" or action.kind != "merge" or case.index is None:
            continue
        src = final(case.index)
        dst = final(case.candidates[action.candidate or 0].index)
        if src == dst:
            continue
        gone, kept = current[src], current[dst]
        merged = merge_entries(gone, kept, action.fields)
        aliases = [gone.key or ""] + split_ids(gone.get("ids"))
        current[dst] = with_aliases(merged, aliases)
        into[src] = dst
    plan = DedupePlan()
    plan.removed = sorted(into)
    for i, e in current.items():
        if i not in into and (e != entries[i] or i in into.values()):
            plan.updated[i] = e
    for i in plan.removed:
        old, new = entries[i].key, entries[final(i)].key
        if old and new and old != new:
            plan.renames[old] = new
    return plan
