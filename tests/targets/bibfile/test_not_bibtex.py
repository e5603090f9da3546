"""A target that holds another format (RIS, LaTeX source, CSL-JSON, HTML) and no BibTeX is
refused, nothing written; ``check`` says so too. A .bib with only comments is still a .bib."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from locations import SAMPLES

runner = CliRunner()

RIS = "TY  - JOUR\nTI  - Gossip in enclaves\nAU  - Roe, Jane\nPY  - 2011\nER  - \n"
TEX = "\\documentclass{article}\n\\begin{document}\nAs shown by~\\cite{roe2011}.\n\\end{document}\n"
CSL = '[{"id": "roe2011", "type": "article-journal", "title": "Gossip", "container-title": "Letters"}]\n'
HTML = "<!DOCTYPE html>\n<html><head><title>My page</title></head><body>Hi</body></html>\n"


@pytest.mark.parametrize(("name", "text", "kind"), [("x.ris", RIS, "RIS"), ("ch.tex", TEX, "LaTeX source"),
                                                    ("refs.json", CSL, "CSL-JSON"), ("page.html", HTML, "HTML")])
def test_a_target_in_another_format_is_refused_and_kept(tmp_path: Path, name: str, text: str, kind: str) -> None:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["sync", str(SAMPLES / "acm-toc-socc24.txt"), "--into", str(target), "--yes"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert f"error: {target} looks like {kind}, not BibTeX; nothing was written" in result.stderr
    assert target.read_text(encoding="utf-8") == text
    checked = runner.invoke(app, ["check", str(target)], env={"COLUMNS": "200"})
    assert checked.exit_code == 1 and f"{target} looks like {kind}, not BibTeX" in checked.output
    assert "all 0 entries" not in checked.output
    dry = runner.invoke(app, ["sync", str(SAMPLES / "acm-toc-socc24.txt"), "--into", str(target), "--dry-run"],
                        env={"COLUMNS": "200"})
    assert dry.exit_code == 1 and f"{target} looks like {kind}, not BibTeX" in dry.stderr


def test_the_hint_says_how_to_read_a_format_bibsync_reads(tmp_path: Path) -> None:
    target = tmp_path / "x.ris"
    target.write_text(RIS, encoding="utf-8")
    result = runner.invoke(app, ["check", str(target)], env={"COLUMNS": "200"})
    assert f"give it as a source: bibsync parse {target}" in result.output


def test_a_bib_with_only_comments_is_a_bibliography(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("% My thesis bibliography\n% (entries come from bibsync)\n", encoding="utf-8")
    result = runner.invoke(app, ["sync", str(SAMPLES / "acm-toc-socc24.txt"), "--into", str(target), "--yes"])
    assert result.exit_code in (0, 3), result.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("% My thesis bibliography\n") and text.count("@inproceedings{") == 63


def test_a_latex_file_that_holds_bibtex_is_read_as_bibtex(tmp_path: Path) -> None:
    # filecontents: a .tex with the entries inline is read for its @ blocks, as BibTeX reads it
    target = tmp_path / "refs.bib"
    target.write_text("\\begin{filecontents}{x.bib}\n@misc{a, title = {A}}\n\\end{filecontents}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(target)])
    assert "not BibTeX" not in result.output
