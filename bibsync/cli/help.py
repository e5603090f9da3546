"""How ``bibsync --help`` and each command's help are laid out.

Plain text in click's layout, with three differences a reader notices: words are never cut
(a default such as ``[auth:lower][year][veryshorttitle:lower]`` stays whole, however narrow
the terminal), paragraphs of a docstring are reflowed as paragraphs (a line break in the
source is not a break on screen; a paragraph that starts with a ``\\b`` line is kept as
written), and arguments are named by their metavar (``SOURCE...``) instead of a type.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Iterable, Sequence

import typer
from typer.core import TyperArgument, TyperCommand

_BaseFormatter = typer.Context.formatter_class
VERBATIM = "\b"  # click's marker: a paragraph whose first line is this is not reflowed
_ASCII_SPACE_RE = re.compile(r"[ \t\r\n]+")


def wrap_paragraphs(text: str, width: int, indent: str = "") -> list[str]:
    """Reflow ``text`` paragraph by paragraph to ``width`` columns without cutting a word.

    Paragraphs are separated by blank lines; one whose first line is ``\\b`` keeps its lines.
    """
    lines: list[str] = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        if not paragraph.strip():
            continue
        if lines:
            lines.append("")
        if paragraph.startswith(VERBATIM):
            lines += [indent + line for line in paragraph.split("\n")[1:]]
            continue
        words = _ASCII_SPACE_RE.split(paragraph.strip())  # not str.split(): a no-break space binds
        lines += textwrap.wrap(" ".join(words), width=max(width, 10), initial_indent=indent,
                               subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
    return lines


_NBSP = "\u00a0"


def _keep_extra_whole(help_text: str, width: int) -> str:
    """Bind the words of click's trailing ``  [default: ...; required]`` so that it wraps as one
    piece, when it fits in ``width`` columns (else its words wrap, each one still whole)."""
    text, sep, extra = help_text.rpartition("  [")
    if not sep or not extra.endswith("]") or len(extra) + 1 > width:
        return help_text
    return f"{text}  [{extra.replace(' ', _NBSP)}"


# click describes a number's range as x>=1, 1<=x<=10...; help reads it in words.
_RANGE_RE = re.compile(r"(?:(?<=; )|(?<=\[))(?:(-?[\d.]+)(<=?))?x(?:(<=?|>=?)(-?[\d.]+))?(?=[;\]])")
_BELOW = {"<": "less than", "<=": "at most"}  # x < N, x <= N
_ABOVE = {">": "more than", ">=": "at least"}  # x > N, x >= N
_FLIPPED = {"<": ">", "<=": ">="}  # N < x is x > N


def _range_in_words(match: re.Match[str]) -> str:
    low, low_op, op, bound = match.groups()
    parts = []
    if low is not None:
        parts.append((_FLIPPED[low_op], low))
    if bound is not None:
        parts.append((op, bound))
    if len(parts) == 2 and parts[0][0] == ">=" and parts[1][0] == "<=":
        return f"from {parts[0][1]} to {parts[1][1]}"
    words = [f"{_ABOVE.get(o) or _BELOW.get(o)} {n}" for o, n in parts]
    return " and ".join(words) or match.group(0)


def range_in_words(help_text: str) -> str:
    """click's ``[default: 3; x>=1]`` as ``[default: 3; at least 1]`` (and the other ranges)."""
    return _RANGE_RE.sub(_range_in_words, help_text) if "x" in help_text else help_text


def first_paragraph(text: str | None) -> str:
    """The first paragraph of a help text on one line (what the command list shows)."""
    return " ".join(inspect.cleandoc(text or "").split("\n\n")[0].split())


class HelpFormatter(_BaseFormatter):
    """click's formatter, reflowing paragraphs and never cutting a word."""

    def write_text(self, text: str) -> None:  # noqa: D102 - click's method
        indent = " " * self.current_indent
        for line in wrap_paragraphs(text, self.width, indent):
            self.write(f"{line}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """A definition list (options, commands): names left, help reflowed on the right."""
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(len(name) for name, _ in rows), col_max) + col_spacing
        text_width = max(self.width - first_col - self.current_indent, 20)
        margin = first_col + self.current_indent
        for name, help_text in rows:
            self.write(" " * self.current_indent + name)
            # The trailing [default: ...] stays in one piece if it fits on a line of its own.
            whole = _keep_extra_whole(range_in_words(help_text), self.width - self.current_indent)
            lines = [line.replace(_NBSP, " ") for line in wrap_paragraphs(whole, text_width)]
            if not lines:
                self.write("\n")
                continue
            if len(name) <= first_col - col_spacing and len(lines[0]) <= text_width:
                self.write(" " * (first_col - len(name)) + lines[0] + "\n")
                lines = lines[1:]
            else:
                self.write("\n")
            for line in lines:
                self.write((" " * self._indent_for(line, margin) + line if line else "") + "\n")

    def _indent_for(self, line: str, margin: int) -> int:
        """The help column, or less for a line too long for it (a whole default): as far left
        as it must go to end within the width, never left of the current indent."""
        if margin + len(line) <= self.width:
            return margin
        return max(self.current_indent, self.width - len(line))


class HelpContext(typer.Context):
    """A context whose help goes through :class:`HelpFormatter`."""

    formatter_class = HelpFormatter


def argument_label(param: TyperArgument) -> str:
    """``SOURCE...`` for a list argument, ``FILE.bib`` for a single one (its metavar, else its name)."""
    name = param.metavar or (param.name or "").upper()
    return f"{name}..." if param.nargs != 1 else name


class BibsyncCommand(TyperCommand):
    """A command whose usage line and argument list name values by their metavar."""

    context_class = HelpContext

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:  # noqa: D102 - click's method
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                label = argument_label(param)
                pieces.append(label if param.required else f"[{label}]")
        return pieces

    def format_options(self, ctx: typer.Context, formatter: HelpFormatter) -> None:  # noqa: D102
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((argument_label(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def command_rows(commands: Iterable[tuple[str, object]]) -> list[tuple[str, str]]:
    """(name, first paragraph of its help) for each visible command, for the command list."""
    return [(name, first_paragraph(getattr(cmd, "short_help", None) or getattr(cmd, "help", None)))
            for name, cmd in commands if not getattr(cmd, "hidden", False)]
