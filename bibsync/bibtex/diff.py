"""A unified diff built from splice edits: its cost follows the change, not the file.

A sync knows exactly which spans of the old text it replaces (an entry it updates, the end
where new entries go). Each edited stretch is widened to whole lines and compared line by
line with what replaces it (``difflib`` on those few lines, so that an updated entry shows
only the lines that change); the hunks get three lines of context from the old text around
them, as ``diff -u`` prints them. Nothing else of the file is looked at but to count lines.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from typing import Sequence

Edit = tuple[int, int, int, str]  # (start, end, order, new text), offsets into the old text
CONTEXT = 3


@dataclass(frozen=True)
class LineChange:
    """Old lines ``old_first`` .. ``old_first + len(old) - 1`` (0-based), which start at offset
    ``offset`` of the old text, become ``new``."""

    old_first: int
    offset: int
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def end(self) -> int:
        """The offset just after the old lines."""
        return self.offset + sum(map(len, self.old))


def unified_diff(old: str, edits: Sequence[Edit], fromfile: str, tofile: str, context: int = CONTEXT) -> str:
    """The unified diff of applying ``edits`` (as ``splice.apply_edits`` does) to ``old``."""
    changes = line_changes(old, edits)
    if not changes:
        return ""
    total = old.count("\n") + (1 if old and not old.endswith("\n") else 0)
    out = [f"--- {fromfile}\n", f"+++ {tofile}\n"]
    shift = 0  # new line number minus old line number, before the current hunk
    for group in _groups(changes, context):
        first, last = group[0], group[-1]
        before = _lines_before(old, first.offset, context)
        after = _lines_after(old, last.end, context)
        lo = first.old_first - len(before)
        hi = min(last.old_first + len(last.old) + len(after), total)
        body = [" " + line for line in before]
        for k, change in enumerate(group):
            if k:
                body += [" " + line for line in old[group[k - 1].end:change.offset].splitlines(keepends=True)]
            body += ["-" + line for line in change.old] + ["+" + line for line in change.new]
        body += [" " + line for line in after]
        new_len = sum(1 for line in body if line[0] != "-")
        out.append(f"@@ -{_range(lo, hi - lo)} +{_range(lo + shift, new_len)} @@\n")
        out += [_line_end(line) for line in body]
        shift += new_len - (hi - lo)
    return "".join(out)


def diff_bytes(diff: str, encoding: str) -> bytes:
    """``diff`` (from :func:`unified_diff`) as the bytes ``diff -u`` would print for a file in
    ``encoding``: its lines in the file's own encoding (so that ``patch`` gives what the real
    write gives), the two header lines' file names as the file system spells them."""
    head_end = 0
    for _ in range(2):
        if diff.startswith(("--- ", "+++ "), head_end):
            head_end = diff.index("\n", head_end) + 1
    return os.fsencode(diff[:head_end]) + diff[head_end:].encode(encoding)


def line_changes(old: str, edits: Sequence[Edit]) -> list[LineChange]:
    """The edits as changes of whole lines, in order, each only the lines that differ."""
    ordered = sorted(edits, key=lambda e: (e[0], e[0] != e[1], e[2]))
    changes: list[LineChange] = []
    line_no, counted_to = 0, 0  # line number of offset ``counted_to``
    i = 0
    while i < len(ordered):
        a = old.rfind("\n", 0, ordered[i][0]) + 1  # the chunk starts at the start of its first line
        b = _line_after(old, ordered[i][1])
        j = i + 1
        while j < len(ordered) and old.rfind("\n", 0, ordered[j][0]) + 1 < b:  # shares a line: one chunk
            b = max(b, _line_after(old, ordered[j][1]))
            j += 1
        pieces, pos = [], a
        for start, end, _, text in ordered[i:j]:
            pieces += [old[pos:start], text]
            pos = end
        pieces.append(old[pos:b])
        line_no += old.count("\n", counted_to, a)
        counted_to = a
        before = old[a:b].splitlines(keepends=True)
        after = "".join(pieces).splitlines(keepends=True)
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        offsets = [a]
        for line in before:
            offsets.append(offsets[-1] + len(line))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                changes.append(LineChange(line_no + i1, offsets[i1], tuple(before[i1:i2]), tuple(after[j1:j2])))
        i = j
    return changes


def _line_after(text: str, end: int) -> int:
    """The offset where the line holding ``text[end - 1]`` ends (after its newline); ``end``
    itself when it already is a line start."""
    if end == 0 or text[end - 1] == "\n":
        return end
    eol = text.find("\n", end)
    return len(text) if eol < 0 else eol + 1


def _groups(changes: list[LineChange], context: int) -> list[list[LineChange]]:
    """Changes closer than twice the context share a hunk (as in ``diff -u``)."""
    groups = [[changes[0]]]
    for change in changes[1:]:
        last = groups[-1][-1]
        if change.old_first - (last.old_first + len(last.old)) <= 2 * context:
            groups[-1].append(change)
        else:
            groups.append([change])
    return groups


def _range(start: int, length: int) -> str:
    """``start,length`` as diff -u writes a hunk range (1-based; an empty range names the line before)."""
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


def _line_end(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


def _lines_before(text: str, offset: int, count: int) -> list[str]:
    """Up to ``count`` whole lines that end at ``offset`` (a line start)."""
    start = offset
    for _ in range(count):
        if start == 0:
            break
        start = text.rfind("\n", 0, start - 1) + 1
    return text[start:offset].splitlines(keepends=True)


def _lines_after(text: str, offset: int, count: int) -> list[str]:
    """Up to ``count`` whole lines that start at ``offset`` (a line start)."""
    end = offset
    for _ in range(count):
        if end >= len(text):
            break
        eol = text.find("\n", end)
        end = len(text) if eol < 0 else eol + 1
    return text[offset:end].splitlines(keepends=True)
