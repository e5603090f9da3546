"""Where things are, for every test whatever its folder: the checkout, tests/data, samples/,
benchmarks/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SAMPLES = ROOT / "samples"
BENCHMARKS = ROOT / "benchmarks"
