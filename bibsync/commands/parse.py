"""``bibsync parse`` and ``bibsync formats``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..bibtex_write import Style, format_entries
from ..config import Settings
from ..keys import DEFAULT_PATTERN, compile_pattern
from ..model import Failure
from ..pipeline import parse_and_key
from ..registry import default_registry
from ..targets.atomic import save
from .options import OFFLINE_OPTION


def report_failures(failures: list[Failure], console: Console) -> None:
    """Print each unreadable record (``skipped:``) or kept-but-odd record (``warning:``) with a hint."""
    for failure in failures:
        label = "[cyan]warning:[/]" if failure.is_warning else "[yellow]skipped:[/]"
        console.print(f"{label} {escape(failure.where() + ': ' + failure.message)}", highlight=False)
        if failure.hint:
            console.print(f"  [dim]hint:[/] {escape(failure.hint)}", highlight=False)


def parse(
    sources: List[str] = typer.Argument(..., help="Files to read ('-' for standard input), or DOIs / arXiv ids."),
    from_: Optional[str] = typer.Option(None, "--from", help="Force the format (see 'bibsync formats')."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to FILE instead of standard output."),
    ascii_: bool = typer.Option(False, "--ascii", help="Write LaTeX escapes instead of UTF-8."),
    biblatex: bool = typer.Option(False, "--biblatex", help="Use BibLaTeX entry types and fields where they fit."),
    key_format: str = typer.Option(DEFAULT_PATTERN, "--key-format", help="JabRef-style key pattern."),
    offline: bool = OFFLINE_OPTION,
) -> None:
    """Turn listings into canonical BibTeX entries with generated citation keys."""
    compile_pattern(key_format)  # a bad pattern fails before any input is read
    settings = Settings(key_pattern=key_format, biblatex=biblatex, ascii=ascii_, offline=offline)
    result = parse_and_key(sources, from_, settings)
    text = format_entries(result.entries, Style(ascii=ascii_, biblatex=biblatex))
    if output is not None:
        save(output, text.encode("utf-8"))
    else:
        typer.echo(text, nl=False)
    console = Console(stderr=True, highlight=False, soft_wrap=True)  # paths stay whole for copying
    report_failures(result.failures, console)
    if output is not None:
        console.print(f"wrote {len(result.entries)} entries to {output}")
    if any(not f.is_warning for f in result.failures):  # warnings alone: every record is in the output
        raise typer.Exit(1)


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
