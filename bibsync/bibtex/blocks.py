"""BibTeX text into bibtexparser blocks, with ``%`` comment lines read as comments, and where each block is.

biber, JabRef and BibDesk treat a line that starts with ``%`` (outside a value) as a
comment; bibtexparser 2.1 does not: ``% @article{old, ...}`` becomes an entry, and a
``% doi = {...}`` line inside an entry becomes a field called ``% doi``. So such lines are
blanked (each character but the line end becomes a space, so every offset and line number
stays) in the text handed to bibtexparser; the caller keeps the original text, and the span
of each block points into both. Most files need no blanking: it is decided from the blocks
of a first parse, and only a file with a comment line that starts or falls inside a block
is scanned and parsed again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence

import bibtexparser
from bibtexparser import model as bm

# A line whose first character that is not a space or tab is "%".
_COMMENT_LINE_RE = re.compile(r"^[ \t]*%[^\r\n]*", re.MULTILINE)
# What the scanner stops at: braces and quotes (not after a backslash), ")", the
# start of a comment line, and a block start as bibtexparser finds it ("@type" before "{" or "(").
_TOKEN_RE = re.compile(r'(?<!\\)[{}")]|\n[ \t]*%|@\w*[ \t]*(?=[{(])')
_CLOSER = {"{": "}", "(": ")"}

Span = tuple[int, int]


def parse_blocks(text: str) -> tuple[list[bm.Block], list[Span | None]]:
    """Split ``text`` into bibtexparser blocks (``%`` lines as comments) and the span of each.

    Spans are offsets into ``text``; a block whose raw text cannot be found has None.
    """
    blocks = list(bibtexparser.parse_string(text, parse_stack=[]).blocks)
    spans = block_spans(text, blocks)
    if "%" in text and _comment_lines_matter(text, blocks, spans):
        masked = mask_comment_lines(text)
        if masked != text:
            blocks = list(bibtexparser.parse_string(masked, parse_stack=[]).blocks)
            spans = block_spans(masked, blocks)
    return blocks, spans


def block_spans(text: str, blocks: Sequence[bm.Block]) -> list[Span | None]:
    """The (start, end) offsets of each block's raw text in ``text``, in block order.

    Blocks come in file order, so each raw text is searched from the end of the previous
    one; a block whose raw text cannot be found (never seen) has None and is never edited.
    """
    spans: list[Span | None] = []
    pos = 0
    for block in blocks:
        raw = block.raw
        start = text.find(raw, pos) if raw else -1
        if start < 0:
            spans.append(None)
            continue
        spans.append((start, start + len(raw)))
        pos = start + len(raw)
    return spans


def _comment_lines_matter(text: str, blocks: Sequence[bm.Block], spans: Sequence[Span | None]) -> bool:
    """Whether some ``%`` line starts a block or falls inside one (other than a comment)."""
    if not _has_comment_line(text):
        return False
    placed = [(span, block) for span, block in zip(spans, blocks)
              if span is not None and not isinstance(block, (bm.ImplicitComment, bm.ExplicitComment))]
    starts = [span[0] for span, _ in placed]
    for match in _COMMENT_LINE_RE.finditer(text):
        line_start, line_end = match.start(), match.end()
        i = bisect_right(starts, line_end) - 1  # the last block starting at or before the line's end
        if i < 0:
            continue
        start, end = placed[i][0]
        if start > line_start or line_start < end:  # a block starts on the line, or the line is inside one
            return True
    return False


def _has_comment_line(text: str) -> bool:
    """Whether a line starts with ``%`` (after spaces): found from the ``%`` signs, which are few."""
    pos = text.find("%")
    while pos >= 0:
        if not text[text.rfind("\n", 0, pos) + 1:pos].strip(" \t"):
            return True
        pos = text.find("%", pos + 1)
    return False


def mask_comment_lines(text: str) -> str:
    """``text`` with every ``%`` comment line blanked: those at the top level and those between
    the fields of an entry, ``@string`` or ``@preamble``; not those inside a value (braces or
    quotes) or inside ``@comment{...}``. Offsets and line ends are kept.

    The scan follows bibtexparser's splitter: a block starts at ``@type{`` or ``@type(``, ends
    at its matching delimiter, and is cut short by a block start at the start of a line.
    """
    out: list[str] = []
    copied = 0
    pos = 0
    if _COMMENT_LINE_RE.match(text):  # the first line is a comment
        end = _line_end(text, 0)
        out.append(_blank(text[0:end]))
        copied = pos = end
    block: str | None = None  # None at the top level, else the block's kind
    closer, depth, quoted = "}", 0, False
    while True:
        match = _TOKEN_RE.search(text, pos)
        if match is None:
            break
        token = match.group(0)
        pos = match.end()
        if token[0] == "\n":  # a comment line starts after the newline
            if block is None or (block != "comment" and depth == 1 and not quoted):
                start = match.start() + 1
                end = _line_end(text, start)
                out.append(text[copied:start])
                out.append(_blank(text[start:end]))
                copied = pos = end
            continue
        if token[0] == "@":
            if block is not None and not _at_line_start(text, match.start()):
                continue  # an "@" inside a value
            kind = token[1:].strip().lower()
            block = "comment" if kind == "comment" else "entry"
            closer, depth, quoted = _CLOSER[text[pos]], 1, False
            pos += 1
            continue
        if block is None:
            continue
        if token == '"':
            if block != "comment" and depth == 1:
                quoted = not quoted
        elif quoted:
            continue
        elif token == "{":
            depth += 1
        elif token == "}" and depth > 1:
            depth -= 1
        elif token == closer and depth == 1:
            block = None
    out.append(text[copied:])
    return "".join(out)


def _line_end(text: str, start: int) -> int:
    """The offset of the line end (``\\r\\n`` or ``\\n``) of the line starting at ``start``."""
    end = text.find("\n", start)
    if end < 0:
        return len(text)
    return end - 1 if end > start and text[end - 1] == "\r" else end


def _blank(line: str) -> str:
    return " " * len(line)


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip()
