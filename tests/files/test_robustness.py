"""Nasty inputs and outputs: damaged files, odd encodings, symlinks, unwritable outputs, pipes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.bibtex.read import read_bibtex
from bibsync.cli import app, build_app
from bibsync.errors import InputError, TargetError
from bibsync.files.decoding import decode_bytes
from bibsync.keys import assign_keys, unique_key
from bibsync.model import Entry
from bibsync.plan import Change, Plan
from bibsync.targets.bibfile.target import BibFileTarget

runner = CliRunner()
BIB = "@article{doe2020gpu,\n  author = {Doe, Jane},\n  title = {A Study},\n  journal = {J},\n  year = {2020},\n}\n"
NEW = Entry("article", {"title": "Another Study", "journal": "J", "year": "2021"})


def _clean_failure(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.output + result.stderr and "internal error" not in result.stderr


def test_symlinked_target_is_written_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "library" / "all.bib"
    real.parent.mkdir()
    real.write_text(BIB)
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    target = BibFileTarget(link)
    target.load()
    target.apply(Plan([Change("add", NEW, "new2021", result=NEW.with_key("new2021"))]))
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text().startswith(BIB) and "@article{new2021," in real.read_text()


def test_parse_output_into_missing_folder_or_onto_a_folder(tmp_path: Path) -> None:
    (tmp_path / "in.bib").write_text(BIB)
    (tmp_path / "taken").mkdir()
    for out, words in [(tmp_path / "nodir" / "x.bib", ("does not exist", "nodir")),
                       (tmp_path / "taken", ("is a folder", "taken"))]:
        result = runner.invoke(app, ["parse", str(tmp_path / "in.bib"), "-o", str(out)])
        _clean_failure(result, *words)
    assert (tmp_path / "taken").is_dir() and not (tmp_path / "nodir").exists()


def test_bib_with_only_garbage_is_an_error_not_silence(tmp_path: Path) -> None:
    path = tmp_path / "junk.bib"
    path.write_text("garbage garbage\n%% @@@ }}}{{{\n")
    result = runner.invoke(app, ["parse", str(path)])
    _clean_failure(result, "no BibTeX entries found", str(path))
    assert result.stdout == ""


def test_nul_byte_in_the_middle_is_refused_with_its_line(tmp_path: Path) -> None:
    data = BIB.encode() + b"\n" * 9000 + b"@misc{n, title={a\x00b}, year={2021}}\n"
    path = tmp_path / "damaged.bib"
    path.write_bytes(data)
    line = data[:data.index(b"\x00")].count(b"\n") + 1
    result = runner.invoke(app, ["parse", str(path)])
    _clean_failure(result, f"{path}:{line}", "NUL byte")
    with pytest.raises(TargetError, match="NUL byte"):
        BibFileTarget(path).load()
    assert path.read_bytes() == data
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"@misc{x,\x00", "early")


def test_windows_1252_and_mixed_sources_decode_without_control_characters() -> None:
    cp1252 = "@article{b, author={M\u00fcller, J}, title={\u201cQuoted\u201d \u2013 na\u00efve}, year={2020}}\n"
    assert decode_bytes(cp1252.encode("cp1252"), "w.bib") == cp1252
    utf8_line = "@article{a, title={Caf\u00e9}, year={2020}}\n"
    mixed = utf8_line.encode("utf-8") + cp1252.encode("cp1252")
    assert decode_bytes(mixed, "m.bib") == utf8_line + cp1252
    latin1 = "@article{c, title={Erlingsson \u00dalfar}, year={2020}}\n"
    assert decode_bytes(latin1.encode("latin-1"), "l.bib") == latin1


def test_repeated_field_keeps_first_value_and_reads_no_fields_out_of_values() -> None:
    doc = read_bibtex("@misc{a,\n  title = {First},\n  url = {https://x.org/?id=5&lang=en},\n"
                      "  note = {a = b, c},\n  title = {Second},\n}\n", "dup.bib")
    assert dict(doc.entries[0].fields) == {"title": "First", "url": "https://x.org/?id=5&lang=en",
                                           "note": "a = b, c"}
    assert [f.severity for f in doc.failures] == ["warning"]


def test_thousands_of_colliding_keys_get_the_same_suffixes_as_one_by_one() -> None:
    entries = [Entry("misc", {"title": "Title", "year": "2020"}) for _ in range(3000)]
    keys = [e.key for e in assign_keys(entries, taken=["2020TITLEB"])]
    taken: set[str] = {"2020titleb"}
    expected = []
    for _ in entries:
        expected.append(unique_key("2020title", taken))
        taken.add(expected[-1].lower())
    assert keys == expected
    assert keys[:3] == ["2020title", "2020titlea", "2020titlec"] and len(set(keys)) == 3000


def test_closed_pipe_is_not_reported_as_a_bug() -> None:
    """``bibsync parse big.bib | head``: the reader goes away; click ends quietly, no "internal error"."""
    pipe_app = build_app()

    @pipe_app.command("gone")
    def gone() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    result = runner.invoke(pipe_app, ["gone"])
    assert result.exit_code == 1
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
