"""Where several entries of a file share one key, the text outputs name each by its line, as
the review screens do (QA R5a): ``dedupe``'s groups and ``sync``'s change list.

tests/data/cli/shared-key.bib: ``smith2020`` three times (a robots paper at lines 1 and 15, its
proceedings version, and a bread paper at line 8); shared-key-source.bib completes two of them.
"""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from bibsync.cli import app
from locations import DATA

SHARED = DATA / "cli" / "shared-key.bib"
SOURCE = DATA / "cli" / "shared-key-source.bib"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
runner = CliRunner()


def test_dedupe_names_the_entries_of_a_shared_key_by_their_lines(tmp_path):
    bib = tmp_path / "d.bib"
    shutil.copy(SHARED, bib)
    result = runner.invoke(app, ["dedupe", str(bib)], env=ENV)
    assert result.exit_code == 3
    assert "match  0.99 smith2020 (line 1), smith2020 (line 15)\n" in result.output


def test_the_sync_change_list_says_which_entry_of_a_shared_key_changes(tmp_path):
    bib = tmp_path / "d.bib"
    shutil.copy(SHARED, bib)
    result = runner.invoke(app, ["sync", str(SOURCE), "--into", str(bib), "--dry-run"], env=ENV)
    assert result.exit_code == 0, result.output
    changes = [line for line in result.output.splitlines() if line.startswith(("~", "    "))]
    assert changes[:4] == [
        "~ smith2020 (line 8)  Smith 2020: A Theory of Quantum Bread Baking",
        "    doi: - -> 10.1234/bread.2020",
        "~ smith2020 (line 1)  Smith 2020: Learning to Rank Gardening Robots at Scale",
        "    volume: - -> 7",
    ]


def test_a_key_no_other_entry_carries_is_named_alone(tmp_path):
    bib = tmp_path / "d.bib"
    bib.write_text(SHARED.read_text().replace("@article{smith2020,\n  author = {Smith, Alice}",
                                              "@article{smith2020bread,\n  author = {Smith, Alice}"))
    result = runner.invoke(app, ["sync", str(SOURCE), "--into", str(bib), "--dry-run"], env=ENV)
    assert "~ smith2020bread  Smith 2020: A Theory of Quantum Bread Baking" in result.output
    assert "~ smith2020 (line 1)  Smith 2020: Learning to Rank Gardening Robots at Scale" in result.output
