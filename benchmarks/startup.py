"""Benchmark: how fast bibsync starts, against importing typer alone.

Times whole processes, alternating the two commands so that drift in the machine's speed hits
both alike: ``bibsync --version`` (the installed console script, else ``python -m bibsync``)
and ``python -c "import typer"``; also ``bibsync --help`` and ``bibsync formats``. Prints the
medians of ``--runs`` runs each (after one warm-up) as one line:
``version_s=... help_s=... formats_s=... import_typer_s=... ratio=...`` where ``ratio`` is
``version_s / import_typer_s`` (target: at most 2).

Run: python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def bibsync_command() -> list[str]:
    """The console script installed next to this Python, else ``python -m bibsync``."""
    script = shutil.which("bibsync", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "bibsync"]


def seconds(command: list[str]) -> float:
    """Wall time of one whole process (its output discarded); fails loudly if it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    return elapsed


def main() -> None:
    """Time the commands in turn and print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, metavar="N", help="runs of each command")
    args = parser.parse_args()
    bibsync = bibsync_command()
    commands = {
        "version_s": bibsync + ["--version"],
        "help_s": bibsync + ["--help"],
        "formats_s": bibsync + ["formats"],
        "import_typer_s": [sys.executable, "-c", "import typer"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    # bibsync's modules compiled, as an installed package has them (pip compiles on install):
    # under PYTHONDONTWRITEBYTECODE the warm-up below writes no .pyc for an editable checkout.
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "bibsync"), quiet=1)
    for command in commands.values():  # warm-up: file caches
        seconds(command)
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(seconds(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["version_s"] / medians["import_typer_s"]
    print(" ".join(f"{name}={value:.3f}" for name, value in medians.items()) + f" ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
