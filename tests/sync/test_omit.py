"""``omit``: fields bibsync never writes, in new entries or completed ones, .bib or Zotero."""

from __future__ import annotations

from dataclasses import replace

from typer.testing import CliRunner
from zotero_fixtures import GROUP, WRITE_KEY, open_target, socc_entries, sync_into

from bibsync.bibtex.read import read_bibtex
from bibsync.cli import app
from bibsync.config import Settings
from bibsync.model import Entry, Person
from bibsync.plan import FieldChange, Plan, make_plan, without_omitted
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
from locations import SAMPLES

runner = CliRunner()
DOE = (Person("Doe", "Jane"),)
INCOMING = Entry("inproceedings", {"title": "Fast Things", "booktitle": "SoCC", "year": "2024", "pages": "1--12",
                                   "abstract": "We make things fast.", "keywords": "speed"}, DOE, key="doe2024fast")


def test_new_entries_are_written_without_the_omitted_fields():
    plan = make_plan([INCOMING], [], omit=("abstract", "keywords"))
    (change,) = plan.changes
    assert change.kind == "add"
    assert dict(change.result.fields) == {"title": "Fast Things", "booktitle": "SoCC", "year": "2024", "pages": "1--12"}


def test_completing_an_entry_never_adds_an_omitted_field():
    target = Entry("inproceedings", {"title": "Fast Things", "booktitle": "SoCC", "year": "2024"}, DOE, key="doe")
    plan = make_plan([INCOMING], [target], omit=("abstract",))
    (change,) = plan.changes
    assert change.kind == "update"
    assert [c.name for c in change.field_changes] == ["pages", "keywords"]
    assert "abstract" not in change.result.fields and change.result.fields["pages"] == "1--12"


def test_an_omitted_field_already_there_stays_even_when_the_source_wins():
    target = Entry("inproceedings", {"title": "Fast Things", "booktitle": "SoCC", "year": "2024", "pages": "1--12",
                                     "keywords": "speed", "abstract": "Our own words."}, DOE, key="doe")
    plan = make_plan([INCOMING], [target], policy="source", omit=("abstract",))
    (change,) = plan.changes
    assert change.kind == "same" and change.result.fields["abstract"] == "Our own words."
    assert make_plan([INCOMING], [target], policy="source").changes[0].field_changes == (
        FieldChange("abstract", "Our own words.", "We make things fast."),)


def test_a_reviewed_plan_is_filtered_too():
    """Changes decided after planning (an interactive review) go through the same filter."""
    target = Entry("inproceedings", {"title": "Fast Things", "year": "2024"}, DOE, key="doe")
    merged = target.with_fields(abstract="x", pages="1--12")
    change = make_plan([INCOMING], [target]).changes[0]
    decided = Plan([type(change)("update", INCOMING, "doe", 0, "doe", 1.0, "", (
        FieldChange("pages", None, "1--12"), FieldChange("abstract", None, "x")), (), merged)])
    (kept,) = without_omitted(decided, ("abstract",), [target]).changes
    assert [c.name for c in kept.field_changes] == ["pages"] and "abstract" not in kept.result.fields
    anonymous = Entry("inproceedings", {"title": "Fast Things", "year": "2024"}, key="anon")
    filled = replace(anonymous.with_fields(pages="1--12"), authors=DOE)
    fills_authors = type(change)("update", INCOMING, "anon", 0, "anon", 1.0, "", (
        FieldChange("author", None, "Doe, Jane"), FieldChange("pages", None, "1--12")), (), filled)
    omitting_people = without_omitted(Plan([fills_authors]), ("author",), [anonymous]).changes[0]
    assert "author" not in [c.name for c in omitting_people.field_changes]
    assert omitting_people.result.authors == () and omitting_people.result.fields["pages"] == "1--12"


def test_sync_into_a_bib_with_omit_and_a_second_run_writes_nothing(tmp_path):
    bib = tmp_path / "thesis.bib"
    bib.write_text((SAMPLES / "thesis.bib").read_text(encoding="utf-8"), encoding="utf-8")
    before = bib.read_text(encoding="utf-8")
    settings = Settings(omit=("abstract",))
    sources = [str(SAMPLES / "acm-toc-socc24.txt"), str(SAMPLES / "imperial-respub-pietzuch.txt")]
    result = run_sync(sources, BibFileTarget(bib, settings), settings=settings)
    assert result.report.added > 80
    after = bib.read_text(encoding="utf-8")
    assert after.count("abstract = ") == before.count("abstract = ")
    again = run_sync(sources, BibFileTarget(bib, settings), settings=settings)
    assert again.plan.counts()["add"] == again.plan.counts()["update"] == 0
    assert bib.read_text(encoding="utf-8") == after


def test_parse_with_omit_flag(tmp_path):
    result = runner.invoke(app, ["parse", str(SAMPLES / "imperial-respub-pietzuch.txt"), "--omit", "abstract",
                                 "--omit", "PAGES"])
    assert result.exit_code == 0
    entries = read_bibtex(result.stdout).entries
    assert len(entries) == 30
    assert not any("abstract" in e.fields or "pages" in e.fields for e in entries)
    assert "abstract = " in runner.invoke(app, ["parse", str(SAMPLES / "imperial-respub-pietzuch.txt")]).stdout


def test_zotero_sync_never_uploads_an_omitted_field(zotero_server, tmp_path):
    entries = list(socc_entries())
    assert sum(1 for e in entries if e.get("abstract")) > 50
    target = open_target(zotero_server, tmp_path)
    target.settings = Settings(cache_dir=tmp_path, omit=("abstract",))
    result = run_sync(None, target, settings=target.settings, incoming=entries)
    target.close()
    assert result.report.added == 63
    items = zotero_server.items(f"group:{GROUP}")
    assert len(items) == 63 and not any(d.get("abstractNote") for d in items)


def test_pull_with_omit_keeps_abstracts_out_of_the_bib(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path / "cache", socc_entries())
    out = tmp_path / "library.bib"
    result = runner.invoke(app, ["pull", "--zotero", f"group:{GROUP}", "--into", str(out), "--zotero-endpoint",
                                 zotero_server.endpoint, "--omit", "abstract"], env={"ZOTERO_API_KEY": WRITE_KEY})
    assert result.exit_code == 0, result.output
    pulled = read_bibtex(out.read_text(encoding="utf-8")).entries
    assert len(pulled) == 63 and not any("abstract" in e.fields for e in pulled)


def test_a_review_writes_no_omitted_field(tmp_path):
    """``bibsync review`` applies the same filter to what a person decided (here: add the preprint)."""
    import shutil

    from review_helpers import REVIEW as REVIEW_DATA
    from review_helpers import leave_pending

    from bibsync.review.cases import Action
    from bibsync.review.session import review_bib
    from bibsync.review.walk import QueuedReviewer

    bib = tmp_path / "thesis.bib"
    shutil.copy(REVIEW_DATA / "thesis.bib", bib)
    leave_pending(bib)
    report = review_bib(bib, QueuedReviewer([Action("add"), Action("skip")]), duplicates=False,
                        settings=Settings(omit=("eprint", "doi")))
    assert report.added == 1
    added = {e.key: e for e in read_bibtex(bib.read_text(encoding="utf-8")).entries}["zhu2022msrl"]
    assert added.fields["journal"] == "arXiv" and "eprint" not in added.fields and "doi" not in added.fields
