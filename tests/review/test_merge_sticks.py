"""A person's merge sticks: two incoming entries that are one target entry, the README's story
to its end, the inline review's merge into an entry the sync also completes, a decision
kept only with its write, and the open cases listed as the merges left the file.

(QA review of issues 11 and 13, items 1, 2 and 8.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner
from zotero_fixtures import GROUP, WRITE_KEY

from bibsync.cli import app
from bibsync.errors import ConflictError
from bibsync.model import Entry, Person
from bibsync.plan import make_plan
from bibsync.review.cases import Action
from bibsync.review.decisions import DecisionStore
from bibsync.review.session import inline_review_hook, review_bib
from bibsync.review.walk import QueuedReviewer
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
from review_helpers import Interrupting
from locations import DATA, SAMPLES

REVIEW = DATA / "review"
DEMO = [str(SAMPLES / "acm-toc-socc24.txt"), str(SAMPLES / "imperial-respub-pietzuch.txt")]
KEYS = {"BIBSYNC_INTERACTIVE": "1", "COLUMNS": "150", "NO_COLOR": "1"}
PLAIN = {"COLUMNS": "150", "NO_COLOR": "1"}
runner = CliRunner()

AUTHORS = (Person("Sartakov", "Vasily A."), Person("Vilanova", "Lluís"), Person("Pietzuch", "Peter"))
TITLE = "CubicleOS: A Library OS with Software Componentisation for Practical Isolation"
IN_THESIS = Entry("inproceedings", {"title": TITLE, "booktitle": "ASPLOS '21", "year": "2021"}, AUTHORS,
                  key="sartakov2021cubicleos")
PAPER = Entry("inproceedings", {"title": TITLE, "booktitle": "ASPLOS '21", "pages": "546--558", "year": "2021",
                                "publisher": "ACM"}, AUTHORS, key="sartakov2021cubicleosa")
IN_THESIS_TEXT = ("@inproceedings{sartakov2021cubicleos,\n  author = {Sartakov, Vasily A. and Vilanova, Lluís and "
                  f"Pietzuch, Peter}},\n  title = {{{TITLE}}},\n  booktitle = {{ASPLOS '21}},\n  year = {{2021}},\n}}\n")
ARTEFACT = Entry("software", {"title": TITLE, "year": "2020", "url": "https://doi.org/10.5281/zenodo.4321"}, AUTHORS,
                 key="sartakov2020cubicleos")


def cli(*args: str, keys: str | None = None, env: dict | None = None):
    return runner.invoke(app, list(args), input=keys, env={**(KEYS if keys is not None else PLAIN), **(env or {})})


def store(bib: Path) -> dict:
    return json.loads(bib.with_name(bib.name + ".bibsync.json").read_text())


class MergedByAPerson:
    """A decision lookup in which a person merged ARTEFACT into the thesis entry."""

    def decision_for(self, entry: Entry, candidate: Entry | None) -> str | None:
        merged = entry.type == "software" and candidate is not None and candidate.key == IN_THESIS.key
        return "merge" if merged else None


# --- 1. two incoming entries, one target entry ----------------------------------------------------


@pytest.mark.parametrize("incoming", [[PAPER, ARTEFACT], [ARTEFACT, PAPER]], ids=["paper first", "artefact first"])
def test_a_persons_merge_and_an_automatic_match_of_one_target_entry_make_one_change(incoming):
    without = make_plan(incoming, [IN_THESIS])
    assert [c.kind for c in without.changes if c.entry.type == "software"] == ["review"]  # the one-to-one rule

    plan = make_plan(incoming, [IN_THESIS], decisions=MergedByAPerson())
    assert plan.counts() == {"add": 0, "update": 1, "same": 1, "review": 0}
    [update] = plan.by_kind("update")
    assert update.target_index == 0 and update.target_key == "sartakov2021cubicleos"
    # both entries' news, in one change against the entry as the file has it
    assert [(c.name, c.old, c.new) for c in update.field_changes] == [
        ("pages", None, "546--558"), ("publisher", None, "ACM"), ("url", None, "https://doi.org/10.5281/zenodo.4321")]
    assert update.result.fields == {**IN_THESIS.fields, "pages": "546--558", "publisher": "ACM",
                                    "url": "https://doi.org/10.5281/zenodo.4321"}
    [same] = plan.by_kind("same")
    assert "written together with incoming entry" in same.explanation


def test_the_readme_story_ends_after_a_merge(tmp_path):
    bib = tmp_path / "t.bib"
    shutil.copy(SAMPLES / "thesis.bib", bib)
    first = cli("sync", *DEMO, "--into", str(bib), "--yes")
    assert first.exit_code == 3, first.output
    synced = bib.read_bytes()

    review = cli("review", "--into", str(bib), "--no-duplicates", keys="m\n\n")
    assert review.exit_code == 0, review.output
    # the artefact brings nothing the paper's entry lacks: no merge is claimed, nothing written
    assert f"{bib}: 0 merged, 1 already there (nothing to add), 0 added" in review.output
    assert bib.read_bytes() == synced and not bib.with_name("t.bib.orig").exists()
    assert store(bib)["pending"] == []

    again = cli("sync", *DEMO, "--into", str(bib), "--yes")
    assert again.exit_code == 0, again.output
    assert "t.bib is up to date: nothing to write" in again.output and "for review: run" not in again.output
    assert bib.read_bytes() == synced and store(bib)["pending"] == []
    quiet = cli("review", "--into", str(bib), "--no-duplicates")
    assert quiet.exit_code == 0 and "0 merged, 0 added" in quiet.output


def test_the_story_ends_in_a_zotero_library_too(zotero_server, tmp_path):
    env = {"ZOTERO_API_KEY": WRITE_KEY, "BIBSYNC_ZOTERO_ENDPOINT": zotero_server.endpoint}
    spec = f"group:{GROUP}"
    thesis, listing = tmp_path / "thesis.bib", tmp_path / "respub.bib"
    thesis.write_text(IN_THESIS_TEXT)
    listing.write_text(thesis.read_text().replace("  year = {2021},", "  pages = {546--558},\n  year = {2021},")
                       + "\n@software{sartakov2020cubicleos,\n  author = {Sartakov, V. and Vilanova, L. and "
                         f"Pietzuch, P.}},\n  title = {{{TITLE}}},\n  year = {{2020}},\n}}\n")
    assert cli("sync", str(thesis), "--zotero", spec, "--yes", env=env).exit_code == 0
    first = cli("sync", str(listing), "--zotero", spec, "--yes", env=env)
    assert first.exit_code == 3, first.output
    review = cli("review", "--zotero", spec, keys="m\n\n", env=env)
    assert review.exit_code == 0, review.output
    assert "0 merged, 1 already there (nothing to add)" in review.output
    versions = {d["key"]: d["version"] for d in zotero_server.items(spec)}
    again = cli("sync", str(listing), "--zotero", spec, "--yes", env=env)
    assert again.exit_code == 0, again.output
    assert "for review: run" not in again.output
    assert {d["key"]: d["version"] for d in zotero_server.items(spec)} == versions  # nothing written


# --- 2. the inline review's merge into an entry the sync completes ---------------------------------------


def test_an_inline_merge_into_an_entry_the_sync_updates_is_written_with_that_update(tmp_path):
    reference = tmp_path / "reference.bib"  # the same story through 'bibsync review'
    shutil.copy(SAMPLES / "thesis.bib", reference)
    cli("sync", *DEMO, "--into", str(reference), "--yes")
    cli("review", "--into", str(reference), "--no-duplicates", keys="m\n\n")

    bib = tmp_path / "t.bib"
    shutil.copy(SAMPLES / "thesis.bib", bib)
    inline = cli("sync", *DEMO, "--into", str(bib), "--yes", "--interactive", keys="m\n\n")
    assert inline.exit_code == 0, inline.output
    assert "overlapping" not in inline.output
    assert "wrote " in inline.output and "83 added, 8 updated" in inline.output
    assert bib.read_bytes() == reference.read_bytes()
    assert store(bib)["pending"] == [] and [d["decision"] for d in store(bib)["decisions"]] == ["merge"]
    again = cli("sync", *DEMO, "--into", str(bib), "--yes")
    assert again.exit_code == 0 and bib.read_bytes() == reference.read_bytes()


def test_an_inline_merge_that_adds_fields_joins_the_update_of_the_same_entry(tmp_path):
    bib = tmp_path / "t.bib"
    bib.write_text(IN_THESIS_TEXT)
    decisions = DecisionStore.for_bib(bib)
    hook = inline_review_hook(lambda: decisions, bib.name, reviewer=QueuedReviewer([Action("merge")]))
    result = run_sync(None, BibFileTarget(bib), incoming=[PAPER, ARTEFACT], review=hook, decisions=decisions)
    assert result.exit_code == 0 and result.plan.counts() == {"add": 0, "update": 1, "same": 1, "review": 0}
    text = bib.read_text()
    assert text.count("@inproceedings{sartakov2021cubicleos,") == 1
    assert "  pages = {546--558},\n  year = {2021},\n  publisher = {ACM},\n" in text
    assert "  url = {https://doi.org/10.5281/zenodo.4321},\n}" in text
    again = run_sync(None, BibFileTarget(bib), incoming=[PAPER, ARTEFACT])
    assert again.exit_code == 0 and again.plan.to_apply() == [] and bib.read_text() == text


def test_a_decision_is_not_kept_when_its_write_fails_or_is_not_confirmed(tmp_path):
    bib = tmp_path / "thesis.bib"
    shutil.copy(REVIEW / "thesis.bib", bib)
    decisions_file = bib.with_name("thesis.bib.bibsync.json")

    def hook():
        return inline_review_hook(lambda: DecisionStore.for_bib(bib), bib.name,
                                  reviewer=QueuedReviewer([Action("merge")]))

    def edited_meanwhile(result) -> bool:  # someone saves the file while the person reads the plan
        bib.write_text(bib.read_text() + "% a hand edit\n")
        return True

    with pytest.raises(ConflictError):
        run_sync([str(REVIEW / "incoming.bib")], BibFileTarget(bib), review=hook(), confirm=edited_meanwhile)
    assert not decisions_file.exists()
    declined = run_sync([str(REVIEW / "incoming.bib")], BibFileTarget(bib), review=hook(), confirm=lambda r: False)
    assert declined.declined and not decisions_file.exists()
    done = run_sync([str(REVIEW / "incoming.bib")], BibFileTarget(bib), review=hook())
    assert done.exit_code == 0
    assert [d["decision"] for d in json.loads(decisions_file.read_text())["decisions"]] == ["merge"]


# --- 8. the open cases as the merges left the file ----------------------------------------------------


def test_open_cases_are_listed_as_the_remembered_merges_left_the_file(tmp_path):
    bib = tmp_path / "three.bib"
    text = (REVIEW / "thesis.bib").read_text()
    crossbow = text[text.index("@article{Koliousis19,"):text.index("@misc{smith")]
    bib.write_text(text + "\n" + crossbow.replace("Koliousis19", "crossbow2019"))  # three copies of one paper
    with pytest.raises(KeyboardInterrupt):  # one merge, then Ctrl-C
        review_bib(bib, Interrupting([Action("merge")]))
    listed = cli("review", "--into", str(bib))
    assert listed.exit_code == 3, listed.output
    assert "Koliousis19 -> " in listed.output  # the remembered merge was applied...
    assert "@article{Koliousis19," not in bib.read_text()
    # ...and the case still open names the two entries left, not the one merged away
    [line] = [line for line in listed.output.splitlines() if "possible duplicate" in line]
    words = line.split()
    assert words[:2] == ["possible", "duplicate"] and words[3] == "~" and len(words) == 6
    assert {words[2], words[4]} == {"crossbow2019", "koliousis2019stream"}
