"""``bibsync match`` (incoming entries against a target) and ``bibsync dedupe`` (duplicates in one file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape

from ...pipeline import parse_sources
from .options import VERBOSE_OPTION
from .parse import report_failures

# Exit code when groups remain that nobody has decided (as for review cases left open).
EXIT_UNDECIDED = 3

_STYLE = {"match": "green", "review": "yellow", "new": "dim"}


def match(
    sources: List[str] = typer.Argument(..., metavar="SOURCE",
                                        help="Incoming entries: files ('-' for standard input) or identifiers."),
    against: str = typer.Option(..., "--against", metavar="FILE.bib", help="The target: a .bib file (or any source)."),
    from_: Optional[str] = typer.Option(None, "--from", metavar="FORMAT", help="Force the format of the incoming sources."),
    limit: int = typer.Option(3, "--limit", min=1, metavar="N", help="Candidates to show per entry."),
    json_: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    verbose: bool = VERBOSE_OPTION,
) -> None:
    """Show, for each incoming entry, its best candidates in the target and why."""
    from ...match import Matcher
    from ...pipeline import load_target
    from ...model import repeated_keys
    from ..match_report import label, proposal_json

    target = load_target(against)
    incoming = parse_sources(sources, from_)
    proposals = Matcher(target.entries).propose_all(incoming.entries, limit=limit)
    errors = Console(stderr=True, highlight=False)
    report_failures(target.failures + incoming.failures, errors, verbose)
    if json_:
        data = {"proposals": [proposal_json(p, target.entries) for p in proposals]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False, soft_wrap=True)
    repeated = repeated_keys(target.entries)
    for p in proposals:
        style = _STYLE[p.recommendation]
        out.print(f"[{style}]{p.recommendation:<6}[/] {escape(label(p.entry))}: {escape(p.entry.title)}")
        for c in p.candidates:
            out.print(f"  {c.score:.2f} {escape(label(target.entries[c.index], repeated))}  "
                      f"[dim]{escape(c.explanation)}[/]")


def dedupe(
    file: str = typer.Argument(..., metavar="FILE.bib", help="The .bib file to search for duplicates."),
    json_: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    all_: bool = typer.Option(False, "--all", help="Also list the pairs a person has settled, with the decision."),
    interactive: bool = typer.Option(False, "--interactive",
                                     help="Settle each group now with single keys (merge keeps one key, the "
                                          "others become ids aliases); decisions are remembered."),
    verbose: bool = VERBOSE_OPTION,
) -> None:
    """List groups of entries in one .bib file that look like the same work.

    Pairs settled in a review are left out (--all lists them); the exit code is 3 while
    groups remain that nobody has decided.
    """
    if interactive:
        from .review import dedupe_interactive

        code = dedupe_interactive(file)
        if code:
            raise typer.Exit(code)
        return
    from ...model import repeated_keys
    from ...pipeline import load_bib
    from ..match_report import find_groups, groups_json, label

    loaded = load_bib(file)
    groups = find_groups(Path(file), loaded.entries, progress_enabled=False if json_ else None)
    report_failures(loaded.failures, Console(stderr=True, highlight=False), verbose)
    open_groups = [g for g in groups if g.decision is None]
    settled = len(groups) - len(open_groups)
    if json_:
        typer.echo(json.dumps(groups_json(loaded.entries, groups, settled=all_), ensure_ascii=False, indent=2))
    else:
        out = Console(highlight=False, soft_wrap=True)
        note = ""
        if settled:
            note = (f"; {settled} settled pair{'s' if settled != 1 else ''} "
                    + ("listed with the decision" if all_ else "left out (--all lists them)"))
        out.print(f"{len(open_groups)} duplicate group(s) among {len(loaded.entries)} entries in {escape(file)}{note}"
                  + _questions_note(open_groups))
        repeated = repeated_keys(loaded.entries)  # a key several entries carry: each named with its line
        for g in groups if all_ else open_groups:
            names = [label(loaded.entries[i], repeated) for i in g.indices]
            if g.centre is not None:
                centre = label(loaded.entries[g.centre], repeated)
                names = [centre] + [n for i, n in zip(g.indices, names) if i != g.centre]
                keys = f"{names[0]} ~ {', '.join(names[1:])}"
            else:
                keys = ", ".join(names)
            verdict = f"[{_STYLE[g.recommendation]}]{g.recommendation:<6}[/]"
            decided = f" [bold]decided: {g.decision}[/]" if g.decision else ""
            out.print(f"{verdict} {g.score:.2f} {escape(keys)}{decided}")
            out.print(f"       [dim]{escape(g.explanation)}[/]")
    if open_groups:
        raise typer.Exit(EXIT_UNDECIDED)


def _questions_note(groups) -> str:
    """How many questions ``bibsync review`` asks about ``groups``, when that is not one a group
    (a group of three or more is asked about one entry at a time)."""
    from ...review.cases import duplicate_questions

    asked = len(duplicate_questions(groups))
    if asked == len(groups):
        return ""
    return f"; bibsync review asks {asked} question{'s' if asked != 1 else ''} about them, one per entry to merge"


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("match")(match)
    app.command("dedupe")(dedupe)
