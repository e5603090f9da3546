"""The QA review's minor items (item 13), each as it was seen on the command line.

(Field names for --omit and an empty --zotero-endpoint: core/test_settings_checks.py; check on
a folder: files/test_target_paths.py.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner
from zotero_fixtures import GROUP, WRITE_KEY

from bibsync.cli import app
from sample_entries import CUBICLE_ARTEFACT_BIB as ARTEFACT
from sample_entries import CUBICLE_PAPER_BIB as PAPER
from locations import DATA

REVIEW = DATA / "review"
PLAIN = {"COLUMNS": "200", "NO_COLOR": "1"}
runner = CliRunner()


def cli(*args: str, keys: str | None = None, env: dict | None = None):
    extra = {"BIBSYNC_INTERACTIVE": "1"} if keys is not None else {}
    return runner.invoke(app, list(args), input=keys, env={**PLAIN, **extra, **(env or {})})


def thesis(tmp_path: Path) -> Path:
    bib = tmp_path / "thesis.bib"
    shutil.copy(REVIEW / "thesis.bib", bib)
    return bib


def test_json_without_a_terminal_or_yes_gives_the_json_plan_and_one_line(tmp_path):
    bib = thesis(tmp_path)
    result = cli("sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["counts"] == {"add": 1, "update": 0, "same": 0, "review": 1}
    assert result.stderr.splitlines() == [
        "nothing written: standard input is not a terminal, so nobody can confirm the 1 change planned; "
        "add --yes to write them"]
    assert bib.read_text() == (REVIEW / "thesis.bib").read_text()


def test_one_record_left_out_is_said_in_the_singular(tmp_path):
    result = cli("sync", "10.12/x", str(REVIEW / "incoming.bib"), "--into", str(tmp_path / "x.bib"), "--yes")
    assert result.exit_code == 1
    assert "1 record or identifier could not be read and was left out (see above); exit code 1" in result.stderr


def test_check_of_one_entry_speaks_of_one_entry(tmp_path):
    one = tmp_path / "one.bib"
    one.write_text("@article{a,\n  author = {A, B},\n  title = {T},\n  journal = {J},\n  year = {2020},\n}\n")
    assert cli("check", str(one)).stdout == "its one entry has the fields its type requires\n"
    one.write_text("@inproceedings{a,\n  author = {A, B},\n  title = {T},\n  year = {2020},\n}\n")
    result = cli("check", str(one))
    assert result.exit_code == 3
    assert result.stdout.splitlines()[-1] == ("1 of 1 entry lacks a field its type requires "
                                              "(BibTeX warns 'empty FIELD in KEY')")


def test_rewrite_tex_given_a_file_says_it_is_not_a_folder_before_reviewing(tmp_path):
    bib = thesis(tmp_path)
    before = bib.read_bytes()
    result = cli("review", "--into", str(bib), "--rewrite-tex", str(bib))
    assert result.exit_code == 1
    assert f"error: {bib} is a file, not a folder" in result.stderr and "no such folder" not in result.stderr
    assert "merged" not in result.output  # nothing was reviewed first
    assert bib.read_bytes() == before and not Path(f"{bib}.orig").exists()


def test_check_into_a_closed_pipe_ends_quietly_with_its_own_exit_code(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("".join(f"@inproceedings{{k{i},\n  title = {{T {i}}},\n  year = {{2020}},\n}}\n\n"
                           for i in range(3000)))  # far more than a pipe holds
    done = subprocess.run(f"{sys.executable} -m bibsync check {bib} | head -1; exit ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120)
    assert done.stdout == f"{bib}:1: k0 (@inproceedings) lacks author, booktitle\n"
    assert done.stderr == "" and done.returncode == 3  # what the whole run exits with


@pytest.mark.parametrize("number", ["1e999999", "-1e999999", "NaN", "Infinity"])
def test_a_number_without_a_finite_value_is_refused(tmp_path, number):
    csl = tmp_path / "items.json"
    csl.write_text('[{"type": "article-journal", "title": "T", "container-title": "J",\n'
                   f' "volume": {number}, "issued": {{"date-parts": [[2020]]}}}}]\n')
    result = cli("parse", str(csl))
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{csl}:2: the number {number} has no finite value" in result.stderr
    assert "inf" not in result.stdout.lower()


def test_a_dry_run_into_zotero_without_a_key_says_a_key_is_needed_to_read(zotero_server, tmp_path):
    result = cli("sync", str(REVIEW / "incoming.bib"), "--zotero", f"group:{GROUP}", "--dry-run",
                 env={"BIBSYNC_ZOTERO_ENDPOINT": zotero_server.endpoint})
    assert result.exit_code == 1
    assert f"group:{GROUP} cannot be read without a Zotero API key (it is not public" in result.stderr
    assert "to write to" not in result.stderr


PUBLISHED = """@inproceedings{zhu2023msrl,
  author = {Zhu, Huanzhou and Zhao, Bo and Pietzuch, Peter},
  title = {{MSRL}: Distributed Reinforcement Learning with Dataflow Fragments},
  booktitle = {USENIX ATC 23},
  pages = {977--993},
  year = {2023},
}
"""
PREPRINT = """@misc{zhu2022msrl,
  author = {Zhu, Huanzhou and Zhao, Bo and Pietzuch, Peter},
  title = {{MSRL}: Distributed Reinforcement Learning with Dataflow Fragments},
  year = {2022},
  eprint = {2210.00882},
  archiveprefix = {arXiv},
  note = {preprint},
}
"""


def test_a_preprints_note_is_not_copied_into_the_published_version(tmp_path):
    bib = tmp_path / "thesis.bib"
    bib.write_text(PUBLISHED)
    listing = tmp_path / "arxiv.bib"
    listing.write_text(PREPRINT)
    assert cli("sync", str(listing), "--into", str(bib), "--yes").exit_code == 3
    result = cli("review", "--into", str(bib), keys="m\n\n")
    assert result.exit_code == 0, result.output
    text = bib.read_text()
    assert "  eprint = {2210.00882},\n" in text and "ids = {zhu2022msrl}" in text
    assert "note" not in text and "preprint" not in text
    assert cli("sync", str(listing), "--into", str(bib), "--yes").exit_code == 0  # the decision holds
    assert "note" not in bib.read_text()


def test_a_pair_settled_in_the_library_is_not_asked_again_in_the_pulled_bib(zotero_server, tmp_path):
    env = {"ZOTERO_API_KEY": WRITE_KEY, "BIBSYNC_ZOTERO_ENDPOINT": zotero_server.endpoint}
    spec = f"group:{GROUP}"
    (tmp_path / "paper.bib").write_text(PAPER)
    (tmp_path / "artefact.bib").write_text(ARTEFACT)
    assert cli("sync", str(tmp_path / "paper.bib"), "--zotero", spec, "--yes", env=env).exit_code == 0
    assert cli("sync", str(tmp_path / "artefact.bib"), "--zotero", spec, "--yes", env=env).exit_code == 3
    assert cli("review", "--zotero", spec, keys="a\n", env=env).exit_code == 0  # two works: keep both
    group = tmp_path / "group.bib"
    pulled = cli("pull", "--zotero", spec, "--into", str(group), env=env)
    assert pulled.exit_code == 0, pulled.output
    reviewed = cli("review", "--into", str(group))
    assert reviewed.exit_code == 0, reviewed.output
    assert "possible duplicate" not in reviewed.output and "0 open" in reviewed.output
    kept_apart = json.loads(Path(f"{group}.bibsync.json").read_text())["decisions"]
    assert ("key:sartakov2020cubicleos", "sartakov2021cubicleos", "different") in [
        (d["entry"], d["candidate"], d["decision"]) for d in kept_apart]
