"""Blocking: which pairs are compared at all, never every pair.

Candidates come from two places:

- identifiers: entries sharing a DOI, arXiv id, PMID or ISBN;
- rare title words by year window: every entry is indexed under each *pair* of its title
  words (and a one-word title under its word); a query looks up the pairs among its
  ``query_words`` rarest words (and among those of its main title, for truncated
  subtitles, and of its title without a trailing " by <names>", for book reviews) in its
  own year, one year either side, and among entries without a year. A duplicate shares at
  least two of those words unless its title is rewritten; a word pair is rare even in a
  large library, so the candidates per entry stay few as the library grows (one word
  alone would not: its postings grow with the library).

Two indexes give exactly the same pairs:

- ``CandidateIndex`` (all entries' keys at once): the postings are one sorted numpy array
  keyed by (word pair, year), so the lookups of a whole batch are a few ``searchsorted``
  calls. Finding duplicates inside a library, and large batches, use it.
- ``WordIndex`` (few queries against many targets, as in a sync): only each target's
  title words, year and the identifiers the queries carry are read; a word pair's
  postings are the intersection of two words' postings, and the full comparison keys are
  computed only for the targets that turn up.

The surviving pairs are scored on their titles in ``rapidfuzz.process.cpdist`` calls
(``workers=-1``, all cores); only pairs with a similar title (``title_floor``), a title
that is the other's first words, or a shared identifier reach the full comparison.

Few entries (the ``WordIndex``, and a ``CandidateIndex`` of at most ``FEW_ENTRIES``, such
as the entries of one listing) are handled in plain lists, the titles compared pair by
pair with the same scorers: the same pairs, without numpy's import (a twentieth of a
second, more than the work it would speed up).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Prefix

from ..model import Entry
from .normalize import (
    Features,
    content_words,
    entry_arxiv,
    entry_doi,
    entry_isbns,
    entry_pmid,
    entry_year,
    is_preprint_doi,
    title_parts,
    title_words,
)
from .common_words import COMMON_TITLE_WORDS
from .settings import MatchSettings

if TYPE_CHECKING:  # numpy is imported where the arrays are made: few entries never need it
    import numpy as np

YEAR_SLOTS = 2001  # slot 0: no year; slots 1..2000: years 1000..2999
_MAX_ID_GROUP = 200  # an identifier shared by more entries than this is junk, not a duplicate
_MAX_INDEXED_WORDS = 16  # a longer title is indexed by pairs of its 16 rarest words
_PARALLEL_PAIRS = 20_000  # title comparisons worth spreading over all cores
FEW_ENTRIES = 1000  # a CandidateIndex of at most this many entries works in plain lists

Pairs = tuple["np.ndarray | list[int]", "np.ndarray | list[int]"]  # (queries, targets), parallel


def as_list(indices: "np.ndarray | list[int]") -> list[int]:
    """A list of the indices of one side of ``Pairs`` (an array from the numpy path, a list otherwise)."""
    return indices.tolist() if hasattr(indices, "tolist") else list(indices)


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


def _lookup_ranges(f: Features) -> list[tuple[int, int]]:
    """Year slot ranges a query reads: its year and one either side, and no year; all when it has none."""
    if f.year is None:
        return [(0, YEAR_SLOTS - 1)]
    slot = _slot(f.year)
    return [(max(slot - 1, 1), slot + 1), (0, 0)]


def _empty() -> Pairs:
    import numpy as np

    return np.empty(0, np.int64), np.empty(0, np.int64)


# --- the title filter -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Titles:
    """Title keys of some entries as arrays, for comparing many pairs at once."""

    full: np.ndarray
    main: np.ndarray  # the main title, else the full title
    spaced: np.ndarray  # the full title and a space: word-level prefixes are string prefixes
    length: np.ndarray
    cut: np.ndarray  # the title before " by <names>", else ""

    @classmethod
    def of(cls, feats: Sequence[Features]) -> _Titles:
        """The arrays of ``feats``."""
        import numpy as np

        full = np.array([f.title for f in feats], dtype=object)
        return cls(full, np.array([f.main or f.title for f in feats], dtype=object),
                   np.array([f.title + " " for f in feats], dtype=object),
                   np.fromiter((len(f.title) for f in feats), dtype=np.int64, count=len(feats)),
                   np.array([f.by_cut for f in feats], dtype=object))


def _similar_titles(qa: _Titles, q: np.ndarray, ta: _Titles, t: np.ndarray, settings: MatchSettings) -> np.ndarray:
    """Mask of pairs (q[k], t[k]) whose titles are alike enough to compare the entries in full.

    Alike: ``title_floor`` similar as full titles, a full title against a main title, a
    review's title before " by <names>" against a full title; or one title is the first
    words of the other. (:func:`_alike_titles` is the same test for one pair.)
    """
    import numpy as np

    if len(q) == 0:
        return np.zeros(0, dtype=bool)
    workers = -1 if len(q) >= _PARALLEL_PAIRS else 1  # threads cost more than a few pairs take
    cutoff = 100 * settings.title_floor
    best = process.cpdist(qa.full[q], ta.full[t], scorer=fuzz.ratio, workers=workers, score_cutoff=cutoff)
    best = np.maximum(best, process.cpdist(qa.full[q], ta.main[t], scorer=fuzz.ratio, workers=workers,
                                           score_cutoff=cutoff))
    best = np.maximum(best, process.cpdist(qa.main[q], ta.full[t], scorer=fuzz.ratio, workers=workers,
                                           score_cutoff=cutoff))
    keep = best >= cutoff
    for xa, x, ya, y in ((qa, q, ta, t), (ta, t, qa, q)):
        cut = xa.cut[x]
        sel = np.flatnonzero(cut != "")
        if len(sel):
            keep[sel] |= process.cpdist(cut[sel], ya.full[y[sel]], scorer=fuzz.ratio, workers=workers,
                                        score_cutoff=cutoff) >= cutoff
    common = process.cpdist(qa.spaced[q], ta.spaced[t], scorer=Prefix.similarity, workers=workers)
    keep |= common > np.minimum(qa.length[q], ta.length[t])
    return keep


def _alike_titles(a: Features, b: Features, settings: MatchSettings) -> bool:
    """:func:`_similar_titles` for one pair, with the same scorers and cut-off."""
    cutoff = 100 * settings.title_floor
    if max(fuzz.ratio(a.title, b.title, score_cutoff=cutoff), fuzz.ratio(a.title, b.main or b.title, score_cutoff=cutoff),
           fuzz.ratio(a.main or a.title, b.title, score_cutoff=cutoff)) >= cutoff:
        return True
    for cut, other in ((a.by_cut, b.title), (b.by_cut, a.title)):
        if cut and fuzz.ratio(cut, other, score_cutoff=cutoff) >= cutoff:
            return True
    return Prefix.similarity(a.title + " ", b.title + " ") > min(len(a.title), len(b.title))


def _assemble(q: np.ndarray, t: np.ndarray, id_q: Sequence[int], id_t: Sequence[int], n: int,
              title_mask: Callable[[np.ndarray, np.ndarray], np.ndarray], symmetric: bool = False) -> Pairs:
    """Word-pair candidates that pass the title filter, and identifier candidates: unique, sorted."""
    import numpy as np

    id_qa, id_ta = np.asarray(id_q, dtype=np.int64), np.asarray(id_t, dtype=np.int64)
    if symmetric:
        q, t = np.minimum(q, t), np.maximum(q, t)
        id_qa, id_ta = np.minimum(id_qa, id_ta), np.maximum(id_qa, id_ta)
    pairs = np.unique(q * n + t)
    q, t = pairs // n, pairs % n
    if symmetric:
        keep = q != t
        q, t = q[keep], t[keep]
    keep = title_mask(q, t)
    pairs = np.unique(np.concatenate([q[keep] * n + t[keep], id_qa * n + id_ta]))
    q, t = pairs // n, pairs % n
    if symmetric:
        keep = q != t
        q, t = q[keep], t[keep]
    return q, t


def _assemble_lists(q: Sequence[int], t: Sequence[int], id_q: Sequence[int], id_t: Sequence[int],
                    alike: Callable[[int, int], bool], symmetric: bool = False) -> tuple[list[int], list[int]]:
    """:func:`_assemble` in plain lists; ``alike(i, j)`` is the title filter of one pair."""
    def ordered(a: Sequence[int], b: Sequence[int]) -> set[tuple[int, int]]:
        pairs = {(min(x, y), max(x, y)) for x, y in zip(a, b)} if symmetric else set(zip(a, b))
        return {p for p in pairs if p[0] != p[1]} if symmetric else pairs

    kept = {p for p in ordered(q, t) if alike(*p)} | ordered(id_q, id_t)
    pairs = sorted(kept)
    return [x for x, _ in pairs], [y for _, y in pairs]


# --- which words, by a fixed order ----------------------------------------------------------------

_COMMON_RANK = {w: k for k, w in enumerate(COMMON_TITLE_WORDS)}


@lru_cache(maxsize=1 << 16)
def rarity(word: str) -> tuple[int, int, str]:
    """Sort key putting rare words first: unlisted words (longest first), then listed ones from
    the least common. A fixed order: it never depends on the library."""
    rank = _COMMON_RANK.get(word)
    return (0, -len(word), word) if rank is None else (1, -rank, word)


def rarest(words: Iterable[str], count: int) -> list[str]:
    """The ``count`` rarest distinct words, rarest first."""
    return sorted(set(words), key=rarity)[:count]


def _word_sets(f: Features) -> Iterable[tuple[str, ...]]:
    """The word lists a query looks up: its title, its main title, its title before " by <names>"."""
    yield f.words
    yield f.main_words
    if f.by_cut:
        yield content_words(f.by_cut)


def _pairs(words: list[str]) -> Iterable[tuple[str, str]]:
    """Every pair of the words, each pair once, in a fixed order."""
    return combinations(sorted(words), 2)


def query_pairs(f: Features, query_words: int) -> tuple[set[tuple[str, str]], set[str]]:
    """(word pairs, single words) an entry looks up among the others' indexed pairs: the pairs of
    the ``query_words`` rarest words of its title, main title and title before " by <names>";
    a one-word title (or main title) looks up its word."""
    pairs: set[tuple[str, str]] = set()
    singles: set[str] = set()
    for words in _word_sets(f):
        if len(set(words)) == 1:
            singles.add(words[0])
        else:
            pairs.update(_pairs(rarest(words, query_words)))
    return pairs, singles


def indexed_pairs(f: Features, with_pairs: bool = True) -> tuple[set[tuple[str, str]], set[str]]:
    """(word pairs, single words) an entry is indexed under: the pairs of its 16 rarest title
    words; a one-word title or main title under its word."""
    singles = {words[0] for words in (f.words, f.main_words) if len(set(words)) == 1}
    return (set(_pairs(rarest(f.words, _MAX_INDEXED_WORDS))) if with_pairs else set()), singles


def rare_pairs(words: Sequence[str], query_words: int) -> set[tuple[str, str]]:
    """The pairs of a title's ``query_words`` rarest words: what a target is found by when a
    query's indexed pairs are looked up (the other direction of a sync)."""
    return set(_pairs(rarest(words, query_words)))


# --- all keys at once -------------------------------------------------------------------------

class _Postings:
    """Entries keyed by (word pair or single word, year slot), in one sorted numpy array."""

    def __init__(self, keys: list[int], owners: list[int]) -> None:
        import numpy as np

        key_array = np.asarray(keys, dtype=np.int64)
        order = np.argsort(key_array, kind="stable")
        self.keys = key_array[order]
        self.owners = np.asarray(owners, dtype=np.int64)[order]

    def lookup(self, queries: list[int], keys: list[int], ranges: list[list[tuple[int, int]]],
               max_block: int) -> Pairs:
        """(query, owner) for every key looked up in each of its year ranges (postings longer
        than ``max_block`` are not read)."""
        import numpy as np

        q_list: list[int] = []
        lo_list: list[int] = []
        hi_list: list[int] = []
        for qi, key, spans in zip(queries, keys, ranges):
            base = key * YEAR_SLOTS
            for lo, hi in spans:
                q_list.append(qi), lo_list.append(base + lo), hi_list.append(base + hi)
        if not q_list:
            return _empty()
        q = np.asarray(q_list, dtype=np.int64)
        left = np.searchsorted(self.keys, np.asarray(lo_list, dtype=np.int64), "left")
        right = np.searchsorted(self.keys, np.asarray(hi_list, dtype=np.int64), "right")
        counts = right - left
        keep = (counts > 0) & (counts <= max_block)
        q, left, counts = q[keep], left[keep], counts[keep]
        total = int(counts.sum())
        starts = np.repeat(left - (np.cumsum(counts) - counts), counts)
        return np.repeat(q, counts), self.owners[starts + np.arange(total, dtype=np.int64)]


class _ListPostings:
    """:class:`_Postings` in plain lists (for few entries): the same lookups, the same pairs."""

    def __init__(self, keys: list[int], owners: list[int]) -> None:
        order = sorted(range(len(keys)), key=keys.__getitem__)  # stable, as numpy's
        self.keys = [keys[i] for i in order]
        self.owners = [owners[i] for i in order]

    def lookup(self, queries: list[int], keys: list[int], ranges: list[list[tuple[int, int]]],
               max_block: int) -> tuple[list[int], list[int]]:
        """As :meth:`_Postings.lookup`."""
        q_out: list[int] = []
        t_out: list[int] = []
        for qi, key, spans in zip(queries, keys, ranges):
            base = key * YEAR_SLOTS
            for lo, hi in spans:
                left, right = bisect_left(self.keys, base + lo), bisect_right(self.keys, base + hi)
                if 0 < right - left <= max_block:
                    q_out.extend([qi] * (right - left))
                    t_out.extend(self.owners[left:right])
        return q_out, t_out


class CandidateIndex:
    """An index of target entries' identifiers and title word pairs by year.

    A pair (query, target) is a candidate when a pair of the query's rarest words (by the
    fixed order of ``rarity``) is among the target's indexed pairs, or, for ``candidates``
    (a query that is not one of the targets), a pair of the target's rarest words is among
    the query's indexed pairs: a property of the two entries alone, whatever else the
    library holds.
    """

    def __init__(self, targets: Sequence[Features], settings: MatchSettings, lists: bool | None = None) -> None:
        self.targets = targets
        self.settings = settings
        # few entries: plain lists (see the module docstring); ``lists`` forces either way (tests)
        self.lists = len(targets) <= FEW_ENTRIES if lists is None else lists
        self._vocab: dict[str, int] = {}
        self._ids: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, f in enumerate(targets):
            for words in _word_sets(f):
                for w in words:
                    self._vocab.setdefault(w, len(self._vocab))
            for key in _identifier_keys(f):
                self._ids[key].append(i)
        self._width = len(self._vocab) + 1
        keys: list[int] = []
        owners: list[int] = []
        rare_keys: list[int] = []
        rare_owners: list[int] = []
        for i, f in enumerate(targets):
            slot = _slot(f.year)
            words = rarest(f.words, _MAX_INDEXED_WORDS)
            for key in self._all_pair_keys(words) + self._keys_of((), indexed_pairs(f, with_pairs=False)[1]):
                keys.append(key * YEAR_SLOTS + slot)
                owners.append(i)
            for key in self._all_pair_keys(rarest(f.words, settings.query_words)):
                rare_keys.append(key * YEAR_SLOTS + slot)
                rare_owners.append(i)
        postings = _ListPostings if self.lists else _Postings
        self._indexed = postings(keys, owners)
        self._rare = postings(rare_keys, rare_owners)
        self._titles = None if self.lists else _Titles.of(targets)

    def _keys_of(self, pairs: Iterable[tuple[str, str]], singles: Iterable[str]) -> list[int]:
        """Integer keys of word pairs and single words (pairs and words unknown to the targets drop out)."""
        vocab, width = self._vocab, self._width
        out = []
        for x, y in pairs:
            a, b = vocab.get(x), vocab.get(y)
            if a is not None and b is not None:
                out.append(a * width + b + 1 if a < b else b * width + a + 1)
        out.extend(vocab[w] * width for w in singles if w in vocab)  # never a pair key: not width-aligned
        return out

    def _all_pair_keys(self, words: Iterable[str]) -> list[int]:
        """Integer keys of every pair of the known words (the pairs of ``_pairs``)."""
        vocab, width = self._vocab, self._width
        tokens = sorted(vocab[w] for w in words if w in vocab)
        return [a * width + b + 1 for a, b in combinations(tokens, 2)]

    def _word_pairs(self, queries: Sequence[Features], both_ways: bool) -> Pairs:
        """(query, target) index pairs sharing a rare word pair within the year window."""
        found = []
        for postings, keys_of in ((self._indexed, lambda f: self._keys_of(*query_pairs(f, self.settings.query_words))),
                                  (self._rare, lambda f: self._all_pair_keys(rarest(f.words, _MAX_INDEXED_WORDS))))[
                                     :2 if both_ways else 1]:
            q_list: list[int] = []
            k_list: list[int] = []
            r_list: list[list[tuple[int, int]]] = []
            for qi, f in enumerate(queries):
                spans = _lookup_ranges(f)
                for key in keys_of(f):
                    q_list.append(qi), k_list.append(key), r_list.append(spans)
            found.append(postings.lookup(q_list, k_list, r_list, self.settings.max_block))
        if self.lists:
            return [i for q, _ in found for i in q], [i for _, t in found for i in t]
        import numpy as np

        return np.concatenate([q for q, _ in found]), np.concatenate([t for _, t in found])

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

    def candidates(self, queries: Sequence[Features]) -> Pairs:
        """(query, target) pairs worth a full comparison, sorted by query then target."""
        q, t = self._word_pairs(queries, both_ways=True)
        if self.lists:
            return _assemble_lists(q, t, *self._identifier_pairs(queries),
                                   alike=lambda i, j: _alike_titles(queries[i], self.targets[j], self.settings))
        titles = _Titles.of(queries)
        return _assemble(q, t, *self._identifier_pairs(queries), n=len(self.targets),
                         title_mask=lambda q, t: _similar_titles(titles, q, self._titles, t, self.settings))

    def self_pairs(self) -> Pairs:
        """(i, j) pairs with i < j among the indexed entries themselves, for finding duplicates.

        Every entry is a query too, so one direction finds each pair from either side.
        """
        q, t = self._word_pairs(self.targets, both_ways=False)
        qi, ti = self._identifier_pairs(self.targets)
        if self.lists:
            return _assemble_lists(q, t, qi, ti, symmetric=True,
                                   alike=lambda i, j: _alike_titles(self.targets[i], self.targets[j], self.settings))
        titles = self._titles
        return _assemble(q, t, qi, ti, n=len(self.targets), symmetric=True,
                         title_mask=lambda q, t: _similar_titles(titles, q, titles, t, self.settings))


# --- few queries, many targets ------------------------------------------------------------------

def _entry_identifiers(entry: Entry, kind: str, settings: MatchSettings) -> Iterable[str]:
    """The identifier keys of one kind of an entry, as ``features`` reads them."""
    if kind == "doi":
        doi = entry_doi(entry)
        if doi and not is_preprint_doi(doi, settings):
            yield doi
    elif kind == "arxiv":
        arxiv = entry_arxiv(entry)
        if arxiv:
            yield arxiv
    elif kind == "pmid":
        pmid = entry_pmid(entry)
        if pmid:
            yield pmid
    else:
        yield from entry_isbns(entry)


class WordIndex:
    """The candidates of ``CandidateIndex.candidates`` for a few queries, reading only what they
    need of the targets.

    Building it reads each target's title words and year (no people, venues, subtitles);
    the identifiers of a kind are read once a query carries one; ``feature(i)`` gives the
    full comparison keys of target ``i`` (the Matcher computes them once, when needed).
    """

    def __init__(self, targets: Sequence[Entry], feature: Callable[[int], Features], settings: MatchSettings) -> None:
        self.targets = targets
        self.settings = settings
        self._feature = feature
        self._words = [title_words(e.title) for e in targets]
        self._slots = [_slot(entry_year(e)) for e in targets]
        postings: dict[str, list[int]] = {}
        for i, words in enumerate(self._words):
            for w in words:
                found = postings.get(w)
                if found is None:
                    postings[w] = [i]
                elif found[-1] != i:
                    found.append(i)
        self._postings = postings
        self._ids: dict[str, dict[str, list[int]]] = {}
        self._indexed: dict[int, frozenset[str]] = {}
        self._main_words: dict[int, tuple[str, ...]] = {}

    def _indexed_words(self, i: int) -> frozenset[str]:
        """The words whose pairs target ``i`` is indexed under."""
        found = self._indexed.get(i)
        if found is None:
            found = self._indexed[i] = frozenset(rarest(self._words[i], _MAX_INDEXED_WORDS))
        return found

    def _main(self, i: int) -> tuple[str, ...]:
        found = self._main_words.get(i)
        if found is None:
            found = self._main_words[i] = content_words(title_parts(self.targets[i].title)[1])
        return found

    def _one_word(self, i: int, word: str) -> bool:
        """True when target ``i``'s title or main title is ``word`` alone (indexed under the word)."""
        if set(self._words[i]) == {word}:
            return True
        main = self._main(i)
        return len(set(main)) == 1 and main[0] == word

    def _common(self, x: str, y: str) -> list[int]:
        first, second = self._postings.get(x, []), self._postings.get(y, [])
        if len(first) > len(second):
            first, second = second, first
        return sorted(set(first).intersection(second))

    def _members(self, key: tuple[str, ...]) -> list[int]:
        """Targets indexed under a word pair, or under one word (a one-word title or main title)."""
        if len(key) == 1:
            return [i for i in self._postings.get(key[0], []) if self._one_word(i, key[0])]
        x, y = key
        return [i for i in self._common(x, y) if x in self._indexed_words(i) and y in self._indexed_words(i)]

    def _rare_members(self, pair: tuple[str, str]) -> list[int]:
        """Targets whose rarest words make this pair (found from a query's indexed pairs)."""
        x, y = pair
        return [i for i in self._common(x, y) if pair in rare_pairs(self._words[i], self.settings.query_words)]

    def _word_pairs(self, queries: Sequence[Features]) -> tuple[list[int], list[int]]:
        q_out: list[int] = []
        t_out: list[int] = []
        members: dict[tuple[str, ...], list[int]] = {}
        rare: dict[tuple[str, str], list[int]] = {}
        slots = self._slots
        for qi, f in enumerate(queries):
            ranges = _lookup_ranges(f)
            pairs, singles = query_pairs(f, self.settings.query_words)
            lists = []
            for key in [*pairs, *((w,) for w in singles)]:
                if key not in members:
                    members[key] = self._members(key)
                lists.append(members[key])
            for pair in indexed_pairs(f)[0]:
                if pair not in rare:
                    rare[pair] = self._rare_members(pair)
                lists.append(rare[pair])
            for found_list in lists:
                for lo, hi in ranges:
                    found = [i for i in found_list if lo <= slots[i] <= hi]
                    if len(found) <= self.settings.max_block:
                        q_out.extend([qi] * len(found))
                        t_out.extend(found)
        return q_out, t_out

    def _identifier_pairs(self, queries: Sequence[Features]) -> tuple[list[int], list[int]]:
        q_out: list[int] = []
        t_out: list[int] = []
        for qi, f in enumerate(queries):
            for kind, key in _identifier_keys(f):
                if kind not in self._ids:
                    index: dict[str, list[int]] = defaultdict(list)
                    for i, entry in enumerate(self.targets):
                        for value in _entry_identifiers(entry, kind, self.settings):
                            index[value].append(i)
                    self._ids[kind] = index
                found = self._ids[kind].get(key, ())
                if len(found) <= _MAX_ID_GROUP:
                    q_out.extend([qi] * len(found))
                    t_out.extend(found)
        return q_out, t_out

    def candidates(self, queries: Sequence[Features]) -> tuple[list[int], list[int]]:
        """(query, target) pairs worth a full comparison, sorted by query then target (plain lists:
        the titles of the few pairs found are compared one by one)."""
        q, t = self._word_pairs(queries)
        return _assemble_lists(q, t, *self._identifier_pairs(queries),
                               alike=lambda i, j: _alike_titles(queries[i], self._feature(j), self.settings))
