"""The canonical BibTeX writer and its styles."""

import bibtexparser

from bibsync.bibtex.read import read_bibtex
from bibsync.bibtex.write import Style, format_entries, format_entry
from bibsync.model import Entry, Person

PAPER = Entry(
    "inproceedings",
    {
        "title": "MSRL: Distributed reinforcement learning with dataflow fragments",
        "booktitle": "USENIX Annual Technical Conference (USENIX ATC)",
        "pages": "977--993", "year": "2023", "publisher": "USENIX Assoc",
        "doi": "10.5555/x_y", "url": "https://example.org/a_b%20c",
        "abstract": "First & second.\n\nThird paragraph.", "series": "ATC '23",
    },
    authors=(Person("Zhu", "H."), Person("Özcan", "F."), Person("Da Costa Carmo", "L. F. R.")),
    authors_truncated=True,
    key="zhu2023msrl",
)

CANONICAL = """@inproceedings{zhu2023msrl,
  author = {Zhu, H. and Özcan, F. and Da Costa Carmo, L. F. R. and others},
  title = {{MSRL}: Distributed reinforcement learning with dataflow fragments},
  booktitle = {{USENIX} Annual Technical Conference ({USENIX} {ATC})},
  pages = {977--993},
  year = {2023},
  publisher = {USENIX Assoc},
  doi = {10.5555/x_y},
  url = {https://example.org/a_b%20c},
  abstract = {First \\& second.

Third paragraph.},
  series = {{ATC} '23},
}"""


def test_canonical_form():
    assert format_entry(PAPER) == CANONICAL


def test_ascii_and_file_style():
    text = format_entry(PAPER, Style(ascii=True, indent="\t", align_equals=True, field_case="upper",
                                     type_case="title", newline="\r\n"))
    lines = text.split("\r\n")
    assert lines[0] == "@Inproceedings{zhu2023msrl,"
    assert lines[1] == '\tAUTHOR    = {Zhu, H. and {\\"O}zcan, F. and Da Costa Carmo, L. F. R. and others},'
    assert lines[4] == "\tPAGES     = {977--993},"


def test_software_is_misc_unless_biblatex():
    sw = Entry("software", {"title": "CubicleOS", "year": "2020"}, key="k")
    assert format_entry(sw).startswith("@misc{k,")
    assert format_entry(sw, Style(biblatex=True)).startswith("@software{k,")


def test_output_reads_back_identically():
    text = format_entries([PAPER, PAPER.with_key("other")])
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    back = read_bibtex(text).entries
    assert back[0] == PAPER
    assert back[1] == PAPER.with_key("other")
