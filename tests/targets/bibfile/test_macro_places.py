"""A value is written as one of the file's ``@string`` macros only where BibTeX has that macro,
with that value: never before its definition, never where a redefinition gives it another."""

from __future__ import annotations

from pathlib import Path

from bibsync.model import Entry, Person
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget

# An entry above the @string (BibDesk files often keep their strings in the middle or at the
# end), and a macro redefined halfway (the first value applies until the second definition).
TEXT = """@inproceedings{early,
  author = {Pietzuch, Peter},
  title = {Early paper on streams},
  year = {2016}
}

@string{osdi = {OSDI}}
@string{conf = {Symposium on Clouds}}

@inproceedings{middle,
  author = {Pirk, Holger},
  title = {Middle paper on vectors},
  year = {2017}
}

@string{conf = {Workshop on Clouds}}

@inproceedings{late,
  author = {Roe, Jane},
  title = {Late paper on gossip},
  booktitle = osdi,
  year = {2018}
}
"""


def _paper(title: str, year: str, surname: str, given: str, venue: str) -> Entry:
    return Entry("inproceedings", {"title": title, "booktitle": venue, "year": year}, (Person(surname, given),))


def test_an_update_above_a_string_definition_writes_the_value_itself(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(TEXT)
    incoming = [_paper("Early paper on streams", "2016", "Pietzuch", "Peter", "OSDI"),
                _paper("Middle paper on vectors", "2017", "Pirk", "Holger", "Workshop on Clouds"),
                _paper("Late paper on gossip", "2018", "Roe", "Jane", "OSDI")]
    first = run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
    assert first.report.updated == 2
    text = path.read_text()
    # 'osdi' is not defined yet at line 1 (bibtex: 'string name "osdi" is undefined').
    assert "  title = {Early paper on streams},\n  booktitle = {{OSDI}},\n" in text
    # 'conf' is "Symposium on Clouds" where 'middle' stands: the new value is written out.
    assert "  title = {Middle paper on vectors},\n  booktitle = {Workshop on Clouds},\n" in text
    second = run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
    assert second.plan.to_apply() == []


def test_a_new_entry_after_the_definitions_uses_the_macro_as_defined_last(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(TEXT)
    incoming = [_paper("A new paper on clouds", "2019", "Doe", "John", "Workshop on Clouds"),
                _paper("Another new paper", "2019", "Doe", "Jane", "Symposium on Clouds")]
    run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
    text = path.read_text()
    assert text.startswith(TEXT)
    assert "  title = {A new paper on clouds},\n  booktitle = conf,\n" in text
    assert "  title = {Another new paper},\n  booktitle = {Symposium on Clouds},\n" in text


def test_a_sorted_insertion_above_the_definition_writes_the_value(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(TEXT)
    target = BibFileTarget(path, sorted_keys=True)
    incoming = [_paper("A paper sorted first", "2019", "Aaron", "Ann", "OSDI").with_key("aaron2019paper")]
    run_sync(None, target, incoming=incoming, decisions=None)
    text = path.read_text()
    assert text.index("@inproceedings{aaron2019paper,") < text.index("@string{osdi")
    assert "  booktitle = {{OSDI}},\n" in text.split("@string{osdi")[0]
