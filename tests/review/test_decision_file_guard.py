"""``--decisions FILE`` never overwrites a file that is not a bibsync decision file, and says
what the file is instead (QA review, item 3)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from locations import DATA

REVIEW = DATA / "review"
runner = CliRunner()


def sync(bib: Path, decisions: str):
    return runner.invoke(app, ["sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--decisions", decisions,
                               "--yes"], env={"COLUMNS": "200", "NO_COLOR": "1"})


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def bib(tmp_path) -> Path:
    path = tmp_path / "thesis.bib"
    shutil.copy(REVIEW / "thesis.bib", path)
    return path


def test_an_unrelated_json_file_is_refused_and_kept(bib, tmp_path):
    config = tmp_path / "cfg.json"
    config.write_text('{"a":1}\n')
    result = sync(bib, str(config))
    assert result.exit_code == 1
    assert config.read_text() == '{"a":1}\n'  # not replaced by a decision file
    assert bib.read_text() == (REVIEW / "thesis.bib").read_text()  # nothing synced either
    message = one_line(result.stderr)
    assert (f'{config}: this is JSON (an object without the "bibsync" format number), not a bibsync decision file; '
            "it is left as it is") in message
    assert "delete" not in message


@pytest.mark.parametrize("what, make", [
    ("this is a BibTeX file", lambda tmp: shutil.copy(REVIEW / "thesis.bib", tmp / "refs.bib") and tmp / "refs.bib"),
    ("this is a folder", lambda tmp: tmp),
    ("this is not JSON (Expecting value)", lambda tmp: (tmp / "notes.txt").write_text("my notes\n") and tmp / "notes.txt"),
    ("this file holds binary data", lambda tmp: (tmp / "x.bin").write_bytes(b"\xff\xfe\x00\x01") and tmp / "x.bin"),
])
def test_the_message_says_what_the_file_is_and_never_advises_deleting_it(bib, tmp_path, what, make):
    other = Path(make(tmp_path))
    before = other.read_bytes() if other.is_file() else None
    result = sync(bib, str(other))
    assert result.exit_code == 1
    message = one_line(result.stderr)
    assert f"{what}" in message and "not a bibsync decision file; it is left as it is" in message
    assert "delete" not in message and "Traceback" not in message
    if before is not None:
        assert other.read_bytes() == before


def test_an_absent_or_empty_file_becomes_a_new_decision_file(bib, tmp_path):
    for path in (tmp_path / "new.json", tmp_path / "empty.json"):
        if path.name == "empty.json":
            path.write_text("")
        result = sync(bib, str(path))
        assert result.exit_code == 3, result.output  # the preprint waits for review, remembered in the file
        assert '"bibsync": 3' in path.read_text() and '"pending": [' in path.read_text()
        shutil.copy(REVIEW / "thesis.bib", bib)


def test_a_broken_decision_file_of_bibsyncs_own_still_says_fix_or_delete(bib, tmp_path):
    broken = tmp_path / "refs.bibsync.json"
    broken.write_text('{"bibsync": 3, "decisions": [\n')
    result = sync(bib, str(broken))
    assert result.exit_code == 1 and f"{broken}:2: cannot read the decision file" in one_line(result.stderr)
    assert "fix or delete the file (it only holds review decisions)" in one_line(result.stderr)


def test_a_device_is_refused_without_being_read(tmp_path):
    from bibsync.errors import TargetError
    from bibsync.review.decisions import DecisionStore

    with pytest.raises(TargetError, match="this is a character device, not a bibsync decision file") as err:
        DecisionStore(Path(os.devnull))
    assert "delete" not in err.value.hint


def test_a_fifo_is_refused_without_being_opened(bib, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # a process of its own, with a timeout: reading the FIFO would block forever
    done = subprocess.run([sys.executable, "-m", "bibsync", "sync", str(REVIEW / "incoming.bib"), "--into", str(bib),
                           "--decisions", str(fifo), "--yes"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "this is a FIFO (named pipe), not a bibsync decision file" in " ".join(done.stderr.split())
