"""The terminal reviewer: one screen per case, answered with single keys.

Keys come from a ``KeyReader``: on a terminal one key press at a time (no Enter needed),
otherwise line by line from standard input, each character of a line being one key and an
empty line being Enter. So ``typer``'s CliRunner can feed ``input="m\\n\\n"`` or ``"m"``.
Prompting without a terminal must be asked for (``BIBSYNC_INTERACTIVE=1``): a review never
waits for keys that nobody will type.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .review import INCOMING, TARGET, Action, FieldDiff, ReviewCase, differing_fields, field_values, in_field_order

ENTER = "enter"
HELP = """\
[bold]m[/]  merge: the incoming entry and candidate N are the same work (then choose, field by field,
    which side wins: by default missing fields are filled and the target's values kept)
[bold]a[/]  add the incoming entry as a new entry (for duplicates: keep both)
[bold]d[/]  different: never pair the entry with candidate N again
[bold]s[/]  skip for now (asked again next time)
[bold]u[/]  undo the last decision and go back to it
[bold]q[/]  quit: decisions so far are kept and applied; run the review again to go on
[bold]?[/]  this help"""


def interactive_allowed(stream: IO[str] | None = None) -> bool:
    """True if a person can answer: stdin is a terminal, or ``BIBSYNC_INTERACTIVE=1`` says keys come on stdin."""
    if os.environ.get("BIBSYNC_INTERACTIVE") == "1":
        return True
    stream = stream if stream is not None else sys.stdin
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class KeyReader:
    """Single keys from a terminal (cbreak mode) or, without one, from lines of standard input."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        """Read from ``stream`` (default: the current ``sys.stdin``)."""
        self._stream = stream
        self._buffer: list[str] = []

    @property
    def stream(self) -> IO[str]:
        """The stream keys come from."""
        return self._stream if self._stream is not None else sys.stdin

    def read_key(self) -> str:
        """Return one key: a character, or ``"enter"``. EOFError at the end of input;
        Ctrl-C raises KeyboardInterrupt."""
        if self._is_tty():
            return self._read_tty()
        if not self._buffer:
            line = self.stream.readline()
            if line == "":
                raise EOFError
            keys = [c for c in line.strip()]
            self._buffer = keys or [ENTER]
        return self._buffer.pop(0)

    def _is_tty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError):
            return False

    def _read_tty(self) -> str:
        import termios
        import tty

        fd = self.stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)  # keys arrive one by one; Ctrl-C still interrupts
            ch = os.read(fd, 1).decode("utf-8", "replace")
            if ch == "\x1b":  # an escape sequence (arrow keys): drop the rest of it
                os.read(fd, 8)
                return "escape"
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if ch in ("\r", "\n"):
            return ENTER
        if ch in ("\x04", ""):
            raise EOFError
        return ch


def _cell(value: str | None, style: str) -> Text:
    if value is None:
        return Text("–", style="dim")
    return Text(value, style=style)


def case_table(case: ReviewCase) -> Table:
    """The case side by side: a row per field, the entry then each candidate, differences highlighted."""
    left = "incoming" if case.kind == "sync" else "this entry"
    table = Table(show_lines=False, expand=True, pad_edge=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column(f"{left}\n{case.entry.key or ''}", ratio=1)
    values = [field_values(c.entry) for c in case.candidates]
    for n, cand in enumerate(case.candidates, 1):
        table.add_column(f"{n} {cand.entry.key}\nscore {cand.score:.2f}", ratio=1)
    mine = field_values(case.entry)
    for name in in_field_order([*mine, *(n for v in values for n in v)]):
        here = mine.get(name)
        others = [v.get(name) for v in values]
        differs = any(_norm(o) != _norm(here) for o in others)
        # "≠" marks a differing row even without colours (a log, a screen reader)
        row = [Text(f"{name} ≠" if differs else name), _cell(here, "bold" if differs else "")]
        for other in others:
            if _norm(other) == _norm(here):
                row.append(_cell(other, "dim"))
            elif here is None:
                row.append(_cell(other, "green"))
            else:
                row.append(_cell(other, "bold yellow"))
        table.add_row(*row)
    return table


def _norm(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


def render_case(console: Console, case: ReviewCase, position: int, total: int, target: str) -> None:
    """Print one case: header, the side-by-side table, the ranked scores with their explanations."""
    what = "uncertain match" if case.kind == "sync" else "possible duplicate"
    console.rule(f"[bold]{what} {position + 1}/{total}[/] · {target}")
    console.print(case_table(case))
    for n, cand in enumerate(case.candidates, 1):
        how = f" (by {cand.decided_by})" if cand.decided_by else ""
        console.print(f" {n} {cand.entry.key}  {cand.score:.2f}{how}  [dim]{cand.explanation}[/]",
                      markup=True, highlight=False)


def prompt_line(case: ReviewCase) -> str:
    """The key legend under a case."""
    add = "a add as new" if case.kind == "sync" else "a keep both"
    return f"[bold]m[/] merge · [bold]{add[0]}[/]{add[1:]} · [bold]d[/] different · [bold]s[/] skip · " \
           "[bold]u[/] undo · [bold]q[/] quit · [bold]?[/] help"


class TerminalReviewer:
    """A person answering with single keys; implements bibsync.review.Reviewer."""

    def __init__(self, console: Console, keys: KeyReader, target: str = "") -> None:
        """Show screens on ``console``; read answers from ``keys``; ``target`` names the file or library."""
        self.console = console
        self.keys = keys
        self.target = target

    def notice(self, message: str) -> None:
        """Show a one-line message."""
        self.console.print(f"[yellow]{message}[/]", markup=True, highlight=False)

    def _key(self, prompt: str) -> str:
        self.console.print(prompt, markup=True, highlight=False, end=" ")
        if hasattr(self.console.file, "flush"):
            self.console.file.flush()
        key = self.keys.read_key()
        self.console.print(key if key != ENTER else "")
        return key

    def choose(self, case: ReviewCase, position: int, total: int) -> Action:
        """Show the case and read keys until they make an answer; end of input means quit."""
        try:
            return self._choose(case, position, total)
        except EOFError:
            self.console.print("end of input: quitting (decisions so far are kept)")
            return Action("quit")

    def _choose(self, case: ReviewCase, position: int, total: int) -> Action:
        if self.console.is_terminal:
            self.console.clear()
        render_case(self.console, case, position, total, self.target)
        while True:
            key = self._key(prompt_line(case) + " ›")
            if key in ("s", "u", "q"):
                return Action({"s": "skip", "u": "undo", "q": "quit"}[key])
            if key == "a":
                return Action("add")
            if key in ("m", "d"):
                n = self._candidate(case, "merge into" if key == "m" else "different from")
                if n is None:
                    continue
                if key == "d":
                    return Action("different", n)
                fields = self._fields(case, n)
                if fields is not None:
                    return Action("merge", n, fields)
                render_case(self.console, case, position, total, self.target)
            elif key == "?":
                self.console.print(HELP, markup=True, highlight=False)
            elif key != ENTER:
                self.notice(f"unknown key {key!r}; press ? for help")

    def _candidate(self, case: ReviewCase, verb: str) -> int | None:
        """Which candidate (1-based key); Enter means the best one, anything else cancels."""
        if len(case.candidates) == 1:
            return 0
        key = self._key(f"{verb} which candidate? [bold]1[/]-[bold]{len(case.candidates)}[/] (Enter = 1) ›")
        if key == ENTER:
            return 0
        if key.isdigit() and 1 <= int(key) <= len(case.candidates):
            return int(key) - 1
        self.notice("cancelled")
        return None

    def _fields(self, case: ReviewCase, n: int) -> dict[str, str] | None:
        """Which side wins each differing field; None if the person cancels."""
        diffs = differing_fields(case.entry, case.candidates[n].entry)
        if not diffs:
            return {}
        into = case.candidates[n].entry.key
        left = "incoming" if case.kind == "sync" else (case.entry.key or "this entry")
        self.console.print(fields_table(diffs, into, left))
        key = self._key("[bold]Enter[/] accept · [bold]f[/] choose field by field · [bold]c[/] cancel ›")
        while key not in (ENTER, "f", "c", "u", "escape"):
            key = self._key("press Enter, f or c ›")
        if key == ENTER:
            return {}
        if key != "f":
            self.notice("cancelled")
            return None
        choices: dict[str, str] = {}
        for diff in diffs:
            default = "i" if diff.default == INCOMING else "t"
            while True:
                key = self._key(f"[bold]{diff.name}[/]: [bold]i[/] {left} · [bold]t[/] {into} "
                                f"(Enter = {default}) ›")
                if key in ("c", "u", "escape"):
                    self.notice("cancelled")
                    return None
                if key in ("i", "t", ENTER):
                    break
            picked = default if key == ENTER else key
            choices[diff.name] = INCOMING if picked == "i" else TARGET
        return choices


def fields_table(diffs: Sequence[FieldDiff], into: str | None, left: str = "incoming") -> Table:
    """The differing fields of a merge and which side wins by default."""
    table = Table(title=f"merging into {into}: differing fields", title_justify="left", expand=True)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column(left, ratio=1)
    table.add_column(into or "target", ratio=1)
    table.add_column("keeps", no_wrap=True)
    for d in diffs:
        keeps = left if d.default == INCOMING else (into or "target")
        table.add_row(d.name, _cell(d.incoming, "green" if d.default == INCOMING else ""),
                      _cell(d.target, "green" if d.default == TARGET else ""), keeps)
    return table


def terminal_reviewer(target: str, console: Console | None = None,
                      stream: IO[str] | None = None) -> TerminalReviewer:
    """A TerminalReviewer on standard output reading keys from standard input."""
    return TerminalReviewer(console or Console(highlight=False), KeyReader(stream), target)


def confirm(console: Console, keys: KeyReader, question: str) -> bool:
    """Ask a yes/no question with one key; anything but y means no (and so does end of input)."""
    console.print(f"{question} [bold]y[/]/[bold]N[/] ›", markup=True, highlight=False, end=" ")
    try:
        key = keys.read_key()
    except EOFError:
        key = "n"
    console.print(key if key != ENTER else "")
    return key in ("y", "Y")

