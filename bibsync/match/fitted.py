"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.

Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits
dblp-scholar/train-balanced.csv, pairs/train-balanced.csv (docs/matching.md, section 3), with an L2 penalty of 0.2
(chosen by 5-fold cross-validation).
"""

INTERCEPT = -2.333  # log2-odds of a pair with no part compared, in a balanced sample
WEIGHTS: dict[str, dict[str, float]] = {
    "title": {"cut": 5.422, "cut-short": 1.449, "different": -2.292, "exact": 7.898, "exact-short": 5.732, "fair": 0.546, "fair-other": 1.847, "loose": 0.085, "loose-other": 0.906, "main": -0.828, "main-other": -2.315, "near": 5.963, "near-other": 6.004, "noise": 5.921, "reordered": 5.928, "weak": -1.300},
    "words": {"all": 2.953, "few": -3.381, "half": -0.973, "most": 1.036, "some": -2.847},
    "authors": {"all1/reworded": 1.566, "all1/title": 2.515, "all2/reworded": 2.445, "all2/title": 2.922, "all3/reworded": 2.646, "all3/title": 3.187, "most/reworded": 0.394, "most/title": 1.196, "nearly/reworded": 3.006, "nearly/title": 0.992, "none/reworded": -4.902, "none/title": -3.166, "some/reworded": -0.518, "some/title": 1.131, "swapped/reworded": -0.930, "swapped/title": 1.748},
    "year": {"far": -2.092, "few": -4.085, "one": -3.117, "same": 1.264},
    "venue": {"agree": 0.424, "kind": -0.978, "low": -1.156, "unrelated": -0.109},
}
