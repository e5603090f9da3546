"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.

Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits
dblp-scholar/train-balanced.csv, pairs/train-balanced.csv (docs/matching.md, section 3).
"""

INTERCEPT = -1.446  # log2-odds of a pair with no part compared, in a balanced sample
WEIGHTS: dict[str, dict[str, float]] = {
    "title": {"cut": 4.141, "cut-short": 0.320, "different": -2.901, "exact": 6.300, "exact-short": 4.008, "fair": 1.908, "fair-other": 1.271, "loose": 1.704, "loose-other": 0.358, "main": -0.017, "main-other": -1.622, "near": 4.034, "near-other": 3.636, "noise": 4.183, "reordered": 3.598, "weak": -1.882},
    "authors": {"all1/reworded": 0.986, "all1/title": 2.683, "all2/reworded": 2.425, "all2/title": 3.008, "all3/reworded": 2.766, "all3/title": 3.374, "most/reworded": 0.459, "most/title": 1.536, "nearly/reworded": 1.159, "nearly/title": 0.493, "none/reworded": -4.674, "none/title": -1.793, "some/reworded": -0.928, "some/title": 0.555, "swapped/reworded": 0.051, "swapped/title": 0.695},
    "year": {"far": -2.330, "few": -3.573, "one": -2.801, "same": 0.908},
    "venue": {"agree": 0.659, "kind": -0.746, "low": -0.386, "unrelated": 0.105},
}
