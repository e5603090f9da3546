"""Showing a plan: a rich summary (counts per kind) and the changes, or JSON for scripts."""

from __future__ import annotations

from typing import Any, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..model import Entry, key_with_line, repeated_keys
from ..plan import KINDS, Change, Plan
from ..streams import is_terminal

_KIND_TEXT = {
    "add": ("new entries to add", "green"),
    "update": ("existing entries to complete", "cyan"),
    "same": ("already there, nothing to do", "dim"),
    "review": ("uncertain matches, left for review", "yellow"),
    "declined": ("declined in a review: never added", "dim"),
}
_MARK = {"add": "+", "update": "~", "same": "=", "review": "?", "declined": "-"}


def short(value: str | None, width: int = 60) -> str:
    """One line of at most ``width`` characters (``-`` for a missing value)."""
    if value is None:
        return "-"
    text = " ".join(value.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def describe_entry(entry: Entry, width: int = 70) -> str:
    """``Surname year: Title`` in one short line."""
    people = entry.authors or entry.editors
    who = people[0].last if people else "?"
    return short(f"{who} {entry.year or 'n.d.'}: {entry.title}", width)


def summary_table(plan: Plan, title: str = "sync plan") -> Table:
    """The counts per kind, as a rich table."""
    table = Table(title=title, title_justify="left")
    table.add_column("change")
    table.add_column("count", justify="right")
    table.add_column("meaning")
    counts = plan.counts()
    for kind in (k for k in KINDS if k in counts):
        meaning, colour = _KIND_TEXT[kind]
        table.add_row(f"[{colour}]{kind}[/]", str(counts[kind]), meaning)
    if plan.merged:
        table.add_row("merged", str(sum(len(g) for g in plan.merged)),
                      f"incoming duplicates, merged into {len(plan.merged)}")
    return table


def render_change(change: Change, target_entries: Sequence[Entry] = (), value_width: int = 60,
                  repeated: frozenset[str] = frozenset()) -> list[str]:
    """Rich markup lines for one change: the key, and each field that changes (old -> new).
    A target entry whose key others carry too (``repeated``) is named with its line."""
    def target_name(index: int | None, key: str | None) -> str:
        if index is not None and 0 <= index < len(target_entries):
            return key_with_line(target_entries[index], repeated, str(key))
        return str(key)

    colour = _KIND_TEXT[change.kind][1]
    mark = _MARK[change.kind]
    if change.kind == "add":
        return [f"[{colour}]{mark} {escape(change.key or '')}[/]  {escape(describe_entry(change.entry))}"]
    if change.kind == "declined":
        return [f"[{colour}]{mark} {escape(describe_entry(change.entry))}  ({escape(change.explanation)})[/]"]
    if change.kind == "review":
        lines = [f"[{colour}]{mark} {escape(describe_entry(change.entry))}[/]"]
        for candidate in change.candidates[:3]:
            key = target_name(candidate.index, change.target_key)
            lines.append(f"    maybe [bold]{escape(key)}[/] (score {candidate.score:.2f}): "
                         f"{escape(candidate.explanation)}")
        if not change.candidates and change.target_key:
            lines.append(f"    maybe [bold]{escape(change.target_key)}[/]: {escape(change.explanation)}")
        return lines
    name = target_name(change.target_index, change.key or "")
    lines = [f"[{colour}]{mark} {escape(name)}[/]  {escape(describe_entry(change.entry))}"]
    for fc in change.field_changes:
        lines.append(f"    {escape(fc.name)}: [red]{escape(short(fc.old, value_width))}[/] -> "
                     f"[green]{escape(short(fc.new, value_width))}[/]")
    return lines


def render_plan(plan: Plan, console: Console, target_entries: Sequence[Entry] = (), *, title: str = "sync plan",
                show_same: bool = False) -> None:
    """Print the summary table, then every add, update and review (and same, if asked)."""
    console.print(summary_table(plan, title))
    repeated = repeated_keys(target_entries)
    for kind in ("update", "add", "review", "declined") + (("same",) if show_same else ()):
        for change in plan.by_kind(kind):
            for line in render_change(change, target_entries, repeated=repeated):
                console.print(line, markup=True, highlight=False)


def change_to_json(change: Change, target_entries: Sequence[Entry] = ()) -> dict[str, Any]:
    """One change as plain data: kind, key, matched key, score, field changes, candidates."""
    def key_of(index: int) -> str | None:
        return target_entries[index].key if 0 <= index < len(target_entries) else None

    return {
        "kind": change.kind,
        "key": change.key,
        "matched_key": change.target_key,
        "score": None if change.score is None else round(change.score, 4),
        "explanation": change.explanation,
        "title": change.entry.title,
        "year": change.entry.year,
        "field_changes": [{"field": fc.name, "old": fc.old, "new": fc.new} for fc in change.field_changes],
        "candidates": [{"key": key_of(c.index), "score": round(c.score, 4), "explanation": c.explanation,
                        "decided_by": c.decided_by} for c in change.candidates],
    }


def plan_to_json(plan: Plan, target_entries: Sequence[Entry] = (), **extra: Any) -> dict[str, Any]:
    """The plan as plain data for ``--json``: counts, merged duplicates and every change."""
    data: dict[str, Any] = dict(extra)
    data["counts"] = plan.counts()
    data["merged"] = [list(group) for group in plan.merged]
    data["changes"] = [change_to_json(c, target_entries) for c in plan.changes]
    return data


def print_verbatim(console: Console, text: str, encoding: str | None = None) -> None:
    """Write ``text`` (a diff) to the console's stream exactly as it is: rich would expand tabs
    into spaces and fold long lines, so a saved ``--dry-run`` diff would not apply as a patch.

    With ``encoding`` (the diffed file's), output to a file or pipe is the diff's bytes in that
    encoding, as ``diff -u`` prints them, so that a saved diff patches the file into what the
    real write gives; a terminal shows the text in its own encoding (raw Latin-1 bytes would
    be garbled on a UTF-8 terminal).
    """
    stream = console.file
    binary = getattr(stream, "buffer", None)
    if encoding is None or binary is None or is_terminal(stream):
        stream.write(text)
        stream.flush()
        return
    from ..bibtex.diff import diff_bytes

    stream.flush()
    binary.write(diff_bytes(text, encoding))
    binary.flush()
