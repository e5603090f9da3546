"""Real .bib quirks: ``%`` comment lines, empty fields, missing commas; each sync idempotent."""

from __future__ import annotations

from pathlib import Path

from bibsync.bibtex.blocks import mask_comment_lines
from bibsync.bibtex.read import read_bibtex
from bibsync.model import Entry, Person
from bibsync.pipeline import parse_sources
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget

DEEP = Entry("article", {"title": "Deep learning for clocks", "journal": "Letters on Clocks", "year": "2020",
                         "doi": "10.1000/deep"}, (Person("Smith", "Alice"),))
COMMENTED = """% @misc{smith2020old, title = {Deep learning for clocks}, author = {Smith, Alice}, year = 2020}
% @article{smith2020deepb,
%   title = {Deep learning for clocks},
%   author = {Smith, Alice},
%   year = {2020},
% }

@article{jones2019,
  title = {Gossip in enclaves},
  author = {Jones, Bob},
%  doi = {10.1000/old},
  year = {2019},
}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(text)
    return path


def _sync_three_times(path: Path, incoming: list[Entry]) -> list:
    results = []
    for _ in range(3):
        results.append(run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None))
    return results


# --- item 3: % lines are comments ---------------------------------------------------------------

def test_a_commented_out_entry_is_a_comment_and_stays_as_it_is(tmp_path: Path) -> None:
    path = _write(tmp_path, COMMENTED)
    target = BibFileTarget(path)
    entries = target.load()
    assert [e.key for e in entries] == ["jones2019"]
    assert "doi" not in entries[0].fields and target.failures == []
    first, second, third = _sync_three_times(path, [DEEP])
    assert first.plan.counts()["add"] == 1 and first.report.added == 1
    assert second.plan.to_apply() == [] and third.plan.to_apply() == []
    text = path.read_text()
    assert text.startswith(COMMENTED)  # the commented copy and the commented field line, byte for byte
    assert "\n@article{smith2020deep,\n" in text


def test_the_bibtex_source_skips_commented_entries_too(tmp_path: Path) -> None:
    path = _write(tmp_path, COMMENTED)
    entries = parse_sources([str(path)]).entries
    assert [e.key for e in entries] == ["jones2019"] and "doi" not in entries[0].fields


def test_an_update_goes_to_the_real_entry_not_the_comment(tmp_path: Path) -> None:
    path = _write(tmp_path, COMMENTED)
    richer = Entry("article", {"title": "Gossip in enclaves", "year": "2019", "doi": "10.1000/new",
                               "pages": "1--10"}, (Person("Jones", "Bob"),))
    first, second, _ = _sync_three_times(path, [richer])
    assert first.report.updated == 1 and second.plan.to_apply() == []
    text = path.read_text()
    assert "%  doi = {10.1000/old},\n" in text and "  doi = {10.1000/new},\n" in text
    assert text.startswith(COMMENTED.split("@article{jones2019")[0])


def test_a_commented_string_macro_is_not_defined(tmp_path: Path) -> None:
    doc = read_bibtex('% @string{cacm = "Old name"}\n@string{cacm = "Communications of the ACM"}\n'
                      "@article{a, title = {T}, journal = cacm}\n")
    assert doc.entries[0].get("journal") == "Communications of the ACM" and doc.failures == []


def test_percent_lines_inside_values_are_text() -> None:
    text = "@article{a,\n  abstract = {Half of it\n% of the cases},\n  note = \"a\n% b\",\n  title = {T},\n}\n"
    assert mask_comment_lines(text) == text
    (entry,) = read_bibtex(text).entries
    assert entry.get("abstract") == "Half of it\n% of the cases" and entry.get("note") == "a % b"


def test_masking_keeps_offsets_and_line_ends() -> None:
    text = "% head\r\n@misc{a,\r\n% x = {1},\r\n  title = {T}}\r\n"
    masked = mask_comment_lines(text)
    assert len(masked) == len(text) and masked.count("\r\n") == 4
    assert masked == "      \r\n@misc{a,\r\n          \r\n  title = {T}}\r\n"


# --- item 4: empty fields and missing commas --------------------------------------------------

def test_an_empty_field_is_filled_in_place_once(tmp_path: Path) -> None:
    text = ("@phdthesis{roe2019,\n  author = {Roe, Jane},\n  title = {Gossip in enclaves},\n  school = {MIT},\n"
            "  number = {},\n  doi = {},\n  year = {2019},\n}\n")
    path = _write(tmp_path, text)
    thesis = Entry("phdthesis", {"title": "Gossip in enclaves", "school": "MIT", "year": "2019",
                                 "doi": "10.1000/roe"}, (Person("Roe", "Jane"),))
    results = _sync_three_times(path, [thesis])
    assert [r.plan.counts()["update"] for r in results] == [1, 0, 0]
    assert path.read_text() == text.replace("doi = {}", "doi = {10.1000/roe}")


def test_a_missing_comma_is_mended_and_no_field_is_added_twice(tmp_path: Path) -> None:
    text = ("@inproceedings{zhu2023msrl,\n  title = {{MSRL}: Distributed reinforcement learning},\n"
            "  author = {Zhu, Huanzhou and Zhao, Bo},\n  booktitle = {USENIX ATC},\n  year = 2023\n"
            "  publisher = {USENIX Association}\n}\n")
    path = _write(tmp_path, text)
    target = BibFileTarget(path)
    (entry,) = target.load()
    assert entry.year == "2023" and entry.get("publisher") == "USENIX Association"
    assert [f.message for f in target.failures] == [
        "entry 'zhu2023msrl': no comma after field(s) year; read as separate fields"]
    paper = Entry("inproceedings", {"title": "MSRL: Distributed reinforcement learning", "booktitle": "USENIX ATC",
                                    "year": "2023", "publisher": "USENIX Association", "pages": "1--10"},
                  (Person("Zhu", "Huanzhou"), Person("Zhao", "Bo")))
    results = _sync_three_times(path, [paper])
    assert [r.plan.counts()["update"] for r in results] == [1, 0, 0]
    assert [r.plan.counts()["add"] for r in results] == [0, 0, 0]
    assert path.read_text() == text.replace("  year = 2023\n", "  pages = {1--10},\n  year = 2023,\n")
    assert BibFileTarget(path).load() and read_bibtex(path.read_text()).failures == []


def test_a_repeated_line_without_comma_gives_no_duplicate_entry(tmp_path: Path) -> None:
    text = ("@inproceedings{zhu2023msrl,\n  title = {{MSRL}: Distributed reinforcement learning},\n"
            "  author = {Zhu, Huanzhou and Zhao, Bo},\n  publisher = {ACM},\n  publisher = {ACM}\n"
            "  year = {2023}\n}\n")
    path = _write(tmp_path, text)
    paper = Entry("inproceedings", {"title": "MSRL: Distributed reinforcement learning", "year": "2023",
                                    "publisher": "ACM", "doi": "10.1000/msrl"},
                  (Person("Zhu", "Huanzhou"), Person("Zhao", "Bo")))
    results = _sync_three_times(path, [paper])
    assert [r.plan.counts()["add"] for r in results] == [0, 0, 0]
    assert [r.plan.counts()["update"] for r in results] == [1, 0, 0]
    after = path.read_text()
    assert after.count("@inproceedings{") == 1 and after.count("publisher = {ACM}") == 2
    assert after.endswith("  publisher = {ACM},\n  publisher = {ACM},\n  doi = {10.1000/msrl},\n  year = {2023}\n}\n")


def test_a_missing_comma_on_one_line_is_read_and_mended_once(tmp_path: Path) -> None:
    text = ("@article{lamport78,\n\tauthor = {Lamport, Leslie},\n\tdate-modified = {} \tdoi = {10.1145/359545.359563},\n"
            "\tjournal = {Communications of the ACM},\n\ttitle = {Time, Clocks},\n\tyear = {1978}}\n")
    path = _write(tmp_path, text)
    (entry,) = BibFileTarget(path).load()
    assert entry.get("doi") == "10.1145/359545.359563" and "date-modified" not in entry.fields
    paper = Entry("article", {"title": "Time, Clocks", "journal": "Communications of the ACM", "year": "1978",
                              "doi": "10.1145/359545.359563", "date-modified": "2023-03-14"}, (Person("Lamport", "Leslie"),))
    results = _sync_three_times(path, [paper])
    assert [r.plan.counts()["update"] for r in results] == [1, 0, 0]
    assert path.read_text() == text.replace("date-modified = {} \tdoi", "date-modified = {2023-03-14}, \tdoi")
