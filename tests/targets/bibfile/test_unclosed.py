"""A block left open (a truncated file, a lost brace): new entries go where BibTeX reads them.

BibTeX reads on from an unclosed value to the end of the file, so an entry appended after it
is part of it and never cited, although bibsync reported it added. New entries are put
before such a block, which stays byte for byte, and the read says where it is (file:line)."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bibsync.bibtex.read import OPEN_KIND, OPEN_TO_END_KIND
from bibsync.cli import app
from bibsync.model import Entry, Person
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
from locations import SAMPLES
from tex_tools import bibtex_keys, missing_tools

NEW = Entry("article", {"title": "Zyxwv qwerty unmatched paper", "journal": "Letters on Rings", "year": "2031"},
            (Person("Roe", "Ann"),), key="roe2031zyxwv")
GOOD = "@article{good,\n  author = {Doe, Jane},\n  title = {Good paper},\n  journal = {J},\n  year = {2000},\n}\n\n"
TRUNCATED = "@article{x,\n  author = {Roe, Ann},\n  title = {Foo"
NEEDS_TEX = pytest.mark.skipif(bool(missing_tools()), reason="TeX tools missing")


def _sync(path: Path, incoming: list[Entry] = [NEW]):  # noqa: B006  (never mutated)
    return run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)


def test_new_entries_go_before_a_truncated_last_entry(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + TRUNCATED)
    target = BibFileTarget(path)
    target.load()
    (failure,) = target.failures
    assert (failure.where(), failure.kind) == (f"{path}:8", OPEN_TO_END_KIND)
    assert failure.message == ("@article{x is never closed: bibtex reads the rest of the file as part of it; "
                               "new entries that bibsync adds go before it")
    result = _sync(path)
    assert result.report.added == 1
    text = path.read_text()
    assert text.startswith(GOOD + "@article{roe2031zyxwv,\n") and text.endswith("}\n\n" + TRUNCATED)
    assert _sync(path).plan.to_apply() == [] and path.read_text() == text  # the next run: nothing to add


def test_in_key_order_too(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + TRUNCATED)
    zed = Entry("article", {"title": "Zed paper", "journal": "J", "year": "2031"}, (Person("Zed", "A"),), key="zzz")
    run_sync(None, BibFileTarget(path, sorted_keys=True), incoming=[NEW, zed], decisions=None)
    text = path.read_text()
    assert text.index("@article{roe2031zyxwv,") < text.index("@article{zzz,") < text.index(TRUNCATED)


def test_the_cli_warns_with_the_place_and_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + TRUNCATED)
    listing = tmp_path / "new.bib"
    listing.write_text("@article{roe2031zyxwv, author = {Roe, Ann}, title = {Zyxwv qwerty unmatched paper},\n"
                       "  journal = {Letters on Rings}, year = {2031}}\n")
    result = CliRunner().invoke(app, ["sync", str(listing), "--into", str(path), "--yes", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert f"{path}:8: @article{{x is never closed: bibtex reads the rest of the file" in result.output
    assert "hint: close its braces or quotes (bibsync keeps it as it is)" in result.output
    assert "1 added" in result.output and path.read_text().endswith(TRUNCATED)


def test_an_unclosed_entry_in_the_middle_swallows_the_rest_for_bibtex(tmp_path: Path) -> None:
    # b repeats a field (bibtexparser wraps such an entry): still named by its key
    after = "\n@article{b,\n  author = {Poe, E.},\n  title = {B},\n  journal = {J},\n  year = 2001,\n  year = 2001,\n}\n"
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + TRUNCATED + after)
    target = BibFileTarget(path)
    assert [e.key for e in target.load()] == ["good", "b"]  # bibsync reads b; bibtex does not
    failure, repeated = target.failures
    assert repeated.message == "entry 'b' repeats field(s) year; the first value is used"
    assert failure.line == 8 and failure.message == (
        "@article{x is never closed: bibtex reads the rest of the file as part of it (the entry 'b'); "
        "new entries that bibsync adds go before it")
    _sync(path)
    text = path.read_text()
    assert text.startswith(GOOD + "@article{roe2031zyxwv,\n") and text.endswith("}\n\n" + TRUNCATED + after)


def test_a_block_bibtex_reads_into_the_next_entry_only_is_named_and_the_end_is_kept(tmp_path: Path) -> None:
    text = GOOD + "@article{x,\n  title = {Foo},\n\n@article{b, title = {B}, journal = {J}, year = 2001}\n"
    path = tmp_path / "refs.bib"
    path.write_text(text)
    target = BibFileTarget(path)
    target.load()
    (failure,) = target.failures
    assert (failure.line, failure.kind) == (8, OPEN_KIND)
    assert failure.message == "@article{x is not closed where it should be: bibtex reads the entry 'b' after it as part of it"
    _sync(path)
    assert path.read_text().startswith(text + "\n@article{roe2031zyxwv,\n")  # appended: bibtex reads it


@NEEDS_TEX
def test_bibtex_reads_the_new_entries(tmp_path: Path) -> None:
    for number, tail in enumerate([TRUNCATED, TRUNCATED + "\n@article{b, title = {B}}\n", '@string{s = "open']):
        path = tmp_path / f"refs{number}.bib"
        path.write_text(GOOD + tail)
        _sync(path)
        assert {"good", "roe2031zyxwv"} <= set(bibtex_keys(path.read_text(), tmp_path / f"tex{number}"))


THESIS = (SAMPLES / "thesis.bib").read_text(encoding="utf-8")


@NEEDS_TEX
@settings(max_examples=int(os.environ.get("BIBSYNC_PROPERTY_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.integers(1, len(THESIS)))
def test_after_any_truncation_of_a_real_file_bibtex_reads_the_new_entry(tmp_path: Path, cut: int) -> None:
    before = THESIS[:cut]
    path = tmp_path / "refs.bib"
    path.write_text(before, encoding="utf-8")
    assert _sync(path).report.added == 1
    after = path.read_text(encoding="utf-8")
    ops = [op for op in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert [op[0] for op in ops] == ["insert"]  # one insertion; every byte of the file kept in order
    assert "roe2031zyxwv" in bibtex_keys(after, tmp_path / "tex")
