"""The diff ``sync --dry-run`` prints is the file's bytes: tabs, trailing spaces and non-ASCII
as they are, so that it applies as a patch and gives exactly what the real write gives."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from locations import DATA

TABS = DATA / "tabs"
runner = CliRunner()
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


def apply_unified_diff(text: str, diff: str) -> str:
    """``text`` with the hunks of ``diff`` applied; every context and removed line must match."""
    old, new, at = text.splitlines(keepends=True), [], 0
    lines = diff.splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if line.startswith("@@"))
    while i < len(lines):
        start = int(HUNK.match(lines[i]).group(1))
        new += old[at:start - 1]
        at, i = start - 1, i + 1
        while i < len(lines) and not lines[i].startswith("@@"):
            sign, body = lines[i][0], lines[i][1:]
            if sign in " -":
                assert old[at] == body, f"diff line {i + 1} does not match the file: {body!r} != {old[at]!r}"
                at += 1
            if sign in " +":
                new.append(body)
            i += 1
    return "".join(new + old[at:])


def dry_run_diff_bytes(bib: Path) -> bytes:
    """The diff a dry run prints into a pipe or file (standard output is no terminal here)."""
    result = runner.invoke(app, ["sync", str(TABS / "incoming.bib"), "--into", str(bib), "--dry-run"],
                           env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout_bytes[result.stdout_bytes.index(b"--- "):]


def dry_run_diff(bib: Path) -> str:
    return dry_run_diff_bytes(bib).decode("utf-8")


def test_the_dry_run_diff_applies_to_give_the_real_write(tmp_path):
    bib = tmp_path / "t.bib"
    shutil.copy(TABS / "acl-tabs.bib", bib)
    before = bib.read_text(encoding="utf-8")
    diff = dry_run_diff(bib)
    assert '+  pages = \t"1--10",\n' in diff and ' title = \t"A paper",   \n' in diff
    assert '+  author = \t"Røe, Åsa",\n' in diff
    assert runner.invoke(app, ["sync", str(TABS / "incoming.bib"), "--into", str(bib), "--yes"]).exit_code == 0
    assert apply_unified_diff(before, diff) == bib.read_text(encoding="utf-8")


def test_a_latin1_file_gets_its_diff_in_latin1(tmp_path):
    """A saved diff of a Latin-1 file is in Latin-1, as ``diff -u`` prints it, not UTF-8."""
    bib = tmp_path / "t.bib"
    shutil.copy(TABS / "acl-tabs-latin1.bib", bib)
    diff = dry_run_diff_bytes(bib)
    assert b'+  author = \t"R\xf8e, \xc5sa",\n' in diff
    assert b'   author = \t"M\xfcller, John",\n' in diff
    assert f"--- {bib}\n+++ {bib}\n@@ ".encode() in diff


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
@pytest.mark.parametrize("name", ["acl-tabs.bib", "acl-tabs-latin1.bib"])
def test_patch_applies_the_saved_dry_run_diff(tmp_path, name):
    bib = tmp_path / "t.bib"
    shutil.copy(TABS / name, bib)
    (tmp_path / "dry.diff").write_bytes(dry_run_diff_bytes(bib))
    patched = tmp_path / "patched.bib"
    shutil.copy(bib, patched)
    done = subprocess.run(["patch", str(patched), str(tmp_path / "dry.diff")], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    runner.invoke(app, ["sync", str(TABS / "incoming.bib"), "--into", str(bib), "--yes"])
    assert patched.read_bytes() == bib.read_bytes()


class _Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream_class, expected", [(io.TextIOWrapper, b"+  author = {M\xfcller},\n"),
                                                    (_Terminal, b"+  author = {M\xc3\xbcller},\n")])
def test_a_terminal_shows_the_diff_as_text_a_pipe_gets_the_bytes(stream_class, expected):
    """Into a pipe or file the diff is in the .bib's encoding; a UTF-8 terminal shows it as
    text in UTF-8 (raw Latin-1 bytes would be garbled there)."""
    from rich.console import Console

    from bibsync.cli.render import print_verbatim

    raw = io.BytesIO()
    stream = stream_class(raw, encoding="utf-8", newline="")
    print_verbatim(Console(file=stream), "+  author = {Müller},\n", "latin-1")
    assert raw.getvalue() == expected


# An entry whose text cannot be spliced (a trailing % comment after its last value): the real
# run leaves it as it is, names it and exits 1; the dry run names it and exits 1 as well.
UNSPLICEABLE = """@article{c, title = {Third paper on it}, author = {Roe, Jim}, year = {2021} % trailing
}

@article{b,
  title = {Second paper on caching},
  author = {Smith, Ann},
  year = {2020}
}
"""
RICHER = """@article{z, title={Third paper on it}, author={Roe, Jim}, year=2021, journal={CACM}}
@article{y, title={Second paper on caching}, author={Smith, Ann}, year=2020, journal={TOCS}}
"""


def test_a_dry_run_names_the_changes_the_real_run_cannot_make_and_exits_as_it(tmp_path: Path) -> None:
    bib, source = tmp_path / "t.bib", tmp_path / "s.bib"
    bib.write_text(UNSPLICEABLE)
    source.write_text(RICHER)
    dry = runner.invoke(app, ["sync", str(source), "--into", str(bib), "--dry-run"])
    real = runner.invoke(app, ["sync", str(source), "--into", str(bib), "--yes"])
    assert "not written: c: field '%' has no '='; left as it is" in real.stderr
    text = bib.read_text()
    assert real.exit_code == 1 and "wrote " in real.stderr and "journal = {{TOCS}}" in text and "CACM" not in text
    assert "would not be written: c: field '%' has no '='; left as it is" in dry.stderr
    assert dry.exit_code == real.exit_code
