"""``bibsync parse`` and ``bibsync formats``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ...bibtex.write import default_style, format_entries, ordered_fields
from ...files.atomic import save
from ...keys import compile_pattern
from ...model import Entry, Failure
from ...pipeline import parse_and_key
from ...progress import progress_tasks
from ...registry import default_registry
from ..failure_summary import summarise
from ..parse_output import check_parse_output
from .options import (ASCII_OPTION, BIBLATEX_OPTION, KEY_FORMAT_OPTION, OFFLINE_OPTION, OMIT_OPTION, VERBOSE_OPTION,
                      run_settings)


def report_failures(failures: list[Failure], console: Console, verbose: bool = False,
                    error_label: str = "skipped:") -> None:
    """Print unreadable records (``skipped:``) and kept-but-odd ones (``warning:``), one line
    per kind of problem with its count and first places, each hint once (every one with ``verbose``).

    Never wrapped by the console (``soft_wrap``): a ``file:line`` place stays whole on its line
    in a pipe or CI log, where rich would otherwise break lines at 80 columns."""
    for line in summarise(failures, verbose):
        label = "[cyan]warning:[/]" if line.warning else f"[yellow]{error_label}[/]"
        console.print(f"{label} {escape(line.text)}", highlight=False, soft_wrap=True)
        if line.hint:
            console.print(f"  [dim]hint:[/] {escape(line.hint)}", highlight=False, soft_wrap=True)


def parse(
    ctx: typer.Context,
    sources: List[str] = typer.Argument(..., metavar="SOURCE",
                                        help="Files to read ('-' for standard input), or DOIs / arXiv ids."),
    from_: Optional[str] = typer.Option(None, "--from", metavar="FORMAT", help="Force the format (see 'bibsync formats')."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="FILE.bib",
                                          help="Write to this file instead of standard output."),
    ascii_: Optional[bool] = ASCII_OPTION,
    biblatex: Optional[bool] = BIBLATEX_OPTION,
    key_format: str = KEY_FORMAT_OPTION,
    omit: Optional[List[str]] = OMIT_OPTION,
    offline: bool = OFFLINE_OPTION,
    force: bool = typer.Option(False, "--force",
                               help="Replace the output file even if it is read-only or holds what bibsync did not write."),
    verbose: bool = VERBOSE_OPTION,
) -> None:
    """Turn listings into canonical BibTeX entries with generated citation keys."""
    compile_pattern(key_format)  # a bad pattern fails before any input is read
    if output is not None:  # refused before any work: see bibsync.cli.parse_output
        check_parse_output(output, sources, force=force)
    settings = replace(run_settings(ctx), offline=offline)
    console = Console(stderr=True, highlight=False, soft_wrap=True)  # paths stay whole for copying
    with progress_tasks() as tasks:
        result = parse_and_key(sources, from_, settings, progress=tasks.callback("looking up"))
    entries = [e.without_fields(settings.omit) for e in result.entries]
    style = default_style(settings.biblatex, settings.ascii)
    text = format_entries(entries, style)
    if output is not None:
        save(output, text.encode("utf-8"))
    else:
        typer.echo(text, nl=False)
    report_failures(result.failures, console, verbose)
    if output is not None:
        console.print(f"wrote {len(entries)} entries to {output}")
    report_incomplete(console, entries)
    report_unescaped(console, [(e.key or "", ordered_fields(e)) for e in entries], style)
    if any(not f.is_warning for f in result.failures):  # warnings alone: every record is in the output
        raise typer.Exit(1)


def report_incomplete(console: Console, entries: list[Entry], what: str = "entries") -> None:
    """Say in one line which written ``entries`` lack a field their type requires in BibTeX."""
    from ...bibtex.required_fields import incomplete_entries, summary_line

    line = summary_line(incomplete_entries(entries), what)
    if line:
        console.print(f"[cyan]note:[/] {escape(line)}", highlight=False)


def report_unescaped(console: Console, written, style) -> None:
    """Say in one line which characters of ``written`` ((key, [(field, value)...]) per entry)
    stay non-ASCII in an ASCII ``style`` (LaTeX has no escape for them), and where."""
    from ...bibtex.write import unescaped_characters, unescaped_note

    line = unescaped_note(unescaped_characters(written, style))
    if line:
        console.print(f"[cyan]note:[/] {escape(line)}", highlight=False)


def formats() -> None:
    """List the sources bibsync can read: name, file suffixes, description."""
    table = Table(title="bibsync sources")
    table.add_column("name")
    table.add_column("suffixes")
    table.add_column("description")
    registry = default_registry()
    for source in registry.sources():
        table.add_row(escape(source.name), " ".join(source.suffixes) or "-", escape(source.description))
    for name, reason in sorted(registry.broken.items()):
        table.add_row(name, "-", f"[red]not loaded:[/] {escape(reason)}")
    Console(width=120).print(table)


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("parse")(parse)
    app.command("formats")(formats)
