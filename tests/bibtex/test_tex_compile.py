"""The TeX toolchain is the real client: what bibsync writes compiles.

The default output (BibTeX, ASCII with LaTeX escapes) of each source's test data and of each
seed (samples/), one document each, through pdflatex + bibtex with the plain style; and the
``--biblatex`` output (UTF-8) of all of them through pdflatex + biblatex/biber, in one
document (keys prefixed with the source's name; a second one for Cyrillic, which needs
another font encoding): no LaTeX, BibTeX or biber error. BibTeX's own ``empty FIELD in KEY``
warnings must be exactly the entries bibsync's check reports. Without the TeX tools these
tests are skipped (see tests/tex_tools.py).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from bibsync.bibtex.required_fields import incomplete_entries
from bibsync.bibtex.write import default_style, format_entries
from bibsync.config import Settings
from bibsync.errors import InputError
from bibsync.keys import assign_keys
from bibsync.pipeline import parse_text
from bibsync.registry import default_registry
from bibsync.sources.arxiv import ArxivSource
from bibsync.sources.doi import DoiSource
from source_golden import ARXIV_ROUTES, CROSSREF_ROUTES, cases, recorded_transport
from tex_tools import INSTALL_HINT, compile_biblatex, compile_bibtex, has_cyrillic_fonts, missing_tools, needs_cyrillic
from locations import SAMPLES

DOCUMENTS = {
    "seed-acm": [SAMPLES / "acm-toc-socc24.txt"],
    "seed-respub": [SAMPLES / "imperial-respub-pietzuch.txt"],
    "acm": cases("acm", ".html", ".txt"),
    "respub": cases("respub", ".txt", ".jsonp", ".json"),
    "bibtex": cases("bibtex", ".bib"),
    "ris": cases("ris", ".ris"),
    "csl": cases("csl", ".json"),
    "doi": cases("doi", ".txt"),
    "arxiv": cases("arxiv", ".txt"),
}

# The one BibTeX error expected: tests/data/bibtex/dblp_crossref.bib has a crossref to an entry
# that is not in the file on purpose (the source keeps the field and warns).
BIBTEX_ERRORS = {"bibtex": ['A bad cross reference---entry "doepaper" refers to entry "conf/nowhere/2022", '
                            "which doesn't exist"]}

pytestmark = pytest.mark.skipif(bool(missing_tools()),
                                reason=f"TeX tools missing ({', '.join(missing_tools())}): {INSTALL_HINT}")


def _registry(settings: Settings):
    """The sources, with DOI and arXiv look-ups answered from the recorded responses."""
    registry = default_registry()
    registry.register(DoiSource(transport=recorded_transport(CROSSREF_ROUTES)))
    registry.register(ArxivSource(transport=recorded_transport(ARXIV_ROUTES)))
    return registry


def entries_of(name: str, settings: Settings) -> list:
    """Every entry the document's inputs parse into (BibLaTeX types kept), with unique keys."""
    registry = _registry(settings)
    entries = []
    for path in DOCUMENTS[name]:
        try:
            entries += parse_text(path.read_text(encoding="utf-8"), path.name, None, settings, registry).entries
        except InputError:  # an input without records (acm/empty.html) adds nothing
            continue
    return assign_keys(entries)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """Compile every document, a few at a time: {(name, flavour): (entries, .bib text, Compiled)}.

    ``flavour`` is ``bibtex`` (one document per source) or ``biblatex`` (the documents
    ``all`` and ``cyrillic``)."""
    root = tmp_path_factory.mktemp("tex")
    settings = Settings(biblatex=True, cache_dir=root / "cache", requests_per_second=1000)
    jobs, biblatex = {}, {"all": [], "cyrillic": []}
    for name in DOCUMENTS:
        entries = entries_of(name, settings)
        jobs[(name, "bibtex")] = (entries, format_entries(entries, default_style(biblatex=False)))
        utf8 = format_entries(entries, default_style(biblatex=True))
        biblatex["cyrillic" if needs_cyrillic(utf8) else "all"] += [e.with_key(f"{name}:{e.key}") for e in entries]
    for group, entries in biblatex.items():
        jobs[(group, "biblatex")] = (entries, format_entries(entries, default_style(biblatex=True)))

    def run(job):
        (name, flavour), (_, bib) = job
        folder = root / f"{name}-{flavour}"
        return compile_bibtex(bib, folder) if flavour == "bibtex" else compile_biblatex(bib, folder)

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(pool.map(run, jobs.items()))
    return {job: (entries, bib, result) for (job, (entries, bib)), result in zip(jobs.items(), results)}


def _skip_without_cyrillic_fonts(bib: str) -> None:
    if needs_cyrillic(bib) and not has_cyrillic_fonts():
        pytest.skip(f"this bibliography has Cyrillic titles and pdflatex has no Cyrillic fonts: {INSTALL_HINT}")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_bibtex_output_is_ascii_and_compiles_with_pdflatex_and_bibtex(compiled, name):
    entries, bib, result = compiled[(name, "bibtex")]
    assert entries, f"{name}: no entries to compile"
    assert bib.isascii(), [line for line in bib.splitlines() if not line.isascii()][:3]
    _skip_without_cyrillic_fonts(bib)
    assert result.problems == []
    assert [" ".join(e.split()) for e in result.tool_errors] == BIBTEX_ERRORS.get(name, [])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_bibtex_warns_of_empty_fields_exactly_where_bibsync_says_so(compiled, name):
    entries, _, result = compiled[(name, "bibtex")]
    ours = {item.key: set(item.missing) for item in incomplete_entries(entries)}
    assert ours == result.empty_fields


@pytest.mark.parametrize("name", ["all", "cyrillic"])
def test_biblatex_output_is_utf8_and_compiles_with_pdflatex_and_biber(compiled, name):
    entries, bib, result = compiled[(name, "biblatex")]
    assert entries and not bib.isascii()
    _skip_without_cyrillic_fonts(bib)
    assert result.problems == []
    assert result.tool_errors == []


def test_the_seeds_have_records_without_a_venue_and_bibsync_names_them(compiled):
    """The issue's measurement: BibTeX warned 'empty booktitle' for conference records whose
    listing gives no venue, and nothing told the user; now the check names the same entries."""
    _, _, result = compiled[("seed-respub", "bibtex")]
    assert result.empty_fields and all(fields == {"booktitle"} for fields in result.empty_fields.values())


def test_a_broken_bibliography_is_caught(tmp_path):
    """The harness itself: UTF-8 Greek in a BibTeX file stops pdflatex, and the error names the entry."""
    bib = "@article{greek2020,\n  author = {Doe, Jane},\n  title = {The \u03c0-calculus},\n" \
          "  journal = {J},\n  year = {2020},\n}\n"
    result = compile_bibtex(bib, tmp_path / "broken")
    assert any("greek2020" in p and "Unicode character" in p for p in result.problems), result.problems
