"""Entries that lack a field their type requires in BibTeX: the summary line and ``bibsync check``."""

from __future__ import annotations


import pytest
from typer.testing import CliRunner

from bibsync.bibtex.required_fields import incomplete_entries, missing_fields, summary_line
from bibsync.cli import app
from bibsync.model import Entry, Person
from locations import SAMPLES

runner = CliRunner()
DOE = (Person("Doe", "Jane"),)


@pytest.mark.parametrize("entry,missing", [
    (Entry("inproceedings", {"title": "T", "year": "2020"}, DOE), ("booktitle",)),
    (Entry("inproceedings", {"title": "T", "booktitle": "B", "year": "2020"}, DOE), ()),
    (Entry("article", {"title": "T", "date": "2020-01-02", "journaltitle": "J"}, DOE), ()),
    (Entry("book", {"title": "T", "year": "2020"}), ("author or editor", "publisher")),
    (Entry("book", {"title": "T", "year": "2020", "publisher": "P"}, editors=DOE), ()),
    (Entry("inbook", {"title": "T", "year": "2020", "publisher": "P"}, DOE), ("chapter or pages",)),
    (Entry("incollection", {"title": "T", "booktitle": "B", "year": "2020"}, DOE), ("publisher",)),
    (Entry("phdthesis", {"title": "T", "year": "2020"}, DOE), ("school",)),
    (Entry("thesis", {"title": "T", "year": "2020", "institution": "I"}, DOE), ("school",)),
    (Entry("report", {"title": "T", "year": "2020", "institution": "I"}, DOE), ()),
    (Entry("techreport", {"title": "T"}, ()), ("author", "institution", "year")),
    (Entry("unpublished", {"title": "T"}, DOE), ("note",)),
    (Entry("misc", {}), ()),
    (Entry("software", {"title": "T"}), ()),
    (Entry("patent", {"title": "T"}), ()),  # plain.bst typesets unknown types as misc
    (Entry("article", {"title": "T", "journal": "J", "year": "2020"}, authors_truncated=True), ()),
])
def test_what_each_type_requires(entry, missing):
    assert missing_fields(entry) == missing


def test_the_summary_line_counts_and_names_the_entries():
    entries = [Entry("inproceedings", {"title": "T", "year": "2020"}, DOE, key=f"k{i}") for i in range(10)]
    assert summary_line(incomplete_entries(entries[:1])) == (
        "1 of the entries lacks a field its type requires in BibTeX: k0 (booktitle)")
    line = summary_line(incomplete_entries(entries), "new or updated entries")
    assert line.startswith("10 new or updated entries lack a field their type requires in BibTeX: k0 (booktitle), ")
    assert line.endswith("k7 (booktitle) and 2 more")
    assert summary_line([]) == ""


def test_parse_says_which_records_lack_a_venue():
    result = runner.invoke(app, ["parse", str(SAMPLES / "imperial-respub-pietzuch.txt")])
    assert result.exit_code == 0
    note = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(note) == 1 and "8 entries lack a field their type requires in BibTeX:" in note[0]
    assert "shillaker2020faasm (booktitle)" in note[0]


def test_sync_says_so_in_its_summary(tmp_path):
    bib = tmp_path / "new.bib"
    result = runner.invoke(app, ["sync", str(SAMPLES / "imperial-respub-pietzuch.txt"), "--into", str(bib), "--yes"])
    assert result.exit_code == 0, result.output
    assert "note: 8 new or updated entries lack a field their type requires in BibTeX: " in " ".join(result.stderr.split())


CHECKED = """@inproceedings{complete,
  author = {Doe, Jane},
  title = {Complete},
  booktitle = {SoCC},
  year = {2024},
}

@inproceedings{novenue,
  author = {Doe, Jane},
  title = {No venue},
  year = {2024},
}

@book{nobody,
  title = {A book},
  year = {2001},
}
"""


def test_check_lists_the_incomplete_entries_with_file_and_line_and_exits_3(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(CHECKED, encoding="utf-8")
    result = runner.invoke(app, ["check", str(bib)])
    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        f"{bib}:8: novenue (@inproceedings) lacks booktitle",
        f"{bib}:14: nobody (@book) lacks author or editor, publisher",
        "2 of 3 entries lack a field their type requires (BibTeX warns 'empty FIELD in KEY')",
    ]


def test_check_of_a_complete_file_exits_0_and_of_a_missing_file_1(tmp_path):
    result = runner.invoke(app, ["check", str(SAMPLES / "thesis.bib")])
    assert (result.exit_code, result.stdout) == (0, "all 15 entries have the fields their types require\n")
    missing = runner.invoke(app, ["check", str(tmp_path / "nope.bib")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr


def test_check_without_a_file_or_a_bibsync_toml_is_a_usage_error(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2 and "say which .bib file to check" in result.stderr
