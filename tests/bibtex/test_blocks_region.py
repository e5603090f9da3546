"""Reading a file with ``%`` lines inside or before its blocks parses again only the stretch
around them; what comes out is what a parse of the whole file with its comment lines blanked
gives: the same blocks, spans, lines and duplicate-key marking."""

from __future__ import annotations

import logging
import os

import bibtexparser
from bibtexparser import model as bm
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bibsync.bibtex import blocks as blocks_module
from bibsync.bibtex.blocks import block_spans, mask_comment_lines, parse_blocks
from bibsync.bibtex.read import read_bibtex

# BIBSYNC_PROPERTY_EXAMPLES=2000 for a longer search (300 keeps the suite fast: the texts are small).
PROPS = settings(max_examples=int(os.environ.get("BIBSYNC_PROPERTY_EXAMPLES", "300")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])

logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # it logs every broken block

KEYS = ["a", "a", "b", "B", "dup"]
# Lines of every kind a real file has, and of the kinds that cut a block short or leave it open.
LINES = [
    "% @article{x, title={y}}", "% a comment", "%% header", "  % indented comment", "% doi = {10.1/x},",
    "% @article{ghost,", "% @comment{ commented comment", "% @string{acm = \"Old\"}", "% }", "%",
    "@comment{ unbalanced { here }", "@comment{x}", "@preamble{ \"\\noop\" }", '@string{acm = "ACM"}',
    "@string{acm = {Again}}", "@misc{open, title = {never closed", "@article{nokeycomma", "@string{s = \"open",
    "  title = {T},", "  note = {50\\% of it", "  year = 2001", "}", "}}", ")", "free text",
    "see @misc{inline, title = {In text}} here", "mail me at roe@example.org", "  @misc{indented, title = {I}}",
    "@misc(paren, title = {P})", "@misc(parenopen, title = {P}", '  note = "a', '% b"', "",
]


@st.composite
def entry(draw) -> str:
    """An entry with a few fields, now and then a ``%`` line between them or a missing comma."""
    key = draw(st.sampled_from(KEYS))
    fields = [f"  {name} = {{{name.title()} {i}}}" for i, name in
              enumerate(draw(st.lists(st.sampled_from(["title", "note", "doi", "year", "title"]), max_size=4)))]
    body = []
    for line in fields:
        if draw(st.integers(0, 3)) == 0:
            body.append(draw(st.sampled_from(["% doi = {10.1/old},", "  % year = 1999,", "% @misc{inner, a = {b}}"])))
        body.append(line + draw(st.sampled_from([",", ",", ""])))
    open_, close = draw(st.sampled_from([("{", "}"), ("{", "}"), ("(", ")"), ("{", "")]))
    kind = draw(st.sampled_from(["article", "InProceedings", "misc"]))
    return "\n".join([f"@{kind}{open_}{key},", *body, close])


@st.composite
def bib_text(draw) -> str:
    pieces = draw(st.lists(st.one_of(entry(), st.sampled_from(LINES)), max_size=14))
    text = "\n".join(pieces) + draw(st.sampled_from(["", "\n", "\n\n"]))
    return text.replace("\n", "\r\n") if draw(st.integers(0, 4)) == 0 else text


def full_masked_parse(text: str) -> tuple[list[bm.Block], list, list[int]]:
    """The reference: the whole text parsed once with every comment line blanked."""
    masked = mask_comment_lines(text)
    blocks = list(bibtexparser.parse_string(masked, parse_stack=[]).blocks)
    return blocks, block_spans(masked, blocks), [block.start_line + 1 for block in blocks]


def described(blocks: list[bm.Block], spans: list, lines: list[int]) -> list[tuple]:
    """Every block but text between blocks (which bibsync never reads), as comparable values:
    kind, raw text, span, line, what was parsed from it, and which block a duplicate repeats."""
    shown = [i for i, block in enumerate(blocks) if not isinstance(block, bm.ImplicitComment)]
    place_of = {id(blocks[i]): place for place, i in enumerate(shown)}
    out = []
    for place, i in enumerate(shown):
        block, span, line = blocks[i], spans[i], lines[i]
        inner = block.ignore_error_block if isinstance(block, bm.ParsingFailedBlock) else None
        parsed: tuple = ()
        for b in (block, inner):
            if isinstance(b, bm.Entry):
                parsed += (b.entry_type, b.key, tuple((f.key, f.value) for f in b.fields))
            elif isinstance(b, bm.String):
                parsed += (b.key, b.value)
        if isinstance(block, bm.DuplicateBlockKeyBlock):
            parsed += ("repeats", place_of[id(block.previous_block)])
        if isinstance(block, bm.DuplicateFieldKeyBlock):
            parsed += ("fields", tuple(sorted(block.duplicate_keys)))
        out.append((place, type(block).__name__, block.raw, span, line, parsed))
    return out


@PROPS
@given(bib_text())
def test_the_region_reparse_equals_a_full_masked_parse(text: str) -> None:
    fast = parse_blocks(text)
    assert described(*fast) == described(*full_masked_parse(text))


@PROPS
@example("@article{nokeycomma\r\n% @article{x, title={y}}\r\nsee @misc{inline, title = {In text}} here\r\n"
         "@comment{ unbalanced { here }\r\nsee @misc{inline, title = {In text}} here", "@misc{pad, title = {P}}")
@given(bib_text(), st.sampled_from(["@misc{pad, title = {P}}", "@string{acm = {X}}", "@article{a, t = {u}}"]))
def test_it_holds_in_a_longer_file_too(text: str, pad: str) -> None:
    text = "\n".join([pad] * 5) + "\n" + text + "\n" + "\n".join([pad] * 5) + "\n"
    assert described(*parse_blocks(text)) == described(*full_masked_parse(text))


def test_one_commented_entry_in_a_long_file_parses_only_its_stretch_again(monkeypatch) -> None:
    entries = [f"@article{{k{i},\n  title = {{Paper {i}}},\n  year = 2020,\n}}\n" for i in range(400)]
    text = "".join(entries[:3]) + "% @article{x, title={y}}\n" + "".join(entries[3:])
    parsed_lengths = []
    real_parse = bibtexparser.parse_string
    monkeypatch.setattr(blocks_module.bibtexparser, "parse_string",
                        lambda s, **kw: parsed_lengths.append(len(s)) or real_parse(s, **kw))
    fast = parse_blocks(text)
    assert parsed_lengths[0] == len(text) and len(parsed_lengths) == 2
    assert parsed_lengths[1] < 3 * len(entries[0])  # the stretch between two entries, not the file
    assert [b.key for b in fast.blocks if isinstance(b, bm.Entry)] == [f"k{i}" for i in range(400)]
    line_of = {b.key: line for b, line in zip(fast.blocks, fast.lines) if isinstance(b, bm.Entry)}
    assert line_of["k2"] == 9 and line_of["k3"] == 14 and line_of["k399"] == 1598  # 4 lines each, 1 commented
    assert described(*fast) == described(*full_masked_parse(text))


def test_a_commented_out_comment_block_does_not_swallow_the_entry_after_it() -> None:
    # biber reads line 2 as text with an entry in it; the "@comment{" is on a comment line.
    doc = read_bibtex("% @comment{ old notes\nsee also @misc{y, title = {Zebra}} }\n")
    assert [(e.key, e.title, e.origin.line) for e in doc.entries] == [("y", "Zebra", 2)]


def test_an_entry_after_a_block_cut_short_on_its_first_line_is_found_in_its_place() -> None:
    # bibtexparser's raw text of "@article{key" runs on into the "@misc" that cut it short.
    text = "@article{key\n@misc{b, title = {T}}\n@misc{c, title = {C}}\n@misc{b, title = {T}}\n"
    doc = read_bibtex(text)
    assert [e.key for e in doc.entries] == ["b", "c", "b"]
    assert doc.entry_spans == [(13, 34), (35, 56), (57, 78)]
    assert [text[a:b] for a, b in doc.entry_spans] == ["@misc{b, title = {T}}", "@misc{c, title = {C}}",
                                                       "@misc{b, title = {T}}"]
