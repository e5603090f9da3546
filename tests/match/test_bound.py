"""Finding duplicates leaves a pair unfinished only when it can only be "new" (``distance_above``):
the same verdicts, scores and explanations as comparing every candidate pair in full."""

from __future__ import annotations

import random
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from bibsync.bibtex.read import read_bibtex
from bibsync.match import MatchSettings, dedupe, find_duplicates
from bibsync.match.distance import distance, distance_above
from bibsync.match.index import CandidateIndex, as_list
from bibsync.match.normalize import Features, features
from bibsync.match.recommend import least_weight, make_candidate
from bibsync.model import Entry, Person
from locations import ROOT

SETTINGS = MatchSettings()
WORDS = ("stream graph query index cache joins learned adaptive secure cloud edge kernel storage memory "
         "consensus replication scheduling compiler tensor sparse processing fault tolerant single node").split()
NAMES = "Okafor Lindqvist Moreau Haddad Tanaka Souza Mori Berg Novak Silva".split()


@lru_cache(maxsize=1)
def _real_entries() -> tuple[Entry, ...]:
    """Every entry of the test data and samples: near-duplicates, reviews, preprints, series."""
    entries = []
    for path in sorted((ROOT / "tests" / "data").rglob("*.bib")) + [ROOT / "samples" / "thesis.bib"]:
        entries += read_bibtex(path.read_text(encoding="utf-8", errors="replace")).entries
    return tuple(entries)


def _generated(rng: random.Random, size: int) -> list[Entry]:
    """Entries from a small vocabulary and a few people: many titles share words, many pairs
    are reworded titles by the same people, some copies are damaged."""
    out = []
    for i in range(size):
        title = " ".join(rng.choices(WORDS, k=rng.randint(2, 7)))
        if rng.random() < 0.2:
            title = f"{rng.choice(WORDS).capitalize()}: {title}"
        fields = {"title": title, "year": str(rng.randint(2019, 2022)),
                  "journal": rng.choice(["Journal of Systems", "Letters on Data", "J. Syst."])}
        if rng.random() < 0.5:
            start = rng.randint(1, 40)
            fields["pages"] = f"{start}--{start + 9}"
        people = tuple(Person(n, rng.choice(["A.", "Ann", "Bo"])) for n in rng.sample(NAMES, rng.randint(1, 3)))
        out.append(Entry("article", fields, authors=people, key=f"g{i}"))
        roll = rng.random()
        if roll < 0.5:  # a copy with one word replaced, or the title reworded (words shuffled, some added)
            words = title.replace(":", "").split()
            if roll < 0.2:
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            else:
                rng.shuffle(words)
                words[rng.randrange(len(words) + 1):0] = rng.choices(WORDS, k=rng.randint(1, 3))
            out.append(out[-1].with_fields(title=" ".join(words)).with_key(f"d{i}"))
    return out


def _check_pairs(feats: list[Features], s: MatchSettings) -> int:
    """Assert the guarantee on every candidate pair of ``feats``; return how many were left unfinished."""
    least = least_weight(s)
    q, t = CandidateIndex(feats, s).self_pairs()
    unfinished = 0
    for i, j in zip(as_list(q), as_list(t)):
        full = make_candidate(j, distance(feats[i], feats[j], s), s)
        found = distance_above(feats[i], feats[j], s, least)
        if found is None:
            unfinished += 1
            below_floor = full.parts.get("title", 1.0) < s.title_floor
            assert full.verdict == "new" and (full.weight < least or below_floor), (i, j, full.explanation)
        else:
            assert make_candidate(j, found, s) == full
    return unfinished


@settings(max_examples=20, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(10, 60), st.floats(0.02, 0.9))
def test_a_pair_left_unfinished_is_new(rng: random.Random, size: int, review: float):
    # New: below the least weight of a review (or a match), or a title below the floor.
    s = MatchSettings(review_threshold=review)
    real = rng.sample(_real_entries(), min(5 * size, len(_real_entries())))
    _check_pairs([features(e, s) for e in real + _generated(rng, size)], s)


def test_the_bound_leaves_out_pairs_that_share_only_words():
    # Reworded titles by other people: pairs that blocking finds and that can only be "new".
    entries = _generated(random.Random(3), 150)
    assert _check_pairs([features(e, SETTINGS) for e in entries], SETTINGS) > 50


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(10, 60))
def test_duplicate_groups_are_those_of_comparing_every_pair_in_full(rng: random.Random, size: int):
    entries = rng.sample(_real_entries(), min(5 * size, len(_real_entries()))) + _generated(rng, size)
    bounded = find_duplicates(entries, SETTINGS)
    original = dedupe.distance_above
    dedupe.distance_above = lambda a, b, s, least: distance(a, b, s)
    try:
        assert find_duplicates(entries, SETTINGS) == bounded
    finally:
        dedupe.distance_above = original
