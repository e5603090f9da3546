"""The CLI frame: parse, formats, and bad input without tracebacks."""

from typer.testing import CliRunner

from bibsync.cli import app

runner = CliRunner()
BIB = "@article{x, author={Doe, Jane}, title={A {GPU} study}, journal={J}, year=2020}\n"


def test_parse_bibtex_from_file_and_rekeys(tmp_path):
    path = tmp_path / "in.bib"
    path.write_text(BIB)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("@article{doe2020gpu,\n  author = {Doe, Jane},\n  title = {A {GPU} study},")


def test_parse_writes_output_file(tmp_path):
    (tmp_path / "in.bib").write_text(BIB)
    out = tmp_path / "out.bib"
    result = runner.invoke(app, ["parse", str(tmp_path / "in.bib"), "-o", str(out), "--key-format", "[auth][year]"])
    assert result.exit_code == 0
    assert out.read_text().startswith("@article{Doe2020,")


def test_missing_empty_binary_unknown(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02garbage")
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some notes\nwith no references in them\n")
    for path, words in [(tmp_path / "nope.bib", "no such file"), (empty, "empty"), (binary, "binary"),
                        (unknown, "cannot tell what format")]:
        result = runner.invoke(app, ["parse", str(path)])
        assert result.exit_code == 1
        assert words in result.stderr and str(path) in result.stderr and "hint:" in result.stderr
        assert "Traceback" not in result.output + result.stderr


def test_unknown_from_lists_known_formats(tmp_path):
    (tmp_path / "in.bib").write_text(BIB)
    result = runner.invoke(app, ["parse", str(tmp_path / "in.bib"), "--from", "nonsense"])
    assert result.exit_code == 2
    assert "unknown format 'nonsense'" in result.stderr and "bibtex" in result.stderr


def test_bad_key_pattern_is_usage_error(tmp_path):
    (tmp_path / "in.bib").write_text(BIB)
    result = runner.invoke(app, ["parse", str(tmp_path / "in.bib"), "--key-format", "[bogus]"])
    assert result.exit_code == 2 and "[bogus]" in result.stderr


def test_broken_block_reported_with_line_others_kept(tmp_path):
    path = tmp_path / "in.bib"
    path.write_text(BIB + "@misc{broken, title = {oops\n\n@misc{ok, title={Fine}, year={2021}}\n")
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 1
    assert "doe2020gpu" in result.stdout and "2021fine" in result.stdout
    assert f"{path}:2" in result.stderr


def test_formats_lists_bibtex():
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0 and "bibtex" in result.stdout and ".bib" in result.stdout
