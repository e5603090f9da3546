"""Decisions taken in ``bibsync review`` and what later ``bibsync sync`` runs do with them.

End to end through typer's CliRunner, on copies of tests/data/review in tmp_path: the preprint
zhu2022msrl (incoming) is an uncertain match for the published zhu2023msrl (thesis.bib).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.review.terminal import KeyReader
import locations

DATA = locations.DATA / "review"
INCOMING = DATA / "incoming.bib"
PREPRINT = "doi:10.48550/arxiv.2210.00882"
KEYS = {"BIBSYNC_INTERACTIVE": "1", "COLUMNS": "150", "NO_COLOR": "1"}
runner = CliRunner()


def thesis(tmp_path: Path) -> Path:
    bib = tmp_path / "thesis.bib"
    shutil.copy(DATA / "thesis.bib", bib)
    return bib


def sync(bib: Path, *extra: str):
    return runner.invoke(app, ["sync", str(INCOMING), "--into", str(bib), "--yes", *extra], env={"COLUMNS": "150"})


def review(bib: Path, keys: str, *extra: str):
    return runner.invoke(app, ["review", "--into", str(bib), *extra], input=keys, env=KEYS)


def decisions(bib: Path) -> list[dict]:
    return json.loads(bib.with_name(bib.name + ".bibsync.json").read_text())["decisions"]


def triples(bib: Path) -> list[tuple]:
    return [(d["entry"], d["candidate"], d["decision"]) for d in decisions(bib)]


def entry_text(text: str, key: str) -> str:
    start = text.index("{" + key + ",")
    return text[start:text.index("\n}", start)]


def test_a_field_kept_on_the_target_side_in_review_is_not_filled_by_later_syncs(tmp_path: Path) -> None:
    bib = thesis(tmp_path)
    assert sync(bib).exit_code == 3  # the preprint waits for review
    # merge field by field: type, booktitle, journal, year, doi take the published side (target; doi
    # typed); archiveprefix and eprint: the default (the preprint's arXiv id)
    merged = review(bib, "m\nf\n\n\n\n\nt\n\n\n", "--no-duplicates")
    assert merged.exit_code == 0, merged.output
    assert "doi: i incoming · t zhu2023msrl (Enter = t) › t" in merged.output
    (decision,) = decisions(bib)
    assert (decision["candidate"], decision["fields"]["doi"], decision["fields"]["eprint"]) == (
        "zhu2023msrl", "target", "incoming")
    published = entry_text(bib.read_text(), "zhu2023msrl")
    assert "eprint    = {2210.00882}," in published and "doi" not in published
    before = bib.read_bytes()

    again = sync(bib, "--json")
    assert again.exit_code == 0, again.output
    plan = json.loads(again.stdout)
    assert plan["counts"] == {"add": 0, "update": 0, "same": 2, "review": 0}
    assert bib.read_bytes() == before


def test_an_add_decided_in_review_is_added_once_even_after_a_hand_edit(tmp_path: Path, monkeypatch) -> None:
    bib = thesis(tmp_path)
    assert sync(bib).exit_code == 3
    original = bib.read_bytes()

    # "a" for the preprint, then Ctrl-C at the next case: nothing written, the decision kept
    read_key = KeyReader.read_key

    def ctrl_c_at_the_end(self: KeyReader) -> str:
        try:
            return read_key(self)
        except EOFError:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(KeyReader, "read_key", ctrl_c_at_the_end)
    interrupted = review(bib, "a\n")
    assert interrupted.exit_code == 130, interrupted.output
    assert bib.read_bytes() == original
    assert triples(bib) == [(PREPRINT, None, "add"), (PREPRINT, "zhu2023msrl", "different")]

    added = sync(bib)  # the remembered decision adds the preprint
    assert added.exit_code == 0, added.output
    assert bib.read_text().count("@article{zhu2022msrl,") == 1
    # from now on the preprint IS the copy written, which stays apart from the published version
    assert triples(bib) == [(PREPRINT, "zhu2022msrl", "merge"), (PREPRINT, "zhu2023msrl", "different"),
                            ("key:zhu2022msrl", "zhu2023msrl", "different")]

    text = bib.read_text()  # the person edits the written copy by hand
    edited = text.replace("  eprint  = {2210.00882},\n", "  eprint  = {2210.00882},\n  note    = {Preprint},\n")
    edited = edited.replace("Reinforcement Learning with Dataflow Fragments},\n  journal",
                            "Reinforcement Learning using Dataflow Fragments},\n  journal")
    assert edited.count("note    = {Preprint}") == 1 and edited.count("using Dataflow") == 1
    bib.write_text(edited)

    again = sync(bib)
    assert again.exit_code == 0, again.output
    assert bib.read_text() == edited  # not added a second time
