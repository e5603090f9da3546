"""How far BibTeX itself reads a block that bibtexparser could not parse.

bibtexparser cuts a block short at the next line that starts with ``@type{``, so bibsync
reads the entries after an unclosed one. BibTeX does not: inside a braced or quoted value
it reads on over line ends and ``@`` signs until the braces balance (to the end of the file
if they never do), and after a syntax error it skips to the next ``@``. Entries after an
unclosed value are then part of it for BibTeX, and so is anything appended to the file
(biber stops at the first such error and reads nothing). This module follows BibTeX's
reading (``bibtex.web``: entry type, ``{`` or ``(``, key, ``name = value`` fields with
``#`` concatenation; ``@comment`` skipped to the next ``@``) from a given block start.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence

# What BibTeX reads after the end of a file that bibsync appends to: new entries start so.
APPENDED = "\n\n@misc{bibsync,\n}\n"

_WHITE_RE = re.compile(r"[ \t\r\n]*")
# BibTeX's identifiers: anything but white space and "#%'(),={} (an "@" is a legal character).
_ID_RE = re.compile(r"[^ \t\r\n\"#%'(),={}]+")
_DIGITS_RE = re.compile(r"[0-9]+")
_BRACE_RE = re.compile(r"[{}]")
_QUOTE_OR_BRACE_RE = re.compile(r'["{}]')
_KEY_IN_BRACES_RE = re.compile(r"[^,} \t\r\n]*")
_KEY_IN_PARENS_RE = re.compile(r"[^, \t\r\n]*")


class _Stop(Exception):
    """BibTeX gave up on the block here (a syntax error, or the end of the text)."""

    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


def reading_end(text: str, start: int) -> int:
    """Where BibTeX, reading the block whose ``@`` is at ``start``, looks for the next ``@``
    again: after the block's closing delimiter, at a syntax error, or at the end of ``text``."""
    try:
        return _Reader(text).block(start)
    except _Stop as stop:
        return stop.at


def block_reading_past_end(text: str, start: int) -> int | None:
    """The start of the block that BibTeX, reading ``text`` from the block at ``start`` (a
    place it reaches between blocks), is inside when the text ends, so that new entries
    appended to the file are read as part of it; None when appended entries are read."""
    full = text + APPENDED
    end_of_text = len(text)
    at = full.find("@", start)
    while 0 <= at < end_of_text:
        end = reading_end(full, at)
        if end > end_of_text + APPENDED.index("@"):
            return at
        at = full.find("@", end)
    return None


def runaways(text: str, failed: Sequence[int], parsed: Sequence[int]) -> list[tuple[int, int]]:
    """The blocks that BibTeX reads on past the start of a block after them, as (start, end):
    where their ``@`` is and where BibTeX stops reading them (past ``len(text)`` when it reads
    on into entries appended to the file). ``failed`` are the starts of the blocks
    bibtexparser could not parse, ``parsed`` those of the others (both in order): BibTeX
    reads from each failed block on until it is in step with bibtexparser again (it looks
    for the next ``@`` at the start of a parsed block), or the text ends."""
    full = text + APPENDED
    starts = [*parsed, len(text) + APPENDED.index("@")]
    in_step = set(parsed)
    found: list[tuple[int, int]] = []
    read_to = 0
    for at in failed:
        if at < read_to:
            continue  # read as part of an earlier one
        while 0 <= at < len(text):
            end = reading_end(full, at)
            if end > starts[bisect_right(starts, at)]:
                found.append((at, end))
            read_to = end
            at = full.find("@", end)
            if at in in_step:
                break
    return found


class _Reader:
    """BibTeX's reading of one block (see the module docstring); raises _Stop where it gives up."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _white(self, pos: int) -> int:
        return _WHITE_RE.match(self.text, pos).end()  # type: ignore[union-attr]  # matches empty

    def _char(self, pos: int) -> str:
        if pos >= len(self.text):
            raise _Stop(len(self.text))
        return self.text[pos]

    def _identifier(self, pos: int) -> int:
        match = _ID_RE.match(self.text, pos)
        if match is None:
            raise _Stop(min(pos, len(self.text)))
        return match.end()

    def block(self, at: int) -> int:
        """The offset after the block whose ``@`` is at ``at``."""
        type_end = self._identifier(self._white(at + 1))
        kind = self.text[at + 1:type_end].strip(" \t\r\n").lower()
        if kind == "comment":
            return type_end  # BibTeX skips an @comment to the next "@"
        pos = self._white(type_end)
        opener = self._char(pos)
        if opener not in "{(":
            raise _Stop(pos)
        closer = "}" if opener == "{" else ")"
        pos = self._white(pos + 1)
        if kind == "preamble":
            pos = self._value(pos)
        elif kind == "string":
            pos = self._white(self._identifier(pos))
            if self._char(pos) != "=":
                raise _Stop(pos)
            pos = self._value(self._white(pos + 1))
        else:
            pos = self._entry_body(pos, closer)
        if self._char(pos) != closer:
            raise _Stop(pos)
        return pos + 1

    def _entry_body(self, pos: int, closer: str) -> int:
        """From the key to the closing delimiter (not consumed)."""
        key_re = _KEY_IN_BRACES_RE if closer == "}" else _KEY_IN_PARENS_RE
        pos = self._white(key_re.match(self.text, pos).end())  # type: ignore[union-attr]  # matches empty
        while True:
            char = self._char(pos)
            if char == closer:
                return pos
            if char != ",":
                raise _Stop(pos)
            pos = self._white(pos + 1)
            if self._char(pos) == closer:
                return pos
            pos = self._white(self._identifier(pos))
            if self._char(pos) != "=":
                raise _Stop(pos)
            pos = self._value(self._white(pos + 1))

    def _value(self, pos: int) -> int:
        """A field value (parts joined by ``#``) and the white space after it."""
        while True:
            pos = self._white(self._part(pos))
            if pos >= len(self.text) or self.text[pos] != "#":
                return pos
            pos = self._white(pos + 1)

    def _part(self, pos: int) -> int:
        char = self._char(pos)
        if char == "{":
            return self._balanced(pos + 1, _BRACE_RE)
        if char == '"':
            return self._balanced(pos + 1, _QUOTE_OR_BRACE_RE)
        match = _DIGITS_RE.match(self.text, pos)
        return match.end() if match else self._identifier(pos)

    def _balanced(self, pos: int, marks: re.Pattern[str]) -> int:
        """The end of a ``{...}`` (``marks`` braces) or ``"..."`` value (``marks`` quotes and
        braces: a quote ends it outside nested braces) whose opener is before ``pos``."""
        depth = 0
        for match in marks.finditer(self.text, pos):
            mark = match.group(0)
            if mark == "{":
                depth += 1
            elif depth > 0:
                depth -= 1 if mark == "}" else 0
            elif mark == "}" and marks is _BRACE_RE:
                return match.end()
            elif mark == '"':
                return match.end()
            elif mark == "}":  # a "}" closing nothing inside quotes: BibTeX stops there
                raise _Stop(match.start())
        raise _Stop(len(self.text))
