"""The sync, callable from Python: sources -> entries -> plan -> (confirm) -> apply -> decisions.

Target-agnostic: a target is anything with ``load()`` and ``apply(plan)`` (a .bib file or a
Zotero library). The command line only parses options, renders and asks; everything else is here.

    result = run_sync(["samples/acm-toc-socc24.txt"], BibFileTarget("thesis.bib"))
    result.plan.counts(), result.report.added, result.exit_code
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .config import Settings
from .errors import BibsyncError
from .match import MatchSettings
from .model import Entry, Failure
from .pipeline import parse_sources
from .plan import DecisionLookup, Plan, make_plan, without_omitted
from .progress import ProgressCallback
from .registry import Registry
from .targets.base import ApplyReport, Target

# Exit codes of a sync.
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REVIEW = 0, 1, 2, 3

# A hook that sees the result so far (plan, target entries, what could not be read) before
# anything is written, and says whether to go on (the CLI renders it and asks).
ConfirmHook = Callable[["SyncResult"], bool]
# A hook that may turn review changes into decided ones before the plan is confirmed (an
# interactive review): it gets the plan, the target's entries and the decision store (or
# None), and returns the plan to apply.
ReviewHook = Callable[[Plan, Sequence[Entry], "DecisionLookup | None"], Plan]


@dataclass
class SyncResult:
    """What a sync did: the plan, what applying it did, and what could not be read.

    ``pending`` counts the review cases waiting after the run (this sync's and earlier
    ones that are still open), or that would wait after it (a dry run).
    """

    plan: Plan
    target_entries: list[Entry] = field(default_factory=list)
    report: ApplyReport | None = None
    applied: bool = False
    declined: bool = False
    dry_run: bool = False
    pending: int = 0
    source_failures: list[Failure] = field(default_factory=list)
    target_failures: list[Failure] = field(default_factory=list)
    write_problem: BibsyncError | None = None  # a dry run: what would stop the real run's write
    unwritten: list[str] = field(default_factory=list)  # a dry run: changes the real run could not make

    @property
    def source_errors(self) -> list[Failure]:
        """The records (or identifiers) that could not be read and were left out."""
        return [f for f in self.source_failures if not f.is_warning]

    @property
    def exit_code(self) -> int:
        """The exit code of the run (a dry run: of the run it shows): 1 if something could
        not be read or written (a dry run: would not be, ``write_problem``) or the plan was not
        confirmed, else 3 if review cases wait, else 0."""
        if (self.declined or (self.report is not None and self.report.failed) or self.source_errors
                or self.write_problem is not None or self.unwritten):
            return EXIT_ERROR
        if (self.applied or self.dry_run) and self.pending:
            return EXIT_REVIEW
        return EXIT_OK


def read_incoming(sources: Iterable[str], fmt: str | None = None, settings: Settings | None = None,
                  registry: Registry | None = None,
                  progress: ProgressCallback | None = None) -> tuple[list[Entry], list[Failure]]:
    """Parse every SOURCE argument into entries (keys as the sources gave them) and failures;
    ``progress(done, total)`` hears of look-ups."""
    result = parse_sources(list(sources), fmt, settings, registry, progress)
    return result.entries, result.failures


def open_decisions(target: Target) -> DecisionLookup | None:
    """The decision store that belongs to ``target``, or None if there is none (yet).

    A .bib target keeps ``FILE.bib.bibsync.json`` next to the file, a Zotero library one in the
    cache folder (see :func:`bibsync.review.decisions.store_for`); another target may offer its
    own through an ``open_decisions()`` method.
    """
    opener = getattr(target, "open_decisions", None)
    if callable(opener):
        return opener()
    from .review.decisions import store_for

    return store_for(target)


def settle_decided_adds(decisions: object, plan: Plan, target_entries: Sequence[Entry],
                        report: ApplyReport | None) -> int:
    """After writing: each add that a remembered ``add`` decision caused is remembered as the
    entry it became (``settle_add``), so that a later sync matches the written copy, even if
    edited by hand, instead of adding it again. Returns how many were settled.

    The candidates the person called different stay apart from the written copy. An add the
    target reports as not written (a Zotero target lists the written ones in ``item_keys``)
    is left as it was decided.
    """
    settle = getattr(decisions, "settle_add", None)
    decision_for = getattr(decisions, "decision_for", None)
    if settle is None or decision_for is None or report is None:
        return 0
    written = report.details.get("item_keys")
    settled = 0
    for change in plan.by_kind("add"):
        added = change.result or change.entry.with_key(change.key)
        if not added.key or (written is not None and added.key not in written):
            continue
        if decision_for(change.entry, None) != "add":
            continue
        shown = [target_entries[c.index] for c in change.candidates if 0 <= c.index < len(target_entries)]
        settle(change.entry, added, [t for t in shown if decision_for(change.entry, t) == "different"])
        settled += 1
    return settled


def pending_after(decisions: object, plan: Plan, target_entries: Sequence[Entry], collection: str | None = None) -> int:
    """How many review cases wait once ``plan`` is written: its own, and the earlier ones it
    leaves open (see ``DecisionStore.pending_after``)."""
    after = getattr(decisions, "pending_after", None)
    if after is None:
        return len(plan.by_kind("review"))
    return len(after(plan.changes, target_entries, collection))


def record_pending(decisions: object, plan: Plan, target_entries: Sequence[Entry], collection: str | None = None) -> None:
    """Leave the plan's review changes in the decision store for ``bibsync review`` (earlier
    cases stay until settled or gone), and save it."""
    update = getattr(decisions, "update_pending", None)
    if update is not None:
        update(plan.changes, target_entries, collection)
    else:
        set_pending = getattr(decisions, "set_pending", None)
        if set_pending is None:
            return
        set_pending(plan.by_kind("review"), target_entries)
    save = getattr(decisions, "save", None)
    if save is not None:
        save()


def predicted_write_problem(target: Target, plan: Plan) -> BibsyncError | None:
    """What would stop a real run from writing ``target``, so that a dry run exits as the real
    run would; None when nothing would. A target with ``write_problem()`` (a .bib file:
    read-only, on a read-only file system, in a folder that takes no new file) is refused
    before it is read, whatever the plan; one with ``refused_write()`` (a Zotero library: no
    API key, a key that may only read) only when ``plan`` writes something."""
    check = getattr(target, "write_problem", None)
    if callable(check):
        problem = check()
        if problem is not None:
            return problem
    return refused_write(target) if plan.to_apply() else None


def predicted_unwritten(target: Target, plan: Plan) -> list[str]:
    """The changes of ``plan`` that a real run could not make in ``target`` (a .bib entry
    whose text cannot be spliced: the real run names them, leaves them as they are and exits
    1), so that a dry run names them too and exits as the real run would."""
    edits = getattr(target, "edits", None)
    if not callable(edits) or not plan.to_apply():
        return []
    try:
        return list(edits(plan)[1])
    except BibsyncError:  # a write the real run refuses as a whole: the dry run's diff reports it
        return []


def refused_write(target: Target) -> BibsyncError | None:
    """The error a target that learns its write access when it loads (``refused_write()``,
    a Zotero library) would meet on writing, or None."""
    refused = getattr(target, "refused_write", None)
    return refused() if callable(refused) else None


def run_sync(
    sources: Sequence[str] | None,
    target: Target,
    policy: str = "fill",
    settings: Settings | None = None,
    *,
    incoming: Sequence[Entry] | None = None,
    fmt: str | None = None,
    registry: Registry | None = None,
    match_settings: MatchSettings | None = None,
    decisions: DecisionLookup | None | str = "auto",
    dry_run: bool = False,
    confirm: ConfirmHook | None = None,
    review: ReviewHook | None = None,
    progress: ProgressCallback | None = None,
) -> SyncResult:
    """Sync ``sources`` (or ready ``incoming`` entries) into ``target``.

    ``decisions="auto"`` opens the target's decision store (see :func:`open_decisions`);
    pass a store to use another file (``--decisions FILE``), or None to ignore earlier
    decisions. Records that cannot be read (a malformed or unknown identifier, a broken
    entry) are left out and reported; the rest is synced and the exit code is 1. ``dry_run`` plans and stops. ``confirm`` is asked
    once before writing (None: write). After writing, the review changes are left in the
    decision store, and adds that a remembered ``add`` decision caused are settled there
    (see :func:`settle_decided_adds`). A target with a ``session()`` (a .bib file) is held
    for the whole run, so that two runs at once take turns. Errors are BibsyncError
    subclasses; nothing is written on an error. The fields in ``settings.omit`` are never
    written, also after a review. ``progress(done, total)`` hears of the sources' look-ups
    (DOIs, arXiv ids).
    """
    settings = settings or Settings()
    source_failures: list[Failure] = []
    if incoming is None:
        incoming, source_failures = read_incoming(sources or [], fmt, settings, registry, progress)
    session = getattr(target, "session", None)  # a .bib target: its lock, held to the end
    with session() if session is not None else nullcontext():
        target_entries = target.load()
        if decisions == "auto":
            decisions = open_decisions(target)
        plan = make_plan(incoming, target_entries, policy, match_settings, decisions, settings.key_pattern,
                         omit=settings.omit, reserved_keys=getattr(target, "reserved_keys", ()))
        if not dry_run and (plan.to_apply() or (review is not None and plan.by_kind("review"))):
            refusal = refused_write(target)  # before anyone is asked: the writes would fail
            if refusal is not None:
                raise refusal
        if review is not None and plan.by_kind("review"):
            plan = without_omitted(review(plan, target_entries, decisions), settings.omit, target_entries)
        collection = getattr(target, "collection", None)
        result = SyncResult(plan, list(target_entries), dry_run=dry_run, source_failures=source_failures,
                            target_failures=list(getattr(target, "failures", [])),
                            pending=pending_after(decisions, plan, target_entries, collection))
        if dry_run:
            result.write_problem = predicted_write_problem(target, plan)
            result.unwritten = predicted_unwritten(target, plan)
            return result
        if confirm is not None and plan.to_apply() and not confirm(result):
            result.declined = True
            return result
        result.report = target.apply(plan)
        result.applied = True
        if decisions is not None:
            settle_decided_adds(decisions, plan, target_entries, result.report)
            record_pending(decisions, plan, target_entries, collection)
    return result
