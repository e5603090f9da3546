"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.

Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits
dblp-scholar/train-balanced.csv, pairs/train-balanced.csv (docs/matching.md, section 3).
"""

INTERCEPT = -1.479  # log2-odds of a pair with no part compared, in a balanced sample
WEIGHTS: dict[str, dict[str, float]] = {
    "title": {"cut": 4.118, "cut-short": 0.301, "different": -2.972, "exact": 6.222, "exact-short": 3.930, "fair": 1.902, "fair-other": 1.221, "loose": 1.681, "loose-other": 0.290, "main": -0.037, "main-other": -1.710, "near": 4.000, "near-other": 3.596, "noise": 4.251, "reordered": 3.587, "weak": -1.934},
    "authors": {"all1/reworded": 1.050, "all1/title": 2.733, "all2/reworded": 2.499, "all2/title": 3.054, "all3/reworded": 2.843, "all3/title": 3.432, "most/reworded": 0.529, "most/title": 1.571, "nearly/reworded": 1.171, "nearly/title": 0.526, "none/reworded": -4.596, "none/title": -2.088, "some/reworded": -0.883, "some/title": 0.574, "swapped/reworded": 0.063, "swapped/title": 0.725},
    "year": {"far": -2.335, "few": -3.545, "one": -2.801, "same": 0.884},
    "venue": {"agree": 0.647, "kind": -0.712, "low": -0.353, "unrelated": 0.125},
}
