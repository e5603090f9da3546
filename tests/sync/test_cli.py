"""``bibsync sync`` on the command line: exit codes, dry run, JSON, self-sync, targets."""

from __future__ import annotations

import json
import shutil
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.targets.base import ApplyReport
import locations

DATA = locations.DATA / "sync"
ORIGINS = sorted(p.name for p in (DATA / "origins").glob("*.bib") if not p.name.endswith(".expected.bib"))

TARGET = """@inproceedings{sartakov2021cubicleos,
  title={{CubicleOS}: A library OS with software componentisation for practical isolation},
  author={Sartakov, Vasily A and Vilanova, Llu{\\'\\i}s and Pietzuch, Peter},
  booktitle={ASPLOS '21},
  year={2021}
}
"""
SOURCE = """@software{artefact,
  author = {Sartakov, Vasily A and Vilanova, Lluís and Pietzuch, Peter},
  title = {CubicleOS: A Library OS with Software Componentisation for Practical Isolation},
  year = {2020},
}

@inproceedings{paper,
  author = {Sartakov, Vasily A and Vilanova, Lluís and Pietzuch, Peter},
  title = {CubicleOS: A Library OS with Software Componentisation for Practical Isolation},
  booktitle = {ASPLOS '21},
  pages = {546--558},
  year = {2021},
}

@article{new,
  author = {Lamport, Leslie},
  title = {Time, Clocks, and the Ordering of Events in a Distributed System},
  journal = {Communications of the ACM},
  year = {1978},
}
"""


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, ["sync", *args], input=input)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "thesis.bib").write_text(TARGET)
    (tmp_path / "new.bib").write_text(SOURCE)
    return tmp_path / "new.bib", tmp_path / "thesis.bib"


def test_yes_applies_adds_and_updates_and_exits_3_for_review(files) -> None:
    source, target = files
    result = run(str(source), "--into", str(target), "--yes")
    assert result.exit_code == 3, result.output
    text = target.read_text()
    assert "  pages={546--558},\n  year={2021}\n}" in text  # completed in the file's style
    assert "@article{new,\n  author={Lamport, Leslie}," in text
    assert "artefact" not in text  # the uncertain match is left for review
    assert "1 uncertain match left for review" in result.output
    pending = json.loads((target.parent / "thesis.bib.bibsync.json").read_text())["pending"]
    assert len(pending) == 1


def test_second_run_plans_nothing_and_keeps_the_bytes(files) -> None:
    source, target = files
    run(str(source), "--into", str(target), "--yes")
    before = target.read_bytes()
    result = run(str(source), "--into", str(target), "--yes", "--json")
    data = json.loads(result.stdout)
    assert data["counts"] == {"add": 0, "update": 0, "same": 2, "review": 1}
    assert target.read_bytes() == before


def test_dry_run_prints_the_diff_and_writes_nothing(files) -> None:
    source, target = files
    result = run(str(source), "--into", str(target), "--dry-run")
    assert result.exit_code == 3  # as the real run: an uncertain match would wait for review
    assert "1 uncertain match would wait for review" in result.output
    assert f"--- {target}" in result.stdout and "+  pages={546--558},\n" in result.stdout
    assert "+@article{new,\n" in result.stdout
    assert target.read_text() == TARGET
    assert not (target.parent / "thesis.bib.bibsync.json").exists()


def test_json_plan(files) -> None:
    source, target = files
    result = run(str(source), "--into", str(target), "--dry-run", "--json")
    data = json.loads(result.stdout)
    kinds = {c["kind"]: c for c in data["changes"]}
    assert kinds["update"]["key"] == kinds["update"]["matched_key"] == "sartakov2021cubicleos"
    assert kinds["update"]["field_changes"] == [{"field": "pages", "old": None, "new": "546--558"}]
    assert kinds["add"]["key"] == "new"
    assert kinds["review"]["candidates"][0]["key"] == "sartakov2021cubicleos"
    assert 0 < kinds["review"]["score"] < 1


@pytest.mark.parametrize("origin", ORIGINS)
def test_syncing_a_file_into_itself_plans_nothing(origin: str, tmp_path: Path) -> None:
    path = tmp_path / origin
    shutil.copy(DATA / "origins" / origin, path)
    before = path.read_bytes()
    result = run(str(path), "--into", str(path), "--yes", "--json")
    unreadable = "cannot parse this block" in result.output  # a block kept as it is, but left out: exit 1
    assert result.exit_code == (1 if unreadable else 0), result.output
    counts = json.loads(result.stdout)["counts"]
    assert counts["add"] == counts["update"] == counts["review"] == 0
    assert path.read_bytes() == before


def test_missing_target_is_created(files) -> None:
    source, target = files
    fresh = target.parent / "fresh.bib"
    result = run(str(source), "--into", str(fresh), "--yes")
    assert result.exit_code == 0, result.output
    assert fresh.read_text().count("\n@") == 2  # software artefact, paper, article: three entries


@pytest.mark.parametrize("args", [[], ["--into", "a.bib", "--zotero", "user:1"], ["--into", "a.bib", "--prefer", "x"],
                                  ["--into", "a.bib", "--collection", "C"], ["--zotero", "user:1", "--backup"]])
def test_usage_errors_exit_2(files, args) -> None:
    source, _ = files
    result = run(str(source), *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_unreadable_source_exits_1(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.bib"), "--into", str(tmp_path / "t.bib"))
    assert result.exit_code == 1 and "no such file" in result.output


def test_zotero_target_is_built_lazily_with_all_options(files, monkeypatch) -> None:
    source, _ = files
    calls = {}

    class FakeZotero:
        name = "zotero"

        def load(self):
            return []

        def apply(self, plan):
            calls["applied"] = plan.counts()
            return ApplyReport(added=len(plan.by_kind("add")))

    def open_zotero_target(spec, api_key_file=None, endpoint=None, collection=None, refresh=False, settings=None,
                           policy="fill", require_write=True, read_progress=None, write_progress=None):
        kw = {"api_key_file": api_key_file, "endpoint": endpoint, "collection": collection, "refresh": refresh,
              "policy": policy, "require_write": require_write}
        calls["spec"], calls["kw"] = spec, kw
        return FakeZotero()

    module = types.ModuleType("bibsync.targets.zotero.target")
    module.open_zotero_target = open_zotero_target
    monkeypatch.setitem(sys.modules, "bibsync.targets.zotero.target", module)
    monkeypatch.setenv("BIBSYNC_ZOTERO_ENDPOINT", "http://127.0.0.1:9")
    result = run(str(source), "--zotero", "group:42", "--api-key-file", "key.txt", "--collection", "Thesis",
                 "--refresh", "--prefer", "source", "--yes")
    assert result.exit_code == 0, result.output
    assert calls["spec"] == "group:42"
    kw = calls["kw"]
    assert (kw["api_key_file"], kw["endpoint"], kw["collection"], kw["refresh"], kw["policy"], kw["require_write"]) == (
        Path("key.txt"), "http://127.0.0.1:9", "Thesis", True, "source", False)
    assert calls["applied"]["add"] == 3  # an empty library: everything is new


def test_source_failures_are_reported_and_the_rest_synced(files) -> None:
    source, target = files
    source.write_text(SOURCE + "\n@article{broken, title = {no end,\n")
    result = run(str(source), "--into", str(target), "--yes")
    assert "skipped:" in result.output and "cannot parse" in result.output
    assert "@article{new," in target.read_text()


def test_source_warnings_are_warnings_and_keep_the_exit_code(tmp_path: Path) -> None:
    source = tmp_path / "new.bib"
    source.write_text(SOURCE.replace("@article{new,", "@article{paper,"))  # a duplicate key: both kept
    target = tmp_path / "fresh.bib"
    result = run(str(source), "--into", str(target), "--yes")
    assert result.exit_code == 0, result.output
    assert f"warning: {source}:15: duplicate key 'paper'; both entries kept" in result.output
    assert "skipped:" not in result.output
    assert target.read_text().count("@inproceedings{") == 1 and "Lamport, Leslie" in target.read_text()


@pytest.mark.parametrize(("answer", "code"), [("n", 1), ("y", 3)])
def test_on_a_terminal_it_asks_once_before_writing(files, answer: str, code: int) -> None:
    pexpect = pytest.importorskip("pexpect")
    source, target = files
    child = pexpect.spawn(sys.executable, ["-m", "bibsync", "sync", str(source), "--into", str(target)],
                          encoding="utf-8", timeout=60, dimensions=(40, 200))
    child.expect(r"write 2 changes to .*thesis\.bib\? \[y/N\]")
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code
    written = "@article{new," in target.read_text()
    assert written == (answer == "y")
    if answer == "n":
        assert "nothing written" in child.before
