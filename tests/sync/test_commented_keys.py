"""A key that stands in a ``%``-commented entry is taken: BibTeX reads that entry (it knows no
``%`` comments outside entries), so a new entry with the same key would never be cited."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from bibsync.bibtex.keys_in_text import keys_in_text
from bibsync.cli import app
from bibsync.model import Entry, Person
from bibsync.plan import make_plan
from bibsync.review.cases import Action
from bibsync.review.decisions import DecisionStore
from bibsync.review.session import inline_review_hook
from bibsync.review.walk import QueuedReviewer
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
from locations import DATA

COMMENTED = DATA / "commented"
UIO = Entry("inproceedings", {"title": "{uIO}: Lightweight and extensible unikernels", "year": "2024"},
            (Person("Misono", "Masanori"),), key="misono2024uio")
runner = CliRunner()


def test_keys_in_text_finds_commented_and_plain_entry_starts_but_no_strings():
    text = ("% @inproceedings{misono2024uio,\n%   title = {uIO},\n% }\n"
            "  %% @Article ( Smith_2020:x ,\n@string{foo = {bar}}\n@comment{not a key}\n"
            "@misc{plain2020,\n}\n@preamble{\"x\"}\n")
    assert keys_in_text(text) == {"misono2024uio", "smith_2020:x", "plain2020"}
    assert keys_in_text("% a comment with no entry\n") == frozenset()


def test_a_new_entry_does_not_take_the_key_of_a_commented_out_entry(tmp_path):
    bib = tmp_path / "t.bib"
    shutil.copy(COMMENTED / "commented-out.bib", bib)
    before = bib.read_text()
    result = runner.invoke(app, ["sync", str(COMMENTED / "uio.bib"), "--into", str(bib), "--yes"],
                           env={"NO_COLOR": "1", "COLUMNS": "150"})
    assert result.exit_code == 0, result.output
    assert "+ misono2024uioa" in result.output
    text = bib.read_text()
    assert text.startswith(before) and "\n@inproceedings{misono2024uioa,\n" in text
    assert "\n@inproceedings{misono2024uio," not in text


def test_planning_and_an_inline_review_add_keep_off_reserved_keys(tmp_path):
    (change,) = make_plan([UIO], [], reserved_keys=["Misono2024UIO"]).changes
    assert change.kind == "add" and change.key == "misono2024uioa"
    bib = tmp_path / "t.bib"
    bib.write_text("% @inproceedings{misono2024uio,\n% }\n\n@inproceedings{misono2023cloud,\n"
                   "  author = {Misono, Masanori},\n"
                   "  title = {uIO: Lightweight and extensible unikernels for the cloud},\n  year = {2023},\n}\n")
    target = BibFileTarget(bib)
    close = target.load()
    planned = make_plan([UIO], close, reserved_keys=target.reserved_keys)
    assert [c.kind for c in planned.changes] == ["review"]
    decisions = DecisionStore.for_bib(bib)
    hook = inline_review_hook(lambda: decisions, bib.name, reviewer=QueuedReviewer([Action("add")]))
    (added,) = hook(planned, close, decisions).by_kind("add")
    assert added.key == "misono2024uioa"


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex is not installed")
def test_bibtex_cites_the_new_entry_not_the_commented_one(tmp_path):
    bib = tmp_path / "t.bib"
    shutil.copy(COMMENTED / "commented-out.bib", bib)
    run_sync([str(COMMENTED / "uio.bib")], BibFileTarget(bib))
    (tmp_path / "d.aux").write_text("\\citation{misono2024uioa}\n\\bibstyle{plain}\n\\bibdata{t}\n")
    done = subprocess.run(["bibtex", "d"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    bbl = (tmp_path / "d.bbl").read_text()
    assert "Masanori Misono, Peter Okelmann" in bbl and "Warning--empty author" not in done.stdout
