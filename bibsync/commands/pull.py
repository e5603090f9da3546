"""``bibsync pull``: write a Zotero library (or one collection) into a .bib file.

The library's items become entries (keys from the items; items without one get a generated
key), planned against the .bib like any sync (``source`` policy: Zotero wins where values
differ) and written through the .bib target, so the file changes only where it must.
``--pin-keys`` writes the keys the .bib uses back to the items that had none, so they never
change again. :func:`run_pull` is the whole command, callable from Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from ..config import Settings
from .options import (API_KEY_FILE_OPTION, ASCII_OPTION, BIBLATEX_OPTION, KEY_FORMAT_OPTION, OMIT_OPTION,
                      REFRESH_OPTION, ZOTERO_ENDPOINT_OPTION, run_settings)
from .parse import report_incomplete
from ..errors import UsageError
from ..keys import compile_pattern
from ..plan import POLICIES, Plan, make_plan
from ..progress import progress_tasks
from ..targets.base import ApplyReport
from ..targets.bibfile import BibFileTarget

EXIT_OK, EXIT_ERROR, EXIT_REVIEW = 0, 1, 3


@dataclass
class PullResult:
    """What a pull did: the plan against the .bib, what writing it did, the keys pinned."""

    plan: Plan
    items: int = 0
    report: ApplyReport | None = None
    pinned: ApplyReport | None = None
    generated: dict[str, str] = field(default_factory=dict)  # .bib key -> Zotero item key, for keyless items

    @property
    def exit_code(self) -> int:
        """0 done, 1 something not written, 3 written but uncertain matches were left alone."""
        if (self.report and self.report.failed) or (self.pinned and self.pinned.failed):
            return EXIT_ERROR
        return EXIT_REVIEW if self.plan.by_kind("review") else EXIT_OK


def run_pull(target, into: Path | str, *, collection: str | None = None, pin_keys: bool = False,
             policy: str = "source", settings: Settings | None = None, dry_run: bool = False) -> PullResult:
    """Pull the Zotero ``target`` (a ZoteroTarget) into the .bib file ``into``."""
    settings = settings or Settings()
    entries = target.load()
    indices = target.collection_indices(collection) if collection else list(range(len(entries)))
    incoming = [entries[i] for i in indices]
    bib = BibFileTarget(into, settings)
    plan = make_plan(incoming, bib.load(), policy, key_pattern=settings.key_pattern, merge_duplicates=False,
                     omit=settings.omit)
    result = PullResult(plan, items=len(incoming))
    if dry_run:
        return result
    result.report = bib.apply(plan)
    # One change per incoming entry (no merging): the key each keyless item has in the .bib now.
    to_pin: dict[int, str] = {}
    for index, change in zip(indices, plan.changes):
        if index in target.generated and change.kind != "review":
            key = change.key or change.target_key
            if key:
                to_pin[index] = key
                result.generated[key] = target.item_data()[index]["key"]
    if pin_keys and to_pin:
        result.pinned = target.pin_keys(to_pin)
    return result


def pull(
    ctx: typer.Context,
    zotero: Optional[str] = typer.Option(None, "--zotero", help="The Zotero library: user:ID or group:ID."),
    into: Optional[Path] = typer.Option(None, "--into", help="The .bib file to write (created if missing)."),
    collection: str | None = typer.Option(None, "--collection", help="Pull only this collection."),
    pin_keys: bool = typer.Option(False, "--pin-keys", help="Write generated keys back to the items."),
    api_key_file: Path | None = API_KEY_FILE_OPTION,
    zotero_endpoint: str | None = ZOTERO_ENDPOINT_OPTION,
    refresh: bool = REFRESH_OPTION,
    prefer: str = typer.Option("source", "--prefer", metavar="source|fill|target",
                               help="source: Zotero's values win; fill: only add missing fields; "
                                    "target: change nothing that exists in the .bib."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write nothing."),
    key_format: str = KEY_FORMAT_OPTION,
    omit: Optional[List[str]] = OMIT_OPTION,
    ascii_: Optional[bool] = ASCII_OPTION,
    biblatex: Optional[bool] = BIBLATEX_OPTION,
) -> None:
    """Write a Zotero library into a .bib file, changing only what differs.

    --zotero and --into default to bibsync.toml's zotero and into. Exit codes: 0 done,
    1 error, 2 usage, 3 written but uncertain matches were left alone.
    """
    settings = run_settings(ctx)
    zotero, into, collection, prefer = settings.zotero, settings.into, settings.collection, settings.policy("source")
    if zotero is None or into is None:
        raise UsageError("say what to pull and where: --zotero user:ID|group:ID and --into FILE.bib",
                         hint="or name them once in a bibsync.toml (zotero = \"group:ID\", into = \"refs.bib\")")
    if prefer not in POLICIES:
        raise UsageError(f"unknown --prefer {prefer!r}", hint="use source, fill or target")
    compile_pattern(settings.key_pattern)
    from ..targets.zotero import open_zotero_target

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    with progress_tasks() as tasks:
        target = open_zotero_target(zotero, api_key_file=api_key_file, endpoint=settings.zotero_endpoint,
                                    refresh=refresh, settings=settings, policy=prefer,
                                    require_write=pin_keys and not dry_run,
                                    read_progress=tasks.callback(f"reading {zotero}"),
                                    write_progress=tasks.callback(f"writing keys to {zotero}"))
        try:
            result = run_pull(target, into, collection=collection, pin_keys=pin_keys, policy=prefer,
                              settings=settings, dry_run=dry_run)
        finally:
            target.close()
    counts = result.plan.counts()
    what = f"{result.items} item{'s' if result.items != 1 else ''} from Zotero {zotero}"
    summary = f"{counts['add']} added, {counts['update']} updated, {counts['same']} unchanged"
    if dry_run:
        console.print(f"dry run: {what} would give {summary} in {into}; nothing written")
        return
    for problem in (result.report.failed if result.report else []) + (result.pinned.failed if result.pinned else []):
        console.print(f"[red]not written:[/] {problem}", markup=True)
    console.print(f"pulled {what} into {into}: {summary}")
    report_incomplete(console, [c.result for c in result.plan.to_apply() if c.result is not None],
                      "new or updated entries")
    if counts["review"]:
        console.print(f"{counts['review']} uncertain match{'es' if counts['review'] != 1 else ''} left alone; "
                      "check them in the .bib by hand")
    if result.generated and not pin_keys:
        console.print(f"{len(result.generated)} item{'s' if len(result.generated) != 1 else ''} had no citation key; "
                      "run again with --pin-keys to store the generated keys in Zotero")
    elif result.pinned is not None:
        console.print(f"pinned {result.pinned.updated} citation key{'s' if result.pinned.updated != 1 else ''} in Zotero")
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("pull")(pull)
