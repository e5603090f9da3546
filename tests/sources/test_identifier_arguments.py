"""An argument that means to be an identifier is one, even when malformed: it is reported and
the rest of the run goes on (QA review, item 5)."""

from __future__ import annotations


import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.sources.arxiv import ArxivSource, means_arxiv_id
from bibsync.sources.doi import DoiSource
from locations import DATA

REVIEW = DATA / "review"
runner = CliRunner()

MALFORMED_ARXIV = ["arXiv:2401.1", "arXiv:foo", "2401.1", "math/99", "https://arxiv.org/abs/xx", "10.48550/arXiv.foo"]
MALFORMED_DOI = ["10.12/x", "doi:foo", "https://doi.org/foo"]


@pytest.mark.parametrize("argument", MALFORMED_ARXIV)
def test_what_means_to_be_an_arxiv_id_is_claimed_by_the_arxiv_source(argument):
    assert means_arxiv_id(argument) and ArxivSource().claims_argument(argument)


@pytest.mark.parametrize("argument", MALFORMED_DOI)
def test_what_means_to_be_a_doi_is_claimed_by_the_doi_source(argument):
    assert DoiSource().claims_argument(argument)


@pytest.mark.parametrize("argument", ["refs/2024", "notes.txt", "chapter1/refs.bib", "3.14"])
def test_paths_stay_paths(argument):
    assert not means_arxiv_id(argument) and not DoiSource().claims_argument(argument)


def test_malformed_identifiers_are_reported_and_the_rest_is_synced(tmp_path):
    bib = tmp_path / "x.bib"
    result = runner.invoke(app, ["sync", *MALFORMED_DOI[:1], *MALFORMED_ARXIV[:4], str(REVIEW / "incoming.bib"),
                                 "--into", str(bib), "--yes", "--offline"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 1, result.output
    assert "no such file" not in result.output
    # four of a kind: one line (the same way as the target's warnings); --verbose lists each
    assert ("skipped: 4 malformed arXiv ids (not looked up): arXiv:2401.1, arXiv:foo, 2401.1 and 1 more "
            "(--verbose lists them)") in result.stderr
    assert "skipped: 10.12/x: malformed DOI '10.12/x'" in result.stderr
    verbose = runner.invoke(app, ["sync", *MALFORMED_DOI[:1], *MALFORMED_ARXIV[:4], str(REVIEW / "incoming.bib"),
                                  "--into", str(tmp_path / "y.bib"), "--yes", "--offline", "--verbose"],
                            env={"COLUMNS": "200", "NO_COLOR": "1"})
    for argument in MALFORMED_ARXIV[:4]:
        assert f"{argument}: malformed arXiv id {argument!r}: an arXiv id is YYMM.NNNNN" in verbose.stderr
    assert "5 records or identifiers could not be read and were left out" in result.stderr
    text = bib.read_text()
    assert "@article{zhu2022msrl," in text and "@inproceedings{doe2024stream," in text  # the rest was synced


def test_parse_reports_a_malformed_doi_prefix_and_goes_on(tmp_path):
    result = runner.invoke(app, ["parse", "doi:foo", str(REVIEW / "incoming.bib")], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "malformed DOI 'doi:foo': a DOI starts with 10." in result.stderr
    assert "@article{zhu2022msrl," in result.stdout
