"""Two writers on one .bib: nothing either of them wrote is lost.

Test hook: the first sync's ``fsync`` of its temporary file is slowed (``os.fsync`` is
wrapped here, in the test only; bibsync has no hook of its own), and while it sleeps a
second sync starts or an editor saves. Threads stand in for processes in the 50-run loops
(``flock`` locks belong to an open file, so two targets exclude each other within one process
as they do across processes); one test runs the real command line in two processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bibsync.errors import ConflictError
from bibsync.files.lock import FileLock, lock_path_for
from bibsync.model import Entry, Person
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget

RUNS = 50
BASE = "% my refs\n\n@article{lamport1978time,\n  author = {Lamport, Leslie},\n  title = {Time, Clocks},\n  year = {1978},\n}\n"


def _paper(tag: str) -> Entry:
    """A paper unlike the others: title, author, year and journal all follow the tag."""
    letter, run = tag[0], tag[1:]
    title, journal, year = {"A": ("Leases for replicated ledgers", "Journal of Tests", "2031"),
                            "B": ("Compilers for quantum sensors", "Letters on Optics", "1999")}.get(
        letter, ("Gossip in enclaves", "Reviews of Storage", "2011"))
    return Entry("article", {"title": f"{title} {run}", "year": year, "journal": journal},
                 (Person(f"Writer{letter}", "Ann"),))


class SlowFirstFsync:
    """Wraps ``os.fsync``: the first call made in a thread named ``first`` signals ``started``,
    runs ``during()`` if given, and sleeps ``delay`` seconds before syncing."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, delay: float) -> None:
        self.real = os.fsync
        self.delay = delay
        self.started = threading.Event()
        self.during = None
        self.slowed = False
        monkeypatch.setattr(os, "fsync", self)

    def reset(self, during=None) -> None:
        self.started.clear()
        self.slowed = False
        self.during = during

    def __call__(self, fd: int) -> None:
        if threading.current_thread().name == "first" and not self.slowed:
            self.slowed = True
            self.started.set()
            if self.during is not None:
                self.during()
            time.sleep(self.delay)
        self.real(fd)


def _sync_in_thread(name: str, path: Path, entry: Entry, results: dict) -> threading.Thread:
    def work() -> None:
        try:
            results[name] = run_sync(None, BibFileTarget(path), incoming=[entry], decisions=None)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            results[name] = exc
    thread = threading.Thread(target=work, name=name)
    thread.start()
    return thread


def test_two_syncs_at_once_keep_both_additions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = SlowFirstFsync(monkeypatch, delay=0.03)
    for run in range(RUNS):
        path = tmp_path / f"refs{run}.bib"
        path.write_text(BASE)
        slow.reset()
        results: dict = {}
        first = _sync_in_thread("first", path, _paper(f"A{run}"), results)
        assert slow.started.wait(10)  # the first sync is writing (slowly), holding the lock
        second = _sync_in_thread("second", path, _paper(f"B{run}"), results)
        first.join(20)
        second.join(20)
        assert results["first"].report.added == 1, results
        assert results["second"].report.added == 1, results
        keys = [e.key for e in BibFileTarget(path, read_only=True).load()]
        assert keys == ["lamport1978time", "writera2031leases", "writerb1999compilers"]
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".refs{run}.")) == []


def test_an_edit_during_a_slow_write_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = SlowFirstFsync(monkeypatch, delay=0.0)
    for run in range(RUNS):
        path = tmp_path / f"refs{run}.bib"
        path.write_text(BASE)
        edit = f"% my hand edit {run}\n"

        def save_from_an_editor() -> None:
            with open(path, "a") as handle:  # as `echo ... >> refs.bib` does: in place
                handle.write(edit)
        slow.reset(during=save_from_an_editor)
        results: dict = {}
        _sync_in_thread("first", path, _paper(f"A{run}"), results).join(20)
        assert isinstance(results["first"], ConflictError), results
        assert "changed on disk" in results["first"].message and "nothing was written" in results["first"].message
        assert "run the sync again" in results["first"].hint
        assert path.read_text() == BASE + edit
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(f".refs{run}.")] == []
    # Run again, as the message says: the edit stays and the entry is added.
    again = run_sync(None, BibFileTarget(path), incoming=[_paper("again")], decisions=None)
    assert again.report.added == 1 and path.read_text().startswith(BASE + edit)


def test_a_run_that_cannot_get_the_lock_says_who_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BASE)
    waited: list = []
    with FileLock(path):
        target = BibFileTarget(path, lock_timeout=0.2, on_lock_wait=waited.append)
        with pytest.raises(ConflictError) as info:
            run_sync(None, target, incoming=[_paper("x")], decisions=None)
    assert waited == [os.getpid()]
    assert f"another bibsync run (process {os.getpid()}) is still working on this file" in info.value.message
    assert info.value.hint == "run again when it has finished"
    assert path.read_text() == BASE
    assert not lock_path_for(path).exists()  # the lock file lives only while a run holds it


def test_links_to_one_file_share_one_lock(tmp_path: Path) -> None:
    real = tmp_path / "lib" / "all.bib"
    real.parent.mkdir()
    real.write_text(BASE)
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    assert lock_path_for(link) == lock_path_for(real) == real.parent / ".all.bib.bibsync-lock"
    with FileLock(real):
        with pytest.raises(ConflictError):
            FileLock(link, timeout=0.1).acquire()


CHILD = """
import os, sys, time
real = os.fsync
def held(fd, state={"first": True}):
    go = os.environ.get("GO_FILE")
    if go and state["first"]:
        state["first"] = False
        print("fsync", flush=True)
        deadline = time.monotonic() + 30
        while not os.path.exists(go) and time.monotonic() < deadline:
            time.sleep(0.01)
    real(fd)
os.fsync = held
sys.argv = ["bibsync", "sync", *sys.argv[1:]]
from bibsync.cli import main
main()
"""


def _bibsync(*args: str, go: Path | None = None) -> subprocess.Popen:
    """The command line in a child process; with ``go``, its first fsync prints "fsync" and
    waits until the file ``go`` exists (so the test decides when the write goes on)."""
    env = dict(os.environ, GO_FILE=str(go or ""))
    return subprocess.Popen([sys.executable, "-c", CHILD, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _wait_for(stream, word: str) -> str:
    seen = []
    for line in stream:
        seen.append(line)
        if word in line:
            return line
    pytest.fail(f"never printed {word!r}: {''.join(seen)}")


def _source(tmp_path: Path, tag: str) -> Path:
    """A one-entry .bib listing (key ``tag``) of :func:`_paper` for the tag's first letter."""
    paper = _paper(tag[0].upper())
    source = tmp_path / f"{tag}.bib"
    source.write_text(f"@article{{{tag}, author = {{{paper.authors[0].last}, Ann}}, title = {{{paper.title}}},"
                      f" journal = {{{paper.get('journal')}}}, year = {{{paper.year}}}}}\n")
    return source


def test_two_processes_take_turns_and_an_editor_save_is_never_lost(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BASE)
    go = tmp_path / "go"
    first = _bibsync(str(_source(tmp_path, "alpha")), "--into", str(path), "--yes", go=go)
    _wait_for(first.stdout, "fsync")  # the first run is writing, and holds the lock
    second = _bibsync(str(_source(tmp_path, "beta")), "--into", str(path), "--yes")
    waiting = _wait_for(second.stderr, "waiting for another bibsync run")
    assert f"(process {first.pid})" in waiting
    go.touch()
    _, err1 = first.communicate(timeout=60)
    _, err2 = second.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    text = path.read_text()
    assert "@article{alpha," in text and "@article{beta," in text

    # An editor's save while a run writes: the run writes nothing and says to run again.
    go.unlink()
    child = _bibsync(str(_source(tmp_path, "gamma")), "--into", str(path), "--yes", go=go)
    _wait_for(child.stdout, "fsync")
    with open(path, "a") as handle:
        handle.write("% my hand edit\n")
    go.touch()
    _, err = child.communicate(timeout=60)
    assert child.returncode == 1 and "changed on disk since it was read; nothing was written" in err
    assert "run the sync again" in err and "Traceback" not in err
    assert path.read_text() == text + "% my hand edit\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alpha.bib", "beta.bib", "gamma.bib", "go", "refs.bib"]


def test_ctrl_c_right_after_the_rename_says_the_file_was_written(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BASE)
    done = _sync_with(tmp_path, path, """
real = os.replace
def replace_then_interrupt(*a, **k):
    real(*a, **k)
    os.kill(os.getpid(), signal.SIGINT)
os.replace = replace_then_interrupt
""")
    assert done.returncode == 130, done.stderr
    assert "nothing was written" not in done.stderr
    assert "interrupted after the new file was written" in done.stderr
    assert "@article{alpha," in path.read_text()
    assert signal.SIGINT  # the child was interrupted by SIGINT, not killed


def test_ctrl_c_after_the_summary_says_the_file_was_written(tmp_path: Path) -> None:
    # Ctrl-C while the last notes are printed (or the read cache is saved): the file is complete.
    path = tmp_path / "refs.bib"
    path.write_text(BASE)
    done = _sync_with(tmp_path, path, """
import bibsync.cli.commands.sync as command
def interrupt(*a, **k):
    os.kill(os.getpid(), signal.SIGINT)
command._report_incomplete = interrupt
""")
    assert done.returncode == 130, done.stderr
    assert "wrote " in done.stderr and "nothing was written" not in done.stderr
    assert "interrupted after the new file was written (it is complete)" in done.stderr
    assert "@article{alpha," in path.read_text()


def _sync_with(tmp_path: Path, path: Path, patch: str) -> subprocess.CompletedProcess:
    """``bibsync sync`` of the entry ``alpha`` into ``path --yes``, in a process that first runs ``patch``
    (with ``os``, ``signal`` and ``sys`` imported)."""
    child = "import os, signal, sys\n" + patch + """
sys.argv = ["bibsync", "sync", *sys.argv[1:]]
from bibsync.cli import main
main()
"""
    return subprocess.run([sys.executable, "-c", child, str(_source(tmp_path, "alpha")), "--into", str(path), "--yes"],
                          capture_output=True, text=True, timeout=60)
