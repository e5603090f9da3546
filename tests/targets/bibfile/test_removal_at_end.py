"""Removing the file's last entry (a review merged it away) leaves the file as if the entry had
never been there: the blank line that led to it goes with it, and a file ends as it did."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.plan import Change, Plan
from bibsync.model import Entry
from bibsync.targets.bibfile.target import BibFileTarget
from locations import DATA

LAST = DATA / "review" / "duplicate-last.bib"
FIRST_TWO = ('@string{socc = "Proceedings of the ACM Symposium on Cloud Computing"}\n\n'
             "@inproceedings{misono2024uio,\n")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_removing_the_last_entry_takes_the_gap_before_it(tmp_path, newline):
    bib = tmp_path / "m.bib"
    text = LAST.read_text().replace("\n", newline)
    bib.write_bytes(text.encode())
    target = BibFileTarget(bib)
    target.load()
    assert target.render(Plan([]), [1])[0] == text[:text.index("@inproceedings{misono2024uio-b")].rstrip() + newline
    assert target.render(Plan([]), [0, 1])[0] == text[:text.index("@inproceedings")].rstrip() + newline
    added = Entry("misc", {"title": "New"}, key="new2024")
    with_add = target.render(Plan([Change("add", added, key="new2024", result=added)]), [1])[0]
    assert with_add.endswith("year = 2024," + newline + "}" + newline + newline + "@misc{new2024," + newline
                             + "  title = {New}," + newline + "}" + newline)


def test_a_review_merge_of_the_last_entry_leaves_no_blank_line_at_the_end(tmp_path):
    bib = tmp_path / "m.bib"
    shutil.copy(LAST, bib)
    result = CliRunner().invoke(app, ["review", "--into", str(bib)], input="m\n\n",
                                env={"BIBSYNC_INTERACTIVE": "1", "COLUMNS": "150", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "1 merged, 0 added, 1 removed as duplicates" in result.output
    text = bib.read_text()
    assert text.startswith(FIRST_TWO) and text.endswith("  ids = {misono2024uio-b},\n}\n")
    assert "misono2024uio-b," not in text and "\n\n\n" not in text
