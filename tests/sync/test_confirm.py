"""`sync --interactive` without --yes: the write question is asked when the review could be
asked (a terminal, or BIBSYNC_INTERACTIVE=1 for keys piped in), so the review's answers are
written after a `y`; when nobody can answer, nothing is asked and nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from bibsync.cli import app
from locations import DATA

REVIEW = DATA / "review"
PLAIN = {"COLUMNS": "150", "NO_COLOR": "1"}
runner = CliRunner()


def thesis(tmp_path: Path) -> Path:
    bib = tmp_path / "thesis.bib"
    shutil.copy(REVIEW / "thesis.bib", bib)
    return bib


def sync_interactive(bib: Path, keys: str, env: dict):
    return runner.invoke(app, ["sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--interactive"],
                         input=keys, env={**PLAIN, **env})


def test_a_piped_y_confirms_the_write_after_a_piped_review(tmp_path):
    bib = thesis(tmp_path)
    result = sync_interactive(bib, "a\ny\n", {"BIBSYNC_INTERACTIVE": "1"})
    assert result.exit_code == 0, result.output
    assert f"write 2 changes to {bib}? [y/N]: y" in result.output
    assert "wrote " in result.stderr and "2 added, 0 updated" in result.stderr
    text = bib.read_text()
    assert "\n@article{zhu2022msrl,\n" in text and "\n@inproceedings{doe2024stream,\n" in text
    decided = json.loads(bib.with_name("thesis.bib.bibsync.json").read_text())["decisions"]
    assert {"candidate": "zhu2023msrl", "decision": "different"}.items() <= decided[-1].items()


def test_no_answer_to_the_write_question_writes_nothing(tmp_path):
    bib = thesis(tmp_path)
    result = sync_interactive(bib, "a\n", {"BIBSYNC_INTERACTIVE": "1"})
    assert result.exit_code == 1
    assert "no answer (end of input); add --yes to write without asking" in result.stderr
    assert "Aborted" not in result.output and "interrupted" not in result.output
    assert bib.read_bytes() == (REVIEW / "thesis.bib").read_bytes()


def test_without_a_terminal_nothing_is_asked_and_nothing_written(tmp_path):
    bib = thesis(tmp_path)
    result = sync_interactive(bib, "a\ny\n", {})
    assert result.exit_code == 1
    assert "uncertain match 1/1" not in result.output and "[y/N]" not in result.output
    assert result.stderr.splitlines()[-1] == (
        "nothing written: standard input is not a terminal, so nobody can confirm the 1 change planned; "
        "add --yes to write them")
    assert bib.read_bytes() == (REVIEW / "thesis.bib").read_bytes()
