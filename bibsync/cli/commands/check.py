"""``bibsync check``: the entries of a .bib that lack a field their type requires in BibTeX."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

EXIT_INCOMPLETE = 3  # the file was read; some entries need a person's attention


def check(
    ctx: typer.Context,
    file: Optional[Path] = typer.Argument(None, metavar="FILE.bib",
                                          help="The .bib file to check (default: bibsync.toml's into)."),
    verbose: bool = typer.Option(False, "--verbose", help="List every problem found, not one line per kind."),
) -> None:
    """List the entries that lack a field their type requires in the standard BibTeX styles.

    Like JabRef's integrity check: BibTeX would warn "empty FIELD in KEY" and leave a hole
    in the bibliography. Blocks that cannot be read (a missing brace), and blocks that bibtex
    reads on past their end (a lone brace in a quoted value), are listed too. Exit codes: 0
    every entry is complete, 1 error (the file cannot be read), 2 usage, 3 some entries lack a
    required field or some blocks cannot be read as written.
    """
    from ...errors import UsageError
    from .options import pipe_safe_console, run_settings

    if file is None:
        file = run_settings(ctx).into
        if file is None:
            raise UsageError("say which .bib file to check", hint="bibsync check FILE.bib, or set into in bibsync.toml")
    code = check_and_report(file, pipe_safe_console(highlight=False, soft_wrap=True), verbose=verbose)
    if code:
        raise typer.Exit(code)


def check_and_report(path: Path, console, errors=None, verbose: bool = False) -> int:
    """Print the incomplete entries of ``path`` (``FILE:LINE: KEY (@type) lacks FIELD``) and a
    count on ``console``, then how many blocks cannot be read; return the exit code (0
    complete, 3 some incomplete or unreadable). What is odd in
    the file goes to ``errors`` (standard error by default) summarised as ``sync`` does: one
    line per kind with its count and first places, the hint once (every one with ``verbose``)."""
    from rich.console import Console
    from rich.markup import escape

    from .parse import report_failures

    from ...bibtex.required_fields import checked_type, incomplete_entries
    from ...errors import TargetError
    from ...files.kinds import require_bib_file
    from ...targets.bibfile.target import BibFileTarget

    require_bib_file(path)
    if not path.exists():
        raise TargetError("no such file", where=str(path), hint="check the path")
    target = BibFileTarget(path)
    entries = target.load()
    report_failures(target.failures, errors or Console(stderr=True, highlight=False), verbose,
                    error_label=f"kept as it is in {escape(str(path))}:")
    found = incomplete_entries(entries)
    lines = []
    for item in found:
        line = item.entry.origin.line if item.entry.origin and item.entry.origin.line else None
        where = f"{path}:{line}" if line else str(path)
        as_type = checked_type(item.entry.type)
        shown = f"@{item.entry.type}" + (f", checked as @{as_type}" if as_type != item.entry.type else "")
        lines.append(f"{escape(where)}: {escape(item.key)} ({shown}) lacks {escape(', '.join(item.missing))}")
    errors_found = [f for f in target.failures if f.severity == "error"]  # named with their lines on errors
    entry_lines = {e.origin.line for e in entries if e.origin and e.origin.line}
    misread = [f for f in errors_found if f.line in entry_lines]  # read (and checked), but not so by bibtex
    unreadable = [f for f in errors_found if f.line not in entry_lines]
    lines.append(_summary(len(found), len(entries)))
    for text in lines:  # `check refs.bib | head -1`: the console goes quiet, the exit code stays the run's
        console.print(text)
    if unreadable:
        console.print(_unreadable_summary(unreadable), markup=False)
    if misread:
        n = len(misread)
        console.print(f"bibtex reads on past the end of {n} entr{'ies' if n != 1 else 'y'} (see the standard error)",
                      markup=False)
    return EXIT_INCOMPLETE if found or errors_found else 0


def _unreadable_summary(failures) -> str:
    """The last line of ``check`` when some blocks cannot be read (standard error names each,
    with a hint): BibTeX may not read them either, and their entries were not checked."""
    n = len(failures)
    return (f"{n} block{'s' if n != 1 else ''} cannot be read (see the standard error), so "
            f"{'their' if n != 1 else 'its'} entries were not checked")


def _summary(n: int, total: int) -> str:
    """The last line of ``check``: how many of how many entries lack a required field."""
    if n:
        one = n == 1
        return (f"{n} of {total} entr{'y' if total == 1 else 'ies'} {'lacks' if one else 'lack'} "
                f"a field {'its' if one else 'their'} type requires (BibTeX warns 'empty FIELD in KEY')")
    if total == 1:
        return "its one entry has the fields its type requires"
    return f"all {total} entries have the fields their types require" if total else "no entries to check"


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("check")(check)
