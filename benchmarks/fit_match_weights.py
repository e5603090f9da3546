"""Estimate the weights of the matcher's comparison levels from labelled training pairs.

    python benchmarks/fit_match_weights.py --pairs DBLP-SCHOLAR/train-balanced.csv \
        --pairs DBLP-ACM/pairs/train-balanced.csv [--write]

Each labelled pair is compared as ``benchmarks/entity_resolution.py --pairs`` compares it;
the comparison levels of its title, people, year and venue (``bibsync/match/levels.py``) are
the features. A part one record lacks has no level (its features are all 0: missing is
neither for nor against), and a generic title ("Editorial") is left to the matcher's rules.

The weights are fitted jointly by logistic regression (Newton's method, an L2 penalty of 1
on every weight but the intercept), not counted part by part as log2(m/u): the parts are not
independent given the class (a paper's authors also wrote the papers whose titles look like
it), and counting each part on its own counts that shared evidence twice. Each weight is
still a log-likelihood ratio in bits that one level adds to a pair's match weight, and the
script prints the counted log2(m/u) beside it for comparison.

The strength of the L2 penalty is chosen by 5-fold cross-validation on the training pairs:
the penalty of the grid whose out-of-fold deviance is lowest. The same out-of-fold scores,
with the matcher's rules applied and each file's non-matches weighed to the prior, give the
lowest match threshold that keeps a precision of 0.98 on the training pairs; the script
prints it (``MatchSettings.match_threshold`` holds it).

The training files are balanced (half matches); the intercept is the log-odds of such a
sample. The matcher adds the prior odds of a real candidate pair (``MatchSettings.prior``)
to it: the standard correction for a sample drawn by class.

``--write`` writes ``bibsync/match/fitted.py``. The last line printed is
``pairs=... matches=... levels=... penalty=... threshold=... deviance=...``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from entity_resolution import make_entry, read_rows  # noqa: E402

from bibsync.match import MatchSettings  # noqa: E402
from bibsync.match.distance import Distance, distance  # noqa: E402
from bibsync.match.levels import PARTS  # noqa: E402
from bibsync.match.normalize import features  # noqa: E402
from bibsync.match.recommend import verdict  # noqa: E402

FITTED = Path(__file__).parent.parent / "bibsync" / "match" / "fitted.py"
PENALTIES = (0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)  # the grid cross-validation chooses from
FOLDS, SEED = 5, 7
TARGET_PRECISION = 0.98
THRESHOLDS = tuple(round(0.3 + 0.025 * k, 3) for k in range(27))  # 0.3 .. 0.95


def pair_levels(rows: list[dict[str, str]],
                settings: MatchSettings) -> tuple[list[dict[str, str]], list[int], list[Distance]]:
    """The fitted parts' levels of each labelled pair, the labels, and the distances."""
    levels, labels, distances = [], [], []
    for row in rows:
        left = make_entry(row["left_title"], row["left_authors"], row["left_venue"], row["left_year"])
        right = make_entry(row["right_title"], row["right_authors"], row["right_venue"], row["right_year"])
        d = distance(features(left, settings), features(right, settings), settings)
        levels.append({p: d.levels[p] for p in PARTS if p in d.levels and d.levels[p] != "generic"})
        labels.append(1 if row["label"].strip().lower() in ("1", "true", "yes", "match") else 0)
        distances.append(d)
    return levels, labels, distances


def design(columns: list[tuple[str, str]], levels: list[dict[str, str]]) -> np.ndarray:
    """One row per pair: a 1 for each level it has, and a 1 for the intercept (last)."""
    index = {c: i for i, c in enumerate(columns)}
    x = np.zeros((len(levels), len(columns) + 1))
    x[:, -1] = 1.0
    for k, found in enumerate(levels):
        for part, level in found.items():
            x[k, index[(part, level)]] = 1.0
    return x


def fit(columns: list[tuple[str, str]], levels: list[dict[str, str]], labels: list[int],
        strength: float) -> np.ndarray:
    """Logistic regression weights (natural log-odds), the intercept last, with an L2 penalty of ``strength``."""
    x = design(columns, levels)
    y = np.asarray(labels, dtype=float)
    penalty = np.full(x.shape[1], strength)
    penalty[-1] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def folds(n: int) -> list[list[int]]:
    """The pairs' indices in FOLDS folds, shuffled with a fixed seed."""
    order = list(range(n))
    random.Random(SEED).shuffle(order)
    return [order[k::FOLDS] for k in range(FOLDS)]


def out_of_fold(columns: list[tuple[str, str]], levels: list[dict[str, str]], labels: list[int],
                strength: float) -> np.ndarray:
    """Each pair's weight (natural log-odds, balanced sample) from a fit on the other folds."""
    x = design(columns, levels)
    out = np.zeros(len(labels))
    for fold in folds(len(labels)):
        held = set(fold)
        rest = [k for k in range(len(labels)) if k not in held]
        w = fit(columns, [levels[k] for k in rest], [labels[k] for k in rest], strength)
        out[fold] = x[fold] @ w
    return out


def deviance(logits: np.ndarray, labels: list[int]) -> float:
    """-2 log-likelihood of the labels under the log-odds ``logits``."""
    y = np.asarray(labels, dtype=float)
    return float(2.0 * np.sum(np.logaddexp(0.0, logits) - y * logits))


def oof_matches(logits: np.ndarray, distances: list[Distance], levels: list[dict[str, str]],
                settings: MatchSettings) -> list[tuple[bool, bool, float]]:
    """For each pair, with its out-of-fold weights and the matcher's rules: (a match at any
    threshold, a match whatever the threshold, its score)."""
    out = []
    lowest = dataclasses.replace(settings, match_threshold=0.0)
    highest = dataclasses.replace(settings, match_threshold=1.01)
    for d, found, logit in zip(distances, levels, logits):
        # The stated weights (pages, labels) stay; the fitted ones give way to this pair's out-of-fold sum.
        d.weights = {part: v for part, v in d.weights.items() if part not in found}
        d.base = logit / math.log(2) + settings.prior_bits
        out.append((verdict(d, lowest)[0] == "match", verdict(d, highest)[0] == "match", d.score))
    return out


def figures(matches: list[tuple[bool, bool, float]], labels: list[int], negative_weights: list[float],
            t: float) -> tuple[float, float]:
    """(precision, recall) of the verdicts at threshold ``t``, non-matches weighed to the prior."""
    tp = fp = 0.0
    for y, (eligible, always, score), nw in zip(labels, matches, negative_weights):
        if always or (eligible and score >= t):
            tp, fp = (tp + 1, fp) if y else (tp, fp + nw)
    return (tp / (tp + fp) if tp else 0.0), tp / max(sum(labels), 1)


def threshold(matches: list[tuple[bool, bool, float]], labels: list[int], negative_weights: list[float]) -> float:
    """The lowest match threshold at which the out-of-fold verdicts keep TARGET_PRECISION."""
    for t in THRESHOLDS:
        if figures(matches, labels, negative_weights, t)[0] >= TARGET_PRECISION:
            return t
    return THRESHOLDS[-1]


def counted(levels: list[dict[str, str]], labels: list[int], part: str, level: str) -> float:
    """log2(m/u) of one level counted on its own (add-one smoothing), for comparison."""
    m = sum(1 for f, y in zip(levels, labels) if y and f.get(part) == level) + 1
    u = sum(1 for f, y in zip(levels, labels) if not y and f.get(part) == level) + 1
    nm = sum(1 for f, y in zip(levels, labels) if y and part in f) + 2
    nu = sum(1 for f, y in zip(levels, labels) if not y and part in f) + 2
    return math.log2((m / nm) / (u / nu))


def render(columns: list[tuple[str, str]], bits: np.ndarray, sources: list[str], strength: float) -> str:
    """The text of fitted.py."""
    lines = ['"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.',
             "",
             "Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits",
             f"{', '.join(sources)} (docs/matching.md, section 3), with an L2 penalty of {strength}",
             "(chosen by 5-fold cross-validation).",
             '"""',
             "",
             f"INTERCEPT = {bits[-1]:.3f}  # log2-odds of a pair with no part compared, in a balanced sample",
             "WEIGHTS: dict[str, dict[str, float]] = {"]
    for part in PARTS:
        entries = ", ".join(f'"{level}": {bits[i]:.3f}' for i, (p, level) in enumerate(columns) if p == part)
        lines.append(f'    "{part}": {{{entries}}},')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Fit, print the weights, and with --write store them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, action="append", required=True, help="a labelled pairs CSV (repeat)")
    parser.add_argument("--write", action="store_true", help="write bibsync/match/fitted.py")
    args = parser.parse_args(argv)
    settings = MatchSettings()
    levels: list[dict[str, str]] = []
    labels: list[int] = []
    distances: list[Distance] = []
    negative_weights: list[float] = []
    spans: dict[Path, tuple[int, int]] = {}
    for path in args.pairs:
        found, marks, pairs = pair_levels(read_rows(path), settings)
        spans[path] = (len(labels), len(labels) + len(marks))
        levels += found
        labels += marks
        distances += pairs
        # Weigh this file's non-matches so that matches make up the prior's share of its pairs.
        matches = sum(marks)
        weight = (1 - settings.prior) / settings.prior * matches / max(len(marks) - matches, 1)
        negative_weights += [weight] * len(marks)
    columns = sorted({(p, v) for f in levels for p, v in f.items()})
    scores = {k: deviance(out_of_fold(columns, levels, labels, k), labels) for k in PENALTIES}
    strength = min(scores, key=scores.__getitem__)
    print("cross-validated deviance by penalty: " + ", ".join(f"{k}: {v:.1f}" for k, v in scores.items()))
    matches = oof_matches(out_of_fold(columns, levels, labels, strength), distances, levels, settings)
    chosen = threshold(matches, labels, negative_weights)
    for path, (start, end) in spans.items():
        precision, recall = figures(matches[start:end], labels[start:end], negative_weights[start:end], chosen)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"cross-validated at {chosen}: {path.parent.name}/{path.name} "
              f"precision={precision:.4f} recall={recall:.4f} f1={f1:.4f}")
    w = fit(columns, levels, labels, strength)
    bits = w / math.log(2)
    print(f"{'part':<8} {'level':<12} {'fitted':>7} {'log2(m/u)':>10}")
    for i, (part, level) in enumerate(columns):
        print(f"{part:<8} {level:<12} {bits[i]:>+7.2f} {counted(levels, labels, part, level):>+10.2f}")
    print(f"{'':<8} {'intercept':<12} {bits[-1]:>+7.2f}")
    if args.write:
        sources = [f"{p.parent.name}/{p.name}" for p in args.pairs]
        FITTED.write_text(render(columns, bits, sources, strength), encoding="utf-8")
        print(f"wrote {FITTED}")
    print(f"pairs={len(labels)} matches={sum(labels)} levels={len(columns)} penalty={strength} "
          f"threshold={chosen} deviance={deviance(design(columns, levels) @ w, labels):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
