"""A sync killed while it writes leaves the old file intact (or the complete new one).

The child process is the real command line; SIGKILL comes at a chosen point (just before
the rename, or in the middle of writing the temporary file) or at a random moment while the
temporary file of a large write is being written.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
import locations

DATA = locations.DATA / "sync"

CHILD = """
import os, signal, sys
point = sys.argv[1]
if point == "before-rename":
    os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
elif point == "during-write":
    os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
elif point == "announce":
    import bibsync.files.atomic as atomic
    real = atomic.write_atomic
    def announced(path, data, **hooks):
        print("writing", flush=True)
        real(path, data, **hooks)
    atomic.write_atomic = announced
sys.argv = ["bibsync", "sync", *sys.argv[2:]]
from bibsync.cli import main
main()
"""


def _child(point: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, point, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("point", ["before-rename", "during-write"])
def test_killed_at_a_chosen_point_leaves_the_old_file(point: str, tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    shutil.copy(DATA / "origins" / "zotero.bib", target)
    before = target.read_bytes()
    child = _child(point, str(DATA / "incoming.bib"), "--into", str(target), "--yes")
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "refs.bib"]
    # The killed run's lock file (flock died with it) and, killed before the rename, its temporary file.
    assert ".refs.bib.bibsync-lock" in leftovers
    assert all(name.startswith(".refs.bib.") and name.endswith((".tmp", ".bibsync-lock")) for name in leftovers)
    # The next sync still works, takes the stale lock, and deletes the temporary file it left.
    result = run_sync([str(DATA / "incoming.bib")], BibFileTarget(target), decisions=None)
    assert result.report.added == 2
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def _big_bib(path: Path, n: int) -> None:
    body = "".join(
        f"@article{{k{i},\n  author = {{Author{i}, Ann}},\n  title = {{A Long Title Number {i} About Things}},\n"
        f"  journal = {{Journal of Tests}},\n  year = {{{1950 + i % 70}}},\n  abstract = {{{'words ' * 60}}},\n}}\n\n"
        for i in range(n))
    path.write_text(body)


def test_killed_at_a_random_moment_of_a_large_write(tmp_path: Path) -> None:
    original = tmp_path / "original.bib"
    _big_bib(original, 2000)
    expected = tmp_path / "expected.bib"
    shutil.copy(original, expected)
    run_sync([str(DATA / "incoming.bib")], BibFileTarget(expected), decisions=None)
    old, new = original.read_bytes(), expected.read_bytes()
    assert old != new
    rng = random.Random(3)
    for trial in range(3):
        target = tmp_path / f"t{trial}" / "refs.bib"
        target.parent.mkdir()
        shutil.copy(original, target)
        child = _child("announce", str(DATA / "incoming.bib"), "--into", str(target), "--yes")
        for line in child.stdout:  # the plan comes first
            if line.strip() == "writing":
                break
        else:
            pytest.fail("the child never started writing")
        time.sleep(rng.uniform(0, 0.02))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        assert target.read_bytes() in (old, new)
