"""Detecting a .bib file's style, and writing new entries in it."""

from __future__ import annotations

from bibsync.bibtex.style import detect_style, delimited_value, encodable, format_new_entry
from bibsync.model import Entry, Person

ENTRY = Entry("inproceedings", {"title": "RAPPOR: Privacy & Ordinal Response", "year": "2014", "month": "nov",
                                "doi": "10.1145/2660267.2660348"},
              (Person("Erlingsson", "Úlfar"),), key="erlingsson2014rappor")


def style_of(text: str, **kw):
    raws = [chunk.strip() for chunk in text.split("\n\n") if chunk.strip().startswith("@")]
    gaps = ["\n\n"] * (len(raws) - 1)
    return detect_style(text, raws, gaps, **kw)


def test_empty_file_gets_the_canonical_style() -> None:
    style = detect_style("", [])
    assert style.base.indent == "  " and not style.base.ascii and style.newline == "\n"


def test_tabs_quotes_upper_case_and_bare_numbers() -> None:
    text = ('@ARTICLE{a,\n\tAUTHOR = "X",\n\tYEAR = 1999\n}\n\n'
            '@ARTICLE{b,\n\tAUTHOR = "Y",\n\tTITLE = "T",\n\tYEAR = 2001\n}\n')
    style = style_of(text)
    assert style.base.indent == "\t"
    assert style.base.field_case == "upper" and style.base.type_case == "upper"
    assert style.base.quotes and style.bare_numbers and not style.base.trailing_comma
    out = format_new_entry(ENTRY, style)
    assert out.startswith('@INPROCEEDINGS{erlingsson2014rappor,\n\tAUTHOR = "Erlingsson, {\\\'U}lfar",\n')
    assert '\tYEAR = 2014,\n\tMONTH = nov,\n' in out
    assert out.endswith('\tDOI = "10.1145/2660267.2660348"\n}')


def test_aligned_equals_and_trailing_commas() -> None:
    text = ("@Article{a,\n  author    = {X},\n  title     = {T},\n  publisher = {P},\n}\n\n"
            "@InProceedings{b,\n  author    = {Y},\n  booktitle = {B},\n}\n")
    style = style_of(text)
    assert style.base.align_equals and style.base.trailing_comma
    assert dict(style.type_spellings)["inproceedings"] == "InProceedings"
    out = format_new_entry(ENTRY, style).splitlines()
    assert out[0] == "@InProceedings{erlingsson2014rappor,"
    assert out[1:4] == ["  author = {Erlingsson, {\\'U}lfar},", "  title  = {{RAPPOR}: Privacy \\& Ordinal Response},",
                        "  year   = {2014},"]
    assert all(line.index("=") == 9 for line in out[1:-1])


def test_utf8_file_gets_utf8_and_ascii_file_gets_escapes() -> None:
    utf8 = style_of("@article{a,\n  author = {Müller, Jürgen},\n  title = {T}\n}\n")
    escaped = style_of('@article{a,\n  author = {M{\\"u}ller, J{\\"u}rgen},\n  title = {T}\n}\n')
    plain = style_of("@article{a,\n  author = {Smith, Jo},\n  title = {T}\n}\n")
    assert not utf8.base.ascii and escaped.base.ascii and plain.base.ascii
    assert "Erlingsson, Úlfar" in format_new_entry(ENTRY, utf8)
    assert "Erlingsson, {\\'U}lfar" in format_new_entry(ENTRY, escaped)


def test_crlf_blank_lines_and_closing_brace() -> None:
    text = "@article{a,\r\n  title = {T},\r\n  year = {1}}\r\n\r\n\r\n@article{b,\r\n  title = {U}}\r\n"
    raws = ["@article{a,\r\n  title = {T},\r\n  year = {1}}", "@article{b,\r\n  title = {U}}"]
    style = detect_style(text, raws, ["\r\n\r\n\r\n"])
    assert style.newline == "\r\n" and style.base.blank_lines == 2 and not style.close_own_line
    assert format_new_entry(ENTRY, style).endswith("10.1145/2660267.2660348}}")
    assert "\n" not in format_new_entry(ENTRY, style).replace("\r\n", "")


def test_alphabetical_fields_and_double_braced_titles() -> None:
    text = ("@article{a,\nauthor = {X},\ntitle = {{A Title}},\nyear = {1}\n}\n"
            "@article{b,\nauthor = {Y},\njournal = {J},\ntitle = {{Another}},\nyear = {2}\n}\n")
    raws = ["@article{a,\nauthor = {X},\ntitle = {{A Title}},\nyear = {1}\n}",
            "@article{b,\nauthor = {Y},\njournal = {J},\ntitle = {{Another}},\nyear = {2}\n}"]
    style = detect_style(text, raws, ["\n"])
    assert style.alphabetical and style.title_double_braces and style.base.indent == ""
    assert style.base.blank_lines == 0
    lines = format_new_entry(ENTRY, style).splitlines()
    assert [line.split(" = ")[0] for line in lines[1:-1]] == ["author", "doi", "month", "title", "year"]
    assert "title = {{RAPPOR: Privacy \\& Ordinal Response}}," in lines


def test_biblatex_files_get_biblatex_names() -> None:
    style = style_of("@article{a,\n  journaltitle = {J},\n  date = {2020-01}\n}\n")
    assert style.base.biblatex
    article = Entry("article", {"title": "T", "journal": "Journal", "address": "London"}, key="k")
    out = format_new_entry(article, style)
    assert "journaltitle = {Journal}" in out and "location = {London}" in out


def test_values_keep_identifiers_verbatim_and_months_bare() -> None:
    style = style_of("@article{a,\n  title = {T}\n}\n")
    assert delimited_value("url", "https://x.org/a_b%20c", style) == "{https://x.org/a_b%20c}"
    assert delimited_value("month", "jan", style) == "jan"
    assert delimited_value("title", 'A "quoted" word', style) == '{A "quoted" word}'


def test_encodable_escapes_what_latin1_cannot_hold() -> None:
    assert encodable("Dvořák Ørsted", "latin-1") == "Dvo{\\v{r}}ák Ørsted"
    assert encodable("Dvořák", "utf-8") == "Dvořák"
