"""Blocking: which pairs are compared at all, never every pair.

Candidates come from two places:

- identifiers: entries sharing a DOI, arXiv id, PMID or ISBN;
- rare title words by year window: every entry is indexed under each *pair* of its title
  words (and a one-word title under its word); a query looks up the pairs among its
  ``query_words`` rarest words (and among those of its main title, for truncated
  subtitles) in its own year, one year either side, and among entries without a year.
  A duplicate shares at least two of those words unless its title is rewritten; a word
  pair is rare even in a large library, so the candidates per entry stay few as the
  library grows (one word alone would not: its postings grow with the library).

The postings are one sorted numpy array keyed by (word pair, year), so the lookups of a
whole batch are a few ``searchsorted`` calls. The surviving pairs are scored on their
titles in ``rapidfuzz.process.cpdist`` calls (``workers=-1``, all cores); only pairs
with a similar title (``title_floor``) or a shared identifier reach the full comparison.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from .normalize import Features
from .settings import MatchSettings

YEAR_SLOTS = 2001  # slot 0: no year; slots 1..2000: years 1000..2999
_MAX_ID_GROUP = 200  # an identifier shared by more entries than this is junk, not a duplicate
_MAX_INDEXED_WORDS = 16  # a longer title is indexed by pairs of its 16 rarest words


def _slot(year: int | None) -> int:
    return 0 if year is None else year - 999


def _identifier_keys(f: Features) -> Iterable[tuple[str, str]]:
    if f.doi:
        yield "doi", f.doi
    if f.arxiv:
        yield "arxiv", f.arxiv
    if f.pmid:
        yield "pmid", f.pmid
    for isbn in f.isbns:
        yield "isbn", isbn


class CandidateIndex:
    """An index of target entries' identifiers and title word pairs by year."""

    def __init__(self, targets: Sequence[Features], settings: MatchSettings) -> None:
        self.targets = targets
        self.settings = settings
        self._vocab: dict[str, int] = {}
        self._ids: dict[tuple[str, str], list[int]] = defaultdict(list)
        token_sets = []
        for i, f in enumerate(targets):
            token_sets.append({self._vocab.setdefault(w, len(self._vocab)) for w in f.words})
            for key in _identifier_keys(f):
                self._ids[key].append(i)
        counts = np.bincount(np.fromiter((t for ts in token_sets for t in ts), dtype=np.int64),
                             minlength=len(self._vocab))
        self._df: list[int] = counts.tolist()
        self._width = len(self._vocab) + 1
        owners: list[int] = []
        keys: list[int] = []
        for i, (f, tokens) in enumerate(zip(targets, token_sets)):
            slot = _slot(f.year)
            for key in self._entry_keys(f, tokens):
                owners.append(i)
                keys.append(key * YEAR_SLOTS + slot)
        key_array = np.asarray(keys, dtype=np.int64)
        order = np.argsort(key_array, kind="stable")
        self._keys = key_array[order]
        self._owners = np.asarray(owners, dtype=np.int64)[order]
        self._full = np.array([f.title for f in targets], dtype=object)
        self._main = np.array([f.main or f.title for f in targets], dtype=object)

    def _pair_keys(self, tokens: list[int]) -> list[int]:
        """Keys of every pair of the tokens (each pair once, in either order)."""
        width = self._width
        return [a * width + b + 1 for a, b in combinations(sorted(tokens), 2)]

    def _entry_keys(self, f: Features, tokens: set[int]) -> set[int]:
        """Keys an entry is indexed under: pairs of its words; a one-word title (or main title) its word."""
        ranked = sorted(tokens, key=lambda t: (self._df[t], t))[:_MAX_INDEXED_WORDS]
        keys = set(self._pair_keys(ranked))
        for words in (f.words, f.main_words):
            if len(set(words)) == 1:
                keys.add(self._single_key(self._vocab[words[0]]))
        return keys

    def _single_key(self, token: int) -> int:
        return token * self._width  # never a pair key: those are never multiples of the width

    # --- word lookups --------------------------------------------------------------------

    def _query_keys(self, f: Features, min_df: int) -> list[int]:
        """Pairs among the rarest known words of the title and of its main title."""
        keys: list[int] = []
        for words in (f.words, f.main_words):
            tokens = {self._vocab[w] for w in words if w in self._vocab}
            if len(set(words)) == 1 and tokens:
                keys.append(self._single_key(next(iter(tokens))))
                continue
            ranked = sorted((t for t in tokens if self._df[t] >= min_df), key=lambda t: (self._df[t], t))
            keys.extend(self._pair_keys(ranked[:self.settings.query_words]))
        return list(dict.fromkeys(keys))

    def _word_pairs(self, queries: Sequence[Features], min_df: int) -> tuple[np.ndarray, np.ndarray]:
        """(query, target) index pairs sharing a rare word pair within the year window."""
        q_list: list[int] = []
        lo_list: list[int] = []
        hi_list: list[int] = []
        for qi, f in enumerate(queries):
            slot = _slot(f.year)
            for key in self._query_keys(f, min_df):
                base = key * YEAR_SLOTS
                if f.year is None:
                    q_list.append(qi), lo_list.append(base), hi_list.append(base + YEAR_SLOTS - 1)
                else:
                    q_list.append(qi), lo_list.append(base + max(slot - 1, 1)), hi_list.append(base + slot + 1)
                    q_list.append(qi), lo_list.append(base), hi_list.append(base)  # targets without a year
        if not q_list:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        q = np.asarray(q_list, dtype=np.int64)
        left = np.searchsorted(self._keys, np.asarray(lo_list, dtype=np.int64), "left")
        right = np.searchsorted(self._keys, np.asarray(hi_list, dtype=np.int64), "right")
        counts = right - left
        keep = (counts > 0) & (counts <= self.settings.max_block)
        q, left, counts = q[keep], left[keep], counts[keep]
        total = int(counts.sum())
        starts = np.repeat(left - (np.cumsum(counts) - counts), counts)
        targets = self._owners[starts + np.arange(total, dtype=np.int64)]
        return np.repeat(q, counts), targets

    # --- identifier lookups --------------------------------------------------------------

    def _identifier_pairs(self, queries: Sequence[Features]) -> tuple[list[int], list[int]]:
        q_out: list[int] = []
        t_out: list[int] = []
        for qi, f in enumerate(queries):
            for key in _identifier_keys(f):
                found = self._ids.get(key, ())
                if len(found) <= _MAX_ID_GROUP:
                    q_out.extend([qi] * len(found))
                    t_out.extend(found)
        return q_out, t_out

    # --- the candidate pairs -------------------------------------------------------------

    def _title_filter(self, queries: Sequence[Features], q: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Mask of pairs whose titles (or a title against a main title) are similar enough."""
        if len(q) == 0:
            return np.zeros(0, dtype=bool)
        q_full = np.array([f.title for f in queries], dtype=object)
        q_main = np.array([f.main or f.title for f in queries], dtype=object)
        t_full, t_main = self._full, self._main
        cutoff = 100 * self.settings.title_floor
        best = process.cpdist(q_full[q], t_full[t], scorer=fuzz.ratio, workers=-1, score_cutoff=cutoff)
        best = np.maximum(best, process.cpdist(q_full[q], t_main[t], scorer=fuzz.ratio, workers=-1,
                                               score_cutoff=cutoff))
        best = np.maximum(best, process.cpdist(q_main[q], t_full[t], scorer=fuzz.ratio, workers=-1,
                                               score_cutoff=cutoff))
        return best >= cutoff

    def candidates(self, queries: Sequence[Features]) -> tuple[np.ndarray, np.ndarray]:
        """(query, target) pairs worth a full comparison, sorted by query then target."""
        q, t = self._word_pairs(queries, min_df=1)
        return self._finish(queries, q, t, *self._identifier_pairs(queries), n=len(self.targets))

    def self_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(i, j) pairs with i < j among the indexed entries themselves, for finding duplicates."""
        q, t = self._word_pairs(self.targets, min_df=2)
        qi, ti = self._identifier_pairs(self.targets)
        return self._finish(self.targets, q, t, qi, ti, n=len(self.targets), symmetric=True)

    def _finish(self, queries: Sequence[Features], q: np.ndarray, t: np.ndarray,
                id_q: list[int], id_t: list[int], n: int, symmetric: bool = False) -> tuple[np.ndarray, np.ndarray]:
        id_qa, id_ta = np.asarray(id_q, dtype=np.int64), np.asarray(id_t, dtype=np.int64)
        if symmetric:
            q, t = np.minimum(q, t), np.maximum(q, t)
            id_qa, id_ta = np.minimum(id_qa, id_ta), np.maximum(id_qa, id_ta)
        pairs = np.unique(q * n + t)
        q, t = pairs // n, pairs % n
        if symmetric:
            keep = q != t
            q, t = q[keep], t[keep]
        keep = self._title_filter(queries, q, t)
        pairs = np.unique(np.concatenate([q[keep] * n + t[keep], id_qa * n + id_ta]))
        q, t = pairs // n, pairs % n
        if symmetric:
            keep = q != t
            q, t = q[keep], t[keep]
        return q, t
