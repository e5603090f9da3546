"""Issue 10, items 5 to 7: duplicate groups that do not chain, decisions honoured by ``dedupe``,
repeated keys told apart; ``dedupe`` exits 3 while groups remain undecided (issue 11); the
progress of a large dedupe.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.cli.match_report import find_groups
from bibsync.match import find_duplicates
from bibsync.model import Entry, Person
from bibsync.review.decisions import DecisionStore
from locations import BENCHMARKS, DATA

runner = CliRunner()
CHUA = (Person("Chua", "Kurtland"), Person("Calandra", "Roberto"), Person("McAllister", "Rowan"),
        Person("Levine", "Sergey"))


def chua(key: str, **fields: str) -> Entry:
    base = {"title": "Deep reinforcement learning in a handful of trials using probabilistic dynamics models",
            "booktitle": "Advances in Neural Information Processing Systems", "year": "2018"}
    return Entry("inproceedings", {**base, **fields}, authors=CHUA, key=key)


LEVINE = Entry("article", {"title": "Reinforcement learning and control as probabilistic inference: tutorial and "
                                    "review", "journal": "arXiv preprint arXiv:1805.00909", "year": "2018"},
               authors=(Person("Levine", "Sergey"),), key="levine2018reinforcement")


# --- 5. groups that do not chain -------------------------------------------------------------------

def test_identical_copies_stay_a_match_whatever_hangs_off_them():
    """Issue 10: chua2018deep and chua_deep_2018 went to review, glued to levine2018reinforcement."""
    entries = [chua("chua2018deep"), LEVINE, chua("chua_deep_2018", pages="4754--4765"),
               chua("chua2018preprint", booktitle="", journal="arXiv preprint arXiv:1805.12114")]
    groups = find_duplicates(entries)
    matched = [g for g in groups if g.recommendation == "match"]
    assert [g.indices for g in matched] == [(0, 2)]
    assert all(1 not in g.indices for g in groups)  # the other paper is in no group
    preprint = [g for g in groups if 3 in g.indices]
    assert len(preprint) == 1 and preprint[0].recommendation == "review"


def test_front_matter_without_authors_does_not_chain_into_one_group():
    """Issue 10: a 126-entry group chained from authorless front-matter records of an ACL export."""
    topics = ["Discourse in Machine Translation", "Computational Approaches to Linguistic Code-Switching",
              "Noisy User-generated Text", "Semantic Evaluation", "Argument Mining", "Figurative Language Processing",
              "Speech and Language Processing for Assistive Technologies", "Cognitive Modeling and Computational "
              "Linguistics", "Storytelling", "Narrative Understanding", "Event Extraction", "Computational Humor"]
    ordinals = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth"]
    entries = []
    for topic in topics:
        for k, ordinal in enumerate(ordinals):
            entries.append(Entry("inproceedings", {
                "title": f"Proceedings of the {ordinal} Workshop on {topic}", "year": str(2014 + k // 2),
                "booktitle": f"Proceedings of the {ordinal} Workshop on {topic}"}, key=f"W{len(entries)}"))
    # Other editions differ in a number, other workshops in the words each title has of its
    # own, and no people say otherwise: no group, not even for review.
    assert find_duplicates(entries) == []
    # The same proceedings exported twice, one copy with its editors, is still found.
    copy = entries[7].with_fields(editor="Lucie Flekova and Vincent Ng")
    groups = find_duplicates([*entries, copy])
    assert [(g.indices, g.recommendation) for g in groups] == [((7, len(entries)), "match")]


# --- 6. decisions honoured everywhere ---------------------------------------------------------------------

BIB = """@inproceedings{chua2018deep,
  title = {Deep reinforcement learning in a handful of trials using probabilistic dynamics models},
  author = {Chua, Kurtland and Calandra, Roberto and McAllister, Rowan and Levine, Sergey},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2018}
}

@inproceedings{chua_deep_2018,
  title = {Deep Reinforcement Learning in a Handful of Trials using Probabilistic Dynamics Models},
  author = {Chua, Kurtland and Calandra, Roberto and McAllister, Rowan and Levine, Sergey},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2018}
}

@misc{sartakov2020cubicleos,
  title = {{CubicleOS}: A Library {OS} with Software Componentisation for Practical Isolation},
  author = {Sartakov, Vasily A. and Vilanova, Llu{\\'\\i}s and Pietzuch, Peter},
  howpublished = {Zenodo},
  url = {https://zenodo.org/record/4321},
  year = {2020}
}

@inproceedings{sartakov2021cubicleos,
  title = {{CubicleOS}: A Library {OS} with Software Componentisation for Practical Isolation},
  author = {Sartakov, Vasily A. and Vilanova, Llu{\\'\\i}s and Pietzuch, Peter},
  booktitle = {ASPLOS '21},
  year = {2021}
}
"""


def _bib(tmp_path: Path, text: str = BIB) -> Path:
    path = tmp_path / "thesis.bib"
    path.write_text(text, encoding="utf-8")
    return path


def _decide(path: Path, a: str, b: str, decision: str) -> None:
    from bibsync.pipeline import load_bib

    entries = {e.key: e for e in load_bib(str(path)).entries}
    store = DecisionStore.for_bib(path)
    store.record(entries[a], entries[b], decision, by_key=True)
    store.save()


def test_dedupe_leaves_out_settled_pairs_and_says_how_many(tmp_path):
    path = _bib(tmp_path)
    before = runner.invoke(app, ["dedupe", str(path)])
    assert before.exit_code == 3
    assert before.stdout.splitlines()[0] == f"2 duplicate group(s) among 4 entries in {path}"
    _decide(path, "sartakov2020cubicleos", "sartakov2021cubicleos", "different")
    after = runner.invoke(app, ["dedupe", str(path)])
    lines = after.stdout.splitlines()
    assert lines[0] == (f"1 duplicate group(s) among 4 entries in {path}; 1 settled pair left out "
                        f"(--all lists them)")
    assert "cubicleos" not in after.stdout.replace(str(path), "")
    assert after.exit_code == 3  # the Chua pair is still undecided
    shown = runner.invoke(app, ["dedupe", str(path), "--all"])
    assert "review 0.91 sartakov2020cubicleos, sartakov2021cubicleos decided: different" in shown.stdout


def test_dedupe_json_leaves_out_settled_pairs_and_all_lists_them_with_the_decision(tmp_path):
    path = _bib(tmp_path)
    _decide(path, "sartakov2021cubicleos", "sartakov2020cubicleos", "different")  # either way round
    data = json.loads(runner.invoke(app, ["dedupe", str(path), "--json"]).stdout)
    assert data["settled"] == 1 and [g["keys"] for g in data["groups"]] == [["chua2018deep", "chua_deep_2018"]]
    everything = json.loads(runner.invoke(app, ["dedupe", str(path), "--json", "--all"]).stdout)
    decided = [g for g in everything["groups"] if "decision" in g]
    assert [(g["keys"], g["decision"]) for g in decided] == [
        (["sartakov2020cubicleos", "sartakov2021cubicleos"], "different")]


def test_dedupe_exits_0_when_every_group_is_decided(tmp_path):
    path = _bib(tmp_path)
    _decide(path, "sartakov2020cubicleos", "sartakov2021cubicleos", "different")
    _decide(path, "chua_deep_2018", "chua2018deep", "different")
    result = runner.invoke(app, ["dedupe", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("0 duplicate group(s) among 4 entries")
    assert runner.invoke(app, ["dedupe", str(path), "--json"]).exit_code == 0


def test_a_pair_called_different_splits_a_match_group(tmp_path):
    path = _bib(tmp_path)
    _decide(path, "chua2018deep", "chua_deep_2018", "different")
    data = json.loads(runner.invoke(app, ["dedupe", str(path), "--json"]).stdout)
    assert all("chua2018deep" not in g["keys"] for g in data["groups"])


# --- 7. repeated keys identifiable --------------------------------------------------------------------------

def test_repeated_keys_are_told_apart_by_their_lines(tmp_path):
    entry = ("@InProceedings{C02-1020,\n  author = {Baldwin, Timothy and Bond, Francis},\n"
             "  title = {Multiword Expressions: A Pain in the Neck for NLP},\n"
             "  booktitle = {COLING 2002},\n  year = {2002}\n}\n")
    path = _bib(tmp_path, entry + "\n" + entry)
    result = runner.invoke(app, ["dedupe", str(path), "--json"])
    group = json.loads(result.stdout)["groups"][0]
    assert group["keys"] == ["C02-1020", "C02-1020"]  # as it was
    assert group["entries"] == [{"key": "C02-1020", "line": 1}, {"key": "C02-1020", "line": 8}]


# --- progress -------------------------------------------------------------------------------------------------

def test_find_duplicates_reports_progress_to_the_end():
    calls = []
    entries = [chua(f"k{i}", year=str(1990 + i)) for i in range(30)]
    find_duplicates(entries, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] > 0
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_on_a_terminal_and_silent_for_json(tmp_path, monkeypatch):
    path = _bib(tmp_path)
    from bibsync.pipeline import load_bib

    entries = load_bib(str(path)).entries
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    find_groups(path, entries)
    assert "looking for duplicates" in terminal.getvalue()
    quiet = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    find_groups(path, entries, progress_enabled=False)  # what --json asks for
    assert quiet.getvalue() == ""


# --- the labelled fixture from real exports ------------------------------------------------------------

def test_real_thesis_exports_are_grouped_without_false_merges():
    """tests/data/dedupe: 20 hand-labelled duplicate groups, 31 look-alike pairs (README.md there)."""
    import importlib.util

    path = BENCHMARKS / "dedupe_fixture.py"
    spec = importlib.util.spec_from_file_location("dedupe_fixture", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bib = DATA / "dedupe" / "theses.bib"
    labels = json.loads(bib.with_suffix(".groups.json").read_text(encoding="utf-8"))
    assert len(labels["groups"]) >= 20
    line = bench.evaluate(bib, labels, bench.MatchSettings())
    figures = dict(part.split("=") for part in line.split())
    assert figures["precision"] == "1.0000" and figures["recall"] == "1.0000"
    assert figures["lookalikes_merged"] == "0" and int(figures["largest_group"]) <= 4
    assert float(figures["merged_automatically"]) >= 0.7  # the rest are preprint/published pairs, asked
