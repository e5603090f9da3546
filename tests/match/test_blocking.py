"""Candidate search finds the same candidates whatever else the library holds (issue 15, item 5).

Which words of a title are looked up follows a fixed order (``index.rarity``), never how
often a word occurs in the library, so whether two entries are compared depends on those
two entries alone.
"""

from __future__ import annotations

import random
import re
import shutil

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.match import Matcher, MatchSettings
from bibsync.match.index import CandidateIndex, WordIndex, as_list, rarity
from bibsync.match.normalize import features
from bibsync.model import Entry, Person
from locations import SAMPLES

SETTINGS = MatchSettings()
WORDS = ("stream graph query index cache joins learned adaptive secure cloud edge kernel storage memory "
         "consensus replication scheduling compiler tensor sparse processing fault tolerant single node").split()
NAMES = "Okafor Lindqvist Moreau Haddad Tanaka Souza Mori Berg Novak Silva".split()


def _library(size: int, seed: int) -> list[Entry]:
    rng = random.Random(seed)
    out = []
    for i in range(size):
        title = " ".join(rng.choices(WORDS, k=rng.randint(2, 7)))
        if rng.random() < 0.2:
            title = f"{rng.choice(WORDS).capitalize()}: {title}"
        fields = {"title": title, "year": str(rng.randint(2019, 2022))}
        people = tuple(Person(n, "A.") for n in rng.sample(NAMES, rng.randint(1, 3)))
        out.append(Entry("article", fields, authors=people, key=f"e{i}"))
    return out


def _damaged(entries: list[Entry], seed: int) -> list[Entry]:
    """Copies with a damaged title: a word dropped, replaced or mistyped, a word glued in front."""
    rng = random.Random(seed)
    out = []
    for i, e in enumerate(entries):
        words = e.title.replace(":", "").split()
        k = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.3 and len(words) > 2:
            del words[k]
        elif roll < 0.6:
            words[k] = rng.choice(WORDS)
        elif roll < 0.8:
            words[k] = words[k][:-1] + "x"
        else:
            words.insert(0, rng.choice(NAMES).lower())
        out.append(e.with_fields(title=" ".join(words)).with_key(f"q{i}"))
    return out


def _candidate_pairs(queries: list[Entry], targets: list[Entry], lazy: bool) -> set[tuple[str, str]]:
    q_feats = [features(e, SETTINGS) for e in queries]
    t_feats = [features(e, SETTINGS) for e in targets]
    index = WordIndex(targets, t_feats.__getitem__, SETTINGS) if lazy else CandidateIndex(t_feats, SETTINGS)
    q, t = index.candidates(q_feats)
    return {(queries[i].key, targets[j].key) for i, j in zip(as_list(q), as_list(t))}


@pytest.mark.parametrize("lazy", [False, True], ids=["full-index", "word-index"])
def test_whether_two_entries_are_compared_does_not_depend_on_the_rest_of_the_library(lazy):
    base = _library(120, seed=2)
    queries = _damaged(base[:60], seed=1) + _library(20, seed=1)
    crowd = [e.with_key(f"x{i}") for i, e in enumerate(_library(900, seed=3))]  # shifts every word's frequency
    alone = _candidate_pairs(queries, base, lazy)
    crowded = {p for p in _candidate_pairs(queries, base + crowd, lazy) if not p[1].startswith("x")}
    assert len(alone) > 50  # the test compares something
    assert alone == crowded


def test_self_pairs_do_not_depend_on_the_rest_of_the_library():
    base = _library(80, seed=4)
    base += _damaged(base, seed=7)
    crowd = [e.with_key(f"x{i}") for i, e in enumerate(_library(900, seed=5))]

    def pairs(entries):
        index = CandidateIndex([features(e, SETTINGS) for e in entries], SETTINGS)
        q, t = index.self_pairs()
        return {(entries[i].key, entries[j].key) for i, j in zip(as_list(q), as_list(t))
                if not entries[i].key.startswith("x") and not entries[j].key.startswith("x")}

    assert len(pairs(base)) > 20 and pairs(base) == pairs(base + crowd)


def test_the_word_order_is_fixed_rare_words_first():
    assert sorted(["learning", "scabbard", "data", "tolerant"], key=rarity) == ["scabbard", "tolerant", "learning",
                                                                               "data"]


DAMAGED = Entry("article", {"title": "Scabbat-tolerant stream processing", "journal": "Proceedings of the VLDB Endowment",
                            "year": "2022"},
                authors=(Person("Theodorakis", "Georgios"), Person("Kounelis", "Fotios"), Person("Pietzuch", "Peter"),
                         Person("Pirk", "Holger")), key="theodorakis2022scabbard")
INCOMING = Entry("inproceedings", {"title": "SCABBARD: single-node fault-tolerant stream processing", "year": "2022",
                                   "booktitle": "48th International Conference on Very Large Data Bases (VLDB)"},
                 authors=DAMAGED.authors[:3], authors_truncated=True)


def test_a_damaged_title_is_found_in_a_small_library_and_in_a_large_one():
    crowd = [e.with_key(f"x{i}") for i, e in enumerate(_library(500, seed=6))]
    alone = Matcher([DAMAGED]).propose(INCOMING)
    crowded = Matcher([DAMAGED, *crowd]).propose(INCOMING)
    assert alone.best is not None and alone.best.index == 0
    assert crowded.best is not None and crowded.best.index == 0
    assert alone.recommendation == crowded.recommendation
    assert alone.best.explanation == crowded.best.explanation


def test_two_syncs_with_a_damaged_title_add_no_duplicate(tmp_path):
    """Issue 15, item 5: the first sync and the second (after the first added entries) agree."""
    thesis = tmp_path / "thesis.bib"
    shutil.copy(SAMPLES / "thesis.bib", thesis)
    thesis.write_text(thesis.read_text().replace("Scabbard: Single-node fault-tolerant stream processing",
                                                 "Scabbat-tolerant stream processing"))
    listing = str(SAMPLES / "imperial-respub-pietzuch.txt")
    runner = CliRunner()
    first = runner.invoke(app, ["sync", listing, "--into", str(thesis), "--yes"])
    assert first.exit_code in (0, 3), first.output
    after_first = thesis.read_text()
    second = runner.invoke(app, ["sync", listing, "--into", str(thesis), "--yes"])
    assert second.exit_code in (0, 3), second.output
    text = thesis.read_text()
    assert text == after_first  # the second run writes nothing
    assert len(re.findall(r"title\s*=\s*\{[^\n]*tolerant stream processing", text, re.IGNORECASE)) == 1
    assert "theodorakis2022scabbarda" not in text
