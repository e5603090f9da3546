"""The diff ``sync --dry-run`` prints is the file's bytes: tabs, trailing spaces and non-ASCII
as they are, so that it applies as a patch and gives exactly what the real write gives."""

from __future__ import annotations

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


def dry_run_diff(bib: Path) -> str:
    result = runner.invoke(app, ["sync", str(TABS / "incoming.bib"), "--into", str(bib), "--dry-run"],
                           env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout[result.stdout.index("--- "):]


def test_the_dry_run_diff_applies_to_give_the_real_write(tmp_path):
    bib = tmp_path / "t.bib"
    shutil.copy(TABS / "acl-tabs.bib", bib)
    before = bib.read_text(encoding="utf-8")
    diff = dry_run_diff(bib)
    assert '+  pages = \t"1--10",\n' in diff and ' title = \t"A paper",   \n' in diff
    assert '+  author = \t"Røe, Åsa",\n' in diff
    assert runner.invoke(app, ["sync", str(TABS / "incoming.bib"), "--into", str(bib), "--yes"]).exit_code == 0
    assert apply_unified_diff(before, diff) == bib.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
def test_patch_applies_the_saved_dry_run_diff(tmp_path):
    bib = tmp_path / "t.bib"
    shutil.copy(TABS / "acl-tabs.bib", bib)
    (tmp_path / "dry.diff").write_text(dry_run_diff(bib), encoding="utf-8")
    patched = tmp_path / "patched.bib"
    shutil.copy(bib, patched)
    done = subprocess.run(["patch", str(patched), str(tmp_path / "dry.diff")], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    runner.invoke(app, ["sync", str(TABS / "incoming.bib"), "--into", str(bib), "--yes"])
    assert patched.read_bytes() == bib.read_bytes()
