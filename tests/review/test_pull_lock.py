"""``review`` and ``pull`` hold the .bib's lock from their read to their write, as ``sync``
does: a run that holds the file (a sync writing it) is waited for, and its work is kept,
instead of the review or pull stopping with "changed on disk"."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from typer.testing import CliRunner
from zotero_fixtures import GROUP, WRITE_KEY, socc_entries, sync_into

from bibsync.cli import app
from bibsync.files.lock import FileLock
from bibsync.review.cases import Action
from bibsync.review.session import review_bib
from bibsync.review.walk import QueuedReviewer
from review_helpers import REVIEW as DATA
from review_helpers import leave_pending

OTHER_RUN = "\n@misc{written2024meanwhile,\n  title = {Written by the other run meanwhile},\n  year = {2024},\n}\n"


def _hold_then_write(path: Path, start, monkeypatch) -> None:
    """Hold ``path``'s lock while ``start()`` runs until the other run waits for it, then write
    as a sync would and let the lock go.

    The other run's wait is observed (its lock calls ``on_wait``), not guessed with a sleep, so
    the test holds on a loaded machine too."""
    waiting = threading.Event()
    original = FileLock.acquire

    def acquire_noting_the_wait(self: FileLock) -> bool:
        if self is not holder:
            told = self.on_wait
            self.on_wait = lambda pid: (told(pid) if told else None, waiting.set())
        return original(self)

    monkeypatch.setattr(FileLock, "acquire", acquire_noting_the_wait)
    holder = FileLock(path)
    assert holder.acquire()
    try:
        start()
        assert waiting.wait(60), "the other run never waited for the lock"
        time.sleep(0.2)  # it waits and polls; the write below lands while it does
        with path.open("a", encoding="utf-8") as stream:
            stream.write(OTHER_RUN)
    finally:
        holder.release()


def test_review_waits_for_a_sync_and_keeps_its_work(tmp_path: Path, monkeypatch) -> None:
    bib = tmp_path / "thesis.bib"
    shutil.copy(DATA / "thesis.bib", bib)
    leave_pending(bib)
    outcome: dict = {}

    def review() -> None:
        try:
            outcome["report"] = review_bib(bib, QueuedReviewer([Action("add"), Action("skip")]), duplicates=False)
        except Exception as exc:  # the failure the test is about: ConflictError "changed on disk"
            outcome["error"] = exc

    worker = threading.Thread(target=review)
    _hold_then_write(bib, worker.start, monkeypatch)
    worker.join(30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["report"].added == 1
    text = bib.read_text(encoding="utf-8")
    assert "@misc{written2024meanwhile," in text and "@article{zhu2022msrl," in text


def test_pull_waits_for_a_sync_and_keeps_its_work(zotero_server, tmp_path: Path, monkeypatch) -> None:
    sync_into(zotero_server, tmp_path / "cache", socc_entries()[:3])
    out = tmp_path / "mine.bib"
    out.write_text("% my own notes\n@misc{mine,\n    title = \"Kept as I wrote it\",\n}\n", encoding="utf-8")
    outcome: dict = {}

    def pull() -> None:
        outcome["result"] = CliRunner().invoke(
            app, ["pull", "--zotero", f"group:{GROUP}", "--into", str(out), "--zotero-endpoint", zotero_server.endpoint],
            env={"ZOTERO_API_KEY": WRITE_KEY, "COLUMNS": "200"})

    worker = threading.Thread(target=pull)
    _hold_then_write(out, worker.start, monkeypatch)
    worker.join(60)
    result = outcome["result"]
    assert result.exit_code == 0, result.output
    assert "waiting for another bibsync run" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert "@misc{written2024meanwhile," in text and text.count("@inproceedings{") == 3
    assert text.startswith("% my own notes\n@misc{mine,")
