"""Problems found in a target or a source are summarised: one line per kind, the hint once."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.cli.failure_summary import summarise
from bibsync.model import Failure

LISTING = ("@article{fresh, author = {Roe, Jane}, title = {Gossip in enclaves}, journal = {Letters on Rings},"
           " year = {2011}}\n")


def _repeated_keys_bib(path: Path, papers: int, copies: int) -> None:
    """``papers`` entries, each listed ``copies`` times under the same key (two volumes of an anthology)."""
    path.write_text("".join(
        f"@InProceedings{{paper{i},\n  author    = \"Writer{i}, Ann\",\n  title     = \"Paper {i} on topic {i % 97}\","
        f"\n  booktitle = \"Proceedings of Volume {c}\",\n  year      = \"{1990 + i % 30}\"\n}}\n\n"
        for i in range(papers) for c in range(copies)))


def test_three_thousand_repeated_keys_print_a_few_lines(tmp_path: Path) -> None:
    target = tmp_path / "anthology.bib"
    _repeated_keys_bib(target, 3000, 2)
    listing = tmp_path / "listing.bib"
    listing.write_text(LISTING)
    result = CliRunner().invoke(app, ["sync", str(listing), "--into", str(target), "--dry-run"])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) <= 30, result.stderr
    assert (f"warning: 3000 entries with a duplicate key (both kept): {target}:8, {target}:22, {target}:36 "
            "and 2997 more (--verbose lists them)") in lines
    assert lines.count("  hint: rename one of them") == 1

    verbose = CliRunner().invoke(app, ["sync", str(listing), "--into", str(target), "--dry-run", "--verbose"])
    assert verbose.exit_code == 0
    listed = [line for line in verbose.stderr.splitlines() if "duplicate key 'paper" in line]
    assert len(listed) == 3000 and listed[-1] == f"warning:   {target}:41994: duplicate key 'paper2999'; both entries kept"


def test_a_problem_that_blocks_the_write_is_still_an_error(tmp_path: Path) -> None:
    target = tmp_path / "anthology.bib"
    _repeated_keys_bib(target, 40, 2)
    target.chmod(0o444)
    listing = tmp_path / "listing.bib"
    listing.write_text(LISTING)
    result = CliRunner().invoke(app, ["sync", str(listing), "--into", str(target), "--yes"])
    assert result.exit_code == 1 and "error:" in result.stderr and "read-only" in result.stderr


def test_one_offs_stay_whole_and_kinds_are_counted() -> None:
    failures = [Failure("cannot parse this block: x", "a.bib", 3, hint="check braces", kind="blocks that cannot be parsed"),
                Failure("duplicate key 'k'", "a.bib", 9, hint="rename one", severity="warning", kind="duplicate keys"),
                Failure("duplicate key 'k'", "a.bib", 19, hint="rename one", severity="warning", kind="duplicate keys"),
                Failure("record 4 has no title", "b.ris", record="4", hint="add a title")]
    lines = summarise(failures)
    assert [(line.warning, line.text, line.hint) for line in lines] == [
        (False, "a.bib:3: cannot parse this block: x", "check braces"),
        (True, "2 duplicate keys: a.bib:9, a.bib:19", "rename one"),
        (False, "b.ris, record 4: record 4 has no title", "add a title"),
    ]


def _ris_without_titles(path: Path, skipped: int) -> None:
    """``skipped`` RIS records without a title, then one good record."""
    path.write_text("".join(f"TY  - JOUR\nAU  - Writer{i}, Ann\nPY  - 2001\nER  - \n\n" for i in range(skipped))
                    + "TY  - JOUR\nTI  - Gossip in enclaves\nAU  - Roe, Jane\nPY  - 2011\nER  - \n", encoding="utf-8")


def test_three_thousand_skipped_source_records_print_a_few_lines(tmp_path: Path) -> None:
    listing = tmp_path / "export.ris"
    _ris_without_titles(listing, 3000)
    result = CliRunner().invoke(app, ["parse", str(listing)], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and result.stdout.count("@article{") == 1
    lines = result.stderr.splitlines()
    assert len(lines) <= 10, result.stderr
    assert (f"skipped: 3000 RIS records without a title (no TI or T1 line), skipped: {listing}:1, {listing}:6, "
            f"{listing}:11 and 2997 more (--verbose lists them)") in lines
    assert lines.count("  hint: add a TI line to the record") == 1
    bib = tmp_path / "refs.bib"
    synced = CliRunner().invoke(app, ["sync", str(listing), "--into", str(bib), "--yes"], env={"COLUMNS": "200"})
    assert synced.exit_code == 1 and len(synced.stderr.splitlines()) <= 12, synced.stderr
    verbose = CliRunner().invoke(app, ["parse", str(listing), "--verbose"], env={"COLUMNS": "200"})
    listed = [line for line in verbose.stderr.splitlines() if "record without a title" in line]
    assert len(listed) == 3000


def test_many_problems_of_their_own_kind_are_counted_after_ten() -> None:
    failures = [Failure(f"odd record {i}", "x.txt", i) for i in range(1, 26)]
    lines = summarise(failures)
    assert len(lines) == 11 and lines[0].text == "x.txt:1: odd record 1"
    assert lines[-1].text == "15 more problems, each of its own kind (first: x.txt:11; --verbose lists them)"
    assert len(summarise(failures, verbose=True)) == 25
    same = summarise([Failure("page cut off", "a.html", n, hint="save it again") for n in (4, 9)])
    assert [(line.text, line.hint) for line in same] == [("2 times: page cut off: a.html:4, a.html:9", "save it again")]
