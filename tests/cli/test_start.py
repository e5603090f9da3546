"""Instant start: `--version`, `--help`, `formats` and every command's help import nothing heavy.

Each case runs the real entry point in a fresh interpreter and reads ``sys.modules`` after it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import bibsync

HEAVY = ["numpy", "rapidfuzz", "bs4", "lxml", "pyzotero", "httpx", "ftfy", "pylatexenc", "hypothesis",
         "bibtexparser"]
SCRIPT = """
import json, sys
sys.argv = ["bibsync", *sys.argv[1:]]
from bibsync.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def run(*args: str) -> tuple[int, list[str], str]:
    """Run bibsync with ``args`` in a fresh interpreter: exit code, loaded modules, output."""
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=60)
    report = json.loads(done.stderr.rsplit("MODULES ", 1)[1])
    return report["code"], report["modules"], done.stdout


def heavy(modules: list[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


def test_version_imports_no_command_and_nothing_heavy():
    code, modules, out = run("--version")
    assert (code, out) == (0, f"bibsync {bibsync.__version__}\n")
    assert heavy(modules) == []
    assert [m for m in modules if m.startswith("bibsync.cli.commands.")] == []
    assert "rich" not in {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", [["--help"], ["formats"]])
def test_help_and_formats_import_nothing_heavy(args):
    code, modules, out = run(*args)
    assert code in (0, None) and out
    assert heavy(modules) == []
    if args == ["formats"]:  # every own source is listed, their modules loaded without their dependencies
        assert {"acm-toc", "arxiv", "bibtex", "csl-json", "doi", "ris"} <= set(out.split())


@pytest.mark.parametrize("command", ["parse", "sync", "review", "dedupe", "match", "pull"])
def test_command_help_imports_only_its_own_light_module(command):
    code, modules, out = run(command, "--help")
    assert code in (0, None) and out.startswith("Usage: bibsync " + command)
    assert heavy(modules) == []
