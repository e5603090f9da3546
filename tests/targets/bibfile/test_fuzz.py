"""A short run of the mutation fuzzer (benchmarks/fuzz_bib.py), and its fidelity check itself."""

from __future__ import annotations

import subprocess
import sys

from benchmark_modules import load_benchmark
from locations import ROOT

SCRIPT = ROOT / "benchmarks" / "fuzz_bib.py"


def _fuzz_module():
    return load_benchmark("fuzz_bib")


OLD = "% head\n@misc{a,\n  title = {A},\n}\n\n@misc{b,\n  title = {B},\n}\n"


def test_fidelity_check_catches_a_byte_changed_outside_the_spliced_entries() -> None:
    fuzz = _fuzz_module()
    a = (OLD.index("@misc{a"), OLD.index("}\n\n") + 1)
    spliced = OLD.replace("  title = {A},\n", "  title = {A},\n  year = {2020},\n")
    added = spliced + "\n@misc{c,\n  title = {C},\n}\n"
    assert fuzz.fidelity_problem(OLD, spliced, [a], 0) is None
    assert fuzz.fidelity_problem(OLD, added, [a], 1) is None
    assert fuzz.fidelity_problem(OLD, spliced.replace("% head", "% Head"), [a], 0) is not None
    assert fuzz.fidelity_problem(OLD, spliced.replace("{B}", "{b}"), [a], 0) is not None
    assert fuzz.fidelity_problem(OLD, added, [a], 0) == "unexpected text at the end"
    assert fuzz.fidelity_problem(OLD, spliced.replace("year = {2020},", "year = {2020"), [a], 0) is not None


def test_fidelity_check_takes_entries_added_before_an_open_block_and_nothing_else() -> None:
    fuzz = _fuzz_module()
    old = OLD + "\n@misc{open,\n  title = {Never"
    inserted = OLD + "\n@misc{c,\n  title = {C},\n}\n\n@misc{open,\n  title = {Never"
    assert fuzz.fidelity_problem(old, inserted, [], 1) is None
    assert fuzz.fidelity_problem(old, inserted.replace("{Never", "{never"), [], 1) is not None
    assert fuzz.fidelity_problem(old, inserted.replace("{B}", "{b}"), [], 1) is not None
    assert fuzz.fidelity_problem(old, inserted, [], 2) is not None


def test_seed_files_are_every_bib_under_tests_data_and_samples() -> None:
    seeds = _fuzz_module().seed_files([ROOT / "tests" / "data", ROOT / "samples"])
    names = {p.relative_to(ROOT).as_posix() for p in seeds}
    assert "samples/thesis.bib" in names and "tests/data/sync/origins/latin1.bib" in names
    assert len(names) >= 40 and all(p.suffix in (".bib", ".bibtex") or p.read_text().lstrip() for p in seeds)


def test_a_short_fuzz_run_finds_nothing() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--seed", "7", "--mutants", "150"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last == "mutants=150 tracebacks=0 fidelity_failures=0 not_idempotent=0", done.stdout
