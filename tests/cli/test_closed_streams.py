"""A run started with its standard input closed (``bibsync ... 0<&-``, as some CI runners and
service managers start programs) has ``sys.stdin`` set to None: it is no terminal, and
bibsync says what it would say without one, never "internal error"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def run_with_stdin_closed(*args: str) -> subprocess.CompletedProcess:
    """``bibsync ARGS`` in a child process whose file descriptor 0 is closed."""
    return subprocess.run([sys.executable, "-m", "bibsync", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120, preexec_fn=lambda: os.close(0))


def test_sync_without_yes_writes_nothing_and_says_why(tmp_path: Path) -> None:
    bib = tmp_path / "thesis.bib"
    shutil.copy(SAMPLES / "thesis.bib", bib)
    before = bib.read_bytes()
    done = run_with_stdin_closed("sync", str(SAMPLES / "acm-toc-socc24.txt"), "--into", str(bib))
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert "nothing written: standard input is not a terminal" in done.stderr
    assert done.returncode == 1 and bib.read_bytes() == before


def test_sync_with_yes_writes(tmp_path: Path) -> None:
    bib = tmp_path / "thesis.bib"
    shutil.copy(SAMPLES / "thesis.bib", bib)
    done = run_with_stdin_closed("sync", str(SAMPLES / "acm-toc-socc24.txt"), "--into", str(bib), "--yes")
    assert done.returncode == 0, done.stderr
    assert bib.read_text(encoding="utf-8").count("@inproceedings{") > (SAMPLES / "thesis.bib").read_text(
        encoding="utf-8").count("@inproceedings{")


def test_reading_a_listing_from_closed_standard_input_is_a_clear_error() -> None:
    done = run_with_stdin_closed("parse", "-")
    assert done.returncode == 1, done.stderr  # as for a listing file that is not there
    assert "error: -: standard input is closed, so there is nothing to read" in done.stderr
    assert "Traceback" not in done.stderr
