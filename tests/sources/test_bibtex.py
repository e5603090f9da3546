"""The bibtex source: golden files plus the quirks the issue names, checked value by value."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.bibtex.canonical import canonical_entry
from bibsync.bibtex.read import read_bibtex, resolve_crossrefs
from bibsync.cli import app
from bibsync.files.decoding import decode_bytes
from bibsync.model import Entry, Failure
from bibsync.sources import ParseContext
from bibsync.sources.bibtex import source
from source_golden import DATA, cases, check_golden


def parse_file(path: Path) -> list[Entry | Failure]:
    return list(source.parse(decode_bytes(path.read_bytes(), path.name), ParseContext(filename=path.name)))


def entries_of(items) -> dict[str, Entry]:
    return {i.key: i for i in items if isinstance(i, Entry)}


@pytest.mark.parametrize("case", cases("bibtex", ".bib"), ids=lambda p: p.stem)
def test_golden(case):
    check_golden(case, parse_file(case))


def test_crossref_inherits_from_dblp_proceedings():
    items = entries_of(parse_file(DATA / "bibtex" / "dblp_crossref.bib"))
    hops = items["DBLP:conf/cloud/WangWZ24"]
    assert hops.get("booktitle") == ("Proceedings of the 2024 ACM Symposium on Cloud Computing, SoCC 2024, "
                                     "Redmond, WA, USA, November 20-22, 2024")
    assert (hops.get("publisher"), hops.year, hops.get("isbn")) == ("ACM", "2024", "979-8-4007-1286-9")
    assert [p.last for p in hops.editors] == ["Aboulnaga", "Zhang", "Lu"]
    # the child's own identifiers win; the volume's DOI and the crossref key are not copied
    assert hops.get("doi") == "10.1145/3698038.3698515" and "crossref" not in hops.fields
    # a child's own booktitle is kept (BibTeX semantics)
    assert items["DBLP:conf/cloud/PatkeRJQPNKI24"].get("booktitle") == "SoCC"
    # the parent stays an entry of its own
    assert items["DBLP:conf/cloud/2024"].type == "proceedings"


def test_crossref_chain_and_missing_parent():
    doc = read_bibtex(
        "@inproceedings{p, title={Paper}, crossref={vol}}\n"
        "@proceedings{vol, title={Volume 2}, volume={2}, crossref={set}}\n"
        "@mvproceedings{set, title={The Set}, publisher={Pub}, year={1999}}\n"
        "@inproceedings{lost, title={Lost}, crossref={nowhere}}\n", "x.bib")
    resolved, problems = resolve_crossrefs(doc.entries, "x.bib")
    paper = resolved[0]
    assert (paper.get("booktitle"), paper.get("volume"), paper.get("publisher"), paper.year) == (
        "Volume 2", "2", "Pub", "1999")
    assert resolved[3].get("crossref") == "nowhere"
    assert [(f.line, f.severity) for f in problems] == [(4, "warning")]
    assert "crossref" in doc.entries[0].fields  # pure: the input entries are untouched


def test_biblatex_fields_and_types():
    items = entries_of(parse_file(DATA / "bibtex" / "biblatex.bib"))
    assert {k: e.type for k, e in items.items()} == {
        "lecun2015deep": "article", "mueller2019thesis": "mastersthesis", "oecd2021report": "techreport",
        "arxiv-tot": "online", "faasm": "software"}
    lecun = items["lecun2015deep"]
    assert (lecun.get("journal"), lecun.year, lecun.get("month"), lecun.get("doi")) == (
        "Nature", "2015", "may", "10.1038/nature14539")
    thesis = items["mueller2019thesis"]
    assert thesis.get("school") == "Imperial College London" and "type" not in thesis.fields
    assert thesis.title == "Elastic Stream Processing: Scaling Operators Without Downtime"
    assert items["oecd2021report"].authors[0].literal
    tot = items["arxiv-tot"]
    assert (tot.get("archiveprefix"), tot.get("primaryclass"), tot.get("eprint")) == ("arXiv", "cs.CL", "2305.10601")
    assert items["faasm"].get("doi") == "10.5281/zenodo.3862813"  # from a doi.org url


def test_quirks_macros_url_keys_accents_duplicates():
    items = parse_file(DATA / "bibtex" / "quirks.bib")
    entries = [i for i in items if isinstance(i, Entry)]
    vista = entries[0]
    assert vista.key == "https://dl.acm.org/doi/10.1145/3698038.3698519"
    assert vista.get("booktitle") == "Proceedings of the ACM Symposium on Cloud Computing"
    assert (vista.get("publisher"), vista.get("month"), vista.year) == ("ACM", "nov", "2024")
    accents = entries[1]
    assert [p.display() for p in accents.authors] == [
        "Jörg Müller", "Pedro García-López", "Karel Čapek", "Søren Østergaard", "Dirk Straßer",
        "Lars Åström", "Jean François"]
    assert accents.authors_truncated
    assert accents.title == "Über die Naïveté von Café-Maßstäben"
    assert accents.get("journal") == "Zeitschrift für Informatik"
    assert [e.title for e in entries if e.key == "dup"] == [
        "First of Two Entries Under One Key", "Second of Two Entries Under One Key"]
    assert entries[-1].key == "after-broken"
    failures = [(f.line, f.severity, f.message.split(";")[0]) for f in items if isinstance(f, Failure)]
    assert failures == [
        (31, "warning", "duplicate key 'dup'"),
        (44, "warning", "entry 'orphan': crossref 'conf/nowhere/2022' is not in this file"),
        (51, "error", "cannot parse this block: syntax error"),
    ]


def test_canonical_entry_leaves_bibtex_alone():
    entry = Entry(type="article", fields={"title": "T", "year": "2020"})
    assert canonical_entry(entry) is entry
    assert canonical_entry(Entry(type="patent", fields={"title": "T"})).type == "misc"
    assert canonical_entry(Entry(type="conference", fields={"title": "T"})).type == "inproceedings"


def test_sniff():
    assert source.sniff("% comment\n@Article{x,\n title={T}}\n")
    assert not source.sniff("TY  - JOUR\nTI  - x\nER  - \n")
    assert not source.sniff("<html><body>@article{x, title={T}}</body></html>")


def test_cli_duplicate_keys_are_warnings_not_errors(tmp_path):
    path = tmp_path / "dups.bib"
    path.write_text("@misc{a, title={One}, year={2020}}\n@misc{a, title={Two}, year={2021}}\n")
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("@misc{") == 2
    assert f"warning: {path}:2: duplicate key 'a'; both entries kept" in result.stderr


def test_a_missing_golden_file_fails(tmp_path):
    case = tmp_path / "new_case.bib"
    case.write_text("@misc{a, title={T}}\n")
    with pytest.raises(pytest.fail.Exception, match="missing golden file"):
        check_golden(case, parse_file(case))
    assert not (tmp_path / "new_case.expected.bib").exists()
