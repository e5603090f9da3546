"""`bibsync check` on a file with a block it cannot read (the last entry never closed): the
block is named with its line, and the exit code says the file is not clean."""

from __future__ import annotations

from typer.testing import CliRunner

from bibsync.cli import app

runner = CliRunner()
UNCLOSED = ("@article{good2019,\n  author = {Good, A},\n  title = {Good},\n  journal = {J},\n  year = {2019},\n}\n\n"
            "@article{unclosed2020,\n  author = {Open, Ended},\n  title = {Never closed},\n  year = {2020},\n")


def test_check_names_an_unreadable_block_and_exits_3(tmp_path):
    bib = tmp_path / "u.bib"
    bib.write_text(UNCLOSED)
    result = runner.invoke(app, ["check", str(bib)], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        "its one entry has the fields its type requires",
        "1 block cannot be read (see the standard error), so its entries were not checked"]
    assert f"{bib}:8: @article{{unclosed2020 is never closed" in result.stderr and "  hint: " in result.stderr
    assert bib.read_text() == UNCLOSED


def test_a_clean_file_still_exits_0(tmp_path):
    bib = tmp_path / "c.bib"
    bib.write_text(UNCLOSED.replace("  year = {2020},\n", "  journal = {J},\n  year = {2020},\n}\n"))
    result = runner.invoke(app, ["check", str(bib)], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0 and result.stdout == "all 2 entries have the fields their types require\n"
