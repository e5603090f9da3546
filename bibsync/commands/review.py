"""``bibsync review``: settle the uncertain matches a sync left and the duplicates of a .bib.

The command is thin: ``review_bib``, ``review_zotero`` (and ``inline_review_hook`` for
``sync --interactive``) are callable from Python with any Reviewer (a QueuedReviewer in
tests and scripts); the terminal reviewer is only the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import typer
from rich.console import Console

from ..config import Settings
from .options import API_KEY_FILE_OPTION, DECISIONS_OPTION, ZOTERO_ENDPOINT_OPTION, chosen_target, run_settings
from ..decisions import DecisionStore
from ..errors import TargetError, UsageError
from ..model import Entry
from ..plan import Change, Plan, without_omitted
from ..review import (
    Action, Outcome, ReviewCase, Reviewer, ReviewPlan, cases_from_duplicates, cases_from_pending,
    plan_review, review_plan, run_review,
)
from ..review_terminal import KeyReader, ZoteroVocabulary, confirm, interactive_allowed, terminal_reviewer
from ..texrewrite import aliases_of, apply_tex_rewrites, find_tex_files, plan_tex_rewrites

EXIT_OPEN = 3  # cases are still waiting for a person


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
    """What a review did to its target: counts, open cases, renamed keys, the backup made."""

    merged: int = 0
    added: int = 0
    removed: int = 0
    kept_apart: int = 0
    declined: int = 0
    open_cases: list[ReviewCase] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)
    quit: bool = False
    backup: str | None = None


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
        reviewer.vocabulary = ZoteroVocabulary(item_types())
    matcher = Matcher(entries)
    cases: list[ReviewCase] = []
    if pending:
        cases += cases_from_pending(store.pending(), entries, matcher)
    if duplicates:
        cases += cases_from_duplicates(entries, find_duplicates(entries), matcher)
    report = ReviewReport()
    try:
        result = run_review(cases, reviewer or Lister(), store)
    except KeyboardInterrupt:
        store.save()
        raise
    report.quit = result.quit
    settled = result.settled()
    planned = plan_review(entries, settled, getattr(getattr(target, "settings", None), "key_pattern", None)
                          or Settings().key_pattern)
    collections = {change.key or "": outcome.case.collection for outcome, change in planned.by_outcome
                   if change.kind == "add" and outcome.case.collection}
    omit = getattr(getattr(target, "settings", None), "omit", ())  # fields bibsync never writes
    if omit:
        planned.changes = without_omitted(Plan(planned.changes), omit, entries).changes
    details = apply_review_plan(target, planned, collections)
    remember_applied(store, planned.by_outcome)
    report.merged = sum(1 for o in settled if o.action.kind == "merge")
    report.added = sum(1 for c in planned.changes if c.kind == "add")
    report.removed = len(planned.removed)
    report.renames = planned.renames
    report.declined = sum(1 for o in settled if o.action.kind == "decline")
    report.backup = details.get("backup")
    report.kept_apart = sum(1 for o in result.outcomes.values()
                            if o.case.kind == "duplicate" and o.action.kind in ("different", "add") and not o.auto)
    report.open_cases = [cases[i] for i in result.open_positions(len(cases))]
    store.save()
    return report


def review_bib(path: Path, reviewer: Reviewer | None, *, pending: bool = True, duplicates: bool = True,
               decisions: Path | None = None, settings: Settings | None = None) -> ReviewReport:
    """Review a .bib: the cases its last sync left, and the duplicate groups inside it.

    The file is replaced atomically, its state before the review kept as ``FILE.bib.orig``
    (named in the report); ``decisions`` names another decision file than ``FILE.bib.bibsync.json``;
    ``settings`` are the run's (the fields it omits are never written).
    """
    from ..targets.bibfile import BibFileTarget  # bibtexparser loads when the review runs

    path = Path(path)
    store = DecisionStore(decisions, target=path.name) if decisions is not None else DecisionStore.for_bib(path)
    return review_target(BibFileTarget(path, settings, backup=True), store, reviewer, pending=pending,
                         duplicates=duplicates)


def review_zotero(spec: str, reviewer: Reviewer | None, *, api_key_file: Path | None = None,
                  endpoint: str | None = None, settings: Settings | None = None, decisions: Path | None = None,
                  **options) -> ReviewReport:
    """Review the cases a sync left for a Zotero library (``user:ID`` or ``group:ID``);
    ``decisions`` names the decision file (else the one in the cache folder)."""
    from ..targets.zotero import open_zotero_target

    target = open_zotero_target(spec, api_key_file, endpoint, settings=settings or Settings(), **options)
    target.decisions_path = decisions
    try:
        return review_target(target, target.open_decisions(), reviewer)
    finally:
        target.close()


def decision_store_for(into: Path | None, zotero: str | None, settings: Settings | None = None,
                       decisions: Path | None = None) -> DecisionStore:
    """The decision store of ``--into FILE.bib`` or ``--zotero user:ID|group:ID`` (or the
    file ``--decisions FILE`` names)."""
    if into is not None:
        return DecisionStore(decisions, target=into.name) if decisions is not None else DecisionStore.for_bib(into)
    from ..targets.zotero import parse_library_spec

    return DecisionStore.for_zotero(parse_library_spec(zotero or "").path, (settings or Settings()).cache_dir,
                                    decisions)


def inline_review_hook(open_store: Callable[[], DecisionStore], name: str, console: Console | None = None,
                       reviewer: Reviewer | None = None, vocabulary=None):
    """A ``review`` hook for ``bibsync.sync.run_sync`` (``bibsync sync --interactive``).

    It asks about the plan's review changes before anything is written, records the
    decisions in the sync's decision store (or, if the sync has none, in ``open_store()``),
    saved at once so that Ctrl-C keeps them, and returns the plan with the decided changes
    in place of the review changes.
    """
    def hook(plan: Plan, target_entries: Sequence[Entry], decisions: object = None) -> Plan:
        store = decisions if isinstance(decisions, DecisionStore) else open_store()
        asker = reviewer or terminal_reviewer(name, console, vocabulary=vocabulary)
        try:
            new_plan, result = review_plan(plan, target_entries, asker, store)
        except KeyboardInterrupt:
            store.save()
            raise
        reviews = [i for i, c in enumerate(plan.changes) if c.kind == "review"]  # as review_plan numbers them
        for position, outcome in result.outcomes.items():
            change = new_plan.changes[reviews[position]]
            if change.kind == "add" and change.result is not None:
                store.settle_add(outcome.case.entry, change.result, [c.entry for c in outcome.considered])
        store.save()
        return new_plan

    return hook


def sync_review_hook(into: Path | None, zotero: str | None, *, dry_run: bool = False, decisions: Path | None = None):
    """The hook ``bibsync sync --interactive`` passes to the sync, or None when nobody can
    answer (stdin is not a terminal) or nothing will be written (``--dry-run``)."""
    err = Console(stderr=True, highlight=False)
    if dry_run:
        err.print("--interactive: nothing is asked in a dry run")
        return None
    if not interactive_allowed():
        err.print("--interactive: standard input is not a terminal; uncertain matches are left for 'bibsync review'")
        return None
    name = into.name if into is not None else f"Zotero {zotero}"
    vocabulary = ZoteroVocabulary() if zotero is not None else None  # item types from the entries' types
    return inline_review_hook(lambda: decision_store_for(into, zotero, decisions=decisions), name,
                              Console(highlight=False), vocabulary=vocabulary)


def print_open_cases(console: Console, cases: Sequence[ReviewCase], where: str) -> None:
    """List the cases still waiting, one line each."""
    console.print(f"{len(cases)} review case{'s' if len(cases) != 1 else ''} waiting in {where}:")
    for case in cases:
        what = "uncertain match   " if case.kind == "sync" else "possible duplicate"
        cands = ", ".join(f"{c.entry.key} {c.score:.2f}" for c in case.candidates)
        console.print(f"  {what} {case.entry.key or '(no key)'} ~ {cands}", highlight=False, markup=False)


def print_report(console: Console, report: ReviewReport, where: str) -> None:
    """One summary line, and the open cases if any."""
    declined = f"{report.declined} declined, " if report.declined else ""
    # soft_wrap: a path is never broken across lines (it is there to be copied)
    console.print(f"{where}: {report.merged} merged, {report.added} added, {report.removed} removed as duplicates, "
                  f"{report.kept_apart} kept apart, {declined}{len(report.open_cases)} open", highlight=False,
                  soft_wrap=True)
    for old, new in sorted(report.renames.items()):
        console.print(f"  {old} -> {new} (kept as an alias in ids)", highlight=False)
    if report.backup:
        console.print(f"the file as it was before this review: {report.backup}", highlight=False, soft_wrap=True)


def rewrite_tex_step(console: Console, bib: Path, folder: Path, yes: bool, ask: Callable[[str], bool] | None) -> int:
    """Rewrite aliased keys in the .tex files under ``folder``: show the diff, then write if
    ``yes`` or the person agrees. Returns the number of files written."""
    from ..targets.bibfile import BibFileTarget

    renames = aliases_of(BibFileTarget(bib).load())
    files = find_tex_files(folder)
    for link in files.outside:
        console.print(f"left alone: {link} leads outside {folder}", markup=False, highlight=False, soft_wrap=True)
    rewrites = plan_tex_rewrites(folder, renames, files)
    if not rewrites:
        console.print(f"no citation in {folder} uses an old key")
        return 0
    for rewrite in rewrites:
        console.print(rewrite.diff(folder), markup=False, highlight=False, end="")
    total = sum(r.count for r in rewrites)
    question = f"rewrite {total} citation{'s' if total != 1 else ''} in {len(rewrites)} file(s)?"
    if not yes and (ask is None or not ask(question)):
        console.print("dry run: nothing written (use --yes to rewrite)")
        return 0
    apply_tex_rewrites(rewrites, folder)
    console.print(f"rewrote {total} citation(s) in {len(rewrites)} file(s)")
    return len(rewrites)


def review(
    ctx: typer.Context,
    into: Optional[Path] = typer.Option(None, "--into", metavar="FILE.bib",
                                        help="The .bib file to review (its pending cases and duplicates)."),
    zotero: Optional[str] = typer.Option(None, "--zotero", metavar="user:ID|group:ID",
                                         help="Review the pending cases of this Zotero library."),
    api_key_file: Optional[Path] = API_KEY_FILE_OPTION,
    zotero_endpoint: Optional[str] = ZOTERO_ENDPOINT_OPTION,
    forget: bool = typer.Option(False, "--forget", help="Forget every remembered decision, then stop."),
    duplicates: bool = typer.Option(True, "--duplicates/--no-duplicates", help="Also review duplicate groups inside the .bib."),
    rewrite_tex: Optional[Path] = typer.Option(None, "--rewrite-tex", metavar="DIR",
                                               help="Rewrite \\cite keys merged away into the kept key in DIR's .tex files."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Rewrite .tex files without asking."),
    decisions: Optional[Path] = DECISIONS_OPTION,
) -> None:
    """Settle uncertain matches and duplicates with single keys; decisions are remembered.

    Keys: m merge (choose the key and fields that stay), a keep both (add as its own entry),
    n not this one (never add it), s skip for now, u undo, q quit, ? help. The .bib is
    replaced atomically; FILE.bib.orig keeps it as it was before the review. Without a
    terminal nothing is asked: remembered decisions are applied, the open cases listed,
    and the exit code is 3 if any are left.
    """
    settings = run_settings(ctx)
    decisions = settings.decisions
    if into is None and zotero is None:  # bibsync.toml's target, as for sync
        into, zotero = chosen_target(settings)
    zotero_endpoint = settings.zotero_endpoint
    if (into is None) == (zotero is None):
        raise UsageError("say what to review: --into FILE.bib or --zotero user:ID|group:ID",
                         hint="or name the target once in a bibsync.toml (into = \"refs.bib\")")
    if zotero is not None and rewrite_tex is not None:
        raise UsageError("--rewrite-tex is for a .bib (--into)")
    console = Console(highlight=False)
    if forget:
        store = decision_store_for(into, zotero, decisions=decisions)
        count = store.forget()
        store.save()
        console.print(f"forgot {count} decision{'s' if count != 1 else ''} ({store.path})")
        return
    code = review_and_report(into, zotero, console, api_key_file=api_key_file, endpoint=zotero_endpoint,
                             duplicates=duplicates, rewrite_tex=rewrite_tex, yes=yes, decisions=decisions,
                             settings=settings)
    if code:
        raise typer.Exit(code)


def review_and_report(into: Path | None, zotero: str | None, console: Console, *, pending: bool = True,
                      duplicates: bool = True, api_key_file: Path | None = None, endpoint: str | None = None,
                      rewrite_tex: Path | None = None, yes: bool = False, decisions: Path | None = None,
                      settings: Settings | None = None) -> int:
    """Run a review as the command line does (asking only on a terminal), print what it did,
    and return the exit code: 0, 3 with cases left open, 130 after Ctrl-C."""
    if into is not None and not into.exists():
        raise UsageError(f"no such file: {into}", hint="give the .bib file a sync wrote into")
    where = str(into) if into is not None else f"Zotero {zotero}"
    interactive = interactive_allowed()
    reviewer = terminal_reviewer(into.name if into is not None else where, console) if interactive else None
    try:
        if into is not None:
            report = review_bib(into, reviewer, pending=pending, duplicates=duplicates, decisions=decisions,
                                settings=settings)
        else:
            report = review_zotero(zotero or "", reviewer, api_key_file=api_key_file, endpoint=endpoint,
                                   decisions=decisions, settings=settings)
    except KeyboardInterrupt:
        console.print(f"\ninterrupted: {where} is untouched; the decisions taken so far are saved")
        return 130
    print_report(console, report, where)
    if rewrite_tex is not None and into is not None:
        keys = KeyReader()
        ask = (lambda q: confirm(console, keys, q)) if interactive else None
        rewrite_tex_step(console, into, rewrite_tex, yes, ask)
    if not report.open_cases:
        return 0
    if not interactive:
        print_open_cases(console, report.open_cases, where)
        console.print("run `bibsync review` in a terminal to settle them")
    return EXIT_OPEN


def dedupe_interactive(file: str) -> int:
    """``bibsync dedupe FILE.bib --interactive``: ask about each duplicate group (on a terminal)."""
    return review_and_report(Path(file), None, Console(highlight=False), pending=False, duplicates=True)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("review")(review)
