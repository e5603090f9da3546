"""--rewrite-tex writes only inside its folder: links that lead out are left alone and named,
a file reached by several links is rewritten (and counted) once, special files are skipped."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.errors import InputError
from bibsync.review.texrewrite import apply_tex_rewrites, find_tex_files, plan_tex_rewrites

runner = CliRunner()
RENAMES = {"dup": "koliousis2019stream"}
CITING = "See \\cite{dup} and \\citep{dup}.\n"
REWRITTEN = "See \\cite{koliousis2019stream} and \\citep{koliousis2019stream}.\n"


@pytest.fixture
def thesis(tmp_path):
    """thesis/ with a chapter, a link out to a shared file, and a link out to a shared folder."""
    outside = tmp_path / "elsewhere"
    (outside / "macros").mkdir(parents=True)
    (outside / "shared.tex").write_text(CITING)
    (outside / "macros" / "cites.tex").write_text(CITING)
    folder = tmp_path / "thesis"
    (folder / "chapters").mkdir(parents=True)
    (folder / "chapters" / "intro.tex").write_text(CITING)
    os.symlink(outside / "shared.tex", folder / "chapters" / "shared.tex")
    os.symlink(outside / "macros", folder / "macros")
    return folder


def test_links_out_of_the_folder_are_left_alone_and_named(thesis):
    outside = thesis.parent / "elsewhere"
    found = find_tex_files(thesis)
    assert found.files == [thesis / "chapters" / "intro.tex"]
    assert found.outside == [thesis / "chapters" / "shared.tex", thesis / "macros"]
    rewrites = plan_tex_rewrites(thesis, RENAMES)
    assert [(r.path, r.count) for r in rewrites] == [(thesis / "chapters" / "intro.tex", 2)]
    apply_tex_rewrites(rewrites, thesis)
    assert (thesis / "chapters" / "intro.tex").read_text() == REWRITTEN
    assert (outside / "shared.tex").read_text() == CITING and (outside / "macros" / "cites.tex").read_text() == CITING
    assert (thesis / "chapters" / "shared.tex").is_symlink()


def test_a_file_reached_by_several_links_is_rewritten_once(tmp_path):
    (tmp_path / "parts").mkdir()
    real = tmp_path / "parts" / "body.tex"
    real.write_text(CITING)
    os.symlink(real, tmp_path / "a.tex")
    os.symlink("parts/body.tex", tmp_path / "b.tex")
    os.symlink(tmp_path / "parts", tmp_path / "again")  # a link to a folder inside: not walked twice
    rewrites = plan_tex_rewrites(tmp_path, RENAMES)
    assert [(r.path, r.count) for r in rewrites] == [(real, 2)]
    assert rewrites[0].diff(tmp_path).startswith("--- a/parts/body.tex\n+++ b/parts/body.tex\n")
    apply_tex_rewrites(rewrites, tmp_path)
    assert real.read_text() == REWRITTEN
    assert (tmp_path / "a.tex").is_symlink() and (tmp_path / "b.tex").is_symlink()


def test_special_and_dangling_tex_files_are_skipped(tmp_path):
    os.mkfifo(tmp_path / "pipe.tex")  # reading it would block forever
    os.symlink(tmp_path / "gone.tex", tmp_path / "dangling.tex")
    (tmp_path / "ok.tex").write_text(CITING)
    assert find_tex_files(tmp_path).files == [tmp_path / "ok.tex"]


def test_nothing_is_written_when_a_file_changed_or_was_swapped_for_a_link_out(tmp_path):
    (tmp_path / "a.tex").write_text(CITING)
    (tmp_path / "b.tex").write_text(CITING)
    rewrites = plan_tex_rewrites(tmp_path, RENAMES)
    (tmp_path / "b.tex").write_text(CITING + "% edited meanwhile\n")
    with pytest.raises(InputError, match="b.tex changed since it was read"):
        apply_tex_rewrites(rewrites, tmp_path)
    assert (tmp_path / "a.tex").read_text() == CITING
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere.tex"
    elsewhere.write_text(CITING)
    (tmp_path / "b.tex").unlink()
    os.symlink(elsewhere, tmp_path / "b.tex")
    with pytest.raises(InputError, match="now leads outside"):
        apply_tex_rewrites(plan_tex_rewrites(tmp_path, RENAMES)[:1] + rewrites[1:], tmp_path)
    assert elsewhere.read_text() == CITING and (tmp_path / "a.tex").read_text() == CITING


def test_review_rewrite_tex_on_the_command_line(thesis):
    bib = thesis / "refs.bib"
    bib.write_text("@article{koliousis2019stream,\n  ids = {dup},\n  title = {Stream},\n  year = {2019},\n}\n")
    result = runner.invoke(app, ["review", "--into", str(bib), "--rewrite-tex", str(thesis), "--yes"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert f"left alone: {thesis / 'chapters' / 'shared.tex'} leads outside {thesis}" in out
    assert f"left alone: {thesis / 'macros'} leads outside {thesis}" in out
    assert "rewrote 2 citation(s) in 1 file(s)" in out
    assert (thesis / "chapters" / "intro.tex").read_text() == REWRITTEN
    assert (thesis.parent / "elsewhere" / "shared.tex").read_text() == CITING
