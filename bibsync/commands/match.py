"""``bibsync match`` (incoming entries against a target) and ``bibsync dedupe`` (duplicates in one file)."""

from __future__ import annotations

import json
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape

from ..pipeline import parse_sources
from .parse import report_failures

_STYLE = {"match": "green", "review": "yellow", "new": "dim"}


def match(
    sources: List[str] = typer.Argument(..., metavar="SOURCE",
                                        help="Incoming entries: files ('-' for standard input) or identifiers."),
    against: str = typer.Option(..., "--against", metavar="FILE.bib", help="The target: a .bib file (or any source)."),
    from_: Optional[str] = typer.Option(None, "--from", metavar="FORMAT", help="Force the format of the incoming sources."),
    limit: int = typer.Option(3, "--limit", min=1, metavar="N", help="Candidates to show per entry."),
    json_: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Show, for each incoming entry, its best candidates in the target and why."""
    from ..match import Matcher
    from ..match.report import label, load_target, proposal_json

    target = load_target(against)
    incoming = parse_sources(sources, from_)
    proposals = Matcher(target.entries).propose_all(incoming.entries, limit=limit)
    errors = Console(stderr=True, highlight=False)
    report_failures(target.failures + incoming.failures, errors)
    if json_:
        data = {"proposals": [proposal_json(p, target.entries) for p in proposals]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False, soft_wrap=True)
    for p in proposals:
        style = _STYLE[p.recommendation]
        out.print(f"[{style}]{p.recommendation:<6}[/] {escape(label(p.entry))}: {escape(p.entry.title)}")
        for c in p.candidates:
            out.print(f"  {c.score:.2f} {escape(label(target.entries[c.index]))}  [dim]{escape(c.explanation)}[/]")


def dedupe(
    file: str = typer.Argument(..., metavar="FILE.bib", help="The .bib file to search for duplicates."),
    json_: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    interactive: bool = typer.Option(False, "--interactive",
                                     help="Settle each group now with single keys (merge keeps one key, the "
                                          "others become ids aliases); decisions are remembered."),
) -> None:
    """List groups of entries in one .bib file that look like the same work."""
    if interactive:
        from .review import dedupe_interactive

        code = dedupe_interactive(file)
        if code:
            raise typer.Exit(code)
        return
    from ..match import find_duplicates
    from ..match.report import groups_json, label, load_bib

    loaded = load_bib(file)
    groups = find_duplicates(loaded.entries)
    report_failures(loaded.failures, Console(stderr=True, highlight=False))
    if json_:
        typer.echo(json.dumps(groups_json(loaded.entries, groups), ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False, soft_wrap=True)
    out.print(f"{len(groups)} duplicate group(s) among {len(loaded.entries)} entries in {escape(file)}")
    for g in groups:
        keys = ", ".join(label(loaded.entries[i]) for i in g.indices)
        out.print(f"[{_STYLE[g.recommendation]}]{g.recommendation:<6}[/] {g.score:.2f} {escape(keys)}")
        out.print(f"       [dim]{escape(g.explanation)}[/]")


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("match")(match)
    app.command("dedupe")(dedupe)
