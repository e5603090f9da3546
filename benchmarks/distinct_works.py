"""False merges on a bibliography of distinct works: every merge the matcher makes is wrong.

    python benchmarks/distinct_works.py [--bib real-bib/acl-anthology-lrec-emnlp-naacl.bib]
        [--split 1500] [--seeds 5] [--errors]

The ACL Anthology export (LREC, EMNLP, NAACL up to 2019) lists 9,887 papers, each once: no
two of its entries are one work. So every ``match`` group of ``find_duplicates`` over the
whole file is a false merge, and so is every incoming entry a sync would merge (``same`` or
``update``) when ``--split`` entries, drawn at random, are matched against the others
(``Matcher.propose_all``, as ``bibsync sync`` does; one draw per seed). ``review`` counts
what each would ask a person. The last line printed is ``entries=... dedupe_match_groups=...
dedupe_review_groups=... split_merged=... split_review=... seconds=...`` (split figures summed
over the seeds).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from bibsync.match import Matcher, MatchSettings, find_duplicates
from bibsync.pipeline import load_bib



def main(argv: list[str] | None = None) -> int:
    """Count the merges on a file of distinct works; print the figures as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bib", type=Path, required=True, help="a .bib of distinct works (e.g. an ACL Anthology export)")
    parser.add_argument("--split", type=int, default=1500, help="entries synced into the rest")
    parser.add_argument("--seeds", type=int, default=5, help="random splits to draw")
    parser.add_argument("--errors", action="store_true", help="print each merge and review first")
    args = parser.parse_args(argv)
    entries = load_bib(str(args.bib)).entries
    settings = MatchSettings()
    start = time.perf_counter()
    groups = find_duplicates(entries, settings)
    counts = {"match": 0, "review": 0}
    for g in groups:
        counts[g.recommendation] = counts.get(g.recommendation, 0) + 1
        if args.errors:
            print(f"dedupe {g.recommendation:<6} {', '.join(entries[i].key or '?' for i in g.indices)}: {g.explanation}")
    merged = review = 0
    for seed in range(1, args.seeds + 1):
        order = list(range(len(entries)))
        random.Random(seed).shuffle(order)
        incoming = [entries[i] for i in order[:args.split]]
        targets = [entries[i] for i in order[args.split:]]
        for p in Matcher(targets, settings).propose_all(incoming):
            if p.recommendation == "new":
                continue
            merged += p.recommendation == "match"
            review += p.recommendation == "review"
            if args.errors:
                best = p.best
                print(f"split {seed} {p.recommendation:<6} {p.entry.key} ~ {targets[best.index].key}: {best.explanation}")
    seconds = time.perf_counter() - start
    print(f"entries={len(entries)} dedupe_match_groups={counts['match']} dedupe_review_groups={counts['review']} "
          f"split_merged={merged} split_review={review} seconds={seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
