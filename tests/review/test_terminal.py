"""The terminal reviewer's key handling, driven through a text stream (no terminal, no CLI)."""

import io

from rich.console import Console

from bibsync.review.cases import Action, CaseCandidate, ReviewCase
from bibsync.review.terminal import ENTER, KeyReader, TerminalReviewer, case_table, interactive_allowed
from review_helpers import ARTEFACT, PAPER, PREPRINT


def reviewer(keys: str) -> tuple[TerminalReviewer, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=140, color_system=None, highlight=False)
    return TerminalReviewer(console, KeyReader(io.StringIO(keys)), "refs.bib"), out


CASE = ReviewCase("sync", PREPRINT, (CaseCandidate(PAPER, 0, 0.86, "title 1.00 · year ≠"),
                                     CaseCandidate(ARTEFACT, 2, 0.72, "title 0.31")))


def test_key_reader_lines_and_enter():
    keys = KeyReader(io.StringIO("m2\n\n  a \n"))
    assert [keys.read_key() for _ in range(4)] == ["m", "2", ENTER, "a"]
    try:
        keys.read_key()
    except EOFError:
        pass
    else:
        raise AssertionError("end of input must raise EOFError")


def test_merge_into_the_second_candidate_choosing_fields():
    # m, candidate 2, field by field: type i (the artefact is software), author Enter, title t, ...
    r, out = reviewer("m\n2\nf\ni\n\nt\n\n\n\n\n\n\n")
    action = r.choose(CASE, 0, 1)
    assert action.kind == "merge" and action.candidate == 1
    assert action.fields["@type"] == "incoming" and action.fields["title"] == "target"
    assert "merging into zhu2023software: differing fields" in out.getvalue()


def test_cancel_goes_back_to_the_case_and_bad_candidate_numbers_are_refused():
    r, out = reviewer("m\n9\nm\n1\nc\nn\n")
    action = r.choose(CASE, 0, 1)
    assert action == Action("decline")  # n: never add the incoming entry
    text = out.getvalue()
    assert text.count("cancelled") == 2
    assert text.count("uncertain match 1/1 · refs.bib") == 2  # the case was shown again after the cancel


def test_end_of_input_quits():
    r, out = reviewer("")
    assert r.choose(CASE, 0, 1) == Action("quit")
    assert "end of input" in out.getvalue()


def test_table_marks_differences_without_colour():
    out = io.StringIO()
    Console(file=out, width=140, color_system=None).print(case_table(CASE))
    rows = {line.split("│")[1].strip(): line for line in out.getvalue().splitlines() if line.startswith("│")}
    assert "year ≠" in rows and "author ≠" in rows  # the artefact has one author only
    assert "pages ≠" in rows and "title ≠" in rows
    assert "2022" in rows["year ≠"] and "2023" in rows["year ≠"]


def test_prompting_needs_a_terminal_or_an_explicit_switch(monkeypatch):
    monkeypatch.delenv("BIBSYNC_INTERACTIVE", raising=False)
    assert interactive_allowed(io.StringIO("")) is False
    monkeypatch.setenv("BIBSYNC_INTERACTIVE", "1")
    assert interactive_allowed(io.StringIO("")) is True
