"""``bibsync pull``: write a Zotero library (or one collection) into a .bib file.

The library's items become entries (keys from the items; items without one get a generated
key), planned against the .bib like any sync (``source`` policy: Zotero wins where values
differ) and written through the .bib target, so the file changes only where it must.

Items are placed by what is known before the matcher guesses: an item whose own citation
key is in the .bib is that entry; decisions remembered for the .bib (``FILE.bib.bibsync.json``)
or for the library (a review of the Zotero sync) are honoured; an item with its own key that
the matcher cannot tell from a .bib entry, or whose candidates are all other items' entries,
is an entry of its own. What is still uncertain is named, left out, and recorded as a review
case of the .bib, so that ``bibsync review --into FILE.bib`` lists it. The library's
decisions about entries the .bib now holds (by the same citation keys) are copied into the
.bib's decision file, so its review does not ask again what was settled in the library.
``--pin-keys`` writes the keys the .bib uses back to the items that had none, so they never
change again. :func:`run_pull` is the whole command, callable from Python.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import typer
from rich.console import Console

from ...config import Settings
from ...errors import Interrupted, UsageError
from ...keys import compile_pattern
from ...model import Entry
from ...plan import POLICIES, Change, Plan, make_plan, new_key, without_omitted
from ...progress import progress_tasks
from ...targets.base import ApplyReport
from .options import (API_KEY_FILE_OPTION, ASCII_OPTION, BIBLATEX_OPTION, DECISIONS_OPTION, KEY_FORMAT_OPTION,
                      OMIT_OPTION, REFRESH_OPTION, ZOTERO_ENDPOINT_OPTION, lock_wait_notice, run_settings)
from .parse import report_incomplete

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
        """0 done, 1 something not written, 3 written but items could not be placed."""
        if (self.report and self.report.failed) or (self.pinned and self.pinned.failed):
            return EXIT_ERROR
        return EXIT_REVIEW if self.plan.by_kind("review") else EXIT_OK


class PullDecisions:
    """What a person decided, for a pull: the .bib's decisions, then the library's (whose
    entries carry the same citation keys, so a pair kept apart by key holds here too)."""

    def __init__(self, *stores) -> None:
        """Consult ``stores`` in order (DecisionStore objects, or None)."""
        self.stores = [s for s in stores if s is not None]

    def decision_for(self, entry: Entry, candidate: Entry | None) -> str | None:
        """The first remembered decision about the pair (by fingerprint, then by both keys)."""
        for store in self.stores:
            found = store.decision_for(entry, candidate)
            if found is None and candidate is not None and entry.key and candidate.key:
                pair = store.pair_decision(entry, candidate)
                found = pair.decision if pair is not None and pair.decision in ("merge", "different") else None
            if found is not None:
                return found
        return None

    def field_choices(self, entry: Entry, candidate: Entry) -> dict[str, str]:
        """The field choices of a remembered merge, from the first store that has them."""
        return next((c for s in self.stores if (c := s.field_choices(entry, candidate))), {})


def _place_by_key(incoming: list[Entry], own: list[bool], bib_entries: list[Entry]) -> dict[int, int]:
    """Incoming positions whose own citation key is a .bib entry's key (BibTeX keys ignore
    case) -> that entry's index."""
    where: dict[str, int] = {}
    for j, entry in enumerate(bib_entries):
        if entry.key:
            where.setdefault(entry.key.lower(), j)
    placed: dict[int, int] = {}
    for k, entry in enumerate(incoming):
        j = where.get((entry.key or "").lower()) if own[k] else None
        if j is not None and j not in placed.values():  # two items with one key: the first is the entry
            placed[k] = j
    return placed


def _own_entries(plan: Plan, own: list[bool], bib_entries: list[Entry], key_pattern: str) -> Plan:
    """Review changes that are entries of their own: the item has its own citation key (not
    in the .bib), or every candidate is another item's entry. Each becomes an add."""
    from ...keys import compile_pattern as compile_key

    claimed = {c.target_index for c in plan.changes if c.kind in ("update", "same")}
    taken = {e.key.lower() for e in bib_entries if e.key} | {c.key.lower() for c in plan.changes
                                                             if c.kind == "add" and c.key} | plan.reserved
    make_key = compile_key(key_pattern)
    changes = []
    for k, change in enumerate(plan.changes):
        others = bool(change.candidates) and all(c.index in claimed for c in change.candidates)
        if change.kind == "review" and (own[k] or others):
            key = new_key(change.entry, make_key, taken)
            why = "its own citation key: an entry of its own" if own[k] else "its candidates are other items"
            change = Change("add", change.entry, key=key, explanation=why, candidates=change.candidates,
                            result=change.entry.with_key(key))
        changes.append(change)
    return Plan(changes, plan.merged, plan.reserved)


@contextmanager
def interrupt_says_written(bib, into: Path | str) -> Iterator[None]:
    """Ctrl-C once ``bib`` (a BibFileTarget) has been replaced says so (exit code 130), instead
    of the usual 'interrupted; nothing was written'."""
    try:
        yield
    except KeyboardInterrupt:
        if getattr(bib, "written", False):
            raise Interrupted("interrupted after the .bib was written (it is complete; generated keys may not be "
                              "pinned in Zotero)", where=str(into)) from None
        raise


def run_pull(target, into: Path | str, *, collection: str | None = None, pin_keys: bool = False,
             policy: str = "source", settings: Settings | None = None, dry_run: bool = False,
             decisions: Path | None = None, on_lock_wait: Callable[[int | None], None] | None = None) -> PullResult:
    """Pull the Zotero ``target`` (a ZoteroTarget) into the .bib file ``into``; ``decisions``
    names the library's decision file (``--decisions FILE``; else the one in the cache). The
    .bib's lock is held from its read to its write (``on_lock_wait(pid)`` hears of a wait)."""
    from ...review.decisions import DecisionStore, store_for
    from ...targets.bibfile.target import BibFileTarget  # bibtexparser loads when the pull runs

    settings = settings or Settings()
    entries = target.load()
    indices = target.collection_indices(collection) if collection else list(range(len(entries)))
    incoming = [entries[i] for i in indices]
    own = [i not in target.generated and bool(entries[i].key) for i in indices]
    bib = BibFileTarget(into, settings, read_only=dry_run, on_lock_wait=on_lock_wait)
    with interrupt_says_written(bib, into):  # Ctrl-C after the rename: the .bib is complete
        with bib.session():  # held from the read to the write, as sync holds it: a concurrent sync waits
            bib_entries = bib.load()
            bib_store = DecisionStore.for_bib(Path(into))
            library_store = store_for(target, decisions)
            lookup = PullDecisions(bib_store, library_store)
            plan = make_plan(incoming, bib_entries, policy, decisions=lookup, key_pattern=settings.key_pattern,
                             merge_duplicates=False, pinned=_place_by_key(incoming, own, bib_entries),
                             reserved_keys=bib.reserved_keys)
            plan = _own_entries(plan, own, bib_entries, settings.key_pattern)
            plan = without_omitted(plan, settings.omit, bib_entries)
            result = PullResult(plan, items=len(incoming))
            if dry_run:
                return result
            result.report = bib.apply(plan)
            if not result.report.failed:
                bib_store.update_pending(plan.changes, bib_entries)
                # what a person settled in the library holds for the same entries of the .bib
                keys = {e.key for e in bib_entries if e.key} | {c.key for c in plan.by_kind("add") if c.key}
                if library_store is not None:
                    bib_store.adopt(library_store, keys)
                bib_store.save()
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
    zotero: Optional[str] = typer.Option(None, "--zotero", metavar="user:ID|group:ID", help="The Zotero library to pull."),
    into: Optional[Path] = typer.Option(None, "--into", metavar="FILE.bib", help="The .bib file to write (created if missing)."),
    collection: str | None = typer.Option(None, "--collection", metavar="NAME", help="Pull only this collection."),
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
    decisions: Path | None = DECISIONS_OPTION,
) -> None:
    """Write a Zotero library into a .bib file, changing only what differs.

    --zotero and --into default to bibsync.toml's zotero and into. Exit codes: 0 done,
    1 error, 2 usage, 3 written but some items could not be placed (they are named, and
    'bibsync review --into FILE.bib' lists them).
    """
    settings = run_settings(ctx)
    zotero, into, collection, prefer = settings.zotero, settings.into, settings.collection, settings.policy("source")
    decisions = settings.decisions
    if zotero is None or into is None:
        raise UsageError("say what to pull and where: --zotero user:ID|group:ID and --into FILE.bib",
                         hint="or name them once in a bibsync.toml (zotero = \"group:ID\", into = \"refs.bib\")")
    if prefer not in POLICIES:
        raise UsageError(f"unknown --prefer {prefer!r}", hint="use source, fill or target")
    compile_pattern(settings.key_pattern)
    from ...files.kinds import require_bib_file
    from ...targets.zotero.target import open_zotero_target

    require_bib_file(into, "--into")  # before Zotero is asked

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    with progress_tasks() as tasks:
        target = open_zotero_target(zotero, api_key_file=api_key_file, endpoint=settings.zotero_endpoint,
                                    refresh=refresh, settings=settings, policy=prefer,
                                    require_write=pin_keys and not dry_run,
                                    read_progress=tasks.callback(f"reading {zotero}"),
                                    write_progress=tasks.callback(f"writing keys to {zotero}"))
        try:
            result = run_pull(target, into, collection=collection, pin_keys=pin_keys, policy=prefer,
                              settings=settings, dry_run=dry_run, decisions=decisions,
                              on_lock_wait=lock_wait_notice(console, str(into)))
        finally:
            target.close()
    try:
        counts = result.plan.counts()
        what = f"{result.items} item{'s' if result.items != 1 else ''} from Zotero {zotero}"
        summary = f"{counts['add']} added, {counts['update']} updated, {counts['same']} unchanged"
        if dry_run:
            console.print(f"dry run: {what} would give {summary} in {into}; nothing written")
            _name_unplaced(console, result.plan, into, dry_run=True)
            if result.exit_code:
                raise typer.Exit(result.exit_code)
            return
        for problem in (result.report.failed if result.report else []) + (result.pinned.failed if result.pinned else []):
            console.print(f"[red]not written:[/] {problem}", markup=True)
        console.print(f"pulled {what} into {into}: {summary}")
        report_incomplete(console, [c.result for c in result.plan.to_apply() if c.result is not None],
                          "new or updated entries")
        _name_unplaced(console, result.plan, into, dry_run=False)
        if result.generated and not pin_keys:
            console.print(f"{len(result.generated)} item{'s' if len(result.generated) != 1 else ''} had no citation key; "
                          "run again with --pin-keys to store the generated keys in Zotero")
        elif result.pinned is not None:
            console.print(f"pinned {result.pinned.updated} citation key{'s' if result.pinned.updated != 1 else ''} in Zotero")
    except KeyboardInterrupt:  # while the summary prints: the .bib is complete if it was written
        if result.report is not None and result.report.details.get("path"):
            raise Interrupted("interrupted after the .bib was written (it is complete)", where=str(into)) from None
        raise
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _name_unplaced(console: Console, plan: Plan, into: Path, *, dry_run: bool) -> None:
    """Name each item that could not be placed, with the .bib entries it may be."""
    reviews = plan.by_kind("review")
    if not reviews:
        return
    count = len(reviews)
    console.print(f"{count} item{'s' if count != 1 else ''} could not be placed"
                  f"{' (nothing written)' if dry_run else ' and ' + ('were' if count != 1 else 'was') + ' left out'}:",
                  highlight=False)
    for change in reviews:
        label = change.entry.key or "(no key)"
        console.print(f"  {label}: {change.entry.title[:70]} ~ maybe {change.target_key} "
                      f"({change.score or 0:.2f}: {change.explanation})", highlight=False, markup=False)
    if not dry_run:
        console.print(f"settle them with 'bibsync review --into {into}'", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("pull")(pull)
