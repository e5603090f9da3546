"""The layers of bibsync/ as a contract: `lint-imports` (import-linter, configured in
pyproject.toml) passes on the package, and catches an import against the flow, even one made
inside a function."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from locations import ROOT

LINT_IMPORTS = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]
CONTRACTS = ("Layers: the command line on top, the shared core at the bottom",
             "Sources and targets know nothing of each other",
             "The matcher compares entries: it reads no format and writes no file")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    """`lint-imports` run in ``folder`` (its pyproject.toml and its bibsync/), without a cache."""
    return subprocess.run([*LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=folder, capture_output=True, text=True,
                          timeout=120)


def test_every_import_follows_the_layers():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in CONTRACTS:
        assert f"{name} KEPT" in done.stdout
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def test_a_lazy_import_against_the_flow_breaks_the_contracts(tmp_path):
    shutil.copytree(ROOT / "bibsync", tmp_path / "bibsync", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    api = tmp_path / "bibsync" / "match" / "api.py"
    api.write_text(api.read_text() + "\n\ndef _planted():\n    from ..targets.bibfile.target import BibFileTarget\n\n"
                     "    return BibFileTarget\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1
    assert "Contracts: 1 kept, 2 broken." in done.stdout
    assert "bibsync.match.api -> bibsync.targets.bibfile.target" in done.stdout
    assert f"{CONTRACTS[0]} BROKEN" in done.stdout and f"{CONTRACTS[2]} BROKEN" in done.stdout
