"""Compiling bibliographies with the real TeX tools, for tests: pdflatex + bibtex, pdflatex + biber.

Each document cites every entry (``\\nocite{*}``) of one .bib file and is compiled in its own
folder with ``-interaction=nonstopmode -draftmode`` (every error is logged, no PDF is
written). A problem is a LaTeX error (``! ...`` in the log, with the key of the entry whose
bibliography text caused it), a BibTeX or biber error, or a tool that fails to run.

Documents are set up as their authors would: ``\\usepackage[T1]{fontenc}`` for Latin text;
a bibliography with Cyrillic makes T2A the main font encoding (``[T1,T2A]``), as pdflatex
needs for Cyrillic. BibLaTeX files are UTF-8 for biber, which writes LaTeX macros for what
pdflatex cannot read (``texencoding=ascii`` with ``--output-safecharsset=full``); biber has
no macros for Cyrillic, so a Cyrillic BibLaTeX document reads UTF-8 through T2A instead.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = ("pdflatex", "bibtex", "biber")
INSTALL_HINT = ("apt-get install texlive-latex-base texlive-latex-recommended texlive-bibtex-extra biber "
                "texlive-lang-cyrillic (about 40 s; .ci/run does it)")
_TIMEOUT = 120


def missing_tools() -> list[str]:
    """The TeX programs that are not on PATH."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def has_cyrillic_fonts() -> bool:
    """Whether pdflatex can typeset Cyrillic (the T2A font encoding is installed)."""
    if shutil.which("kpsewhich") is None:
        return False
    found = subprocess.run(["kpsewhich", "t2aenc.def"], capture_output=True, text=True)
    return bool(found.stdout.strip())


_CYRILLIC_ESCAPE_RE = re.compile(r"\\(?:CYR|cyr)[a-zA-Z]+")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")


def needs_cyrillic(bib: str) -> bool:
    """True for a .bib with Cyrillic letters (UTF-8 or T2A escapes such as ``\\CYRA``)."""
    return bool(_CYRILLIC_RE.search(bib) or _CYRILLIC_ESCAPE_RE.search(bib))


@dataclass
class Compiled:
    """What compiling one document gave: LaTeX errors, BibTeX or biber errors (both empty
    when it compiled cleanly), and the ``empty FIELD in KEY`` warnings of BibTeX
    (``{key: {field, ...}}``)."""

    problems: list[str] = field(default_factory=list)
    tool_errors: list[str] = field(default_factory=list)
    empty_fields: dict[str, set[str]] = field(default_factory=dict)


def _run(args: list[str], folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=folder, capture_output=True, text=True, errors="replace", timeout=_TIMEOUT)


def _latex_errors(folder: Path, name: str, key_marker: re.Pattern[str]) -> list[str]:
    """The ``! ...`` errors of ``name.log``, each with the entry of the .bbl line it points at."""
    log = (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    bbl_path = folder / f"{name}.bbl"
    bbl = bbl_path.read_text(encoding="utf-8", errors="replace").splitlines() if bbl_path.exists() else []
    errors = []
    for match in re.finditer(r"^! (.*)\n(?:.*\n){0,6}?l\.(\d+)", log, re.MULTILINE):
        line = int(match.group(2))
        key = next((m.group(1) for text in reversed(bbl[:line]) if (m := key_marker.search(text))), "?")
        errors.append(f"LaTeX error in the entry {key}: {match.group(1)}")
    if not errors and re.search(r"^! ", log, re.MULTILINE):
        errors.append("LaTeX error: " + re.search(r"^! (.*)", log, re.MULTILINE).group(1))
    return errors


def compile_bibtex(bib: str, folder: Path, style: str = "plain") -> Compiled:
    """pdflatex + bibtex on a document citing every entry of ``bib`` (ASCII, BibTeX style)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    encodings = "T1,T2A" if needs_cyrillic(bib) else "T1"
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[%s]{fontenc}\n\\begin{document}\n\\nocite{*}\n"
        "\\bibliographystyle{%s}\n\\bibliography{refs}\n\\end{document}\n" % (encodings, style), encoding="ascii")
    # The .aux the first pdflatex run would write: bibtex needs nothing else.
    (folder / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{%s}\n\\bibdata{refs}\n" % style)
    result = Compiled()
    bibtex = _run(["bibtex", "doc"], folder)
    blg = (folder / "doc.blg").read_text(encoding="latin-1") if (folder / "doc.blg").exists() else ""
    if bibtex.returncode >= 2 or "error message" in blg:
        result.tool_errors += re.findall(r"^(.+---.*(?:\n(?!Warning).*)?)", blg, re.MULTILINE) or [bibtex.stdout[-300:]]
    for name, key in re.findall(r"^Warning--empty (.+?) in (\S+)$", blg, re.MULTILINE):
        result.empty_fields.setdefault(key, set()).add(name.replace(" and ", " or "))
    _run(["pdflatex", "-draftmode", "-interaction=nonstopmode", "doc.tex"], folder)
    result.problems += _latex_errors(folder, "doc", re.compile(r"\\bibitem\{([^}]*)\}"))
    return result


def compile_biblatex(bib: str, folder: Path) -> Compiled:
    """pdflatex + biblatex/biber on a document citing every entry of ``bib`` (UTF-8, BibLaTeX)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    cyrillic = needs_cyrillic(bib)
    options = "backend=biber,bibencoding=utf8" + ("" if cyrillic else ",texencoding=ascii")
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[%s]{fontenc}\n\\usepackage[%s]{biblatex}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n\\nocite{*}\n\\printbibliography\n\\end{document}\n"
        % ("T1,T2A" if cyrillic else "T1", options), encoding="ascii")
    result = Compiled()
    _run(["pdflatex", "-draftmode", "-interaction=nonstopmode", "doc.tex"], folder)
    biber = _run(["biber", "--output-safecharsset=full", "doc"], folder)
    errors = [line for line in biber.stdout.splitlines() if " ERROR - " in line]
    if biber.returncode != 0 or errors:
        result.tool_errors += errors or [f"biber exit code {biber.returncode}"]
    _run(["pdflatex", "-draftmode", "-interaction=nonstopmode", "doc.tex"], folder)
    result.problems += _latex_errors(folder, "doc", re.compile(r"\\entry\{([^}]*)\}"))
    return result


def bibtex_keys(bib: str, folder: Path) -> list[str]:
    """The keys of the entries BibTeX reads from ``bib`` (every one cited), in the order of
    its .bbl (plain style)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    _run(["bibtex", "doc"], folder)
    bbl = folder / "doc.bbl"
    return re.findall(r"\\bibitem\{([^}]*)\}", bbl.read_text(encoding="utf-8", errors="replace")) if bbl.exists() else []
