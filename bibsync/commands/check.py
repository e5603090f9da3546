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
) -> None:
    """List the entries that lack a field their type requires in the standard BibTeX styles.

    Like JabRef's integrity check: BibTeX would warn "empty FIELD in KEY" and leave a hole
    in the bibliography. Exit codes: 0 every entry is complete, 1 error (the file cannot be
    read), 2 usage, 3 some entries lack a required field.
    """
    from rich.console import Console

    from ..errors import UsageError
    from .options import run_settings

    if file is None:
        file = run_settings(ctx).into
        if file is None:
            raise UsageError("say which .bib file to check", hint="bibsync check FILE.bib, or set into in bibsync.toml")
    code = check_and_report(file, Console(highlight=False, soft_wrap=True))
    if code:
        raise typer.Exit(code)


def check_and_report(path: Path, console) -> int:
    """Print the incomplete entries of ``path`` (``FILE:LINE: KEY (@type) lacks FIELD``) and a
    count; return the exit code (0 complete, 3 some incomplete)."""
    from rich.markup import escape

    from ..errors import TargetError
    from ..required_fields import checked_type, incomplete_entries
    from ..targets.bibfile import BibFileTarget

    from ..filekind import require_bib_file

    require_bib_file(path, "name a .bib file: bibsync check FILE.bib")
    if not path.exists():
        raise TargetError("no such file", where=str(path), hint="check the path")
    target = BibFileTarget(path)
    entries = target.load()
    for failure in target.failures:
        label = "warning" if failure.is_warning else "cannot read"
        console.print(f"[yellow]{label}:[/] {escape(failure.where() + ': ' + failure.message)}")
    found = incomplete_entries(entries)
    for item in found:
        line = item.entry.origin.line if item.entry.origin and item.entry.origin.line else None
        where = f"{path}:{line}" if line else str(path)
        as_type = checked_type(item.entry.type)
        shown = f"@{item.entry.type}" + (f", checked as @{as_type}" if as_type != item.entry.type else "")
        console.print(f"{escape(where)}: {escape(item.key)} ({shown}) lacks {escape(', '.join(item.missing))}")
    n = len(found)
    if n:
        console.print(f"{n} of {len(entries)} entries lack a field their type requires "
                      "(BibTeX warns 'empty FIELD in KEY')")
        return EXIT_INCOMPLETE
    console.print(f"all {len(entries)} entries have the fields their types require")
    return 0


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("check")(check)
