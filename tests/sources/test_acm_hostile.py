"""The ACM table-of-contents source on hostile pages: deep nesting, unclosed tags, runaway markup.

Each page is the small real export tests/data/acm/authorize.html with something planted in it.
Nothing here may raise, hang, or lose the text around what was planted.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from bibsync.model import Entry
from bibsync.sources import ParseContext
from bibsync.sources.acm_html import line_at, tag_classes, title_link_starts
from bibsync.sources.acm_toc import source
from bibsync.sources.inputs import line_numbers
from locations import DATA

PAGE = (DATA / "acm" / "authorize.html").read_text(encoding="utf-8")
AUTHORS = ('<ul class="DLauthors"><li class="nameList First">Ana Souza</li>'
           '<li class="nameList Last">Kenji Watanabe</li></ul>')
assert PAGE.count(AUTHORS) == 1


def planted(abstract: str, authors: str = AUTHORS) -> str:
    """The page with an abstract (and author list) of our own for "Phone Barometers as Floor Detectors"."""
    return PAGE.replace(AUTHORS, f'{authors}<div class="DLabstract">{abstract}</div>')


def barometers(text: str) -> Entry:
    items = list(source.parse(text, ParseContext(filename="toc.html")))
    assert [type(i) for i in items] == [Entry, Entry, Entry]
    (entry,) = [e for e in items if e.title == "Phone Barometers as Floor Detectors"]
    return entry


@pytest.mark.parametrize("tag, depth", [("span", 1000), ("i", 1000), ("div", 1000), ("span", 100_000),
                                        ("div", 20_000)])
def test_deeply_nested_abstract_markup_is_read_not_a_recursion_error(tag, depth):
    nested = f"<{tag}>" * depth + "deep text" + f"</{tag}>" * depth
    entry = barometers(planted(f"<p>Start {nested} end.</p>"))
    if tag == "div":  # a block element: each one ends a paragraph
        assert entry.get("abstract") == "Start\n\ndeep text\n\nend."
    else:
        assert entry.get("abstract") == "Start deep text end."
    assert entry.get("year") == "2019" and [p.last for p in entry.authors] == ["Souza", "Watanabe"]


def test_deeply_nested_mathml_keeps_its_text():
    formula = "<math><mrow>" + "<mrow>" * 5000 + "<mi>n</mi><mo>+</mo><mn>1</mn>" + "</mrow>" * 5000 + "</mrow></math>"
    entry = barometers(planted(f"<p>Costs {formula} steps.</p>"))
    assert entry.get("abstract") == "Costs n+1 steps."


def test_nested_author_lists_and_title_links_are_read_once():
    authors = ('<ul class="DLauthors">' + '<li class="nameList">Ana Souza<ul>' * 3000
               + "</ul></li>" * 3000 + "</ul>")
    entry = barometers(planted("<p>Fine.</p>", authors))
    assert len(entry.authors) == 1 and entry.authors[0].last == "Souza"  # the outer item (holding the rest), once
    assert entry.get("abstract") == "Fine."


def test_class_of_a_raw_start_tag():
    assert tag_classes('<a href="x" class="DLtitleLink big"') == ["DLtitleLink", "big"]
    assert tag_classes("<A CLASS='b DLtitleLink' x=1") == ["b", "DLtitleLink"]
    assert tag_classes('<a title="class=DLtitleLink"') == []
    assert tag_classes('<a class="DLtitleLink') == ["DLtitleLink"]  # cut off inside the value
    text = '<p><a class="DLtitleLink">A</a> <a class=DLtitleLinks>B</a> <a title="class=DLtitleLink">C</a> <a class=x'
    assert title_link_starts(text) == [3]


def test_lines_counted_in_one_sweep_are_the_lines():
    rng = random.Random(3)
    text = "".join(rng.choice("ab\n") for _ in range(5000))
    positions = sorted(rng.randrange(len(text)) for _ in range(300))
    assert line_numbers(text, positions) == [line_at(text, p) for p in positions]


def run_parse(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    """``bibsync parse`` in a process of its own, stopped (and the test failed) if it hangs."""
    path = tmp_path / "toc.html"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "bibsync", "parse", str(path)], capture_output=True, text=True,
                          timeout=60)  # seconds this takes: well under one; before the fix: hours


@pytest.mark.parametrize("junk", ["<a class=x " * 3000, "<a " + "class=x " * 50_000, "<" * 100_000])
def test_runaway_markup_does_not_hang(tmp_path, junk):
    done = run_parse(tmp_path, planted("<p>Fine.</p>") + junk)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("@inproceedings{") == 3 and "Traceback" not in done.stderr


# --- an abstract that swallows the papers after it (QA review, item 12) ----------------------------

@pytest.mark.parametrize("unclosed", ["<div><b>" * 1000, "<b>", "<div>"])
def test_an_unclosed_abstract_does_not_hide_the_papers_after_it(unclosed):
    items = list(source.parse(planted(f"<p>Start {unclosed}unclosed"), ParseContext(filename="toc.html")))
    entries = [i for i in items if isinstance(i, Entry)]
    assert [e.title for e in entries] == ["Phone Barometers as Floor Detectors", "Counting Steps with Earbuds",
                                          "LTE Handover Traces from a Moving Train"]
    assert [p.last for p in entries[1].authors] == ["O’Neil"] and [p.last for p in entries[2].authors] == ["de Jong", "Na"]
    assert entries[0].get("abstract").startswith("Start")
    assert "Counting Steps" not in entries[0].get("abstract") and "O’Neil" not in entries[0].get("abstract")
    assert [e.origin.line for e in entries] == [9, 12, 18]
    warnings = [i for i in items if not isinstance(i, Entry)]
    if unclosed == "<b>":  # an inline element: the parser closes it at the block's end, nothing swallowed
        assert warnings == []
    else:
        [warning] = warnings
        assert warning.is_warning and warning.where() == "toc.html:9"
        assert "leaves an element open, and the page's next entries were inside it" in warning.message


def test_the_command_line_names_the_place_and_keeps_every_paper(tmp_path):
    page = tmp_path / "toc.html"
    page.write_text(planted("<p>Start " + "<div><b>" * 1000 + "unclosed"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bibsync", "parse", str(page)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0  # a warning: every paper is in the output
    assert done.stdout.count("@inproceedings{") == 3
    assert f"warning: {page}:9: the abstract of \"Phone Barometers as Floor Detectors\" leaves an element open" in \
        " ".join(done.stderr.split())
