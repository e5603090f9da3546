"""Few entries are blocked in plain lists, without numpy: the same candidate pairs as the
numpy path, and a sync of one listing into a large .bib never imports numpy."""

from __future__ import annotations

import random
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bibsync.bibtex.read import read_bibtex
from bibsync.match.index import CandidateIndex, WordIndex, as_list
from bibsync.match.normalize import Features, features
from bibsync.match.settings import MatchSettings
from locations import ROOT

SETTINGS = MatchSettings()


@lru_cache(maxsize=1)
def _entries() -> list:
    """Every entry of the test data and samples: near-duplicates, reviews, preprints, series."""
    entries = []
    for path in sorted((ROOT / "tests" / "data").rglob("*.bib")) + [ROOT / "samples" / "thesis.bib"]:
        entries += read_bibtex(path.read_text(encoding="utf-8", errors="replace")).entries
    return entries


@lru_cache(maxsize=1)
def _pool() -> list[Features]:
    return [features(e, SETTINGS) for e in _entries()]


def _pairs(found) -> list[tuple[int, int]]:
    return list(zip(as_list(found[0]), as_list(found[1])))


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(20, 300))
def test_lists_and_arrays_give_the_same_duplicate_pairs(rng: random.Random, size: int) -> None:
    feats = rng.sample(_pool(), min(size, len(_pool())))
    lists = _pairs(CandidateIndex(feats, SETTINGS, lists=True).self_pairs())
    assert lists == _pairs(CandidateIndex(feats, SETTINGS, lists=False).self_pairs())


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(1, 60))
def test_lists_arrays_and_the_word_index_give_the_same_candidates(rng: random.Random, size: int) -> None:
    pool = _pool()
    chosen = rng.sample(range(len(pool)), min(300, len(pool)))
    targets = [pool[i] for i in chosen]
    queries = rng.sample(pool, size)
    arrays = _pairs(CandidateIndex(targets, SETTINGS, lists=False).candidates(queries))
    assert _pairs(CandidateIndex(targets, SETTINGS, lists=True).candidates(queries)) == arrays
    words = WordIndex([_entries()[i] for i in chosen], lambda i: targets[i], SETTINGS)
    assert _pairs(words.candidates(queries)) == arrays


def test_a_small_sync_into_a_large_bib_never_imports_numpy(tmp_path: Path) -> None:
    bib = tmp_path / "big.bib"
    bib.write_text("".join(
        f"@inproceedings{{k{i},\n  author = {{Writer{i}, Ann}},\n  title = {{Study {i} of sharing number {i * 7}}},\n"
        f"  booktitle = {{Proc. of Tests}},\n  year = {{{1990 + i % 30}}},\n}}\n\n" for i in range(1200)))
    code = ("import sys; from bibsync.cli import main; sys.argv = ['bibsync', 'sync', %r, '--into', %r, '--dry-run'];"
            "\ntry:\n    main()\nexcept SystemExit:\n    pass\nprint('numpy' in sys.modules, file=sys.stderr)"
            % (str(ROOT / "samples" / "acm-toc-socc24.txt"), str(bib)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "│ add    │    63 │" in done.stdout, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False", done.stderr
