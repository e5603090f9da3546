"""Syncing into .bib files as real tools write them: golden results, checked by hand.

Each ``tests/data/sync/origins/<origin>.bib`` is a small file in the style of one tool (or
habit); ``<origin>.expected.bib`` is the file after ``incoming.bib`` was synced into it:
FAASM completed (pages, publisher, url) in the entry's own layout, RAPPOR and Spons &
Shields added at the end in the file's style, Lamport left alone. Everything else must stay
byte for byte.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
import locations

DATA = locations.DATA / "sync"
ORIGINS = ["jabref", "bibdesk", "betterbibtex", "mendeley", "zotero", "biblatex", "latin1", "crlf-bom",
           "handwritten"]


def _sync(path: Path):
    return run_sync([str(DATA / "incoming.bib")], BibFileTarget(path), decisions=None)


@pytest.mark.parametrize("origin", ORIGINS)
def test_sync_into_origin_matches_golden(origin: str, tmp_path: Path) -> None:
    expected = DATA / "origins" / f"{origin}.expected.bib"
    assert expected.exists(), f"golden file {expected} is missing (write it once, check it by hand)"
    target = tmp_path / f"{origin}.bib"
    shutil.copy(DATA / "origins" / f"{origin}.bib", target)

    result = _sync(target)

    assert result.plan.counts() == {"add": 2, "update": 1, "same": 1, "review": 0}
    assert result.report is not None and result.report.failed == []
    assert target.read_bytes() == expected.read_bytes()


@pytest.mark.parametrize("origin", ORIGINS)
def test_sync_into_origin_only_adds_lines_and_is_idempotent(origin: str, tmp_path: Path) -> None:
    original = (DATA / "origins" / f"{origin}.bib").read_bytes()
    target = tmp_path / f"{origin}.bib"
    target.write_bytes(original)

    _sync(target)
    after = target.read_bytes()
    # Every original line is still there, in order: the sync only inserted lines.
    old_lines = original.splitlines(keepends=True)
    new_lines = after.splitlines(keepends=True)
    opcodes = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes()
    assert [tag for tag, *_ in opcodes if tag not in ("equal", "insert")] == []

    again = _sync(target)
    assert again.plan.counts()["add"] == 0 and again.plan.counts()["update"] == 0
    assert target.read_bytes() == after


def test_latin1_file_stays_latin1(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    shutil.copy(DATA / "origins" / "latin1.bib", target)
    _sync(target)
    data = target.read_bytes()
    assert "Erlingsson, Úlfar".encode("latin-1") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_crlf_bom_file_keeps_bom_and_crlf(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    shutil.copy(DATA / "origins" / "crlf-bom.bib", target)
    _sync(target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf% Encoding")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert "Erlingsson, Úlfar".encode("utf-8") in data  # a UTF-8 file gets UTF-8, not escapes


def test_handwritten_file_keeps_broken_and_duplicate_blocks(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    shutil.copy(DATA / "origins" / "handwritten.bib", target)
    bib = BibFileTarget(target)
    entries = bib.load()
    assert [e.key for e in entries] == ["lamport78", "shillaker20", "lamport78", "roe01"]
    assert entries[1].get("booktitle") == "2020 USENIX Annual Technical Conference (USENIX ATC 20)"
    assert entries[3].title == "A report with a repeated field"
    messages = [f.message for f in bib.failures]
    assert any("duplicate key 'lamport78'" in m for m in messages)
    assert any("repeats field(s) TITLE" in m for m in messages)
    assert any(m.startswith("cannot parse") for m in messages)
    _sync(target)
    text = target.read_text()
    assert '@ARTICLE{broken,\n   AUTHOR = "Missing Quote,\n   YEAR   = 1999\n}' in text
    assert 'TITLE       = "The second title is ignored",' in text
