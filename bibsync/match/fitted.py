"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.

Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits
dblp-scholar/train-balanced.csv, pairs/train-balanced.csv (docs/matching.md, section 3).
"""

INTERCEPT = -1.454  # log2-odds of a pair with no part compared, in a balanced sample
WEIGHTS: dict[str, dict[str, float]] = {
    "title": {"cut": 4.180, "cut-short": 0.495, "different": -2.563, "exact": 6.498, "exact-short": 4.002, "fair": 1.662, "loose": 0.875, "main": -0.250, "near": 4.118, "noise": 4.470, "reordered": 3.125, "tail": 2.237, "weak": -1.799},
    "authors": {"all1/reworded": 0.850, "all1/title": 2.945, "all2/reworded": 2.120, "all2/title": 2.957, "all3/reworded": 2.516, "all3/title": 3.363, "most/reworded": 0.329, "most/title": 1.496, "nearly/reworded": 1.144, "nearly/title": 0.569, "none/reworded": -4.857, "none/title": -2.151, "some/reworded": -1.141, "some/title": 0.517, "swapped/reworded": -0.142, "swapped/title": 0.709},
    "year": {"far": -2.500, "few": -3.595, "one": -2.921, "same": 0.947},
    "venue": {"agree": 0.752, "kind": -0.931, "low": -0.598, "unrelated": -0.113},
}
