"""The review's walk: the cases asked in turn (``run_review``: skip, undo, quit), each decision
recorded in a store as it is taken, each case shown as the merges taken so far left the target
(a :class:`MergeView`). A ``Reviewer`` answers: the terminal one, or ``QueuedReviewer`` in tests
and scripts; remembered decisions answer first (:func:`bibsync.review.cases.auto_decide`).
Pure: no terminal, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Protocol, Sequence

from ..model import Entry
from ..plan import ENTRY_KEY
from .cases import Action, CaseCandidate, ReviewCase, auto_decide, narrow
from .decisions import Decision
from .merge import INCOMING, TARGET, default_choices, merge_entries, publication_roles, with_aliases


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

    def record_duplicate_merge(self, entry: Entry, candidate: Entry, field_choices: dict[str, str],
                               kept_key: str) -> None: ...  # noqa: D102

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

    def settled(self) -> list[Outcome]:
        """Outcomes that settle their case (merge, add, decline, different), in case order."""
        return [self.outcomes[i] for i in sorted(self.outcomes) if self.outcomes[i].action.kind != "skip"]

    def open_positions(self, total: int) -> list[int]:
        """Positions of cases left open (skipped, or not reached)."""
        return [i for i in range(total) if i not in self.outcomes or self.outcomes[i].action.kind == "skip"]


def _record(case: ReviewCase, action: Action, store: Recorder) -> bool:
    """Remember the answer in ``store``; True if something was recorded (one undo step)."""
    others = [c.entry for c in case.candidates]
    by_key = case.kind == "duplicate"
    if action.kind == "skip":
        return False
    if case.ambiguous:
        # A key several entries share cannot say which of them a decision is about: only what
        # concerns the incoming entry alone is remembered (never to add it).
        if action.kind == "decline" and not by_key:
            store.record(case.entry, None, "decline")
            return True
        return False
    if action.kind == "decline":
        if not by_key:
            store.record(case.entry, None, "decline")
        return not by_key
    if action.kind == "merge" and by_key:
        return _record_duplicate_merge(case, action, store)
    if action.kind == "merge":
        target = case.candidates[action.candidate or 0].entry
        store.record(case.entry, target, "merge", _merge_choices(case, action))
    elif action.kind == "add":
        if not by_key:
            store.record(case.entry, None, "add", different_from=others)
        elif others:  # "keep both": different from every candidate
            store.record(case.entry, others[0], "different", different_from=others[1:], by_key=True)
        else:
            return False
    elif action.kind == "different":
        store.record(case.entry, case.candidates[action.candidate or 0].entry, "different", by_key=by_key)
    else:
        return False
    return True


def _merge_choices(case: ReviewCase, action: Action) -> dict[str, str]:
    """The field choices a merge is remembered with: the defaults, the person's, and the key
    picked (as a side, like a field: ENTRY_KEY -> incoming | target) when it is not the default."""
    target = case.candidates[action.candidate or 0].entry
    choices = {**default_choices(case.entry, target), **action.fields}
    if action.keep_key and action.keep_key != survivor_key(case, action.candidate or 0):
        choices[ENTRY_KEY] = INCOMING if action.keep_key == case.entry.key else TARGET
    return choices


def _record_duplicate_merge(case: ReviewCase, action: Action, store: Recorder) -> bool:
    """Remember a merge of two entries of the target, by key and each record by its content as
    the entry kept; True if something was recorded."""
    target = case.candidates[action.candidate or 0].entry
    choices = _merge_choices(case, action)
    kept = kept_key(case, action, choices)
    if not kept:
        return False
    store.record_duplicate_merge(case.entry, target, choices, kept)
    return True


def run_review(cases: Sequence[ReviewCase], reviewer: Reviewer, store: Recorder) -> ReviewResult:
    """Walk the cases: remembered ones are settled silently, the others asked.

    Each case is shown as the merges taken before it leave the target (entries merged away
    are gone, merged ones show their new content: see :class:`MergeView`); a case with no
    candidate left is settled. Every decision is recorded in ``store`` as it is taken (so
    Ctrl-C keeps them); ``u`` goes back to the previous answer and takes its decision back;
    ``q`` stops. ``d`` (scripts) rules out one candidate and asks again; with none left, a
    sync case is added as new.
    """
    result = ReviewResult()
    # (position, whether a decision was recorded, the target index a "different" ruled out)
    history: list[tuple[int, bool, int | None]] = []
    ruled_out: dict[int, set[int]] = {}  # position -> target indices called different in this session
    # Positions shown to the person count only the cases that needed asking at the start.
    asking = [i for i, c in enumerate(cases) if auto_decide(narrow(c, store), store) is None]
    narrowed_here: set[int] = set()
    originals = original_entries(cases)
    i = 0
    while i < len(cases):
        view = MergeView.of(originals, (result.outcomes[j] for j in sorted(result.outcomes) if j < i))
        rebuilt = view.rebuild(cases[i])
        if rebuilt is None:  # everything it asked about was merged together already
            result.outcomes[i] = Outcome(cases[i], Action("different"), True, cases[i].candidates)
            i += 1
            continue
        case = narrow(rebuilt, store)
        if ruled_out.get(i):  # also those a store cannot remember (a key several entries share)
            case = replace(case, candidates=tuple(c for c in case.candidates if c.index not in ruled_out[i]))
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
            i, recorded, unruled = history.pop()
            if recorded:
                store.undo_last()
            result.outcomes.pop(i, None)
            narrowed_here.discard(i)
            if unruled is not None:
                ruled_out[i].discard(unruled)
            continue
        if action.candidate is not None and not 0 <= action.candidate < len(case.candidates):
            reviewer.notice(f"there is no candidate {action.candidate + 1}")
            continue
        recorded = _record(case, action, store)
        if action.kind == "different":
            picked = case.candidates[action.candidate or 0].index
            history.append((i, recorded, picked))
            ruled_out.setdefault(i, set()).add(picked)
            narrowed_here.add(i)
            continue  # ask again about the rest; with none left the case settles itself
        history.append((i, recorded, None))
        result.outcomes[i] = Outcome(case, action, False, cases[i].candidates)
        i += 1
    return result


# --- merges taken so far -------------------------------------------------------------------------


def original_entries(cases: Sequence[ReviewCase]) -> dict[int, Entry]:
    """The target entries the cases name, by index, as they were before the review."""
    found: dict[int, Entry] = {}
    for case in cases:
        if case.kind == "duplicate" and case.index is not None:
            found.setdefault(case.index, case.entry)
        for cand in case.candidates:
            found.setdefault(cand.index, cand.entry)
    return found


def survivor_key(case: ReviewCase, candidate: int = 0) -> str | None:
    """The key a merge keeps unless the person picks another: the existing key of the
    published version (a preprint/published pair of entries already in the target), else
    the target's (the candidate's) key."""
    cand = case.candidates[candidate].entry
    if case.kind == "duplicate" and publication_roles(case.entry, cand) == INCOMING:
        return case.entry.key
    return cand.key


def chosen_key(case: ReviewCase, action: Action, choices: Mapping[str, str] | None = None) -> str | None:
    """The key a merge keeps: the one the person picked, else the one a remembered merge names
    by its side (``choices``, else the action's fields), else :func:`survivor_key`."""
    pick = action.candidate or 0
    side = (choices if choices is not None else action.fields).get(ENTRY_KEY)
    return action.keep_key or {INCOMING: case.entry.key, TARGET: case.candidates[pick].entry.key}.get(side or "") \
        or survivor_key(case, pick)


def kept_key(case: ReviewCase, action: Action, choices: Mapping[str, str] | None = None) -> str | None:
    """The key of the entry that remains when a duplicate case is merged as ``action`` says:
    the candidate's, unless the key kept (:func:`chosen_key`) is this entry's own and not the
    candidate's too (see :meth:`MergeView.apply`)."""
    cand = case.candidates[action.candidate or 0].entry
    keep = chosen_key(case, action, choices)
    return case.entry.key if keep and keep == case.entry.key and keep != cand.key else cand.key


def key_choices(case: ReviewCase, candidate: int = 0) -> list[str]:
    """The keys a merge may keep: the default (``survivor_key``) first, then the other side's."""
    default = survivor_key(case, candidate)
    keys = [k for k in (default, case.candidates[candidate].entry.key, case.entry.key) if k]
    return list(dict.fromkeys(keys))


@dataclass
class MergeView:
    """The target as the merges of a review leave it: ``current`` entries by index, and
    ``into`` (an entry merged away -> the entry it went into)."""

    current: dict[int, Entry] = field(default_factory=dict)
    into: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, originals: Mapping[int, Entry], outcomes: Iterable[Outcome]) -> "MergeView":
        """The view after ``outcomes`` (in order), starting from the ``originals``."""
        view = cls(dict(originals))
        for outcome in outcomes:
            view.apply(outcome)
        return view

    def final(self, index: int) -> int:
        """Where the entry at ``index`` is now (itself, or the entry it was merged into)."""
        while index in self.into:
            index = self.into[index]
        return index

    def apply(self, outcome: Outcome) -> None:
        """Take one outcome into the view (merges change it; other answers do not)."""
        case, action = outcome.case, outcome.action
        if action.kind != "merge" or not case.candidates:
            return
        pick = action.candidate or 0
        cand = case.candidates[pick]
        dst = self.final(cand.index)
        keep = chosen_key(case, action)
        if case.kind == "sync":
            before = self.current.get(dst, cand.entry)
            merged = merge_entries(case.entry, before, action.fields)
            aliases = [case.entry.key or ""] if publication_roles(case.entry, before) else []
            if keep and keep != before.key:
                merged, aliases = merged.with_key(keep), aliases + [before.key or ""]
            self.current[dst] = with_aliases(merged, aliases)
            return
        if case.index is None:
            return
        src = self.final(case.index)
        if src == dst:
            return
        content = merge_entries(self.current[src], self.current[dst], action.fields)
        # The entry kept is the candidate chosen, unless the person kept this entry's own key
        # (a key both carry says nothing: the candidate stays).
        mine = keep and keep == self.current[src].key and keep != self.current[dst].key
        survivor, gone = (src, dst) if mine else (dst, src)
        kept, lost = self.current[survivor], self.current[gone]
        self.current[survivor] = with_aliases(content.with_key(kept.key),
                                              [lost.key or "", *lost.aliases])
        self.into[gone] = survivor

    def rebuild(self, case: ReviewCase) -> ReviewCase | None:
        """The case as the target now is: candidates merged away are replaced by what they
        went into (once), entries show their merged content. None if no candidate is left."""
        if not case.candidates:
            return case
        index = case.index
        entry = case.entry
        if case.kind == "duplicate" and index is not None:
            index = self.final(index)
            entry = self.current.get(index, entry)
        seen: set[int] = set()
        cands = []
        for cand in case.candidates:
            j = self.final(cand.index)
            if j == index or j in seen:
                continue
            seen.add(j)
            now = self.current.get(j, cand.entry)
            cands.append(cand if now is cand.entry and j == cand.index else replace(cand, entry=now, index=j))
        if not cands:
            return None
        if index == case.index and entry is case.entry and len(cands) == len(case.candidates) \
                and all(a is b for a, b in zip(cands, case.candidates)):
            return case
        return replace(case, entry=entry, index=index, candidates=tuple(cands))


def open_cases(cases: Sequence[ReviewCase], result: ReviewResult) -> list[ReviewCase]:
    """The cases a review left open (skipped, or not reached), as its merges left the target:
    a candidate merged away is replaced by the entry it went into, merged entries show their
    new content (see :meth:`MergeView.rebuild`); a case with nothing left to ask is not open."""
    view = MergeView.of(original_entries(cases), (result.outcomes[i] for i in sorted(result.outcomes)))
    rebuilt = (view.rebuild(cases[i]) for i in result.open_positions(len(cases)))
    return [case for case in rebuilt if case is not None]
