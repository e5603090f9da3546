"""A block bibsync reads whole but BibTeX reads on past: new entries still go where BibTeX reads them.

bibtexparser ends a quoted value at its closing quote and skips ``\\{``; BibTeX counts every
brace, inside quotes and after a backslash too, and reads on until they balance (to the end
of the file if they never do). It also reads ``@`` on a ``%`` line, which bibsync takes for
a comment. Each case says what bibsync should report and which entries BibTeX loses; the
TeX test checks every prediction against the installed ``bibtex``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.bibtex.read import OPEN_KIND, OPEN_TO_END_KIND
from bibsync.cli import app
from bibsync.model import Entry, Person
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
from tex_tools import bibtex_keys, missing_tools

NEW = Entry("article", {"title": "Zyxwv qwerty unmatched paper", "journal": "Letters on Rings", "year": "2031"},
            (Person("Roe", "Ann"),), key="roe2031zyxwv")
GOOD = "@article{good,\n  author = {Doe, Jane},\n  title = {Good paper},\n  journal = {J},\n  year = {2000},\n}\n\n"
LATER = '@inproceedings{later,\n  author =\t"Poe, Pat",\n  title =\t"After",\n  booktitle =\t"K",\n  year =\t"2018"\n}\n'
# The QA repro: ACL style, a "{" alone inside a quoted title.
ACL = '@inproceedings{acl,\n  author =\t"Doe, Jane",\n  title =\t"First {Paper on Widgets",\n  year =\t"2020"\n}\n\n'

# (text after GOOD, kind reported for the block at line 8 or None, the keys bibtex loses)
CASES = [
    (ACL + LATER, OPEN_TO_END_KIND, {"later"}),
    (ACL, OPEN_TO_END_KIND, set()),
    ('@misc{esc,\n  title = "50\\{ percent",\n}\n\n' + LATER, OPEN_TO_END_KIND, {"later"}),  # \{ counts
    ('@misc(paren,\n  title = "x {y"\n)\n\n' + LATER, OPEN_TO_END_KIND, {"later"}),
    ("% @misc{old, title = {Old\n\n" + LATER, OPEN_TO_END_KIND, {"later"}),  # bibtex reads % lines
    # bibtex reads on into "later" and the quoted "}" of "shut", then sees "after" again
    ('@misc{q,\n  title = "x {y",\n}\n\n' + LATER + '@misc{shut,\n  title = "}",\n}\n\n'
     '@misc{after,\n  title = {A},\n}\n', OPEN_KIND, {"later", "shut"}),
    # read differently but not past the end: nothing to report
    ("@misc{braced,\n  title = {50\\{ percent},\n  year = 2001,\n}\n\n" + LATER, None, set()),
    ('@misc{lone,\n  title = "x }y",\n}\n\n' + LATER, None, set()),
    ("% @misc{old, title = {Old}}\n\n" + LATER, None, set()),
    ("@comment{mail me at x@y.org}\n\n" + LATER, None, set()),
]
IDS = ["acl-then-later", "acl-last", "backslash-brace", "parens", "percent-line", "into-next-only",
       "braced-backslash", "lone-closer", "closed-percent-line", "comment-with-at"]


def _reported(path: Path):
    target = BibFileTarget(path)
    target.load()
    return [f for f in target.failures if f.kind in (OPEN_KIND, OPEN_TO_END_KIND)]


@pytest.mark.parametrize(("tail", "kind", "lost"), CASES, ids=IDS)
def test_bibsync_reports_what_bibtex_reads_on_past(tmp_path: Path, tail: str, kind: str | None, lost: set) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + tail)
    found = _reported(path)
    if kind is None:
        assert found == []
        return
    (failure,) = found
    assert (failure.where(), failure.kind) == (f"{path}:8", kind)
    assert not lost or f"entry {min(lost)!r}" in failure.message or f"from {min(lost)!r} on" in failure.message


@pytest.mark.parametrize(("tail", "kind", "lost"), CASES, ids=IDS)
def test_new_entries_go_before_a_block_bibtex_reads_to_the_end(tmp_path: Path, tail: str, kind: str | None,
                                                               lost: set) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + tail)
    assert run_sync(None, BibFileTarget(path), incoming=[NEW], decisions=None).report.added == 1
    text = path.read_text()
    if kind == OPEN_TO_END_KIND:
        assert text.startswith(GOOD + "@article{roe2031zyxwv,\n") and text.endswith("}\n\n" + tail)
    else:
        assert text.startswith(GOOD + tail)  # appended: bibtex reads it there


@pytest.mark.skipif(bool(missing_tools()), reason="TeX tools missing")
def test_bibtex_itself_agrees(tmp_path: Path) -> None:
    for number, (tail, kind, lost) in enumerate(CASES):
        path = tmp_path / f"refs{number}.bib"
        path.write_text(GOOD + tail)
        read = {e.key for e in BibFileTarget(path).load()}
        before = set(bibtex_keys(GOOD + tail + "\n@misc{appended,\n  title = {A},\n}\n", tmp_path / f"before{number}"))
        assert ("appended" not in before) is (kind == OPEN_TO_END_KIND), IDS[number]
        run_sync(None, BibFileTarget(path), incoming=[NEW], decisions=None)
        after = set(bibtex_keys(path.read_text(), tmp_path / f"after{number}"))
        # "old" is on a % line: bibtex reads it, bibsync takes it for a comment
        assert after - {"old"} == (read - lost) | {"roe2031zyxwv"}, IDS[number]


def test_check_names_the_entry_and_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + ACL + LATER)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 3, result.output
    assert (f"{path}:8: @inproceedings{{acl has a brace that bibtex does not see closed (bibtex counts the braces "
            "inside quotes and after a backslash too): bibtex reads the rest of the file as part of it (the entry "
            "'later'); new entries that bibsync adds go before it") in result.output
    assert "bibtex reads on past the end of 1 entry (see the standard error)" in result.output
