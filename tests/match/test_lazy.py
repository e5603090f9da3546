"""The Matcher's two indexes give the same candidates; a few queries do not compute every target's keys."""

from __future__ import annotations

import random

import numpy as np
import pytest

import bibsync.match.api as api
from bibsync.match import Matcher, MatchSettings
from bibsync.match.index import CandidateIndex, WordIndex
from bibsync.match.normalize import features
from bibsync.model import Entry, Person

WORDS = ("stream graph query index cache joins learned adaptive secure cloud edge kernel storage memory "
         "consensus replication scheduling compiler tensor sparse").split()
NAMES = "Okafor Lindqvist Moreau Haddad Tanaka Souza Mori Berg Novak Silva".split()


def _title(rng: random.Random, vocabulary: list[str]) -> str:
    shape = rng.random()
    words = rng.choices(vocabulary, k=rng.randint(2, 7))
    if shape < 0.05:
        return rng.choice(vocabulary).capitalize()  # one-word title
    if shape < 0.1:
        return " ".join(rng.choices(vocabulary, k=20))  # longer than the 16 indexed words
    if shape < 0.3:
        return f"{rng.choice(vocabulary).capitalize()}: {' '.join(words)}"  # main title and subtitle
    if shape < 0.35:
        return f"{' '.join(words)} - Book Review"
    if shape < 0.4:
        return f"{' '.join(words)} by Ana Souza and Kenji Mori"
    if shape < 0.45:
        return f"{' '.join(words)} (Demo Abstract)"
    return " ".join(words)


def library(size: int, seed: int, vocabulary: list[str] = WORDS) -> list[Entry]:
    """Random entries over a vocabulary (a small one: many shared words), identifiers, years or none."""
    rng = random.Random(seed)
    out = []
    for i in range(size):
        fields = {"title": _title(rng, vocabulary)}
        if rng.random() < 0.9:
            fields["year"] = str(rng.randint(2000, 2006))
        roll = rng.random()
        if roll < 0.2:
            fields["doi"] = f"10.1000/{rng.randint(1, 40)}"
        elif roll < 0.25:
            fields["doi"] = f"10.48550/arXiv.2101.{rng.randint(10000, 10040)}"  # a preprint DOI
        elif roll < 0.3:
            fields["eprint"], fields["archiveprefix"] = f"2101.{rng.randint(10000, 10040)}v2", "arXiv"
        elif roll < 0.33:
            fields["isbn"] = rng.choice(["978-3-16-148410-0", "0-306-40615-2"])
        elif roll < 0.36:
            fields["pmid"] = str(rng.randint(1, 20))
        people = tuple(Person(n, "A.") for n in rng.sample(NAMES, rng.randint(1, 3)))
        out.append(Entry(rng.choice(["article", "inproceedings", "book"]), fields, authors=people, key=f"e{i}"))
    return out


@pytest.mark.parametrize("settings", [MatchSettings(), MatchSettings(max_block=4), MatchSettings(query_words=2),
                                      MatchSettings(title_floor=0.3)], ids=["default", "max_block", "words", "floor"])
def test_word_index_gives_the_candidates_of_the_full_index(settings):
    targets = library(600, seed=11)
    queries = library(80, seed=12) + targets[:40]
    target_keys = [features(e, settings) for e in targets]
    query_keys = [features(e, settings) for e in queries]
    full = CandidateIndex(target_keys, settings).candidates(query_keys)
    lazy = WordIndex(targets, target_keys.__getitem__, settings).candidates(query_keys)
    assert len(full[0]) > 200  # the test compares something
    assert np.array_equal(full[0], lazy[0]) and np.array_equal(full[1], lazy[1])


def test_few_queries_compute_few_target_keys_and_propose_the_same(monkeypatch):
    vocabulary = [a + b for a in WORDS for b in ("", "s", "ing", "ed")]
    targets = library(800, seed=21, vocabulary=vocabulary)
    incoming = library(10, seed=22, vocabulary=vocabulary) + [targets[5], targets[77]]
    expected = Matcher(targets).propose_all(incoming + targets[:100])[:len(incoming)]  # indexes all
    computed = []

    def counting(entry, settings):
        computed.append(entry)
        return features(entry, settings)

    monkeypatch.setattr(api, "features", counting)
    matcher = Matcher(targets)
    assert computed == []  # nothing before the first proposal
    assert matcher.propose_all(incoming) == expected
    assert len(incoming) < len(computed) < len(targets) // 3
