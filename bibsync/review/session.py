"""A review of a target, callable from Python: load it, build the cases, ask, plan, write,
remember.

``review_bib`` and ``review_zotero`` (``review_target`` underneath) and ``inline_review_hook``
(for ``sync --interactive``) take any Reviewer: the terminal one, a ``QueuedReviewer`` in
tests and scripts, or None (nobody asked: remembered decisions are applied and the rest is
reported open). The decision logic itself is pure (:mod:`~bibsync.review.cases`,
:mod:`~bibsync.review.merge`, :mod:`~bibsync.review.walk`, :mod:`~bibsync.review.outcomes`);
this module is its I/O: the target, the decision store, and what the review reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..config import Settings
from ..errors import ConflictError, TargetError
from ..model import Entry, Failure
from ..plan import Change, Plan, without_omitted
from .cases import Action, ReviewCase, cases_from_duplicates, cases_from_pending
from .decisions import DecisionStore, store_for
from .outcomes import ReviewPlan, plan_review, review_plan
from .walk import Outcome, Reviewer, open_cases, run_review


class Lister:
    """A reviewer for when nobody can answer: it skips every case and remembers them."""

    def __init__(self) -> None:
        """Start with no cases."""
        self.cases: list[ReviewCase] = []

    def choose(self, case: ReviewCase, position: int, total: int) -> Action:  # noqa: D102 - Reviewer
        self.cases.append(case)
        return Action("skip")

    def notice(self, message: str) -> None:  # noqa: D102 - Reviewer
        pass


@dataclass
class ReviewReport:
    """What a review did to its target: counts, open cases (as the target now is), renamed
    keys, the backup made.

    ``merged`` counts merges that changed the target (a merged duplicate is removed);
    ``already_there`` the merges of an incoming entry that brought nothing new (the target
    entry already had all of it): they settle the case and write nothing.
    """

    merged: int = 0
    already_there: int = 0
    added: int = 0
    removed: int = 0
    kept_apart: int = 0
    declined: int = 0
    open_cases: list[ReviewCase] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)
    quit: bool = False
    backup: str | None = None
    target_failures: list[Failure] = field(default_factory=list)  # what is odd in the target as read


def apply_review_plan(target, planned: ReviewPlan, collections: dict[str, str | None] | None = None) -> dict:
    """Write a review's changes through the target: updates and adds, and (a .bib only) the
    removal of merged duplicates. An add goes into the Zotero collection its case came with
    (``collections``: key of the added entry -> collection). Returns the write's details."""
    changes = planned.changes
    if not changes and not planned.removed:
        return {}
    failed: list[str] = []
    details: dict = {}
    if planned.removed:
        applied = target.apply_with_removals(Plan(changes), planned.removed)
        failed += applied.failed
        details.update(applied.details)
    elif hasattr(target, "collection") and collections:
        # Zotero: updates first, then the adds of each collection into that collection.
        groups: dict[str | None, list[Change]] = {}
        for change in changes:
            name = collections.get(change.key or "") if change.kind == "add" else None
            groups.setdefault(name if change.kind == "add" else "", []).append(change)
        default = target.collection
        try:
            for name, group in sorted(groups.items(), key=lambda kv: kv[0] != ""):
                target.collection = default if name in ("", None) else name
                applied = target.apply(Plan(group))
                failed += applied.failed
                details.update(applied.details)
        finally:
            target.collection = default
    else:
        applied = target.apply(Plan(changes))
        failed += applied.failed
        details.update(applied.details)
    if failed:
        raise TargetError("; ".join(failed), where=str(getattr(target, "path", target.name)))
    return details


def remember_applied(store: DecisionStore, planned: Sequence[tuple[Outcome, Change]]) -> None:
    """After writing: pending cases of decided entries are done, and added entries are
    remembered as what they now are (see DecisionStore.settle_add)."""
    for outcome, change in planned:
        store.resolve_pending(outcome.case.entry)
        if change.kind == "add" and change.result is not None:
            store.settle_add(outcome.case.entry, change.result, [c.entry for c in outcome.considered])
        elif change.kind == "update" and change.result is not None and change.result.key != change.target_key:
            # merged under the incoming key: later syncs find the entry by the key it has now
            store.record(outcome.case.entry, change.result, "merge", dict(outcome.action.fields))


def review_target(target, store: DecisionStore, reviewer: Reviewer | None, *, pending: bool = True,
                  duplicates: bool = False) -> ReviewReport:
    """Review a target's pending cases (and, for a .bib, its duplicate groups); apply and
    remember the decisions.

    With ``reviewer`` None nobody is asked: remembered decisions are applied and the other
    cases reported as open. A reviewer with a ``vocabulary`` attribute gets the target's
    (a Zotero library speaks in item types and Zotero fields). Ctrl-C (KeyboardInterrupt)
    saves the decisions taken so far, leaves the target untouched, and is raised again.
    """
    from ..match import Matcher, find_duplicates

    entries = target.load()
    item_types = getattr(target, "item_types", None)
    if reviewer is not None and hasattr(reviewer, "vocabulary") and callable(item_types):
        from .terminal import ZoteroVocabulary

        reviewer.vocabulary = ZoteroVocabulary(item_types())
    matcher = Matcher(entries)
    cases: list[ReviewCase] = []
    if pending:
        cases += cases_from_pending(store.pending(), entries, matcher)
    if duplicates:
        cases += cases_from_duplicates(entries, find_duplicates(entries), matcher)
    report = ReviewReport(target_failures=list(getattr(target, "failures", [])))
    try:
        result = run_review(cases, reviewer or Lister(), store)
    except KeyboardInterrupt:
        store.save()
        raise
    report.quit = result.quit
    settled = result.settled()
    planned = plan_review(entries, settled, getattr(getattr(target, "settings", None), "key_pattern", None)
                          or Settings().key_pattern, taken=getattr(target, "reserved_keys", ()))
    collections = {change.key or "": outcome.case.collection for outcome, change in planned.by_outcome
                   if change.kind == "add" and outcome.case.collection}
    omit = getattr(getattr(target, "settings", None), "omit", ())  # fields bibsync never writes
    if omit:
        planned.changes = without_omitted(Plan(planned.changes), omit, entries).changes
    try:
        details = apply_review_plan(target, planned, collections)
    except ConflictError as exc:
        # An editor saved the file meanwhile: nothing was written, but the answers stay (as
        # after Ctrl-C); the next review applies them to the file as it is now.
        store.save()
        raise ConflictError(exc.message, where=exc.where,
                            hint="your answers are saved: run `bibsync review` again and they apply to the "
                                 "current file") from None
    remember_applied(store, planned.by_outcome)
    written = {c.target_index for c in planned.changes if c.kind == "update"}
    sync_merges = [(o, c) for o, c in planned.by_outcome if o.action.kind == "merge"]
    report.already_there = sum(1 for _, c in sync_merges if c.target_index not in written)
    report.merged = (len(sync_merges) - report.already_there
                     + sum(1 for o in settled if o.case.kind == "duplicate" and o.action.kind == "merge"))
    report.added = sum(1 for c in planned.changes if c.kind == "add")
    report.removed = len(planned.removed)
    report.renames = planned.renames
    report.declined = sum(1 for o in settled if o.action.kind == "decline")
    report.backup = details.get("backup")
    report.kept_apart = sum(1 for o in result.outcomes.values()
                            if o.case.kind == "duplicate" and o.action.kind in ("different", "add") and not o.auto)
    report.open_cases = open_cases(cases, result)
    store.save()
    return report


def review_bib(path: Path, reviewer: Reviewer | None, *, pending: bool = True, duplicates: bool = True,
               decisions: Path | None = None, settings: Settings | None = None,
               on_lock_wait: Callable[[int | None], None] | None = None) -> ReviewReport:
    """Review a .bib: the cases its last sync left, and the duplicate groups inside it.

    The file is replaced atomically, its state before the review kept as ``FILE.bib.orig``
    (named in the report); ``decisions`` names another decision file than ``FILE.bib.bibsync.json``;
    ``settings`` are the run's (the fields it omits are never written). The file's lock is
    held from the read to the write, as a sync holds it: a sync that starts meanwhile waits
    for the review, and a review waits for a running sync (``on_lock_wait(pid)`` hears of it).
    """
    from ..targets.bibfile.target import BibFileTarget  # bibtexparser loads when the review runs

    path = Path(path)
    store = DecisionStore(decisions, target=path.name) if decisions is not None else DecisionStore.for_bib(path)
    target = BibFileTarget(path, settings, backup=True, on_lock_wait=on_lock_wait)
    with target.session():
        return review_target(target, store, reviewer, pending=pending, duplicates=duplicates)


def review_zotero(spec: str, reviewer: Reviewer | None, *, api_key_file: Path | None = None,
                  endpoint: str | None = None, settings: Settings | None = None, decisions: Path | None = None,
                  **options) -> ReviewReport:
    """Review the cases a sync left for a Zotero library (``user:ID`` or ``group:ID``);
    ``decisions`` names the decision file (else the one in the cache folder)."""
    from ..targets.zotero.target import open_zotero_target

    target = open_zotero_target(spec, api_key_file, endpoint, settings=settings or Settings(), **options)
    try:
        return review_target(target, store_for(target, decisions), reviewer)
    finally:
        target.close()


def decision_store_for(into: Path | None, zotero: str | None, settings: Settings | None = None,
                       decisions: Path | None = None) -> DecisionStore:
    """The decision store of ``--into FILE.bib`` or ``--zotero user:ID|group:ID`` (or the
    file ``--decisions FILE`` names)."""
    if into is not None:
        return DecisionStore(decisions, target=into.name) if decisions is not None else DecisionStore.for_bib(into)
    from ..targets.zotero.client import parse_library_spec

    return DecisionStore.for_zotero(parse_library_spec(zotero or "").path, (settings or Settings()).cache_dir,
                                    decisions)


def inline_review_hook(open_store: Callable[[], DecisionStore], name: str, console=None,
                       reviewer: Reviewer | None = None, vocabulary=None):
    """A ``review`` hook for ``bibsync.sync.run_sync`` (``bibsync sync --interactive``).

    It asks about the plan's review changes before anything is written (``reviewer``, else
    the terminal reviewer on ``console``) and records the decisions in the sync's decision
    store, which the sync saves once its write succeeded: a decision belongs to its write,
    and is not kept when the write fails or is not confirmed. Ctrl-C saves the decisions
    taken so far. It returns the plan with the decided changes in place of the review
    changes. A sync without a store (``decisions=None``) records into ``open_store()``,
    saved at once.
    """
    def hook(plan: Plan, target_entries: Sequence[Entry], decisions: object = None) -> Plan:
        own = not isinstance(decisions, DecisionStore)
        store = open_store() if own else decisions
        asker = reviewer
        if asker is None:
            from .terminal import terminal_reviewer

            asker = terminal_reviewer(name, console, vocabulary=vocabulary)
        try:
            new_plan, _ = review_plan(plan, target_entries, asker, store)
        except KeyboardInterrupt:
            store.save()
            raise
        if own:
            store.save()
        return new_plan

    return hook
