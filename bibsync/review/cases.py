"""The review's questions and answers, and the remembered decisions that answer some of them.

A ``ReviewCase`` is one question for a person: an incoming entry and its ranked candidates
(``kind="sync"``), or an entry of a .bib and the entries it seems to duplicate
(``kind="duplicate"``); an ``Action`` is the answer. ``auto_decide`` answers a case from
remembered decisions. Pure: no terminal, no I/O.

The answers, each with its own remembered meaning: ``merge`` (one work: the entries become
one, under the key the person keeps), ``add`` (keep both: the incoming entry is added as an
entry of its own, different from every candidate), ``decline`` (not this one: never add the
incoming entry), ``skip`` (ask again next time). ``different`` (not candidate N) is kept for
scripts and old decision files.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping, Protocol, Sequence

from ..match import Candidate, DuplicateGroup
from ..model import Entry, key_with_line, repeated_keys
from ..plan import Change
from .decisions import Decision, PendingCase

if TYPE_CHECKING:
    from ..match import Matcher

ACTIONS = ("merge", "add", "decline", "different", "skip", "undo", "quit")


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
    collection: str | None = None  # a Zotero sync's collection: an added entry goes there
    group: tuple[int, int] | None = None  # a duplicate case: (number, how many) of the dedupe groups
    repeated: frozenset[str] = frozenset()  # keys (case-folded) that name more than one target entry

    @property
    def label(self) -> str:
        """What the case is about, for screens and lists."""
        return self.name(self.entry) if self.kind == "duplicate" else self.entry.key or "(no key)"

    def shares_key(self, entry: Entry) -> bool:
        """True when ``entry`` is a target entry whose key other target entries carry too."""
        return bool(entry.key) and entry.key.casefold() in self.repeated

    def name(self, entry: Entry) -> str:
        """An entry as screens name it: its key, with its line when other entries share the key."""
        return key_with_line(entry, self.repeated)

    @property
    def ambiguous(self) -> bool:
        """True when a key alone does not say which entry the case is about (the entry of a
        duplicate case, or a candidate, shares its key with another target entry): decisions
        are remembered by key, so this case's are not remembered."""
        own = self.kind == "duplicate" and self.shares_key(self.entry)
        return own or any(self.shares_key(c.entry) for c in self.candidates)


@dataclass(frozen=True)
class Action:
    """A reviewer's answer. ``candidate`` indexes ``case.candidates``; ``fields`` maps field
    names to ``incoming`` or ``target`` (a merge; fields left out take the default)."""

    kind: str
    candidate: int | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    keep_key: str | None = None  # a merge: the key that survives (None: the default, see survivor_key)

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
    repeated = repeated_keys(targets)
    cases = []
    for case in pending:
        found: dict[int, CaseCandidate] = {}
        for stored in case.candidates:
            i = by_key.get(stored.key) if stored.key else None
            if stored.index is not None and 0 <= stored.index < len(targets) and stored.key \
                    and targets[stored.index].key == stored.key:
                i = stored.index  # a key several entries share: the one the sync named
            if i is not None:
                found[i] = _as_case_candidate(matcher.compare(case.entry, targets[i]), targets, i)
        for c in matcher.propose(case.entry, limit=limit).candidates:
            found.setdefault(c.index, _as_case_candidate(c, targets))
        cases.append(ReviewCase("sync", case.entry, _rank(found.values())[:limit], None, case.explanation,
                                case.collection, repeated=repeated))
    return cases


def cases_from_changes(changes: Sequence[Change], targets: Sequence[Entry]) -> list[ReviewCase]:
    """Sync cases for the ``review`` changes of a plan (inline review during a sync)."""
    cases = []
    repeated = repeated_keys(targets)
    for change in changes:
        if change.kind != "review":
            continue
        cands = [_as_case_candidate(c, targets) for c in change.candidates if 0 <= c.index < len(targets)]
        if not cands and change.target_index is not None:
            cands = [CaseCandidate(targets[change.target_index], change.target_index, change.score or 0.0,
                                   change.explanation)]
        entry = change.entry.with_key(change.key or change.entry.key)
        cases.append(ReviewCase("sync", entry, _rank(cands), None, change.explanation, repeated=repeated))
    return cases


def duplicate_questions(groups: Sequence[DuplicateGroup]) -> list[tuple[int, tuple[int, ...], int]]:
    """The questions a review asks about duplicate groups, as ``(entry, candidates, group)``
    indices: each member of a group after the first (in file order), against the members it
    is linked to (every other member of a ``match`` group; the centre of a group around one,
    or the leaves for the centre itself). A pair asked about in an earlier group is not asked
    again (groups around a centre may share a pair); a member with nothing left is not asked.
    ``bibsync dedupe`` counts the same questions."""
    asked: set[frozenset[int]] = set()
    questions: list[tuple[int, tuple[int, ...], int]] = []
    for number, group in enumerate(groups):
        members = sorted(group.indices)
        here: set[frozenset[int]] = set()
        for i in members[1:]:
            cands = tuple(j for j in members if j != i and frozenset((i, j)) not in asked
                          and (group.centre is None or group.centre in (i, j)))
            if cands:
                questions.append((i, cands, number))
                here.update(frozenset((i, j)) for j in cands)
        asked |= here
    return questions


def cases_from_duplicates(entries: Sequence[Entry], groups: Sequence[DuplicateGroup],
                          matcher: Matcher) -> list[ReviewCase]:
    """Duplicate cases, one per question of :func:`duplicate_questions`.

    The first member (in file order) is ranked first on equal scores, so merging defaults
    to keeping the earliest key. Each case knows its group's number among ``groups``.
    """
    cases = []
    repeated = repeated_keys(entries)
    for i, members, number in duplicate_questions(groups):
        cands = [_as_case_candidate(matcher.compare(entries[i], entries[j]), entries, j) for j in members]
        cases.append(ReviewCase("duplicate", entries[i], _rank(cands), i, groups[number].explanation,
                                group=(number + 1, len(groups)), repeated=repeated))
    return cases


class Decisions(Protocol):
    """What auto_decide needs from a store (DecisionStore implements it)."""

    def lookup(self, entry: Entry, candidate: Entry | None, *, by_key: bool = False) -> Decision | None:
        """The remembered decision about the pair, or None (``by_key``: entry known by its key)."""
        ...


def _remembered(case: ReviewCase, store: Decisions, cand: CaseCandidate) -> Decision | None:
    """The decision about the case's entry and a candidate. Duplicates are known by key, and
    "different" holds both ways round (a merge only in the direction it was taken). A key
    that several entries share names none of them: nothing is remembered about it."""
    if case.shares_key(cand.entry) or (case.kind == "duplicate" and case.shares_key(case.entry)):
        return None
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
    ``add`` is added, one declined is declined; when every candidate was called different,
    a sync case is added and a duplicate case is settled (nothing to do).
    """
    for i, cand in enumerate(case.candidates):
        found = _remembered(case, store, cand)
        if found is not None and found.decision == "merge":
            return Action("merge", i, dict(found.fields))
    if case.kind == "sync":
        found = store.lookup(case.entry, None)
        if found is not None and found.decision in ("add", "decline"):
            return Action(found.decision)
    if not narrow(case, store).candidates:
        return Action("add") if case.kind == "sync" else Action("different")
    return None
