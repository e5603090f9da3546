"""``bibsync review``: settle the uncertain matches a sync left and the duplicates of a .bib.

The command is thin: what it runs is ``bibsync.review.session`` (``review_bib``,
``review_zotero``, ``inline_review_hook`` for ``sync --interactive``), callable from Python
with any Reviewer; here are only the options, the terminal and what is printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional, Sequence

import typer
from rich.console import Console

from ...config import Settings
from ...errors import UsageError
from ...review.cases import ReviewCase
from ...review.session import ReviewReport, decision_store_for, inline_review_hook, review_bib, review_zotero
from ...review.terminal import KeyReader, ZoteroVocabulary, confirm, interactive_allowed, terminal_reviewer
from ...review.texrewrite import aliases_of, apply_tex_rewrites, find_tex_files, plan_tex_rewrites, require_folder
from ..render import print_verbatim
from .options import (API_KEY_FILE_OPTION, DECISIONS_OPTION, ZOTERO_ENDPOINT_OPTION, chosen_target, lock_wait_notice,
                      run_settings)

EXIT_OPEN = 3  # cases are still waiting for a person


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
        cands = ", ".join(f"{case.name(c.entry)} {c.score:.2f}" for c in case.candidates)
        console.print(f"  {what} {case.label} ~ {cands}", highlight=False, markup=False)


def _groups_note(cases: Sequence[ReviewCase]) -> str:
    """`` (N of them in G duplicate groups)``: the open duplicate cases counted as ``bibsync
    dedupe`` counts them, by group; "" when none is open."""
    groups = {case.group for case in cases if case.kind == "duplicate" and case.group}
    duplicates = sum(1 for case in cases if case.kind == "duplicate")
    if not duplicates:
        return ""
    return f" ({duplicates} of them in {len(groups)} duplicate group{'s' if len(groups) != 1 else ''})"


def print_report(console: Console, report: ReviewReport, where: str) -> None:
    """One summary line, and the open cases if any."""
    declined = f"{report.declined} declined, " if report.declined else ""
    already = f"{report.already_there} already there (nothing to add), " if report.already_there else ""
    # soft_wrap: a path is never broken across lines (it is there to be copied)
    console.print(f"{where}: {report.merged} merged, {already}{report.added} added, {report.removed} removed as "
                  f"duplicates, {report.kept_apart} kept apart, {declined}{len(report.open_cases)} open"
                  + _groups_note(report.open_cases),
                  highlight=False, soft_wrap=True)
    for old, new in sorted(report.renames.items()):
        console.print(f"  {old} -> {new} (kept as an alias in ids)", highlight=False)
    if report.backup:
        console.print(f"the file as it was before this review: {report.backup}", highlight=False, soft_wrap=True)


def rewrite_tex_step(console: Console, bib: Path, folder: Path, yes: bool, ask: Callable[[str], bool] | None) -> int:
    """Rewrite aliased keys in the .tex files under ``folder``: show the diff, then write if
    ``yes`` or the person agrees. Returns the number of files written."""
    from ...targets.bibfile.target import BibFileTarget

    renames = aliases_of(BibFileTarget(bib).load())
    files = find_tex_files(folder)
    for link in files.outside:
        console.print(f"left alone: {link} leads outside {folder}", markup=False, highlight=False, soft_wrap=True)
    rewrites = plan_tex_rewrites(folder, renames, files)
    if not rewrites:
        console.print(f"no citation in {folder} uses an old key")
        return 0
    for rewrite in rewrites:
        print_verbatim(console, rewrite.diff(folder))
    total = sum(r.count for r in rewrites)
    question = f"rewrite {total} citation{'s' if total != 1 else ''} in {len(rewrites)} file(s)?"
    if not yes and ask is None:
        console.print("the .tex files are unchanged: nobody could confirm on this input (use --yes to rewrite)")
        return 0
    if not yes and not ask(question):
        console.print("the .tex files are unchanged (run again with --yes to rewrite them)")
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
    replaced atomically; FILE.bib.orig (numbered .orig.1, ... when taken) keeps it as it was
    before the review. Without a
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
    if into is not None:
        from ...files.kinds import require_bib_file

        require_bib_file(into, "--into")
    if rewrite_tex is not None:
        require_folder(rewrite_tex)  # before the review, not after it
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
                                settings=settings, on_lock_wait=lock_wait_notice(console, str(into)))
        else:
            report = review_zotero(zotero or "", reviewer, api_key_file=api_key_file, endpoint=endpoint,
                                   decisions=decisions, settings=settings)
    except KeyboardInterrupt:
        console.print(f"\ninterrupted: {where} is untouched; the decisions taken so far are saved")
        return 130
    print_report(console, report, where)
    _warn_of_open_blocks(report, where)
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


def _warn_of_open_blocks(report: ReviewReport, where: str) -> None:
    """Say on standard error, as a sync does, which blocks of the target BibTeX reads on
    past (the review's new entries went before one it reads to the end of the file)."""
    from rich.markup import escape

    from ...bibtex.read import OPEN_KIND, OPEN_TO_END_KIND
    from .parse import report_failures

    open_blocks = [f for f in report.target_failures if f.kind in (OPEN_KIND, OPEN_TO_END_KIND)]
    if open_blocks:
        report_failures(open_blocks, Console(stderr=True, highlight=False), error_label=f"kept as it is in {escape(where)}:")


def dedupe_interactive(file: str) -> int:
    """``bibsync dedupe FILE.bib --interactive``: ask about each duplicate group (on a terminal)."""
    from ...files.kinds import require_bib_file

    require_bib_file(file)
    return review_and_report(Path(file), None, Console(highlight=False), pending=False, duplicates=True)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("review")(review)
