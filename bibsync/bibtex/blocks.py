"""BibTeX text into bibtexparser blocks, with ``%`` comment lines read as comments, and where each block is.

biber, JabRef and BibDesk treat a line that starts with ``%`` (outside a value) as a
comment; bibtexparser 2.1 does not: ``% @article{old, ...}`` becomes an entry, and a
``% doi = {...}`` line inside an entry becomes a field called ``% doi``. So such lines are
blanked (each character but the line end becomes a space, so every offset and line number
stays) in the text handed to bibtexparser; the caller keeps the original text, and the span
of each block points into both.

Most files need no blanking: it is decided from the blocks of a first parse, and only the
stretch of text around a comment line that starts or falls inside a block is blanked and
parsed again, so the cost follows the commented region, not the file. The stretch runs from
one *anchor* to the next: an anchor is a block start (``@type{``) first on its line, where
bibtexparser always starts a block (it cuts an unclosed block short there), so the blocks
between two anchors depend only on the text between them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable, NamedTuple, Sequence

import bibtexparser
from bibtexparser import model as bm

# A line whose first character that is not a space or tab is "%".
_COMMENT_LINE_RE = re.compile(r"^[ \t]*%[^\r\n]*", re.MULTILINE)
# What the scanner stops at: braces and quotes (not after a backslash), ")", the
# start of a comment line, and a block start as bibtexparser finds it ("@type" before "{" or "(").
_TOKEN_RE = re.compile(r'(?<!\\)[{}")]|\n[ \t]*%|@\w*[ \t]*(?=[{(])')
# A block start as bibtexparser's splitter finds it.
_BLOCK_START_RE = re.compile(r"@\w*[ \t]*(?=[{(])")
_CLOSER = {"{": "}", "(": ")"}

Span = tuple[int, int]


class ParsedBlocks(NamedTuple):
    """The blocks of a text, with the span (offsets) and the first line (1-based) of each.

    Use ``lines``, not the blocks' own ``start_line``: a block parsed again in a stretch of
    the text counts its lines from the start of the stretch.
    """

    blocks: list[bm.Block]
    spans: list[Span | None]
    lines: list[int]


def parse_blocks(text: str) -> ParsedBlocks:
    """Split ``text`` into bibtexparser blocks (``%`` lines as comments), each with its span
    and line: the blocks, spans, lines and duplicate-key marks of one parse of the whole
    text with its comment lines blanked (text between blocks aside, which nobody reads).

    Spans are offsets into ``text``; a block whose raw text cannot be found has None.
    """
    blocks = list(bibtexparser.parse_string(text, parse_stack=[]).blocks)
    spans = block_spans(text, blocks)
    lines = [block.start_line + 1 for block in blocks]
    if "%" not in text or not _has_comment_line(text):
        return ParsedBlocks(blocks, spans, lines)
    regions = _commented_regions(text, blocks, spans)
    if not regions:
        return ParsedBlocks(blocks, spans, lines)
    out = ParsedBlocks([], [], [])
    touched: set[tuple[str, str]] = set()
    done = 0  # the blocks before this index are in ``out``
    newlines, counted_to = 0, 0  # newlines in text[:counted_to]
    for first, last in regions:
        start = spans[first][0] if first > 0 else 0  # type: ignore[index]  # an anchor has a span
        end = spans[last][0] if last < len(blocks) else len(text)  # type: ignore[index]
        newlines += text.count("\n", counted_to, start)
        counted_to = start
        again = _parse_stretch(text, start, end, newlines)
        if again is None:  # not as expected (see _parse_stretch): the whole text, as a reader would
            return _parse_masked(text)
        touched |= _keys(blocks[first:last]) | _keys(again.blocks)
        for kept, new, target in zip((blocks, spans, lines), again, out):
            target += kept[done:first] + new
        done = last
    for kept, target in zip((blocks, spans, lines), out):
        target += kept[done:]
    if touched:
        out.blocks[:] = _mark_duplicates(out.blocks, touched)
    return out


def _parse_masked(text: str) -> ParsedBlocks:
    """One parse of the whole text with its comment lines blanked."""
    masked = mask_comment_lines(text)
    blocks = list(bibtexparser.parse_string(masked, parse_stack=[]).blocks)
    return ParsedBlocks(blocks, block_spans(masked, blocks), [block.start_line + 1 for block in blocks])


def _parse_stretch(text: str, start: int, end: int, lines_before: int) -> ParsedBlocks | None:
    """The blocks of ``text[start:end]`` (from an anchor, or the start, to the next anchor, or
    the end) with its comment lines blanked; spans and lines counted in the whole text.

    The next anchor's ``@type{`` is parsed along, so that the last block before it is cut
    short there exactly as in a parse of the whole text; the block it starts (the last one,
    cut short by the end of the stretch) is dropped: the caller has it from the first parse.
    None if that last block is not there (never seen; the caller then parses everything).
    """
    stop = end
    if end < len(text):
        opener = _BLOCK_START_RE.match(text, end)
        if opener is None:
            return None
        stop = opener.end() + 1
    stretch = mask_comment_lines(text[start:stop])
    blocks = list(bibtexparser.parse_string(stretch, parse_stack=[]).blocks)
    spans = block_spans(stretch, blocks)
    if stop > end:
        if not blocks or not isinstance(blocks[-1], bm.ParsingFailedBlock) or spans[-1] != (end - start, stop - start):
            return None
        blocks, spans = blocks[:-1], spans[:-1]
    return ParsedBlocks(blocks, [(span[0] + start, span[1] + start) if span else None for span in spans],
                        [block.start_line + 1 + lines_before for block in blocks])


def _commented_regions(text: str, blocks: Sequence[bm.Block], spans: Sequence[Span | None]) -> list[Span]:
    """The stretches of blocks to parse again with comment lines blanked, as (first, last)
    block indices (``last`` excluded): each from the anchor at or before a block that a
    comment line starts or falls inside (else from the start) to the next anchor after it
    (else to the end); overlapping ones merged."""
    regions: list[Span] = []
    for index in _blocks_with_comment_lines(text, blocks, spans):
        if regions and index < regions[-1][1]:
            continue  # inside the last region already
        first = index
        while first > 0 and not _is_anchor(text, blocks, spans, first):
            first -= 1
        last = index + 1
        while last < len(blocks) and not _is_anchor(text, blocks, spans, last):
            last += 1
        if regions and first <= regions[-1][1]:
            regions[-1] = (regions[-1][0], last)
        else:
            regions.append((first, last))
    return regions


def _is_anchor(text: str, blocks: Sequence[bm.Block], spans: Sequence[Span | None], i: int) -> bool:
    """Whether block ``i`` starts at an ``@type{`` first on its line, after everything before
    it: bibtexparser starts a block there whatever comes before (it cuts an unclosed block
    short at such a line), and so does the masking scan."""
    span = spans[i]
    if span is None or isinstance(blocks[i], bm.ImplicitComment) or not _BLOCK_START_RE.match(text, span[0]):
        return False
    if not _at_line_start(text, span[0]):
        return False
    previous = spans[i - 1] if i > 0 else (0, 0)
    return previous is not None and previous[1] <= span[0]


def _keyed(block: bm.Block) -> tuple[tuple[str, str] | None, bm.Block]:
    """The (kind, key) under which bibtexparser registers a block (entries and ``@string``
    blocks; None for others), and the block itself without its duplicate mark."""
    inner = block.ignore_error_block if isinstance(block, bm.DuplicateBlockKeyBlock) else block
    if isinstance(inner, bm.Entry):
        return ("entry", inner.key), inner
    if isinstance(inner, bm.String):
        return ("string", inner.key), inner
    return None, inner


def _keys(blocks: Iterable[bm.Block]) -> set[tuple[str, str]]:
    """The (kind, key) of the entries and ``@string`` blocks among ``blocks``."""
    return {key for key, _ in map(_keyed, blocks) if key is not None}


def _mark_duplicates(blocks: list[bm.Block], keys: set[tuple[str, str]]) -> list[bm.Block]:
    """``blocks`` with the entries and ``@string`` blocks whose key is in ``keys`` marked as
    duplicates anew, as bibtexparser marks them: each after the first of its kind and key."""
    first: dict[tuple[str, str], bm.Block] = {}
    out = []
    for block in blocks:
        key, inner = _keyed(block)
        if key is None or key not in keys:
            out.append(block)
            continue
        earlier = first.setdefault(key, inner)
        out.append(inner if earlier is inner else bm.DuplicateBlockKeyBlock(
            key=inner.key, previous_block=earlier, duplicate_block=inner, start_line=inner.start_line, raw=inner.raw))
    return out


def block_spans(text: str, blocks: Sequence[bm.Block]) -> list[Span | None]:
    """The (start, end) offsets of each block's raw text in ``text``, in block order.

    Blocks come in file order, so each raw text is searched from the end of the previous
    one (or from the block start a failed block's raw text ends with); a block whose raw text cannot be found (never seen) has None and is never edited.
    """
    spans: list[Span | None] = []
    pos = 0
    for block in blocks:
        raw = block.raw
        if raw:
            # found where its first character next is, most often (a search for a long text costs more)
            start = text.find(raw[0], pos)
            if start >= 0 and not text.startswith(raw, start):
                start = text.find(raw, start)
        else:
            start = -1
        if start < 0:
            spans.append(None)
            continue
        spans.append((start, start + len(raw)))
        pos = start + len(raw)
        if type(block) is not bm.Entry and isinstance(block, bm.ParsingFailedBlock) and "@" in raw[1:]:
            # bibtexparser stopped at a block start ("@article{key" then "@misc{...") and
            # took it into this raw text: the next block starts there.
            at = start + raw.rfind("@")
            opener = _BLOCK_START_RE.match(text, at)
            if opener is not None and opener.end() == pos:
                pos = at
    return spans


def _blocks_with_comment_lines(text: str, blocks: Sequence[bm.Block], spans: Sequence[Span | None]) -> list[int]:
    """The indices of the blocks (other than text between blocks) that a ``%`` line starts
    or falls inside: the blocks that blanking that line can change."""
    placed = [(i, span) for i, (span, block) in enumerate(zip(spans, blocks))
              if span is not None and not isinstance(block, bm.ImplicitComment)]
    starts = [span[0] for _, span in placed]
    found: list[int] = []
    for match in _COMMENT_LINE_RE.finditer(text):
        line_start, line_end = match.start(), match.end()
        k = bisect_right(starts, line_end) - 1  # the last block starting at or before the line's end
        if k < 0:
            continue
        index, (start, end) = placed[k]
        if start > line_start or line_start < end:  # a block starts on the line, or the line is inside one
            if not found or found[-1] != index:
                found.append(index)
    return found


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
