"""Scanning one entry's text and editing it minimally."""

from __future__ import annotations

import pytest

from bibsync.bibtex.splice import (LayoutError, LineStyle, NewField, apply_edits, entry_line_style, scan_entry,
                                   splice_entry)

RANKS = {"author": 0, "title": 2, "booktitle": 3, "journal": 4, "pages": 8, "year": 9, "month": 10,
         "publisher": 11, "doi": 15, "url": 16}
DEFAULT = LineStyle("  ", " = ", None, "\n", True)


def rank(name: str) -> tuple:
    return (RANKS.get(name.lower(), 99), name.lower())


def new(name: str, value: str) -> NewField:
    return NewField(name, value, rank(name))


def test_scan_finds_fields_values_and_commas() -> None:
    raw = '@Article{k1,\n  Author = "A {B}",\n  title={T {x}},\n  journal = acm # " Press",\n  year = 2020\n}'
    layout = scan_entry(raw)
    assert (layout.type_name, layout.key) == ("Article", "k1")
    assert [f.name for f in layout.fields] == ["Author", "title", "journal", "year"]
    assert [layout.value_of(f) for f in layout.fields] == ['"A {B}"', "{T {x}}", 'acm # " Press"', "2020"]
    assert [f.comma is not None for f in layout.fields] == [True, True, True, False]
    assert all(f.own_line for f in layout.fields)
    assert raw[layout.close] == "}"


def test_scan_parenthesis_entries_and_inline_fields() -> None:
    layout = scan_entry("@book(k, title = {A, B}, year = 1999)")
    assert [(f.name, f.own_line) for f in layout.fields] == [("title", False), ("year", False)]
    assert layout.raw[layout.close] == ")"


@pytest.mark.parametrize("raw", ["@misc{k, title = {unclosed}", "@misc{k, title {x}}", "not an entry",
                                 '@misc{k, title = "open}'])
def test_scan_rejects_malformed_text(raw: str) -> None:
    with pytest.raises(LayoutError):
        scan_entry(raw)


def test_new_field_goes_on_its_own_line_after_its_predecessor() -> None:
    raw = "@article{k,\n  author = {A},\n  title = {T},\n  year = {2020},\n}"
    out = splice_entry(raw, {}, [new("pages", "{1--2}")], DEFAULT, rank)
    assert out == "@article{k,\n  author = {A},\n  title = {T},\n  pages = {1--2},\n  year = {2020},\n}"


def test_new_field_before_a_last_field_without_comma_changes_no_existing_line() -> None:
    raw = "@article{k,\n  author = {A},\n  year = {2020}\n}"
    out = splice_entry(raw, {}, [new("doi", "{10.1/x}")], DEFAULT, rank)
    assert out == "@article{k,\n  author = {A},\n  doi = {10.1/x},\n  year = {2020}\n}"


def test_new_field_takes_the_entry_alignment_and_indent() -> None:
    raw = "@article{k,\n\tauthor    = {A},\n\ttitle     = {T},\n\tyear      = {2020},\n}"
    out = splice_entry(raw, {}, [new("pages", "{1--2}"), new("publisher", "{ACM}")], DEFAULT, rank)
    assert "\n\tpages     = {1--2},\n\tyear      = {2020},\n\tpublisher = {ACM},\n}" in out


def test_separator_without_spaces_is_kept() -> None:
    raw = "@article{k,\n  title={T},\n  year={2020}\n}"
    out = splice_entry(raw, {}, [new("doi", "{d}")], DEFAULT, rank)
    assert out == "@article{k,\n  title={T},\n  doi={d},\n  year={2020}\n}"


def test_closing_brace_on_the_last_field_line() -> None:
    raw = "@article{k,\n\tauthor = {A},\n\tyear = {2020}}"
    out = splice_entry(raw, {}, [new("url", "{u}")], DEFAULT, rank)
    assert out == "@article{k,\n\tauthor = {A},\n\turl = {u},\n\tyear = {2020}}"


def test_single_line_entry_gets_inline_fields() -> None:
    out = splice_entry("@misc{k, title={x}, year=2000}", {}, [new("author", "{Q}"), new("doi", "{d}")], DEFAULT, rank)
    assert out == "@misc{k, author = {Q}, title={x}, year=2000, doi = {d}}"


def test_entry_without_fields() -> None:
    assert splice_entry("@misc{k,\n}", {}, [new("doi", "{d}")], DEFAULT, rank) == "@misc{k,\n  doi = {d},\n}"
    assert splice_entry("@misc{k}", {}, [new("doi", "{d}")], DEFAULT, rank) == "@misc{k,\n  doi = {d},\n}"


def test_replaced_value_keeps_name_spacing_and_comma() -> None:
    raw = '@article{k,\n  TITLE   =   "Old",\n  year = 1999\n}'
    out = splice_entry(raw, {"TITLE": '"New"', "year": "2000"}, [], DEFAULT, rank)
    assert out == '@article{k,\n  TITLE   =   "New",\n  year = 2000\n}'


def test_removal_and_type_rename() -> None:
    raw = "@article{k,\n  title = {T},\n  note = {n},\n  year = {2020}\n}"
    out = splice_entry(raw, {}, [], DEFAULT, rank, remove=["note"], new_type="inproceedings")
    assert out == "@inproceedings{k,\n  title = {T},\n  year = {2020}\n}"
    inline = splice_entry("@misc{k, note = {n}, year = 1}", {}, [], DEFAULT, rank, remove=["note"])
    assert inline == "@misc{k, year = 1}"


def test_crlf_entry_gets_crlf_lines() -> None:
    raw = "@article{k,\r\n  title = {T},\r\n  year = {2020},\r\n}"
    style = LineStyle("  ", " = ", None, "\r\n", True)
    out = splice_entry(raw, {}, [new("pages", "{1}")], style, rank)
    assert out == "@article{k,\r\n  title = {T},\r\n  pages = {1},\r\n  year = {2020},\r\n}"


def test_entry_line_style_reads_alignment() -> None:
    layout = scan_entry("@a{k,\n  author    = {A},\n  title     = {T}\n}")
    style = entry_line_style(layout, DEFAULT)
    assert style.align_column == 12 and style.trailing_comma is False


def test_apply_edits_refuses_overlaps_and_orders_insertions() -> None:
    assert apply_edits("abcdef", [(2, 2, 1, "Y"), (2, 2, 0, "X"), (4, 5, 0, "")]) == "abXYcdf"
    with pytest.raises(LayoutError):
        apply_edits("abcdef", [(1, 4, 0, ""), (2, 3, 0, "x")])
