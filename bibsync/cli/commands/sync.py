"""``bibsync sync``: reconcile sources with a .bib file or a Zotero library, plan, confirm, apply.

Thin: options become a :class:`SyncOptions`, :func:`execute` runs ``bibsync.sync.run_sync``
with hooks that render the plan and ask once. To extend the command (e.g. ``--interactive``),
add an option to :func:`sync` and pass a ``review`` hook to :func:`execute`.
"""

from __future__ import annotations

import gc
import json
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

import typer
from rich.console import Console
from rich.markup import escape

from ...config import Settings
from ...errors import BibsyncError, Interrupted, UsageError
from ...keys import DEFAULT_PATTERN, compile_pattern
from ...model import Failure
from ...plan import POLICIES, Plan
from ...progress import ProgressTasks, progress_tasks
from ...sync import ReviewHook, SyncResult, run_sync
from ..render import plan_to_json, print_verbatim, render_plan
from .options import (API_KEY_FILE_OPTION, ASCII_OPTION, BIBLATEX_OPTION, DECISIONS_OPTION, KEY_FORMAT_OPTION,
                      OFFLINE_OPTION, OMIT_OPTION, REFRESH_OPTION, VERBOSE_OPTION, ZOTERO_ENDPOINT_OPTION, chosen_target,
                      lock_wait_notice, run_settings)
from .parse import report_failures as report_source_failures, report_unescaped


@dataclass
class SyncOptions:
    """Everything ``bibsync sync`` was asked to do."""

    sources: Sequence[str]
    into: Path | None = None
    zotero: str | None = None
    api_key_file: Path | None = None
    zotero_endpoint: str | None = None
    collection: str | None = None
    refresh: bool = False
    dry_run: bool = False
    yes: bool = False
    json: bool = False
    prefer: str = "fill"
    backup: bool = False
    sorted_keys: bool = False
    from_: str | None = None
    key_format: str = DEFAULT_PATTERN
    decisions: Path | None = None  # --decisions FILE (a bibsync.toml key may give it too)
    offline: bool = False
    settings: Settings | None = None  # the run's settings (else built from key_format)
    force: bool = False
    verbose: bool = False
    no_cache: bool = False


def open_target(options: SyncOptions, settings: Settings, tasks: ProgressTasks | None = None, on_lock_wait=None):
    """Build the target named by ``--into`` or ``--zotero`` (exactly one of them).

    ``on_lock_wait(pid)`` is called if another bibsync run holds the .bib file's lock.
    """
    if (options.into is None) == (options.zotero is None):
        raise UsageError("say where to sync into: exactly one of --into FILE.bib or --zotero user:ID|group:ID",
                         hint="or name the target once in a bibsync.toml (into = \"refs.bib\")")
    if options.into is not None:
        if options.collection or options.api_key_file or options.refresh:
            raise UsageError("--collection, --api-key-file and --refresh are for --zotero targets")
        from ...files.kinds import require_bib_file
        from ...targets.bibfile.cache import ReadCache
        from ...targets.bibfile.target import BibFileTarget

        require_bib_file(options.into, "--into")
        cache = None if options.no_cache else ReadCache(settings.cache_dir)
        return BibFileTarget(options.into, settings, sorted_keys=options.sorted_keys, backup=options.backup,
                             force=options.force, read_only=options.dry_run, on_lock_wait=on_lock_wait, cache=cache,
                             freeze_read=True, late_cache=True)
    if options.backup or options.sorted_keys or options.force:
        raise UsageError("--backup, --sorted and --force are for .bib targets (--into)")
    try:
        from ...targets.zotero.target import open_zotero_target
    except ImportError as exc:
        raise UsageError(f"Zotero targets are not available: {exc}") from None
    library = options.zotero
    return open_zotero_target(library, api_key_file=options.api_key_file, endpoint=options.zotero_endpoint,
                              collection=options.collection, refresh=options.refresh, settings=settings,
                              policy=options.prefer, require_write=False,  # run_sync refuses a plan that writes
                              read_progress=tasks.callback(f"reading {library}") if tasks else None,
                              write_progress=tasks.callback(f"writing to {library}") if tasks else None)


def report_target_failures(console: Console, failures: Sequence[Failure], target_name: str,
                           verbose: bool = False) -> None:
    """Print what is odd in the target (warnings) and the blocks that could not be read and
    are kept as they are, one line per kind of problem (every one with ``verbose``)."""
    report_source_failures(list(failures), console, verbose, error_label=f"kept as it is in {escape(target_name)}:")


def someone_can_confirm() -> bool:
    """Whether a person can answer the write question: the same test as the review's (a
    terminal on standard input, or ``BIBSYNC_INTERACTIVE=1`` for keys piped in)."""
    from ...review.terminal import interactive_allowed

    return interactive_allowed()


def ask_to_write(plan: Plan, options: SyncOptions, target_name: str, console: Console | None = None) -> bool:
    """Ask once before writing. ``--yes`` says yes; when nobody can answer (see
    :func:`someone_can_confirm`), or the answer never comes (end of input), nothing is
    written and the message says to add ``--yes``."""
    if options.yes:
        return True
    writes = len(plan.to_apply())
    what = f"{writes} change{'s' if writes != 1 else ''}"
    err = console or Console(stderr=True, highlight=False)
    if not someone_can_confirm():
        err.print(f"nothing written: standard input is not a terminal, so nobody can confirm the {what} planned; "
                  "add --yes to write them", highlight=False)
        return False
    try:
        return typer.confirm(f"write {what} to {target_name}?", default=False, err=options.json)
    except (typer.Abort, EOFError) as stop:
        if isinstance(stop.__context__, KeyboardInterrupt):  # Ctrl-C, which click also turns into Abort
            raise KeyboardInterrupt from None
        err.print("\nno answer (end of input); add --yes to write without asking", highlight=False)
        return False


def execute(options: SyncOptions, review: ReviewHook | None = None) -> int:
    """Run the sync the options describe; print the plan, diff or JSON; return the exit code."""
    if options.prefer not in POLICIES:
        raise UsageError(f"unknown --prefer {options.prefer!r}", hint="use fill, source or target")
    settings = options.settings or Settings(key_pattern=options.key_format)
    if options.offline:
        settings = replace(settings, offline=True)
    compile_pattern(settings.key_pattern)  # a bad pattern fails before anything is read
    out = Console(highlight=False, soft_wrap=True, stderr=options.json)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    opened: list[object] = []
    try:
        with progress_tasks(enabled=not options.json) as tasks, ExitStack() as at_end:
            at_end.enter_context(cyclic_collector_paused())
            return _execute(options, settings, review, tasks, out, err, at_end, opened)
    except KeyboardInterrupt:
        # Ctrl-C once the sync is done (its summary printed, the read cache being written):
        # the new file is complete, and saying "nothing was written" would be false.
        if any(getattr(target, "written", False) for target in opened):
            raise Interrupted("interrupted after the new file was written (it is complete)",
                              where=str(options.into)) from None
        raise


@contextmanager
def cyclic_collector_paused() -> Iterator[None]:
    """Run without the cyclic garbage collector. A sync is short and what it makes lives until
    it ends (the read, the plan, the listing's parse tree): the collector would walk it again
    and again for nothing, 3 to 5 % of a sync into a large file. Reference counting still
    frees everything that is dropped; the collector is back when the sync is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _execute(options: SyncOptions, settings: Settings, review: ReviewHook | None, tasks: ProgressTasks,
             out: Console, err: Console, at_end: ExitStack, opened: list[object]) -> int:
    target_name = str(options.into) if options.into is not None else f"Zotero {options.zotero}"

    target = open_target(options, settings, tasks, on_lock_wait=lock_wait_notice(err, target_name))
    opened.append(target)
    if getattr(target, "late_cache", False):  # the .bib file's read cache is written once all is printed
        at_end.callback(target.close)
    shown: list[SyncResult] = []

    def show(result: SyncResult) -> None:
        tasks.close()  # no bar while the plan is printed or a question asked
        # Warnings (records kept, e.g. duplicate keys) never change the exit code.
        report_source_failures(result.source_failures, err, options.verbose)
        report_target_failures(err, result.target_failures, target_name, options.verbose)
        # With --json the plan is the JSON on standard output; the table is drawn (on standard
        # error) only for a person about to be asked to confirm it.
        asking = (not options.yes and not options.dry_run and bool(result.plan.to_apply())
                  and someone_can_confirm())
        if not options.json or asking:
            render_plan(result.plan, out, result.target_entries, title=f"sync into {target_name}")
        shown.append(result)

    def show_then_confirm(result: SyncResult) -> bool:
        show(result)
        return ask_to_write(result.plan, options, target_name, err)

    decisions = "auto" if options.decisions is None else decisions_at(target, options.decisions)
    try:
        result = run_sync(options.sources, target, options.prefer, settings, fmt=options.from_,
                          dry_run=options.dry_run, confirm=show_then_confirm, review=review, decisions=decisions,
                          progress=tasks.callback("looking up"))
    except KeyboardInterrupt:
        if getattr(target, "written", False):  # Ctrl-C after the rename: the new file is complete
            raise Interrupted("interrupted after the new file was written (it is complete; "
                              "the review cases of this run may not be saved)", where=target_name) from None
        raise
    if not shown:  # nothing to confirm (dry run, or nothing to write): show the plan anyway
        show(result)
    if options.json:
        typer.echo(json.dumps(plan_to_json(result.plan, result.target_entries, target=target_name,
                                           dry_run=options.dry_run, applied=result.applied), indent=2,
                              ensure_ascii=False))
    if options.dry_run:
        diff = getattr(target, "diff", None)
        if diff is not None and not options.json:
            text = diff(result.plan)
            if text:
                print_verbatim(out, text, getattr(target, "diff_encoding", None))
            else:
                out.print("(no change to the file)")
        _report_incomplete(err, result, options, target)
        for problem in result.unwritten:
            err.print(f"[red]would not be written:[/] {escape(problem)}", markup=True, highlight=False)
        err.print("dry run: nothing written")
        if result.write_problem is not None:
            _report_write_problem(err, result.write_problem)
        _report_failures_and_pending(err, result, target_name, dry_run=True)
        return result.exit_code
    _report_outcome(err, result, target_name)
    if result.applied:
        _report_incomplete(err, result, options, target)
    return result.exit_code


def _report_write_problem(console: Console, problem: BibsyncError) -> None:
    """A dry run's error for what would stop the real run's write (exit code 1, as that run's)."""
    where = f"{problem.where}: " if problem.where else ""
    console.print(f"[bold red]error:[/] {escape(where)}the real run would stop here: {escape(problem.message)}",
                  markup=True, highlight=False)
    if problem.hint:
        console.print(f"[dim]hint:[/] {escape(problem.hint)}", markup=True, highlight=False)


def _report_incomplete(console: Console, result: SyncResult, options: SyncOptions, target) -> None:
    """One line naming the new or updated entries of a .bib that lack a field their type
    requires, and one naming the characters an ASCII .bib gets that LaTeX has no escape for."""
    if options.into is None:
        return
    from ...bibtex.required_fields import incomplete_entries, summary_line

    written = [c.result for c in result.plan.to_apply() if c.result is not None]
    line = summary_line(incomplete_entries(written), "new or updated entries")
    if line:
        console.print(f"[cyan]note:[/] {escape(line)}", highlight=False)
    style = getattr(getattr(target, "style", None), "base", None)
    if style is not None:
        report_unescaped(console, written_fields(result.plan), style)


def written_fields(plan: Plan) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a plan writes, as (key, [(field, value), ...]): a new entry whole, an update its
    new values only."""
    from ...bibtex.write import ordered_fields
    from ...plan import ENTRY_KEY, ENTRY_TYPE

    out: list[tuple[str, list[tuple[str, str]]]] = []
    for change in plan.to_apply():
        if change.kind == "add":
            out.append((change.key or "", ordered_fields(change.result or change.entry)))
        else:
            out.append((change.key or "", [(c.name, c.new) for c in change.field_changes
                                           if c.name not in (ENTRY_KEY, ENTRY_TYPE) and c.new]))
    return out


def decisions_at(target, path: Path):
    """The decision store in the file ``path`` for ``target`` (``--decisions FILE``)."""
    from ...review.decisions import store_for

    return store_for(target, path)


def _review_command(target_name: str) -> str:
    where = f"--into {target_name}" if not target_name.startswith("Zotero ") else f"--zotero {target_name[7:]}"
    return f"bibsync review {where}"


def _report_failures_and_pending(console: Console, result: SyncResult, target_name: str, *, dry_run: bool) -> None:
    """The closing lines: records left out (exit code 1) and review cases waiting (exit code 3)."""
    errors = len(result.source_errors)
    if errors:
        many = errors != 1
        left = "would be" if dry_run else "were" if many else "was"
        console.print(f"{errors} record{'s' if many else ''} or identifier{'s' if many else ''} "
                      f"could not be read and {left} left out (see above); exit code 1", highlight=False)
    reviews = len(result.plan.by_kind("review"))
    earlier = result.pending - reviews
    if result.pending:
        parts = [f"{reviews} uncertain match{'es' if reviews != 1 else ''}"] if reviews else []
        if earlier > 0:
            parts.append(f"{earlier} case{'s' if earlier != 1 else ''} from earlier syncs")
        verb = "would wait" if dry_run else "left"
        console.print(f"{' and '.join(parts)} {verb} for review: run '{_review_command(target_name)}'",
                      highlight=False)


def _report_outcome(console: Console, result: SyncResult, target_name: str) -> None:
    if result.declined:
        if someone_can_confirm():  # when nobody could answer, ask_to_write said why already
            console.print("nothing written")
        return
    report = result.report
    if report is None:
        return
    for problem in report.failed:
        console.print(f"[red]not written:[/] {escape(problem)}", markup=True, highlight=False)
    if report.added or report.updated or report.details.get("removed"):
        console.print(f"wrote {target_name}: {report.added} added, {report.updated} updated", highlight=False)
    else:
        console.print(f"{target_name} is up to date: nothing to write", highlight=False)
    if report.details.get("backup"):
        console.print(f"backup: {report.details['backup']}", highlight=False)
    _report_failures_and_pending(console, result, target_name, dry_run=False)


def sync(
    ctx: typer.Context,
    sources: List[str] = typer.Argument(..., metavar="SOURCE",
                                        help="Files to read ('-' for standard input), or DOIs / arXiv ids."),
    into: Optional[Path] = typer.Option(None, "--into", metavar="FILE.bib",
                                        help="The .bib file to sync into (created if missing)."),
    zotero: Optional[str] = typer.Option(None, "--zotero", metavar="user:ID|group:ID",
                                         help="The Zotero library to sync into."),
    api_key_file: Optional[Path] = API_KEY_FILE_OPTION,
    zotero_endpoint: Optional[str] = ZOTERO_ENDPOINT_OPTION,
    collection: Optional[str] = typer.Option(None, "--collection", metavar="NAME",
                                             help="Zotero collection to add new items to."),
    refresh: bool = REFRESH_OPTION,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan and the diff; write nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking (adds, updates, strong matches)."),
    json_: bool = typer.Option(False, "--json", help="Print the plan as JSON on standard output."),
    prefer: str = typer.Option("fill", "--prefer", metavar="fill|source|target",
                               help="fill: add missing fields; source: also replace differing values; "
                                    "target: change nothing that exists."),
    backup: bool = typer.Option(False, "--backup", help="Keep the old file as FILE.bib.orig, numbered (FILE.bib.orig.1, ...) "
                                     "when that name is taken, so that a backup is never replaced."),
    force: bool = typer.Option(False, "--force", help="Replace the .bib file even if it is read-only."),
    verbose: bool = VERBOSE_OPTION,
    no_cache: bool = typer.Option(False, "--no-cache", help="Read the .bib file in full instead of reusing the last read of it."),
    sorted_keys: bool = typer.Option(False, "--sorted", help="Insert new entries in key order instead of at the end."),
    from_: Optional[str] = typer.Option(None, "--from", metavar="FORMAT",
                                        help="Force the sources' format (see 'bibsync formats')."),
    key_format: str = KEY_FORMAT_OPTION,
    omit: Optional[List[str]] = OMIT_OPTION,
    ascii_: Optional[bool] = ASCII_OPTION,
    biblatex: Optional[bool] = BIBLATEX_OPTION,
    interactive: bool = typer.Option(False, "--interactive",
                                     help="Settle uncertain matches now with single keys (on a terminal) "
                                          "instead of leaving them for 'bibsync review'."),
    decisions: Optional[Path] = DECISIONS_OPTION,
    offline: bool = OFFLINE_OPTION,
) -> None:
    """Add new entries, complete known ones, hold uncertain ones for review; touch nothing else.

    Without --into or --zotero, the target comes from bibsync.toml (its .bib file if it names
    one, else its Zotero library). Without --yes it asks once on a terminal; with no terminal
    it shows the plan and writes nothing. Exit codes (--dry-run gives the real run's): 0 done
    or nothing to do; 1 error, a record or identifier left out, or nothing written for want of
    --yes; 2 usage; 3 review cases wait for 'bibsync review'.
    """
    settings = run_settings(ctx)
    into, zotero = chosen_target(settings)
    decisions = settings.decisions
    collection = settings.collection if zotero is not None or collection is not None else None
    options = SyncOptions(sources, into, zotero, api_key_file, settings.zotero_endpoint, collection, refresh, dry_run,
                          yes, json_, settings.policy("fill"), backup, sorted_keys, from_, settings.key_pattern,
                          decisions, offline, settings, force=force, verbose=verbose, no_cache=no_cache)
    review = None
    if interactive:
        from .review import sync_review_hook

        review = sync_review_hook(into, zotero, dry_run=dry_run, decisions=decisions)
    code = execute(options, review=review)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("sync")(sync)
