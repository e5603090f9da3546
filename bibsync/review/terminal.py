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
from typing import IO, Iterable, Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..streams import is_terminal
from ..model import Entry
from .cases import Action, ReviewCase
from .merge import (INCOMING, TARGET, FieldDiff, arxiv_id, differing_fields, field_values, in_field_order,
                    publication_roles)
from .walk import key_choices

ENTER = "enter"
HELP_SYNC = """\
[bold]m[/]  merge: the incoming entry and candidate N are one work. You see which side wins each
    differing field (missing fields are filled, the target's values kept; for a preprint
    and its published version, the published one's type, venue and year) and the key
    that stays; [bold]f[/] chooses field by field, [bold]k[/] keeps another key (the old one goes to ids)
[bold]a[/]  keep both: add the incoming entry as an entry of its own; remembered: it is none
    of the candidates
[bold]n[/]  not this one: never add this incoming entry; remembered by its DOI or arXiv id
    (else title, year and first author), so later syncs leave it out
[bold]s[/]  skip for now: the case stays pending and is asked again next time
[bold]u[/]  undo the last answer and go back to it
[bold]q[/]  quit: answers so far are kept and applied; run the review again to go on
[bold]?[/]  this help"""
HELP_DUPLICATE = """\
[bold]m[/]  merge: the two entries are one work. One entry stays, with the other's key in ids
    (by default the earlier one, or the published version of a preprint; [bold]k[/] keeps the
    other key); you see which side wins each differing field, [bold]f[/] chooses field by field
[bold]a[/]  keep both: they are different works; remembered, never asked again
[bold]s[/]  skip for now: asked again next time
[bold]u[/]  undo the last answer and go back to it
[bold]q[/]  quit: answers so far are kept and applied; run the review again to go on
[bold]?[/]  this help"""
HELP = HELP_SYNC


class Vocabulary:
    """How a target names things on the review screen: BibTeX's entry types and fields.

    ``ZoteroVocabulary`` speaks Zotero's item types and field names instead.
    """

    type_row = "@type"

    def values(self, entry: Entry) -> dict[str, str]:
        """The rows shown for an entry: name -> value, in display order."""
        return field_values(entry)

    def field_label(self, name: str, entry: Entry) -> str:
        """The name a canonical field (or ``@type``) has in this target, for ``entry``'s type."""
        return name

    def value_label(self, name: str, value: str | None) -> str | None:
        """A canonical value as this target would show it (the entry type: an item type)."""
        return value

    def type_label(self, entry: Entry) -> str:
        """The entry's type as this target calls it."""
        return entry.type

    def order(self, names: Iterable[str]) -> list[str]:
        """Row names once each, in display order."""
        return in_field_order(names)


class ZoteroVocabulary(Vocabulary):
    """Zotero's item types and field names (``conferencePaper``, ``proceedingsTitle``, ``date``).

    ``item_types`` gives the item type of the library's entries by citation key (an item
    keeps its type); an incoming entry shows the type it would be added as.
    """

    type_row = "itemType"

    def __init__(self, item_types: Mapping[str, str] | None = None) -> None:
        """Know the library's item types by citation key."""
        self.item_types = dict(item_types or {})

    def item_type(self, entry: Entry) -> str:
        """The entry's Zotero item type."""
        from ..targets.zotero.items import item_type_for

        return self.item_types.get(entry.key or "", "") or item_type_for(entry)

    def values(self, entry: Entry) -> dict[str, str]:
        """The entry as the Zotero item it is (or would be): item type, creators, fields."""
        from ..targets.zotero.items import zotero_view

        return zotero_view(entry, self.item_type(entry))

    def field_label(self, name: str, entry: Entry) -> str:
        """The Zotero field that holds a canonical field for ``entry``'s item type."""
        from ..targets.zotero.items import zotero_field_name

        return zotero_field_name(name, self.item_type(entry))

    def value_label(self, name: str, value: str | None) -> str | None:
        """Entry types shown as the item types they map to."""
        from ..targets.zotero.items import item_type_for

        if name == "@type" and value:
            return item_type_for(Entry(value))
        return value

    def type_label(self, entry: Entry) -> str:
        """The item type."""
        return self.item_type(entry)

    def order(self, names: Iterable[str]) -> list[str]:
        """Zotero's order: item type, title, creators, then the fields as the views list them."""
        from ..targets.zotero.items import VIEW_ORDER

        rank = {n: i for i, n in enumerate(VIEW_ORDER)}
        return sorted(dict.fromkeys(names), key=lambda n: (rank.get(n, len(rank)), n))


def interactive_allowed(stream: IO[str] | None = None) -> bool:
    """True if a person can answer: stdin is a terminal, or ``BIBSYNC_INTERACTIVE=1`` says keys come on stdin."""
    if os.environ.get("BIBSYNC_INTERACTIVE") == "1":
        return True
    return is_terminal(stream if stream is not None else sys.stdin)


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
            if self.stream is None:  # standard input closed: nothing will ever come
                raise EOFError
            line = self.stream.readline()
            if line == "":
                raise EOFError
            keys = [c for c in line.strip()]
            self._buffer = keys or [ENTER]
        return self._buffer.pop(0)

    def _is_tty(self) -> bool:
        return is_terminal(self.stream)

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


def case_table(case: ReviewCase, vocabulary: Vocabulary | None = None) -> Table:
    """The case side by side: a row per field, the entry then each candidate, differences highlighted."""
    vocabulary = vocabulary or Vocabulary()
    left = "incoming" if case.kind == "sync" else "this entry"
    table = Table(show_lines=False, expand=True, pad_edge=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column(f"{left}\n{case.name(case.entry) if case.entry.key else ''}", ratio=1)
    values = [vocabulary.values(c.entry) for c in case.candidates]
    for n, cand in enumerate(case.candidates, 1):
        table.add_column(f"{n} {case.name(cand.entry)}\nscore {cand.score:.2f}", ratio=1)
    mine = vocabulary.values(case.entry)
    for name in vocabulary.order([*mine, *(n for v in values for n in v)]):
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


def publication_note(case: ReviewCase, n: int, vocabulary: Vocabulary | None = None) -> str | None:
    """One line when candidate ``n`` and the case's entry are a preprint and its published
    version: which one is published, and what a merge keeps. None otherwise."""
    vocabulary = vocabulary or Vocabulary()
    cand = case.candidates[n].entry
    roles = publication_roles(case.entry, cand)
    if roles is None:
        return None
    published, preprint = (cand, case.entry) if roles == TARGET else (case.entry, cand)
    if roles == TARGET:
        who = f"candidate {n + 1} {cand.key} is the published version"
    else:
        who = ("the incoming entry is the published version" if case.kind == "sync"
               else f"{case.entry.key} is the published version")
    venue = published.get("booktitle") or published.get("journal") or published.get("publisher")
    facts = ", ".join(x for x in (vocabulary.type_label(published), venue, published.year) if x)
    keep = key_choices(case, n)[0]
    arxiv = arxiv_id(preprint)
    extra = [f"{preprint.key} in ids" if preprint.key and preprint.key != keep else "",
             f"arXiv:{arxiv} in eprint" if arxiv else ""]
    extra_text = " and ".join(x for x in extra if x)
    return (f"preprint vs published: {who} ({facts}); m keeps it as {keep}"
            + (f", with {extra_text}" if extra_text else ""))


def render_case(console: Console, case: ReviewCase, position: int, total: int, target: str,
                vocabulary: Vocabulary | None = None) -> None:
    """Print one case: header, the side-by-side table, the ranked scores with their explanations,
    and a line for a preprint against its published version."""
    what = "uncertain match" if case.kind == "sync" else "possible duplicate"
    group = f" (dedupe group {case.group[0]}/{case.group[1]})" if case.group else ""
    console.rule(f"[bold]{what} {position + 1}/{total}[/]{group} · {target}")
    console.print(case_table(case, vocabulary))
    for n, cand in enumerate(case.candidates, 1):
        how = f" (by {cand.decided_by})" if cand.decided_by else ""
        console.print(f" {n} {case.name(cand.entry)}  {cand.score:.2f}{how}  [dim]{cand.explanation}[/]",
                      markup=True, highlight=False)
    if case.ambiguous:
        shared = sorted({e.key for e in (case.entry, *(c.entry for c in case.candidates))
                         if e.key and case.shares_key(e)})
        console.print(f" [bold cyan]{', '.join(shared)}: the key of more than one entry in {target}; they are told "
                      f"apart by line, and this decision is not remembered (distinct keys let it be)[/]",
                      markup=True, highlight=False)
    for n in range(len(case.candidates)):
        note = publication_note(case, n, vocabulary)
        if note:
            console.print(f" [bold cyan]{note}[/]", markup=True, highlight=False)


def prompt_line(case: ReviewCase) -> str:
    """The key legend under a case."""
    if case.kind == "sync":
        answers = "[bold]m[/] merge · [bold]a[/] keep both (add) · [bold]n[/] not this one (never add) · "
    else:
        answers = "[bold]m[/] merge · [bold]a[/] keep both · "
    return answers + "[bold]s[/] skip · [bold]u[/] undo · [bold]q[/] quit · [bold]?[/] help"


class TerminalReviewer:
    """A person answering with single keys; implements bibsync.review.walk.Reviewer."""

    def __init__(self, console: Console, keys: KeyReader, target: str = "",
                 vocabulary: Vocabulary | None = None) -> None:
        """Show screens on ``console``; read answers from ``keys``; ``target`` names the file or
        library; ``vocabulary`` how it names types and fields (BibTeX by default)."""
        self.console = console
        self.keys = keys
        self.target = target
        self.vocabulary = vocabulary or Vocabulary()

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
        render_case(self.console, case, position, total, self.target, self.vocabulary)
        while True:
            key = self._key(prompt_line(case) + " ›")
            if key in ("s", "u", "q"):
                return Action({"s": "skip", "u": "undo", "q": "quit"}[key])
            if key == "a":
                return Action("add")
            if key == "n" and case.kind == "sync":
                return Action("decline")
            if key == "m":
                n = self._candidate(case, "merge into")
                if n is None:
                    continue
                merge = self._merge(case, n)
                if merge is not None:
                    return merge
                render_case(self.console, case, position, total, self.target, self.vocabulary)
            elif key == "d":
                self.notice("d is gone: a keeps both, n never adds the incoming entry, m 2 merges into candidate 2")
            elif key == "?":
                self.console.print(HELP_SYNC if case.kind == "sync" else HELP_DUPLICATE, markup=True,
                                   highlight=False)
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

    def _merge(self, case: ReviewCase, n: int) -> Action | None:
        """The merge into candidate ``n``: accept the defaults, choose fields, or keep another
        key; None if the person cancels."""
        diffs = differing_fields(case.entry, case.candidates[n].entry)
        keys = key_choices(case, n)
        keep = keys[0]
        into = case.name(case.candidates[n].entry)
        left = "incoming" if case.kind == "sync" else (case.name(case.entry) if case.entry.key else "this entry")
        fields: dict[str, str] = {}
        while True:
            if diffs:
                shown = into if keep == case.candidates[n].entry.key else keep  # with its line if shared
                self.console.print(fields_table(diffs, into, left, self.vocabulary, case.candidates[n].entry,
                                                keep=shown))
            self.console.print(f"the merged entry keeps the key [bold]{keep}[/]"
                               + ("" if len(keys) < 2 else " ([bold]k[/] keeps another)"), markup=True,
                               highlight=False)
            legend = "[bold]Enter[/] accept · " + ("[bold]f[/] choose field by field · " if diffs else "") \
                + ("[bold]k[/] keep another key · " if len(keys) > 1 else "") + "[bold]c[/] cancel ›"
            key = self._key(legend)
            while key not in (ENTER, "f", "k", "c", "u", "escape"):
                key = self._key("press Enter, f, k or c ›")
            if key == ENTER:
                return Action("merge", n, fields, keep)
            if key == "k" and len(keys) > 1:
                keep = self._pick_key(keys, keep)
                continue
            if key == "f" and diffs:
                chosen = self._fields(diffs, into, left, case.candidates[n].entry)
                if chosen is None:
                    return None
                return Action("merge", n, chosen, keep)
            if key in ("c", "u", "escape"):
                self.notice("cancelled")
                return None

    def _pick_key(self, keys: list[str], current: str) -> str:
        """Which key the merged entry keeps (1-based key; Enter keeps the current choice)."""
        listing = " · ".join(f"[bold]{i}[/] {k}" for i, k in enumerate(keys, 1))
        key = self._key(f"keep which key? {listing} (Enter = {current}) ›")
        if key.isdigit() and 1 <= int(key) <= len(keys):
            return keys[int(key) - 1]
        return current

    def _fields(self, diffs: Sequence[FieldDiff], into: str | None, left: str, target: Entry) -> dict[str, str] | None:
        """Which side wins each differing field; None if the person cancels."""
        choices: dict[str, str] = {}
        for diff in diffs:
            default = "i" if diff.default == INCOMING else "t"
            name = self.vocabulary.field_label(diff.name, target)
            while True:
                key = self._key(f"[bold]{name}[/]: [bold]i[/] {left} · [bold]t[/] {into} "
                                f"(Enter = {default}) ›")
                if key in ("c", "u", "escape"):
                    self.notice("cancelled")
                    return None
                if key in ("i", "t", ENTER):
                    break
            picked = default if key == ENTER else key
            choices[diff.name] = INCOMING if picked == "i" else TARGET
        return choices


def fields_table(diffs: Sequence[FieldDiff], into: str | None, left: str = "incoming",
                 vocabulary: Vocabulary | None = None, target: Entry | None = None, keep: str | None = None) -> Table:
    """The differing fields of a merge and which side wins by default; the title names the
    key the merged entry keeps (``keep``; default ``into``, the candidate's)."""
    vocabulary = vocabulary or Vocabulary()
    table = Table(title=f"merging into {keep or into}: differing fields", title_justify="left", expand=True)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column(left, ratio=1)
    table.add_column(into or "target", ratio=1)
    table.add_column("keeps", no_wrap=True)
    for d in diffs:
        keeps = left if d.default == INCOMING else (into or "target")
        name = vocabulary.field_label(d.name, target) if target is not None else d.name
        table.add_row(name, _cell(vocabulary.value_label(d.name, d.incoming), "green" if d.default == INCOMING else ""),
                      _cell(vocabulary.value_label(d.name, d.target), "green" if d.default == TARGET else ""), keeps)
    return table


def terminal_reviewer(target: str, console: Console | None = None, stream: IO[str] | None = None,
                      vocabulary: Vocabulary | None = None) -> TerminalReviewer:
    """A TerminalReviewer on standard output reading keys from standard input."""
    return TerminalReviewer(console or Console(highlight=False), KeyReader(stream), target, vocabulary)


def confirm(console: Console, keys: KeyReader, question: str) -> bool:
    """Ask a yes/no question with one key; anything but y means no (and so does end of input)."""
    console.print(f"{question} [bold]y[/]/[bold]N[/] ›", markup=True, highlight=False, end=" ")
    try:
        key = keys.read_key()
    except EOFError:
        key = "n"
    console.print(key if key != ENTER else "")
    return key in ("y", "Y")

