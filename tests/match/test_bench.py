"""Smoke runs of the matcher benchmarks on tiny inputs (the full runs are not tests)."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest

import locations
from locations import ROOT

DATA = locations.DATA / "match"
LINE = re.compile(r"precision=(\d\.\d{4}) recall=(\d\.\d{4}) f1=(\d\.\d{4}) review=\d\.\d{4} seconds=\d+\.\d\d")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def er():
    return _load("entity_resolution")


def test_leipzig_tables_latin1_and_entities(er, capsys):
    """40 DBLP rows (latin-1 bytes) against 40 ACM rows (HTML entities), 35 true pairs."""
    leipzig = DATA / "leipzig"
    assert er.main(["--left", str(leipzig / "DBLP2-40.csv"), "--right", str(leipzig / "ACM-40.csv"),
                    "--mapping", str(leipzig / "mapping-35.csv")]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert LINE.fullmatch(last).groups() == ("1.0000", "1.0000", "1.0000")


def test_leipzig_rows_become_entries(er):
    rows = er.read_rows(DATA / "leipzig" / "DBLP2-40.csv")
    accented = next(r for r in rows if "ä" in r["authors"] or "ö" in r["authors"] or "é" in r["authors"])
    assert accented  # latin-1 detected
    acm = er.entry_from_row({"id": "1", "title": "Lud&#228;scher's &quot;MIX&quot;",
                             "authors": "Bertram Lud&#228;scher, Yannis Papakonstantinou",
                             "venue": "The VLDB Journal &mdash; The International Journal", "year": "1999"})
    assert acm.type == "article" and acm.title == 'Ludäscher\'s "MIX"'
    assert [p.last for p in acm.authors] == ["Ludäscher", "Papakonstantinou"]
    assert acm.get("journal") == "The VLDB Journal — The International Journal"
    assert er.entry_from_row({"id": "2", "title": "T", "authors": "?", "venue": "VLDB", "year": "2001"}).authors == ()


def test_labelled_pairs(er, capsys):
    assert er.main(["--pairs", str(DATA / "pairs.csv")]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert LINE.fullmatch(last).groups() == ("1.0000", "1.0000", "1.0000")


def test_one_to_one_assignment_keeps_the_best_claim(er):
    from bibsync.match import Candidate, Proposal
    from bibsync.model import Entry

    e = Entry("misc", {})
    proposals = [Proposal(e, (Candidate(0, 0.9, verdict="match"),), "match"),
                 Proposal(e, (Candidate(0, 0.95, verdict="match"),), "match"),
                 Proposal(e, (Candidate(1, 0.7, verdict="review"),), "review")]
    assert er.assign(proposals) == {1: 0}


def test_scale_benchmark_smoke(capsys):
    scale = _load("match_scale")
    entries, truth = scale.library(300, seed=3)
    assert len(entries) == 300 and len({e.key for e in entries}) == 300
    assert truth and all(a < b for a, b in truth)
    assert scale.main(["--sizes", "200,400", "--seed", "3"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert re.fullmatch(r"n=400 seconds=\d+\.\d\d ratio_100k_10k=\d+\.\d precision=\d\.\d{4} recall=\d\.\d{4}", last)
