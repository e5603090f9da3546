"""Every command that says "--verbose lists them" takes --verbose; warnings are summarised on
standard error (check too) and a line of file:line places is never wrapped off a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app

DUPLICATES = 6


def _bib(folder: Path) -> Path:
    """A .bib with six entries under one key, one entry lacking its venue, and a broken block;
    in a folder with a long name, so that a line of places is longer than any terminal."""
    deep = folder / ("a-folder-with-a-rather-long-name-" * 3)
    deep.mkdir()
    entries = [f"@article{{dup,\n  author = {{Writer{i}, Ann}},\n  title = {{Title number {i} about things}},\n"
               f"  journal = {{J}},\n  year = {{2020}},\n}}\n" for i in range(DUPLICATES)]
    entries.append("@inproceedings{novenue,\n  author = {X, Y},\n  title = {No venue},\n  year = {2020},\n}\n")
    entries.append("@article{broken,\n  title = {x\n\n")
    path = deep / "refs.bib"
    path.write_text("\n".join(entries))
    return path


def _lines_of(path: Path) -> list[int]:
    text = path.read_text()
    return [text[:i].count("\n") + 1 for i in range(len(text)) if text.startswith("@article{dup,", i)]


def _commands(path: Path, listing: Path) -> dict[str, list[str]]:
    return {
        "dedupe": ["dedupe", str(path)],
        "check": ["check", str(path)],
        "match": ["match", str(listing), "--against", str(path)],
        "sync": ["sync", str(listing), "--into", str(path), "--dry-run"],
        "parse": ["parse", str(path)],
    }


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    listing = tmp_path / "listing.bib"
    listing.write_text("@article{new2024, author = {New, Ann}, title = {Something Else Entirely},"
                       " journal = {K}, year = {2024}}\n")
    return _bib(tmp_path), listing


@pytest.mark.parametrize("name", ["dedupe", "check", "match", "sync", "parse"])
def test_summary_then_verbose_for_every_command_that_offers_it(files, name: str) -> None:
    path, listing = files
    args = _commands(path, listing)[name]
    runner = CliRunner()
    short = runner.invoke(app, args, env={"COLUMNS": "60"})
    assert "Traceback" not in short.output and short.exit_code in (0, 1, 3), short.output
    places = [f"{path}:{line}" for line in _lines_of(path)[1:]]  # the first of a key is not a duplicate
    summary = [line for line in short.stderr.splitlines() if "with a duplicate key" in line]
    assert len(summary) == 1, short.stderr  # one line for the kind, not wrapped at 60 columns
    assert summary[0].startswith(f"warning: {DUPLICATES - 1} entries with a duplicate key (both kept): ")
    assert ", ".join(places[:3]) in summary[0] and summary[0].endswith("and 2 more (--verbose lists them)")
    assert short.stderr.count("hint: rename one of them") == 1
    verbose = runner.invoke(app, [*args, "--verbose"], env={"COLUMNS": "60"})
    assert verbose.exit_code == short.exit_code, verbose.output
    assert "--verbose lists" not in verbose.stderr
    for place in places:
        assert f"{place}: duplicate key 'dup'; both entries kept" in verbose.stderr
    assert verbose.stderr.count("hint: rename one of them") == 1


def test_check_prints_its_findings_on_stdout_and_the_file_problems_on_stderr(files) -> None:
    path, _ = files
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 3
    line = path.read_text()[:path.read_text().index("@inproceedings")].count("\n") + 1
    assert result.stdout.splitlines() == [
        f"{path}:{line}: novenue (@inproceedings) lacks booktitle",
        f"1 of {DUPLICATES + 1} entries lacks a field its type requires (BibTeX warns 'empty FIELD in KEY')"]
    assert "is never closed: bibtex reads the rest of the file" in result.stderr and "duplicate key" not in result.stdout


def test_each_command_that_prints_the_hint_takes_the_option(files) -> None:
    path, listing = files
    runner = CliRunner()
    for name, args in _commands(path, listing).items():
        result = runner.invoke(app, args)
        if "--verbose" in result.stderr:
            help_text = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"}).stdout
            assert "--verbose" in help_text, name
