"""How far BibTeX reads a block bibsync cannot parse: checked against BibTeX itself.

Each case is a broken last block; the question is whether an entry appended after it is read
by BibTeX (the answers were first taken from BibTeX 0.99d by hand, and are checked against
the installed ``bibtex`` when it is there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bibsync.bibtex.reach import APPENDED, block_reading_past_end, reading_end
from tex_tools import bibtex_keys, missing_tools

GOOD = "@article{good, author = {Doe, J.}, title = {Good}, journal = {J}, year = {2000}}\n"
NEW = "@article{newone,\n  author = {Roe, Jane},\n  title = {A new paper},\n  journal = {J},\n  year = {2024},\n}\n"
# (broken last block, whether BibTeX reads what is appended as part of it)
CASES = [
    ("@article{x, author = {A, B}, title = {Foo", True),  # a braced value never closed
    ('@article{x, author = {A, B}, title = "Foo', True),  # a quoted one
    ("@article{x, author = {A, B}, title = {Foo {Bar}", True),  # nested
    ("@article{x, author = {A, B}, title = {Foo},", True),  # "@article" read as the next field's name
    ("@article{", True),  # "@misc{..." read as the key
    ("@string{s = {Foo", True),
    ('@preamble{ "Foo', True),
    ('@article{x, title = "a" # {b', True),  # a concatenation left open
    ("@article(x, title = {Foo", True),
    ("@article{x, author = {A, B}, title = {Foo}", False),  # the appended "@" is a syntax error: read again from it
    ("@article{x", False),
    ("@article{x, title = {Foo}, journal = {J}, year = 2000", False),
    ("@comment{ Foo", False),  # BibTeX skips @comment to the next "@"
    ("@article(x, title = {Foo}", False),
    ("@artic", False),
    ("@article{x,\n  title = {T},\n% note = {a", False),  # "%" is no field name: a syntax error
]


@pytest.mark.parametrize(("broken", "swallows"), CASES)
def test_what_bibtex_reads_after_a_broken_last_block(broken: str, swallows: bool) -> None:
    text = GOOD + broken
    assert (block_reading_past_end(text, 0) == len(GOOD)) is swallows
    assert block_reading_past_end(text, 0) in (len(GOOD), None)


@pytest.mark.skipif(bool(missing_tools()), reason="TeX tools missing")
def test_bibtex_itself_agrees(tmp_path: Path) -> None:
    for number, (broken, swallows) in enumerate(CASES):
        keys = bibtex_keys(GOOD + broken + "\n\n" + NEW, tmp_path / str(number))
        assert "good" in keys and ("newone" not in keys) is swallows, broken


def test_a_closed_block_ends_after_its_closing_delimiter() -> None:
    text = "@misc{a, title = {T {nested}} # \" and \" # macro, year = 2000}\n@misc{b,}\n"
    assert reading_end(text, 0) == text.index("\n")
    assert reading_end("@comment{ skipped } @misc{b,}", 0) == len("@comment")
    assert APPENDED.lstrip().startswith("@")
