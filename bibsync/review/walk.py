"""The review's decision logic: pure, no terminal, no I/O.

A ``ReviewCase`` is one question for a person: an incoming entry and its ranked candidates
(``kind="sync"``), or an entry of a .bib and the entries it seems to duplicate
(``kind="duplicate"``). ``auto_decide`` answers it from remembered decisions; a ``Reviewer``
(the terminal one, or ``QueuedReviewer`` in tests and scripts) answers the rest;
``run_review`` walks the cases (skip, undo, quit) and records decisions in a store, showing
each case as the merges taken so far left the target (a :class:`MergeView`);
``plan_review`` (or ``plan_sync_outcomes`` for an inline review) turns the outcomes into
changes for the target.

The answers, each with its own remembered meaning: ``merge`` (one work: the entries become
one, under the key the person keeps), ``add`` (keep both: the incoming entry is added as an
entry of its own, different from every candidate), ``decline`` (not this one: never add the
incoming entry), ``skip`` (ask again next time). ``different`` (not candidate N) is kept for
scripts and old decision files.

A preprint against its published version (``publication_roles``, from the matcher's own
comparison keys) merges by default into the published version: its type, venue, year and
DOI stay, the preprint adds its arXiv id (``eprint``, ``archiveprefix``) and its key goes to
``ids``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping, Protocol, Sequence

from ..bibtex.write import FIELD_ORDER, ordered_fields
from .decisions import Decision, PendingCase
from ..keys import DEFAULT_PATTERN, compile_pattern
from ..match import Candidate, DuplicateGroup
from ..model import Entry
from ..plan import ENTRY_KEY, ENTRY_TYPE, VENUES, Change, FieldChange, Plan, join_change, new_key, writers_of

if TYPE_CHECKING:
    from ..match import Matcher

ACTIONS = ("merge", "add", "decline", "different", "skip", "undo", "quit")
INCOMING, TARGET = "incoming", "target"
# Fields a person does not choose between: aliases are merged, never overwritten.
_UNCHOSEN = frozenset({"ids"})
# Facts of the published version: in a preprint/published merge its value (or its lack of
# one) wins by default; the preprint brings its arXiv id instead.
PUBLISHED_FIELDS = frozenset({ENTRY_TYPE, "journal", "booktitle", "year", "month", "volume", "number", "pages",
                              "publisher", "doi", "address", "series", "organization", "institution", "school",
                              "howpublished", "edition", "isbn", "issn"})
# A note that only says what the preprint was (``preprint``, ``arXiv preprint arXiv:...``,
# ``Submitted to ...``, ``under review``, ``to appear``): stale once it is published, so a
# merge into the published version does not copy it there.
PREPRINT_NOTE_RE = re.compile(r"^\W*(?:an?\s+)?(?:arxiv\b|(?:e-?)?pre-?print\b|submitted\b|under\s+(?:review|submission)\b"
                              r"|to\s+appear\b|in\s+press\b|forthcoming\b|accepted\b|manuscript\b|working\s+paper\b)",
                              re.IGNORECASE)
NOTE_FIELDS = ("note", "annote")


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
    collection: str | None = None  # a Zotero sync's collection: an added entry goes there

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
    cases = []
    for case in pending:
        found: dict[int, CaseCandidate] = {}
        for stored in case.candidates:
            i = by_key.get(stored.key) if stored.key else None
            if i is not None:
                found[i] = _as_case_candidate(matcher.compare(case.entry, targets[i]), targets, i)
        for c in matcher.propose(case.entry, limit=limit).candidates:
            found.setdefault(c.index, _as_case_candidate(c, targets))
        cases.append(ReviewCase("sync", case.entry, _rank(found.values())[:limit], None, case.explanation,
                                case.collection))
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


def publication_roles(incoming: Entry, target: Entry) -> str | None:
    """Which side is the published version when the other is its preprint: ``INCOMING``,
    ``TARGET``, or None (not such a pair). Read from the matcher's comparison keys."""
    from ..match import MatchSettings
    from ..match.normalize import features

    settings = MatchSettings()
    a, b = features(incoming, settings), features(target, settings)
    if a.preprint and b.published:
        return TARGET
    if b.preprint and a.published:
        return INCOMING
    return None


def arxiv_id(entry: Entry) -> str:
    """The entry's arXiv id (no prefix, no version), or "" (as the matcher reads it)."""
    from ..match.normalize import entry_arxiv

    return entry_arxiv(entry)


def _with_arxiv_fields(preprint: Entry) -> Entry:
    """The preprint with its arXiv id in ``eprint`` and ``archiveprefix``, as BibTeX records it."""
    found = arxiv_id(preprint)
    if not found or (preprint.get("eprint") and preprint.get("archiveprefix")):
        return preprint
    return preprint.with_fields(eprint=preprint.get("eprint") or found,
                                archiveprefix=preprint.get("archiveprefix") or "arXiv")


def _merge_sides(incoming: Entry, target: Entry) -> tuple[Entry, Entry, str | None]:
    """The two entries as a merge compares them (the preprint with its arXiv fields), and
    which one is the published version (see ``publication_roles``)."""
    roles = publication_roles(incoming, target)
    if roles == INCOMING:
        target = _with_arxiv_fields(target)
    elif roles == TARGET:
        incoming = _with_arxiv_fields(incoming)
    return incoming, target, roles


def differing_fields(incoming: Entry, target: Entry) -> list[FieldDiff]:
    """The fields on which the entries differ, the entry type included, in canonical order.

    By default a field the target lacks is filled (except a second venue: no ``journal``
    beside a ``booktitle``) and everything the target has is kept. Choosing the incoming
    side of a field it lacks removes the field; ``ids`` (aliases) are merged, never chosen.
    For a preprint and its published version, the published side wins the facts of
    publication (``PUBLISHED_FIELDS``, and its own ``url`` over an arXiv one), absent ones included, and the
    preprint's arXiv id is filled in as ``eprint`` and ``archiveprefix``; a note that only
    says what the preprint was (``PREPRINT_NOTE_RE``) is not copied.
    """
    incoming, target, roles = _merge_sides(incoming, target)
    a, b = field_values(incoming), field_values(target)
    has_venue = any(v in b for v in VENUES)
    preprint = target if roles == INCOMING else incoming if roles == TARGET else None
    published = incoming if roles == INCOMING else target
    published_facts = set(PUBLISHED_FIELDS)
    if preprint is not None and "arxiv" in preprint.get("url").lower() and published.get("url"):
        published_facts.add("url")  # the published version's own link replaces the arXiv one
    diffs = []
    for name in in_field_order([*a, *b]):
        mine, theirs = a.get(name), b.get(name)
        if name in _UNCHOSEN or _same(mine, theirs):
            continue
        if roles is not None and name in published_facts:
            default = roles
        elif roles is not None and name in NOTE_FIELDS and PREPRINT_NOTE_RE.match(preprint.get(name) or ""):
            default = roles  # the preprint's "preprint" note stays out of the published version
        else:
            default = INCOMING if theirs is None and not (name in VENUES and has_venue) else TARGET
        diffs.append(FieldDiff(name, mine, theirs, default))
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
    incoming, target, _ = _merge_sides(incoming, target)
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

    def settled(self) -> list[Outcome]:
        """Outcomes that settle their case (merge, add, decline, different), in case order."""
        return [self.outcomes[i] for i in sorted(self.outcomes) if self.outcomes[i].action.kind != "skip"]

    def open_positions(self, total: int) -> list[int]:
        """Positions of cases left open (skipped, or not reached)."""
        return [i for i in range(total) if i not in self.outcomes or self.outcomes[i].action.kind == "skip"]


def _record(case: ReviewCase, action: Action, store: Recorder) -> None:
    others = [c.entry for c in case.candidates]
    by_key = case.kind == "duplicate"
    if action.kind == "decline":
        if not by_key:
            store.record(case.entry, None, "decline")
    elif action.kind == "merge":
        target = case.candidates[action.candidate or 0].entry
        choices = {**default_choices(case.entry, target), **action.fields}
        if action.keep_key and action.keep_key != survivor_key(case, action.candidate or 0):
            # the key picked is remembered as a side, like a field: ENTRY_KEY -> incoming | target
            choices[ENTRY_KEY] = INCOMING if action.keep_key == case.entry.key else TARGET
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

    Each case is shown as the merges taken before it leave the target (entries merged away
    are gone, merged ones show their new content: see :class:`MergeView`); a case with no
    candidate left is settled. Every decision is recorded in ``store`` as it is taken (so
    Ctrl-C keeps them); ``u`` goes back to the previous answer and takes its decision back;
    ``q`` stops. ``d`` (scripts) rules out one candidate and asks again; with none left, a
    sync case is added as new.
    """
    result = ReviewResult()
    history: list[tuple[int, bool]] = []  # (position, whether a decision was recorded)
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
        side = action.fields.get(ENTRY_KEY)  # a remembered merge names the kept key by its side
        keep = action.keep_key or {INCOMING: case.entry.key, TARGET: cand.entry.key}.get(side or "") \
            or survivor_key(case, pick)
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
        survivor, gone = (src, dst) if keep and keep == self.current[src].key else (dst, src)
        kept, lost = self.current[survivor], self.current[gone]
        self.current[survivor] = with_aliases(content.with_key(kept.key),
                                              [lost.key or ""] + split_ids(lost.get("ids")))
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
    added = [c.key for c in plan.changes if c.kind == "add" and c.key]
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
    return Plan([c for c in changes if c is not None], plan.merged), result
