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

The training files are balanced (half matches); the intercept is the log-odds of such a
sample. The matcher adds the prior odds of a real candidate pair (``MatchSettings.prior``)
to it: the standard correction for a sample drawn by class.

``--write`` writes ``bibsync/match/fitted.py``. The last line printed is
``pairs=... matches=... levels=... deviance=...``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from entity_resolution import make_entry, read_rows  # noqa: E402

from bibsync.match import MatchSettings  # noqa: E402
from bibsync.match.distance import distance  # noqa: E402
from bibsync.match.levels import PARTS  # noqa: E402
from bibsync.match.normalize import features  # noqa: E402

FITTED = Path(__file__).parent.parent / "bibsync" / "match" / "fitted.py"
PENALTY = 1.0


def pair_levels(rows: list[dict[str, str]], settings: MatchSettings) -> tuple[list[dict[str, str]], list[int]]:
    """The fitted parts' levels of each labelled pair, and the labels."""
    levels, labels = [], []
    for row in rows:
        left = make_entry(row["left_title"], row["left_authors"], row["left_venue"], row["left_year"])
        right = make_entry(row["right_title"], row["right_authors"], row["right_venue"], row["right_year"])
        d = distance(features(left, settings), features(right, settings), settings)
        levels.append({p: d.levels[p] for p in PARTS if p in d.levels and d.levels[p] != "generic"})
        labels.append(1 if row["label"].strip().lower() in ("1", "true", "yes", "match") else 0)
    return levels, labels


def design(columns: list[tuple[str, str]], levels: list[dict[str, str]]) -> np.ndarray:
    """One row per pair: a 1 for each level it has, and a 1 for the intercept (last)."""
    index = {c: i for i, c in enumerate(columns)}
    x = np.zeros((len(levels), len(columns) + 1))
    x[:, -1] = 1.0
    for k, found in enumerate(levels):
        for part, level in found.items():
            x[k, index[(part, level)]] = 1.0
    return x


def fit(columns: list[tuple[str, str]], levels: list[dict[str, str]], labels: list[int]) -> np.ndarray:
    """Logistic regression weights (natural log-odds), the intercept last."""
    x = design(columns, levels)
    y = np.asarray(labels, dtype=float)
    penalty = np.full(x.shape[1], PENALTY)
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


def counted(levels: list[dict[str, str]], labels: list[int], part: str, level: str) -> float:
    """log2(m/u) of one level counted on its own (add-one smoothing), for comparison."""
    m = sum(1 for f, y in zip(levels, labels) if y and f.get(part) == level) + 1
    u = sum(1 for f, y in zip(levels, labels) if not y and f.get(part) == level) + 1
    nm = sum(1 for f, y in zip(levels, labels) if y and part in f) + 2
    nu = sum(1 for f, y in zip(levels, labels) if not y and part in f) + 2
    return math.log2((m / nm) / (u / nu))


def render(columns: list[tuple[str, str]], bits: np.ndarray, sources: list[str]) -> str:
    """The text of fitted.py."""
    lines = ['"""Weights (bits) of the comparison levels, estimated from labelled pairs. Generated: do not edit.',
             "",
             "Written by ``python benchmarks/fit_match_weights.py --write`` from the training splits",
             f"{', '.join(sources)} (docs/matching.md, section 3).",
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
    for path in args.pairs:
        found, marks = pair_levels(read_rows(path), settings)
        levels += found
        labels += marks
    columns = sorted({(p, v) for f in levels for p, v in f.items()})
    w = fit(columns, levels, labels)
    bits = w / math.log(2)
    print(f"{'part':<8} {'level':<12} {'fitted':>7} {'log2(m/u)':>10}")
    for i, (part, level) in enumerate(columns):
        print(f"{part:<8} {level:<12} {bits[i]:>+7.2f} {counted(levels, labels, part, level):>+10.2f}")
    print(f"{'':<8} {'intercept':<12} {bits[-1]:>+7.2f}")
    if args.write:
        sources = [f"{p.parent.name}/{p.name}" for p in args.pairs]
        FITTED.write_text(render(columns, bits, sources), encoding="utf-8")
        print(f"wrote {FITTED}")
    p = 1.0 / (1.0 + np.exp(-(design(columns, levels) @ w)))
    y = np.asarray(labels, dtype=float)
    deviance = -2.0 * float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
    print(f"pairs={len(labels)} matches={sum(labels)} levels={len(columns)} deviance={deviance:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
