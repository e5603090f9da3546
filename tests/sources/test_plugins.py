"""The plugin point: entry points in ``bibsync.sources``, ``bibsync formats``, ``--from``, and one
``bibsync parse`` call mixing every kind of source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.files.decoding import decode_bytes
from bibsync.pipeline import parse_and_key
from bibsync.registry import Registry, default_registry
from bibsync.sources.arxiv import arxiv_query_url
from bibsync.sources.doi import crossref_url
from bibsync.sources.http_cache import ResponseCache
from source_golden import DATA

runner = CliRunner()
OWN_SOURCES = {"arxiv", "bibtex", "csl-json", "doi", "ris"}
PLUGINS = DATA / "plugins"


def make_distribution(site: Path, dist: str, entry_points: str, module: str | None = None) -> None:
    """Lay out an installed distribution (``*.dist-info``) in ``site``, as pip would."""
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)
    if module is not None:
        (site / f"{module}.py").write_text((PLUGINS / "title_lines_plugin.py").read_text())


@pytest.fixture
def plugin_site(tmp_path) -> Path:
    """A folder holding a third-party source plugin and a broken one, ready for sys.path."""
    site = tmp_path / "site"
    make_distribution(site, "bibsync_title_lines", "[bibsync.sources]\ntitle-lines = title_lines_plugin:source\n",
                      module="title_lines_plugin")
    make_distribution(site, "bibsync_broken", "[bibsync.sources]\nbroken-plugin = bibsync_no_such_module:source\n")
    return site


def test_third_party_source_is_found_through_its_entry_point(plugin_site, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(plugin_site))
    registry = Registry()
    assert OWN_SOURCES | {"title-lines"} <= set(registry.names())
    assert "ModuleNotFoundError" in registry.broken["broken-plugin"]
    listing = tmp_path / "reading.titles"
    listing.write_text("#titles\nA Plugin Entry | 2021\nNo Year Here\n")
    assert registry.detect(listing.read_text(), str(listing)).name == "title-lines"
    result = parse_and_key([str(listing)], registry=registry)
    assert [(e.key, e.title) for e in result.entries] == [("2021plugin", "A Plugin Entry")]
    assert [f.where() for f in result.failures] == [f"{listing}:3"]


def test_third_party_source_in_a_fresh_process(plugin_site, tmp_path):
    """Nothing in bibsync names the plugin: only the distribution on the path adds it."""
    listing = tmp_path / "reading.titles"
    listing.write_text("#titles\nA Plugin Entry | 2021\n")
    env = dict(os.environ, PYTHONPATH=str(plugin_site))
    script = ("import sys; from bibsync.cli import app; "
              "[app(args, standalone_mode=False) for args in (['formats'], ['parse', sys.argv[1]])]")
    done = subprocess.run([sys.executable, "-c", script, str(listing)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "title-lines" in done.stdout and ".titles" in done.stdout and "one title per line" in done.stdout
    assert "broken-plugin" in done.stdout and "not loaded: ModuleNotFoundError" in done.stdout
    assert "@misc{2021plugin,\n  title = {A Plugin Entry},\n  year = {2021},\n}" in done.stdout


def test_register_checks_the_source_shape():
    class NoSuffixDot:
        name, suffixes, description = "odd", ("bib",), "x"

        def sniff(self, text):
            return False

        def parse(self, text, context):
            return iter(())

    with pytest.raises(TypeError, match="suffixes"):
        Registry(load_entry_points=False).register(NoSuffixDot())
    with pytest.raises(TypeError, match="Source protocol"):
        Registry(load_entry_points=False).register(object())


def test_formats_lists_every_own_source_with_suffixes_and_description():
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") == 4}
    assert OWN_SOURCES <= set(rows)
    assert ".ris" in rows["ris"] and "RIS" in rows["ris"]
    assert ".json" in rows["csl-json"] and "CSL-JSON" in rows["csl-json"]
    assert ".bib .bibtex" in rows["bibtex"] and "Crossref" in rows["doi"] and "arXiv" in rows["arxiv"]


def test_unknown_from_lists_the_known_names(tmp_path):
    path = tmp_path / "x.ris"
    path.write_text("TY  - JOUR\nTI  - T\nER  - \n")
    result = runner.invoke(app, ["parse", str(path), "--from", "endnote"])
    assert result.exit_code == 2 and "unknown format 'endnote'" in result.stderr
    known = result.stderr.split("known formats:")[1]
    assert all(name in known for name in OWN_SOURCES)


def test_from_forces_a_format(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("TY  - JOUR\nTI  - Forced\nPY  - 2020\nER  - \n")
    result = runner.invoke(app, ["parse", "--from", "ris", str(path)])
    assert result.exit_code == 0 and "@article{2020forced," in result.stdout


def test_parse_mixes_every_source_in_one_call_offline(tmp_path, monkeypatch):
    """.bib, .ris, CSL-JSON, a DOI and an arXiv id in one call; the answers come from a cache
    pre-seeded with the recorded responses, and any real network use fails the test."""
    cache = ResponseCache(Path(os.environ["BIBSYNC_CACHE_DIR"]))  # conftest gives each test its own
    cache.put(crossref_url("10.1145/3698038.3698515"),
              (DATA / "doi" / "recorded" / "crossref-10.1145-3698038.3698515.json").read_text(encoding="utf-8"))
    cache.put(arxiv_query_url(["2305.10601v2"]),
              (DATA / "arxiv" / "recorded" / "arxiv-2305.10601v2.xml").read_text(encoding="utf-8"))

    def no_network(self, request):
        raise AssertionError(f"network used: {request.url}")
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_network)

    (tmp_path / "a.bib").write_text("@article{x, author={Doe, Jane}, title={A {GPU} study}, journal={J}, year=2020}\n")
    (tmp_path / "b.ris").write_text("TY  - JOUR\nAU  - Roe, Richard\nTI  - Risky Business\nPY  - 2019///\nER  - \n")
    (tmp_path / "c.json").write_text('[{"type": "book", "title": "Cite Me", "author": [{"literal": "OECD"}],'
                                     ' "issued": {"date-parts": [["2023"]]}}]')
    result = runner.invoke(app, ["parse", str(tmp_path / "a.bib"), str(tmp_path / "b.ris"), str(tmp_path / "c.json"),
                                 "10.1145/3698038.3698515", "arXiv:2305.10601v2"])
    assert result.exit_code == 0, result.stderr
    heads = [line for line in result.stdout.splitlines() if line.startswith("@")]
    assert heads == ["@article{doe2020gpu,", "@article{roe2019risky,", "@book{oecd2023cite,",
                     "@inproceedings{wang2024hops,", "@misc{yao2023tree,"]
    assert "  eprint = {2305.10601}," in result.stdout and "  doi = {10.1145/3698038.3698515}," in result.stdout


@pytest.mark.parametrize("path, expected", [
    ("bibtex/quirks.bib", "bibtex"), ("ris/zotero_crlf_bom.ris", "ris"), ("ris/scopus_mendeley_wos.ris", "ris"),
    ("csl/zotero_mendeley.json", "csl-json"), ("doi/dois.txt", "doi"), ("arxiv/ids.txt", "arxiv"),
])
def test_detection_by_content_among_all_installed_sources(path, expected):
    text = decode_bytes((DATA / path).read_bytes(), path)
    assert default_registry().detect(text, "no-suffix").name == expected


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_sniffs_are_total(text):
    """A sniff answers True or False for any text: cheap, offline, never an exception."""
    for source in default_registry().sources():
        if source.name in OWN_SOURCES:
            assert source.sniff(text) in (True, False)
