"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.

Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits
dblp-scholar/train-balanced.csv, pairs/train-balanced.csv (docs/matching.md, section 3).
"""

INTERCEPT = -1.458  # log2-odds of a pair with no part compared, in a balanced sample
WEIGHTS: dict[str, dict[str, float]] = {
    "title": {"cut": 4.209, "cut-short": 0.485, "different": -2.582, "exact": 6.476, "exact-short": 3.981, "fair": 1.702, "loose": 0.928, "main": -0.285, "near": 4.173, "noise": 4.435, "reordered": 3.126, "tail": 2.273, "weak": -1.785},
    "authors": {"all1/reworded": 0.818, "all1/title": 2.946, "all2/reworded": 2.113, "all2/title": 2.960, "all3/reworded": 2.536, "all3/title": 3.370, "most/reworded": 0.300, "most/title": 1.438, "nearly/reworded": 1.143, "nearly/title": 0.476, "none/reworded": -4.810, "none/title": -2.128, "some/reworded": -1.149, "some/title": 0.516, "swapped/reworded": 0.157, "swapped/title": 0.666},
    "year": {"far": -2.466, "few": -3.605, "one": -2.931, "same": 0.951},
    "venue": {"agree": 0.784, "kind": -0.964, "low": -0.592, "unrelated": -0.092},
}
