"""A target path that is not a file (a folder, ``.``, ``/``, a device, a FIFO) is refused with a
message and the exit code of other bad targets, never an internal error (QA review, item 6;
and item 13: ``check`` does not point at an ``--into`` it does not have)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.files.kinds import special_kind
from locations import DATA

REVIEW = DATA / "review"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.mark.parametrize("folder", [".", "/", "sub"])
@pytest.mark.parametrize("command", [
    ["review", "--into"], ["review", "--forget", "--into"], ["sync", str(REVIEW / "incoming.bib"), "--yes", "--into"],
    ["pull", "--zotero", "group:4711", "--into"], ["check"], ["dedupe", "--interactive"],
])
def test_a_folder_is_not_a_bib_file(tmp_path, monkeypatch, command, folder):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    result = run(*command, folder)
    assert result.exit_code == 1, result.output
    assert f"error: {folder}: is a folder, not a regular file" in result.stderr
    assert "internal error" not in result.output
    hint = result.stderr.split("hint: ", 1)[1]
    assert hint.strip() == "name a file inside it"  # never an --into that check and dedupe do not have
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # nothing written anywhere


def test_special_files_are_named_for_what_they_are(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert special_kind(fifo) == "a FIFO (named pipe)"
    assert special_kind(os.devnull) == "a character device"
    assert special_kind(tmp_path) == "a folder"
    assert special_kind(tmp_path / "missing.bib") is None
    (tmp_path / "refs.bib").write_text("")
    (tmp_path / "link.bib").symlink_to(tmp_path / "refs.bib")
    assert special_kind(tmp_path / "refs.bib") is None and special_kind(tmp_path / "link.bib") is None


def test_a_fifo_as_target_is_refused_before_it_is_opened(tmp_path):
    fifo = tmp_path / "refs.bib"
    os.mkfifo(fifo)
    for args in (["check", str(fifo)], ["review", "--into", str(fifo)]):
        # a process of its own, with a timeout: opening the FIFO would block forever
        done = subprocess.run([sys.executable, "-m", "bibsync", *args], capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 1 and "is a FIFO (named pipe), not a regular file" in " ".join(done.stderr.split())
