"""The dry-run diff is built from the splice edits: the same hunks as diff -u, at the cost of the change."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from bibsync.bibtex import diff as bibdiff
from bibsync.model import Entry, Person
from bibsync.pipeline import parse_sources
from bibsync.plan import make_plan
from bibsync.targets.bibfile.target import BibFileTarget
from locations import DATA, SAMPLES

SOCC = SAMPLES / "acm-toc-socc24.txt"
TARGETS = sorted(str(p.relative_to(DATA)) for p in (DATA / "sync" / "origins").glob("*.bib")
                 if not p.name.endswith(".expected.bib"))


def _plan_for(target: BibFileTarget):
    """Updates of a few of the file's own entries and the first SoCC '24 papers as adds."""
    entries = target.load()
    own = [e.with_fields(pages=e.get("pages") or "1--2", note="Extended version") for e in entries[:4] if e.title]
    incoming = parse_sources([str(SOCC)]).entries[:5] + own
    return make_plan(incoming, entries)


def _difflib(target: BibFileTarget, plan) -> str:
    new, _ = target.render(plan)
    name = str(target.path)
    return "".join(difflib.unified_diff(target.text.splitlines(True), new.splitlines(True), name, name))


@pytest.mark.parametrize("name", TARGETS + ["../../samples/thesis.bib"])
def test_the_diff_is_what_diff_u_prints(name: str) -> None:
    target = BibFileTarget(DATA / name, read_only=True)
    plan = _plan_for(target)
    assert plan.by_kind("update") and plan.by_kind("add")
    assert target.diff(plan) == _difflib(target, plan)


def apply_patch(old: str, patch: str) -> str:
    """Apply a unified diff (as this module writes it) to ``old``."""
    lines = old.splitlines(keepends=True)
    out, at = [], 0
    body = patch.splitlines(keepends=True)[2:]
    i = 0
    while i < len(body):
        start = int(re.match(r"@@ -(\d+)", body[i]).group(1))
        start = start - 1 if not re.match(r"@@ -\d+,0 ", body[i]) else start
        out += lines[at:start]
        at = start
        i += 1
        while i < len(body) and not body[i].startswith("@@"):
            line = body[i]
            if i + 1 < len(body) and body[i + 1].startswith("\\ No newline"):
                line = line[:-1]
                i += 1
            if line[0] in " -":
                at += 1
            if line[0] in " +":
                out.append(line[1:])
            i += 1
    return "".join(out + lines[at:])


def test_a_file_without_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{a,\n  title = {Gossip in enclaves},\n  year = {2011}\n}")
    target = BibFileTarget(path, read_only=True)
    incoming = [Entry("misc", {"title": "Gossip in enclaves", "year": "2011", "note": "Extended version"},
                      ()), Entry("article", {"title": "Quorum leases", "journal": "J", "year": "2031"},
                                 (Person("Roe", "Jane"),))]
    plan = make_plan(incoming, target.load())
    diff = target.diff(plan)
    new, _ = target.render(plan)
    assert "-}\n\\ No newline at end of file\n" in diff
    assert apply_patch(target.text, diff) == new


def _big_bib(path: Path, n: int) -> list[Entry]:
    path.write_text("".join(
        f"@article{{k{i},\n  author = {{Writer{i}, Ann}},\n  title = {{Paper number {i} on topic {i % 97}}},\n"
        f"  journal = {{Journal {i % 13}}},\n  year = {{{1950 + i % 70}}},\n}}\n\n" for i in range(n)))
    return BibFileTarget(path, read_only=True).load()


def test_the_cost_follows_the_change_not_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.bib"
    entries = _big_bib(path, 4000)
    target = BibFileTarget(path, read_only=True)
    target.load()
    changed = [entries[17].with_fields(doi="10.1000/k17"), entries[3900].with_fields(pages="3--4")]
    plan = make_plan(changed, entries)
    compared: list[int] = []
    real = bibdiff.difflib.SequenceMatcher

    def recording(*args, **kwargs):
        compared.append(len(kwargs["a"]) + len(kwargs["b"]))
        return real(*args, **kwargs)
    monkeypatch.setattr(bibdiff.difflib, "SequenceMatcher", recording)
    diff = target.diff(plan)
    assert compared and max(compared) <= 16  # the lines of one entry, never the file's 28,000
    monkeypatch.undo()
    assert diff == _difflib(target, plan)
    assert diff.count("\n@@ ") + diff.startswith("@@") == 2 and "+  doi = {10.1000/k17},\n" in diff
