"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.

Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits
dblp-scholar/train-balanced.csv, pairs/train-balanced.csv (docs/matching.md, section 3).
"""

INTERCEPT = -1.478  # log2-odds of a pair with no part compared, in a balanced sample
WEIGHTS: dict[str, dict[str, float]] = {
    "title": {"cut": 4.113, "cut-short": 0.297, "different": -2.977, "exact": 6.220, "exact-short": 3.928, "fair": 1.976, "fair-other": 1.215, "loose": 1.675, "loose-other": 0.288, "main": -0.042, "main-other": -1.709, "near": 4.001, "near-other": 3.587, "noise": 4.243, "reordered": 3.586, "weak": -1.939},
    "authors": {"all1/reworded": 1.049, "all1/title": 2.733, "all2/reworded": 2.495, "all2/title": 3.054, "all3/reworded": 2.839, "all3/title": 3.433, "most/reworded": 0.556, "most/title": 1.560, "nearly/reworded": 1.172, "nearly/title": 0.526, "none/reworded": -4.598, "none/title": -2.088, "some/reworded": -0.883, "some/title": 0.574, "swapped/reworded": 0.064, "swapped/title": 0.724},
    "year": {"far": -2.338, "few": -3.548, "one": -2.803, "same": 0.885},
    "venue": {"agree": 0.645, "kind": -0.710, "low": -0.353, "unrelated": 0.138},
}
