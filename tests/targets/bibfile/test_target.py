"""BibFileTarget: load, render, apply; creation, conflicts, backups, permissions, removals."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bibsync.errors import ConflictError, TargetError
from bibsync.model import Entry, Person
from bibsync.plan import ENTRY_TYPE, Change, FieldChange, Plan, make_plan
from bibsync.targets.bibfile.target import BibFileTarget, decode_bib

TEXT = """% my refs
@article{lamport1978time,
  author = {Lamport, Leslie},
  title = {Time, Clocks, and the Ordering of Events in a Distributed System},
  journal = {Communications of the ACM},
  year = {1978}
}

@inproceedings{zaharia2012resilient,
  author = {Zaharia, Matei},
  title = {Resilient Distributed Datasets},
  year = {2012}
}
"""
NEW = Entry("inproceedings", {"title": "Faasm: Lightweight Isolation", "year": "2020"},
            (Person("Shillaker", "Simon"),))


def bib(tmp_path: Path, text: str = TEXT, **kw) -> tuple[Path, BibFileTarget, list[Entry]]:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    target = BibFileTarget(path, **kw)
    return path, target, target.load()


def test_missing_file_is_created_in_the_canonical_style(tmp_path: Path) -> None:
    path = tmp_path / "new.bib"
    target = BibFileTarget(path)
    assert target.load() == [] and not target.exists
    report = target.apply(make_plan([NEW], []))
    assert report.added == 1
    assert path.read_text() == ("@inproceedings{shillaker2020faasm,\n  author = {Shillaker, Simon},\n"
                                "  title = {Faasm: Lightweight Isolation},\n  year = {2020},\n}\n")


def test_nothing_to_write_leaves_the_file_untouched(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path)
    before = path.stat().st_mtime_ns
    report = target.apply(make_plan(entries, entries))
    assert report.added == report.updated == 0
    assert path.stat().st_mtime_ns == before and path.read_text() == TEXT


def test_conflict_when_the_file_changed_after_load(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path)
    plan = make_plan([NEW], entries)
    path.write_text(TEXT + "\n% edited meanwhile\n")
    with pytest.raises(ConflictError) as info:
        target.apply(plan)
    assert info.value.exit_code == 1 and "changed on disk" in info.value.message
    assert path.read_text().endswith("% edited meanwhile\n")
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]  # no temporary file left


def test_conflict_when_a_missing_file_appeared(tmp_path: Path) -> None:
    path = tmp_path / "new.bib"
    target = BibFileTarget(path)
    target.load()
    path.write_text("@misc{x, title={y}}\n")
    with pytest.raises(ConflictError):
        target.apply(make_plan([NEW], []))


def test_backup_and_permissions(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path, backup=True)
    os.chmod(path, 0o640)
    target.apply(make_plan([NEW], entries))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    backup = tmp_path / "refs.bib.orig"
    assert backup.read_text() == TEXT
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert path.read_text().startswith(TEXT)


def test_additions_go_at_the_end_with_the_file_blank_lines(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path, TEXT.rstrip("\n"))  # no final newline
    target.apply(make_plan([NEW], entries))
    text = path.read_text()
    assert text.startswith(TEXT.rstrip("\n") + "\n\n@inproceedings{shillaker2020faasm,\n")
    assert text.endswith("}\n")


def test_sorted_additions_go_before_the_first_larger_key(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path, sorted_keys=True)
    other = Entry("misc", {"title": "Zzz last", "year": "2024"}, key="zzz2024")
    target.apply(make_plan([other, NEW], entries))
    keys = [line.split("{")[1].rstrip(",") for line in path.read_text().splitlines() if line.startswith("@")]
    assert keys == ["lamport1978time", "shillaker2020faasm", "zaharia2012resilient", "zzz2024"]


def test_update_touches_only_the_updated_entry(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path)
    incoming = entries[1].with_fields(pages="15--28", doi="10.5555/2228298.2228301")
    plan = make_plan([incoming], entries)
    assert plan.counts()["update"] == 1
    report = target.apply(plan)
    assert report.updated == 1
    assert path.read_text() == TEXT.replace(
        "  title = {Resilient Distributed Datasets},\n",
        "  title = {Resilient Distributed Datasets},\n  pages = {15--28},\n  doi = {10.5555/2228298.2228301},\n")


def test_diff_shows_what_would_change(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path)
    diff = target.diff(make_plan([NEW], entries))
    assert diff.startswith(f"--- {path}\n+++ {path}\n")
    assert "+@inproceedings{shillaker2020faasm,\n" in diff
    assert path.read_text() == TEXT


def test_review_changes_remove_fields_and_change_types(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path)
    change = Change("update", entries[0], "lamport1978time", 0, "lamport1978time",
                    field_changes=(FieldChange(ENTRY_TYPE, "article", "misc"), FieldChange("journal",
                                   "Communications of the ACM", "")))
    target.apply(Plan([change]))
    assert path.read_text().startswith(
        "% my refs\n@misc{lamport1978time,\n  author = {Lamport, Leslie},\n"
        "  title = {Time, Clocks, and the Ordering of Events in a Distributed System},\n  year = {1978}\n}\n")


def test_removals_by_key_and_by_index(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path)
    target.apply_with_removals(Plan(), ["zaharia2012resilient"])
    assert path.read_text() == TEXT.split("\n@inproceedings")[0]  # the last entry's gap goes with it
    path, target, entries = bib(tmp_path)
    target.apply_with_removals(Plan(), [0])
    assert path.read_text() == "% my refs\n" + TEXT.split("\n\n", 1)[1]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_removing_the_last_entries_and_adding_keeps_one_blank_line(tmp_path: Path, newline: str) -> None:
    text = TEXT + "\n@misc{extra,\n  title = {Extra},\n}\n"
    path = tmp_path / "refs.bib"
    path.write_bytes(text.replace("\n", newline).encode())
    target = BibFileTarget(path)
    target.load()
    target.apply_with_removals(Plan([Change("add", NEW, "new1", result=NEW.with_key("new1"))]), [1, 2])
    expected = (TEXT.split("\n@inproceedings")[0] + "\n@inproceedings{new1,\n  author = {Shillaker, Simon},\n"
                "  title = {Faasm: Lightweight Isolation},\n  year = {2020}\n}\n")
    assert path.read_bytes().decode() == expected.replace("\n", newline)


def test_removing_one_of_two_entries_with_the_same_key_keeps_the_updated_one(tmp_path: Path) -> None:
    dup = TEXT + "\n@misc{zaharia2012resilient,\n  title = {Resilient Distributed Datasets},\n}\n"
    path, target, entries = bib(tmp_path, dup)
    assert [e.key for e in entries][1:] == ["zaharia2012resilient"] * 2
    keep = Change("update", entries[2], "zaharia2012resilient", 2, "zaharia2012resilient",
                  field_changes=(FieldChange("year", None, "2012"),))
    target.apply_with_removals(Plan([keep]), ["zaharia2012resilient"])
    text = path.read_text()
    assert "Zaharia, Matei" not in text and text.count("@misc{zaharia2012resilient") == 1
    assert "  year = {2012},\n" in text


def test_unspliceable_update_is_reported_and_the_rest_is_written(tmp_path: Path) -> None:
    path, target, entries = bib(tmp_path)
    bad = Change("update", entries[0], "lamport1978time", 0, "lamport1978time",  # two edits of one value
                 field_changes=(FieldChange("year", "1978", "1979"), FieldChange("year", "1978", "")))
    report = target.apply(Plan([bad, Change("add", NEW, "new1", result=NEW.with_key("new1"))]))
    assert report.updated == 0 and report.added == 1
    assert report.failed and report.failed[0].startswith("lamport1978time:")
    assert "@inproceedings{new1," in path.read_text()


def test_apply_needs_a_load(tmp_path: Path) -> None:
    with pytest.raises(TargetError):
        BibFileTarget(tmp_path / "x.bib").apply(Plan([Change("add", NEW, "k", result=NEW.with_key("k"))]))


def test_binary_and_folder_targets_are_refused(tmp_path: Path) -> None:
    (tmp_path / "bin.bib").write_bytes(b"\x00\x01\x02")
    with pytest.raises(TargetError):
        BibFileTarget(tmp_path / "bin.bib").load()
    with pytest.raises(TargetError):
        BibFileTarget(tmp_path).load()


@pytest.mark.parametrize(("data", "encoding"), [
    ("é".encode("utf-8"), "utf-8"), ("é".encode("latin-1"), "latin-1"), ("“é”".encode("cp1252"), "cp1252"),
])
def test_decode_round_trips(data: bytes, encoding: str) -> None:
    decoded = decode_bib(data, "x")
    assert decoded.encoding == encoding
    assert decoded.text.encode(encoding) == data


def test_crossref_children_count_inherited_fields_as_present(tmp_path: Path) -> None:
    text = ("@inproceedings{k,\n  author = {Shillaker, Simon},\n  title = {Faasm: Lightweight Isolation},\n"
            "  crossref = {atc20},\n}\n\n@proceedings{atc20,\n  title = {Proceedings of USENIX ATC 2020},\n"
            "  year = {2020},\n  publisher = {USENIX Association},\n}\n")
    path, target, entries = bib(tmp_path, text)
    assert entries[0].get("booktitle") == "Proceedings of USENIX ATC 2020" and entries[0].year == "2020"
    incoming = NEW.with_fields(booktitle="Proceedings of USENIX ATC 2020", publisher="USENIX Association")
    plan = make_plan([incoming], entries)
    assert [c.kind for c in plan.changes] == ["same"]


def test_biblatex_dates_give_year_and_month(tmp_path: Path) -> None:
    text = ("@report{r,\n  author = {Roe, Jane},\n  title = {A Report on Clocks},\n  date = {2019-03-02},\n"
            "  institution = {MIT},\n}\n")
    path, target, entries = bib(tmp_path, text)
    assert (entries[0].type, entries[0].year, entries[0].get("month")) == ("techreport", "2019", "mar")
    incoming = Entry("techreport", {"title": "A Report on Clocks", "year": "2019", "month": "mar", "number": "7"},
                     (Person("Roe", "Jane"),))
    (change,) = make_plan([incoming], entries).changes
    assert change.field_changes == (FieldChange("number", None, "7"),)


def test_new_values_use_the_file_string_macros(tmp_path: Path) -> None:
    text = '@string{CACM = "Communications of the {ACM}"}\n\n' + TEXT
    path, target, entries = bib(tmp_path, text)
    article = Entry("article", {"title": "Another Paper", "journal": "Communications of the ACM", "year": "1999"},
                    (Person("Roe", "Jane"),))
    target.apply(make_plan([article], entries))
    assert "  journal = CACM,\n" in path.read_text()
    again = BibFileTarget(path)
    assert again.load()[-1].get("journal") == "Communications of the ACM"
