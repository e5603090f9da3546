"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.

Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits
dblp-scholar/train-balanced.csv, pairs/train-balanced.csv (docs/matching.md, section 3), with an L2 penalty of 0.2
(chosen by 5-fold cross-validation).
"""

INTERCEPT = -2.373  # log2-odds of a pair with no part compared, in a balanced sample
WEIGHTS: dict[str, dict[str, float]] = {
    "title": {"cut": 5.426, "cut-short": 1.450, "different": -2.252, "exact": 7.902, "exact-short": 5.748, "fair": 0.558, "fair-other": 1.827, "loose": 0.107, "loose-other": 0.923, "main": -0.846, "main-other": -2.314, "near": 5.976, "near-other": 5.990, "noise": 5.944, "reordered": 5.941, "weak": -1.254},
    "words": {"all": 2.943, "few": -3.404, "half": -0.895, "most": 1.053, "some": -2.808},
    "authors": {"all1/reworded": 1.554, "all1/title": 2.499, "all2/reworded": 2.493, "all2/title": 2.903, "all3/reworded": 2.655, "all3/title": 3.165, "inside/reworded": -0.415, "inside/title": 0.336, "most/reworded": 0.380, "most/title": 1.183, "nearly/reworded": 2.989, "nearly/title": 0.976, "none/reworded": -4.923, "none/title": -3.163, "some/reworded": -0.555, "some/title": 1.135, "swapped/reworded": -0.959, "swapped/title": 1.750},
    "year": {"far": -2.078, "few": -4.021, "one": -3.098, "same": 1.344},
    "venue": {"agree": 0.439, "kind": -0.997, "low": -1.154, "unrelated": -0.066},
}
