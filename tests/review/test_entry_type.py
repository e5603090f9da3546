"""The entry type (``@type``, plan.ENTRY_TYPE) and the BibTeX field ``type`` are two things:
in a review's merges, on its screens, in the .bib it writes and in stored decisions."""

import io
import json

from rich.console import Console

from bibsync.model import Entry, Person
from bibsync.plan import ENTRY_TYPE, FieldChange, Plan, make_plan
from bibsync.review.cases import Action, CaseCandidate, ReviewCase
from bibsync.review.decisions import DecisionStore, fingerprint
from bibsync.review.merge import differing_fields, merge_entries
from bibsync.review.outcomes import plan_sync_outcomes
from bibsync.review.terminal import KeyReader, TerminalReviewer, case_table
from bibsync.review.walk import QueuedReviewer, run_review
from bibsync.targets.bibfile.target import BibFileTarget

TEXT = """@techreport{smith2020fast,
  author = {Smith, Jane},
  title = {Fast Dataflow},
  institution = {Imperial College London},
  year = {2020}
}

@techreport{doe2019slow,
  author = {Doe, John},
  title = {Slow Dataflow},
  institution = {MIT},
  type = {Technical Report},
  year = {2019}
}
"""
# smith2020fast as an incoming entry that has the ``type`` field the file lacks
REPORT = Entry("techreport", {"title": "Fast Dataflow", "institution": "Imperial College London",
                              "type": "Technical Report", "year": "2020"}, (Person("Smith", "Jane"),))
# doe2019slow as published later: an article, without a ``type`` field
ARTICLE = Entry("article", {"title": "Slow Dataflow", "journal": "Journal of Dataflow", "year": "2019"},
                (Person("Doe", "John"),))


def load(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(TEXT, encoding="utf-8")
    target = BibFileTarget(path)
    return path, target, target.load()


def merged_into(tmp_path, incoming, index, choices):
    """Review ``incoming`` against entry ``index`` of the file, merge with ``choices``, apply."""
    path, target, entries = load(tmp_path)
    case = ReviewCase("sync", incoming, (CaseCandidate(entries[index], index, 0.9, "title 1.00"),))
    result = run_review([case], QueuedReviewer([Action("merge", 0, choices)]),
                        DecisionStore.for_bib(path))
    changes = plan_sync_outcomes(result.decided(), entries)
    target.apply(Plan(changes))
    return path.read_text(encoding="utf-8"), changes[0]


def test_merge_fills_the_type_field_and_keeps_the_entry_type(tmp_path):
    _, _, entries = load(tmp_path)
    diffs = {d.name: (d.incoming, d.target, d.default) for d in differing_fields(REPORT, entries[0])}
    assert diffs == {"type": ("Technical Report", None, "incoming")}  # both are techreports
    text, change = merged_into(tmp_path, REPORT, 0, {})
    assert change.kind == "update"
    assert change.field_changes == (FieldChange("type", None, "Technical Report"),)
    assert change.result.type == "techreport" and change.result.get("type") == "Technical Report"
    assert text == TEXT.replace("  institution = {Imperial College London},\n  year = {2020}\n",
                                "  institution = {Imperial College London},\n  type = {Technical Report},\n"
                                "  year = {2020}\n")


def test_merge_renames_the_entry_type_and_keeps_the_type_field(tmp_path):
    text, change = merged_into(tmp_path, ARTICLE, 1, {ENTRY_TYPE: "incoming"})
    assert change.field_changes == (FieldChange(ENTRY_TYPE, "techreport", "article"),
                                     FieldChange("journal", None, "Journal of Dataflow"))
    assert text == TEXT.replace("@techreport{doe2019slow,\n", "@article{doe2019slow,\n").replace(
        "  title = {Slow Dataflow},\n", "  title = {Slow Dataflow},\n  journal = {Journal of Dataflow},\n")


def test_the_type_field_is_chosen_apart_from_the_entry_type(tmp_path):
    # the incoming side of a field it lacks removes the field; the entry type stays the target's
    merged = merge_entries(ARTICLE, load(tmp_path)[2][1], {ENTRY_TYPE: "target", "type": "incoming"})
    assert merged.type == "techreport" and "type" not in merged.fields
    text, _ = merged_into(tmp_path, ARTICLE, 1, {ENTRY_TYPE: "target", "type": "incoming", "journal": "target"})
    assert text == TEXT.replace("  type = {Technical Report},\n", "")


def test_a_sync_fills_the_type_field_without_renaming_the_entry(tmp_path):
    path, target, entries = load(tmp_path)
    plan = make_plan([REPORT], entries)
    assert [(c.kind, c.key, c.field_changes) for c in plan.changes] == [
        ("update", "smith2020fast", (FieldChange("type", None, "Technical Report"),))]
    target.apply(plan)
    assert path.read_text(encoding="utf-8").startswith("@techreport{smith2020fast,\n")
    assert "  type = {Technical Report},\n  year = {2020}\n" in path.read_text(encoding="utf-8")


def test_the_screen_shows_the_entry_type_row_and_the_type_field_row(tmp_path):
    entries = load(tmp_path)[2]
    case = ReviewCase("sync", REPORT, (CaseCandidate(entries[1], 1, 0.4, "title 0.5"),))
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(case_table(case))
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in out.getvalue().splitlines() if "│" in line]
    rows = {name: values for name, *values in cells}
    assert rows["@type"] == ["techreport", "techreport"]  # same entry type: no ≠
    assert rows["type"] == ["Technical Report", "Technical Report"]
    assert rows["institution ≠"] == ["Imperial College London", "MIT"]
    # against an article, both differ; choosing field by field asks about each separately
    case = ReviewCase("sync", REPORT, (CaseCandidate(ARTICLE.with_key("doe2019"), 0, 0.4, "title 0.5"),))
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None, highlight=False)
    reviewer = TerminalReviewer(console, KeyReader(io.StringIO("m\nf\nt\ni\n\n\n\n\n\n")), "refs.bib")
    action = reviewer.choose(case, 0, 1)
    screen = out.getvalue()
    assert "@type ≠" in screen and "type ≠" in screen.replace("@type ≠", "")
    assert "@type: i incoming · t doe2019" in screen and "\ntype: i incoming · t doe2019" in screen
    assert action.fields[ENTRY_TYPE] == "target" and action.fields["type"] == "incoming"


def test_decision_files_of_format_1_meant_the_entry_type_by_type(tmp_path):
    bib = tmp_path / "refs.bib"
    old = {"entry": fingerprint(ARTICLE), "candidate": "doe2019slow", "decision": "merge",
           "fields": {"journal": "incoming", "type": "target"}}
    bib.with_name("refs.bib.bibsync.json").write_text(json.dumps({"bibsync": 1, "decisions": [old]}))
    store = DecisionStore.for_bib(bib)
    assert store.field_choices(ARTICLE, Entry("techreport", key="doe2019slow")) == {
        "journal": "incoming", ENTRY_TYPE: "target"}
    store.record(REPORT, Entry("techreport", key="smith2020fast"), "merge", {"type": "incoming"})
    store.save()
    data = json.loads(store.path.read_text())
    assert data["bibsync"] == 3
    assert {d["candidate"]: d["fields"] for d in data["decisions"]} == {
        "doe2019slow": {"@type": "target", "journal": "incoming"}, "smith2020fast": {"type": "incoming"}}
    # formats 2 and 3 keep ``type`` as the field
    again = DecisionStore.for_bib(bib)
    assert again.field_choices(REPORT, Entry("techreport", key="smith2020fast")) == {"type": "incoming"}
