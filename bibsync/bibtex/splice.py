"""Splicing: the layout of one entry's raw text, and minimal edits to it.

An updated entry keeps every byte of its text except where a field is added (a new line,
placed where the entry's own field order puts it, in the entry's own indent, alignment and
delimiters) or a value is replaced (only the value, between its delimiters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..errors import TargetError

_NAME_RE = re.compile(r"[^\s=,{}()\"#]+")
_BARE_RE = re.compile(r"[^\s,#{}()\"]+")
_WS_RE = re.compile(r"\s*")


class LayoutError(TargetError):
    """An entry's text could not be scanned into fields (it is then left as it is)."""


@dataclass(frozen=True)
class FieldSpan:
    """Where one field sits in an entry's raw text (offsets into the raw text).

    ``value_start:value_end`` covers the whole value (all ``#`` parts); ``comma`` is the
    offset of the comma after the value, or None for a last field without one.
    """

    name: str
    name_start: int
    name_end: int
    value_start: int
    value_end: int
    comma: int | None
    line_start: int  # offset of the first character of the line the name is on
    own_line: bool  # only whitespace between line_start and name_start


@dataclass(frozen=True)
class EntryLayout:
    """The fields of one entry's raw text, in order, and where its head and close are."""

    raw: str
    type_name: str
    key: str
    head_end: int  # just after the comma that follows the key (or after the key)
    close: int  # offset of the closing delimiter
    fields: tuple[FieldSpan, ...] = field(default_factory=tuple)

    def lead_of(self, span: FieldSpan) -> str:
        """The whitespace before a field's name on its line ("" when not on its own line)."""
        return self.raw[span.line_start:span.name_start] if span.own_line else ""

    def separator_of(self, span: FieldSpan) -> str:
        """The text between a field's name and its value, such as `` = `` or ``=``."""
        return self.raw[span.name_end:span.value_start]

    def value_of(self, span: FieldSpan) -> str:
        """The raw value text (delimiters included)."""
        return self.raw[span.value_start:span.value_end]

    def find(self, name: str) -> FieldSpan | None:
        """The first field called ``name`` (case-insensitive), or None."""
        low = name.lower()
        return next((f for f in self.fields if f.name.lower() == low), None)


def _skip_ws(raw: str, pos: int) -> int:
    return _WS_RE.match(raw, pos).end()


def _skip_ws_and_comment_lines(raw: str, pos: int) -> int:
    """Skip white space and whole ``%`` comment lines (a ``%`` first on its line) between fields."""
    pos = _skip_ws(raw, pos)
    while pos < len(raw) and raw[pos] == "%" and not raw[raw.rfind("\n", 0, pos) + 1:pos].strip():
        eol = raw.find("\n", pos)
        pos = _skip_ws(raw, eol) if eol >= 0 else len(raw)
    return pos


def _scan_braced(raw: str, pos: int) -> int:
    """``raw[pos]`` is ``{``: return the offset just after its matching ``}``."""
    depth = 0
    for i in range(pos, len(raw)):
        ch = raw[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    raise LayoutError("unbalanced braces in a value")


def _scan_quoted(raw: str, pos: int) -> int:
    """``raw[pos]`` is ``"``: return the offset just after the closing quote (braces nest)."""
    depth = 0
    i = pos + 1
    while i < len(raw):
        ch = raw[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            return i + 1
        i += 1
    raise LayoutError("unterminated quoted value")


def _scan_value(raw: str, pos: int) -> int:
    """Return the end offset of a value (parts joined by ``#``) starting at ``pos``."""
    while True:
        if pos >= len(raw):
            raise LayoutError("value runs past the end of the entry")
        ch = raw[pos]
        if ch == "{":
            end = _scan_braced(raw, pos)
        elif ch == '"':
            end = _scan_quoted(raw, pos)
        else:
            match = _BARE_RE.match(raw, pos)
            if not match:
                raise LayoutError(f"unexpected {ch!r} where a value should be")
            end = match.end()
        after = _skip_ws(raw, end)
        if after < len(raw) and raw[after] == "#":
            pos = _skip_ws(raw, after + 1)
            continue
        return end


def scan_entry(raw: str) -> EntryLayout:
    """Scan an entry's raw text (``@type{key, name = value, ...}``) into an :class:`EntryLayout`.

    Raises LayoutError when the text is not a well-formed entry.
    """
    match = re.match(r"\s*@\s*([A-Za-z][\w-]*)\s*([{(])", raw)
    if not match:
        raise LayoutError("not an entry")
    closer = "}" if match.group(2) == "{" else ")"
    pos = match.end()
    key_match = re.compile(r"\s*([^,\s}]*)\s*").match(raw, pos)
    key = key_match.group(1)
    pos = key_match.end()
    if pos < len(raw) and raw[pos] == ",":
        pos += 1
    head_end = pos
    fields: list[FieldSpan] = []
    while True:
        pos = _skip_ws_and_comment_lines(raw, pos)
        if pos >= len(raw):
            raise LayoutError("the entry has no closing delimiter")
        if raw[pos] == closer:
            close = pos
            break
        if raw[pos] == ",":  # a stray comma (",," or a comma before the close)
            pos += 1
            continue
        name_match = _NAME_RE.match(raw, pos)
        if not name_match:
            raise LayoutError(f"unexpected {raw[pos]!r} where a field name should be")
        name_start, name_end = name_match.start(), name_match.end()
        eq = _skip_ws(raw, name_end)
        if eq >= len(raw) or raw[eq] != "=":
            raise LayoutError(f"field {name_match.group(0)!r} has no '='")
        value_start = _skip_ws(raw, eq + 1)
        value_end = _scan_value(raw, value_start)
        after = _skip_ws_and_comment_lines(raw, value_end)
        comma = after if after < len(raw) and raw[after] == "," else None
        line_start = raw.rfind("\n", 0, name_start) + 1
        own_line = line_start > 0 and raw[line_start:name_start].strip() == ""
        fields.append(FieldSpan(name_match.group(0), name_start, name_end, value_start, value_end,
                                comma, line_start, own_line))
        pos = comma + 1 if comma is not None else after
    return EntryLayout(raw, match.group(1), key, head_end, close, tuple(fields))


# --- edits --------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewField:
    """A field to add: its name as written in the file and its delimited value."""

    name: str
    value: str
    rank: tuple  # sort key of the field in the entry's order


@dataclass(frozen=True)
class LineStyle:
    """How one entry writes a field line: indent, separator, alignment column, trailing comma."""

    indent: str
    separator: str  # e.g. " = "
    align_column: int | None  # column of '=' when the entry aligns it
    newline: str
    trailing_comma: bool


def entry_line_style(layout: EntryLayout, default: LineStyle) -> LineStyle:
    """Read the entry's own indent, separator and alignment; fall back to ``default``."""
    own = [f for f in layout.fields if f.own_line]
    if not own:
        return default
    indent = layout.lead_of(own[0])
    separators = [layout.separator_of(f) for f in own]
    columns = {f.name_start - f.line_start + len(layout.raw[f.name_start:f.value_start].split("=")[0])
               for f in own}
    widths = {f.name_end - f.name_start for f in own}
    aligned = len(own) >= 2 and len(columns) == 1 and len(widths) > 1
    separator = max(set(separators), key=separators.count)
    if aligned:  # keep what follows '=' from the entry; the padding is computed per line
        separator = " =" + separator.split("=", 1)[1]
    last = layout.fields[-1]
    return LineStyle(indent, separator, columns.pop() if aligned else None, default.newline,
                     last.comma is not None if layout.fields else default.trailing_comma)


def field_line(name: str, value: str, style: LineStyle) -> str:
    """One field line without newline or comma: indent, name, separator, value."""
    text = style.indent + name
    if style.align_column is not None:
        pad = max(style.align_column - len(text), 1)
        return text + " " * pad + style.separator.lstrip(" ") + value
    return text + style.separator + value


def splice_entry(raw: str, replace: dict[str, str], add: Sequence[NewField], default: LineStyle,
                 rank_of: Callable[[str], tuple], remove: Sequence[str] = (), new_type: str | None = None) -> str:
    """Return ``raw`` with values replaced (``{raw name: delimited value}``), fields added,
    fields removed (``remove``: raw names) and the entry type renamed (``new_type``).

    Replaced values keep their name, spacing and comma; added fields are inserted as whole
    lines where ``rank_of`` (the entry's field order) puts them; a removed field's line goes
    (or, inline, the field and its comma); a field that lacks its comma before the next one
    gets it (BibTeX would stop reading the entry there). Nothing else changes.
    """
    layout = scan_entry(raw)
    style = entry_line_style(layout, default)
    edits: list[tuple[int, int, int, str]] = []  # (start, end, order, text)
    for span in layout.fields[:-1]:
        if span.comma is None:
            edits.append((span.value_end, span.value_end, -3, ","))
    if new_type is not None:
        start = raw.index("@") + 1
        start = _skip_ws(raw, start)
        edits.append((start, start + len(layout.type_name), -2, new_type))
    for name, value in replace.items():
        span = _find_exact(layout, name)
        edits.append((span.value_start, span.value_end, -1, value))
    for name in remove:
        span = _find_exact(layout, name)
        edits.append((*_removal(layout, span), -1, ""))
    for order, new in enumerate(sorted(add, key=lambda f: f.rank)):
        offset, text = _insertion(layout, new, style, rank_of)
        edits.append((offset, offset, order, text))
    return apply_edits(raw, edits)


def is_empty_value(value: str) -> bool:
    """True for a delimited value with nothing in it: ``{}``, ``""``, ``{ }``."""
    return len(value) >= 2 and value[0] in "{\"" and value[-1] in "}\"" and not value[1:-1].strip()


def _find_exact(layout: EntryLayout, name: str) -> FieldSpan:
    span = next((f for f in layout.fields if f.name == name), None) or layout.find(name)
    if span is None:
        raise LayoutError(f"field {name!r} is not in the entry")
    return span


def _removal(layout: EntryLayout, span: FieldSpan) -> tuple[int, int]:
    """The text to delete to remove one field: its whole line, or (inline) the field and comma."""
    raw = layout.raw
    end = span.comma + 1 if span.comma is not None else span.value_end
    if span.own_line:
        eol = _end_of_line(raw, end)
        if eol is not None:
            return span.line_start, eol
    return span.name_start, _skip_ws(raw, end) if span.comma is not None else end


def apply_edits(text: str, edits: Sequence[tuple[int, int, int, str]]) -> str:
    """Replace ``text[start:end]`` by each edit's text.

    Edits are applied by start offset; at one offset, insertions (start == end) come before a
    replacement, and among themselves by ``order``. Overlapping edits raise LayoutError.
    """
    out, pos = [], 0
    for start, end, _, new in sorted(edits, key=lambda e: (e[0], e[0] != e[1], e[2])):
        if start < pos:
            raise LayoutError("overlapping edits")
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _insertion(layout: EntryLayout, new: NewField, style: LineStyle,
               rank_of: Callable[[str], tuple]) -> tuple[int, str]:
    """Where and what to insert for one new field (see the module docstring)."""
    raw, nl, fields = layout.raw, style.newline, layout.fields
    line = field_line(new.name, new.value, style)
    if not fields:
        comma = "" if raw[:layout.head_end].rstrip().endswith(",") else ","
        close_line_start = raw.rfind("\n", 0, layout.close) + 1
        if close_line_start > 0 and raw[close_line_start:layout.close].strip() == "":
            return close_line_start, comma + line + ("," if style.trailing_comma else "") + nl
        return layout.close, comma + nl + line + ("," if style.trailing_comma else "") + nl
    before = [f for f in fields if rank_of(f.name) <= new.rank]
    anchor = before[-1] if before else None
    # After the anchor, when its line ends right after its comma: a whole new line.
    if anchor is not None and anchor.comma is not None:
        eol = _end_of_line(raw, anchor.comma + 1)
        if eol is not None:
            return eol, line + "," + nl
    # Before the next field (or before the anchor, if the anchor is last without a comma).
    following = fields[fields.index(anchor) + 1] if anchor is not None and anchor is not fields[-1] else None
    target = following if following is not None else (fields[0] if anchor is None else anchor)
    if target.own_line:
        return target.line_start, line + "," + nl
    # Inline layouts (several fields on one line): insert within the line.
    if anchor is None:
        return target.name_start, f"{new.name}{style.separator}{new.value}, "
    if anchor.comma is not None:
        return anchor.comma + 1, f" {new.name}{style.separator}{new.value},"
    return anchor.value_end, f", {new.name}{style.separator}{new.value}"


def _end_of_line(raw: str, pos: int) -> int | None:
    """Offset just after the newline if only whitespace follows ``pos`` on its line, else None."""
    eol = raw.find("\n", pos)
    if eol < 0 or raw[pos:eol].strip():
        return None
    return eol + 1
