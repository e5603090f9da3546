"""``bibsync review`` in a real pseudo-terminal: single key presses, no Enter, what the screen shows."""

import re
import sys
from pathlib import Path

import pytest

from review_helpers import decisions, triples
from locations import DATA

pexpect = pytest.importorskip("pexpect")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")
PROMPT = "help › "  # the end of the key legend (the keys themselves are bold)


def screen(child) -> str:
    """What the terminal showed since the last expect, without colours and cursor codes."""
    return ANSI.sub("", child.before + (child.after if isinstance(child.after, str) else ""))


def spawn(path: Path, tmp_path: Path):
    env = {"TERM": "xterm-256color", "COLUMNS": "140", "LINES": "50", "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "BIBSYNC_CACHE_DIR": str(tmp_path / "cache"), "PYTHONUTF8": "1"}
    return pexpect.spawn(sys.executable, ["-m", "bibsync", "review", "--into", str(path)], env=env,
                         encoding="utf-8", dimensions=(50, 140), timeout=30)


def test_single_keys_in_a_terminal(bib, tmp_path):
    child = spawn(bib, tmp_path)
    child.expect_exact(PROMPT)
    first = screen(child)
    assert "uncertain match 1/3 · thesis.bib" in first
    assert "incoming" in first and "1 zhu2023msrl" in first
    assert re.search(r"year ≠ +│ 2022 +│ 2023", first)
    assert re.search(r"booktitle ≠ +│ – +│ USENIX Annual Technical Conference", first)
    note = " ".join(first.split())  # the line may wrap on the screen
    assert ("preprint vs published: candidate 1 zhu2023msrl is the published version (inproceedings, USENIX Annual "
            "Technical Conference, 2023); m keeps it as zhu2023msrl, with zhu2022msrl in ids and arXiv:2210.00882 in "
            "eprint") in note
    child.send("m")  # one key, no Enter: merge into the only candidate
    child.expect_exact("cancel › ")
    assert "merging into zhu2023msrl: differing fields" in screen(child)
    child.send("\r")  # accept the defaults
    child.expect_exact(PROMPT)
    assert "uncertain match 2/3" in screen(child)
    child.send("u")  # undo: back to the first case
    child.expect_exact(PROMPT)
    assert "uncertain match 1/3" in screen(child)
    child.send("a")  # keep both: the preprint is added as an entry of its own
    child.expect_exact(PROMPT)
    assert "uncertain match 2/3" in screen(child)
    child.send("s")
    child.expect_exact(PROMPT)
    assert "possible duplicate 3/3" in screen(child) and "1 koliousis2019stream" in screen(child)
    child.send("m")
    child.expect_exact("cancel › ")
    child.send("\r")
    child.expect(pexpect.EOF)
    summary = screen(child)
    assert "1 merged, 1 added, 1 removed as duplicates, 0 kept apart, 1 open" in summary
    child.close()
    assert child.exitstatus == 3  # the skipped case is still open
    text = bib.read_text()
    assert "@article{zhu2022msrl," in text and "@article{Koliousis19," not in text
    assert "  ids       = {Koliousis19},\n" in text
    assert triples(bib) == [
        ("doi:10.48550/arxiv.2210.00882", "zhu2022msrl", "merge"),
        ("doi:10.48550/arxiv.2210.00882", "zhu2023msrl", "different"),
        ("key:Koliousis19", "koliousis2019stream", "merge"),
        ("key:zhu2022msrl", "zhu2023msrl", "different"),
        ("t:crossbow scaling deep learning with small batch sizes on multi gpu servers|2019|koliousis",
         "koliousis2019stream", "merge"),  # the merged-away record, remembered as the entry it went into
    ]
    assert [p["entry"] for p in decisions(bib)["pending"]] == ["t:dataflow fragments for learning systems|2021|smith"]


def test_ctrl_c_leaves_the_file_untouched(bib, tmp_path):
    before = bib.read_bytes()
    child = spawn(bib, tmp_path)
    child.expect_exact(PROMPT)
    child.send("a")  # add the first as new
    child.expect_exact(PROMPT)
    child.sendintr()
    child.expect(pexpect.EOF)
    assert "interrupted" in screen(child) and "untouched" in screen(child)
    child.close()
    assert child.exitstatus == 130
    assert bib.read_bytes() == before
    assert [(c, d) for _, c, d in triples(bib)] == [(None, "add"), ("zhu2023msrl", "different")]


def test_ctrl_c_at_the_sync_question_exits_130_and_writes_nothing(tmp_path):
    bib = tmp_path / "thesis.bib"
    bib.write_bytes((DATA / "review" / "thesis.bib").read_bytes())
    before = bib.read_bytes()
    env = {"TERM": "xterm-256color", "COLUMNS": "140", "LINES": "50", "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "BIBSYNC_CACHE_DIR": str(tmp_path / "cache"), "PYTHONUTF8": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "bibsync", "sync", str(DATA / "review"
                                                                         / "incoming.bib"), "--into", str(bib)],
                          env=env, encoding="utf-8", dimensions=(50, 140), timeout=30)
    child.expect_exact("[y/N]: ")
    assert "write 1 change to" in screen(child)
    child.sendintr()
    child.expect(pexpect.EOF)
    shown = screen(child)
    child.close()
    assert "interrupted; nothing was written" in shown and "Aborted!" not in shown
    assert child.exitstatus == 130
    assert bib.read_bytes() == before and not (tmp_path / "thesis.bib.bibsync.json").exists()
