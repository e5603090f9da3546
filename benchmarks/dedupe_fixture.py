"""Duplicate groups on real exports: ``bibsync dedupe`` on a hand-labelled .bib of theses.

    python benchmarks/dedupe_fixture.py [--bib tests/data/dedupe/theses.bib] [--errors]

The .bib is assembled from public exports (Google Scholar "Cite", Zotero/Better BibTeX,
arXiv, DBLP, publishers; tests/data/dedupe/README.md); ``theses.groups.json`` beside it
names the duplicate groups and look-alikes, an entry by its key, or ``key#n`` for the n-th
occurrence of a repeated key.

Precision counts the pairs inside "match" groups that are true duplicates; recall counts
the true pairs found in any group (a "review" group puts each member, with the match
group it belongs to, against its centre); ``merged_automatically`` is the share of true
pairs inside match groups; ``lookalikes_merged`` the labelled look-alike pairs inside a
match group. The last line printed is ``pairs=... precision=... recall=...
merged_automatically=... lookalikes_merged=... largest_group=... seconds=...``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

from bibsync.match import MatchSettings, find_duplicates
from bibsync.pipeline import load_bib

DEFAULT_BIB = Path(__file__).parent.parent / "tests" / "data" / "dedupe" / "theses.bib"


def entry_ids(keys: list[str]) -> list[str]:
    """The label of each entry: its key, or ``key#n`` for the n-th occurrence of a repeated key."""
    counts = Counter(keys)
    seen: Counter[str] = Counter()
    out = []
    for key in keys:
        seen[key] += 1
        out.append(f"{key}#{seen[key]}" if counts[key] > 1 else key)
    return out


def _pairs(members: list[str]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for p in combinations(members, 2)}


def evaluate(bib: Path, labels: dict, settings: MatchSettings, show_errors: bool = False) -> str:
    """Run find_duplicates on the .bib and compare with the labels; return the figures line."""
    entries = load_bib(str(bib)).entries
    ids = entry_ids([e.key or "" for e in entries])
    unknown = {x for g in labels["groups"].values() for x in g} - set(ids)
    if unknown:
        raise SystemExit(f"labels name entries the .bib lacks: {sorted(unknown)}")
    truth = set().union(*(_pairs(g) for g in labels["groups"].values()))
    lookalikes = {tuple(sorted(p)) for p in labels["lookalikes"]}
    start = time.perf_counter()
    groups = find_duplicates(entries, settings)
    seconds = time.perf_counter() - start
    closure = {i: g.indices for g in groups if g.recommendation == "match" for i in g.indices}
    merged: set[tuple[str, str]] = set()
    found: set[tuple[str, str]] = set()
    for g in groups:
        if g.recommendation == "match":
            pairs = _pairs([ids[i] for i in g.indices])
            merged |= pairs
        else:
            centre = g.centre if g.centre is not None else g.indices[0]
            pairs = {tuple(sorted((ids[a], ids[b]))) for j in g.indices if j != centre
                     for a in closure.get(centre, (centre,)) for b in closure.get(j, (j,))}
        found |= pairs
        if show_errors:
            print(f"{g.recommendation:<6} {', '.join(ids[i] for i in g.indices)}: {g.explanation}")
    if show_errors:
        for a, b in sorted(truth - found):
            print(f"missed: {a} / {b}")
        for a, b in sorted(merged - truth):
            print(f"false merge: {a} / {b}")
    precision = len(merged & truth) / len(merged) if merged else 1.0
    recall = len(found & truth) / len(truth)
    largest = max((len(g.indices) for g in groups), default=0)
    return (f"pairs={len(truth)} precision={precision:.4f} recall={recall:.4f} "
            f"merged_automatically={len(merged & truth) / len(truth):.4f} lookalikes_merged={len(merged & lookalikes)} "
            f"largest_group={largest} seconds={seconds:.2f}")


def main(argv: list[str] | None = None) -> int:
    """Evaluate the labelled fixture; print the figures as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bib", type=Path, default=DEFAULT_BIB)
    parser.add_argument("--errors", action="store_true", help="list the groups, misses and false merges first")
    args = parser.parse_args(argv)
    labels = json.loads(args.bib.with_suffix(".groups.json").read_text(encoding="utf-8"))
    print(evaluate(args.bib, labels, MatchSettings(), args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
