"""``bibsync review`` through typer's CliRunner, keys fed on stdin (BIBSYNC_INTERACTIVE=1)."""

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.model import Entry
from bibsync.review.cases import Action
from bibsync.review.decisions import DecisionStore
from bibsync.review.session import review_bib
from bibsync.review.walk import QueuedReviewer
from review_helpers import REVIEW as DATA
from review_helpers import Interrupting, decisions, leave_pending, triples

runner = CliRunner()
KEYS = {"BIBSYNC_INTERACTIVE": "1", "COLUMNS": "150", "NO_COLOR": "1"}


def invoke(bib: Path, keys: str, *extra: str):
    return runner.invoke(app, ["review", "--into", str(bib), *extra], input=keys, env=KEYS)


def golden(name: str) -> str:
    path = DATA / name
    assert path.exists(), f"missing golden file {path}"
    return path.read_text()


def test_merge_field_by_field_add_and_merge_duplicates(bib):
    # case 1: merge the preprint, choosing per field: type, booktitle, journal(t), year, doi,
    # archiveprefix, eprint; case 2: keep both (add); case 3 (duplicate): merge with the defaults
    result = invoke(bib, "m\nf\n\n\nt\n\n\n\n\na\nm\n\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "uncertain match 1/3" in out and "possible duplicate 3/3" in out
    assert "merging into zhu2023msrl: differing fields" in out
    assert "thesis.bib: 2 merged, 1 added, 1 removed as duplicates, 0 kept apart, 0 open" in out
    assert "Koliousis19 -> koliousis2019stream (kept as an alias in ids)" in out
    assert bib.read_text() == golden("thesis.expected.bib")
    data = decisions(bib)
    assert data["pending"] == []
    # the added entry is remembered as what it now is: the key it got, not a duplicate of its candidate
    assert triples(bib) == [
        ("doi:10.48550/arxiv.2210.00882", "zhu2023msrl", "merge"),
        ("key:Koliousis19", "koliousis2019stream", "merge"),
        ("key:smith2021dataflowa", "smith2021dataflow", "different"),
        ("t:crossbow scaling deep learning with small batch sizes on multi gpu servers|2019|koliousis",
         "koliousis2019stream", "merge"),  # the merged-away record, remembered as the entry it went into
        ("t:dataflow fragments for learning systems|2021|smith", "smith2021dataflow", "different"),
        ("t:dataflow fragments for learning systems|2021|smith", "smith2021dataflowa", "merge"),
    ]
    assert data["decisions"][0]["fields"] == {"booktitle": "target", "doi": "target", "eprint": "incoming",
                                              "archiveprefix": "incoming", "journal": "target", "@type": "target",
                                              "year": "target"}
    assert "the file as it was before this review: " + str(bib) + ".orig" in out
    assert Path(str(bib) + ".orig").read_text() == (DATA / "thesis.bib").read_text()
    # nothing left: a second run asks nothing and changes nothing
    before = bib.read_bytes()
    again = invoke(bib, "")
    assert again.exit_code == 0 and "0 open" in again.output and bib.read_bytes() == before


def test_undo_goes_back_one_decision(bib):
    # add case 1, undo (back to case 1), skip it, keep both on case 2 (added), then keep the
    # duplicates apart with a
    result = invoke(bib, "a\nu\ns\na\na\n")
    assert result.exit_code == 3, result.output
    assert result.output.count("uncertain match 1/3") == 2
    data = decisions(bib)
    assert triples(bib) == [
        ("key:Koliousis19", "koliousis2019stream", "different"),
        ("key:smith2021dataflowa", "smith2021dataflow", "different"),
        ("t:dataflow fragments for learning systems|2021|smith", "smith2021dataflow", "different"),
        ("t:dataflow fragments for learning systems|2021|smith", "smith2021dataflowa", "merge"),
    ]
    assert [p["entry"] for p in data["pending"]] == ["doi:10.48550/arxiv.2210.00882"]
    assert "@article{smith2021dataflowa," in bib.read_text()
    assert "@article{Koliousis19," in bib.read_text()


def test_quit_keeps_progress_and_resume_asks_only_the_rest(bib):
    first = invoke(bib, "a\nq\n")
    assert first.exit_code == 3
    assert "1 added" in first.output and "2 open" in first.output
    assert "@article{zhu2022msrl," in bib.read_text()
    assert [p["entry"] for p in decisions(bib)["pending"]] == ["t:dataflow fragments for learning systems|2021|smith"]
    second = invoke(bib, "s\na\n")
    assert second.exit_code == 3  # the lookalike was skipped
    assert "uncertain match 1/2" in second.output and "zhu2022msrl" not in second.output.split("uncertain match")[1]
    assert "@article{Koliousis19," in bib.read_text()  # kept apart by a
    third = invoke(bib, "a\n")
    assert third.exit_code == 0 and "uncertain match 1/1" in third.output
    assert "@article{smith2021dataflowa," in bib.read_text()


def test_end_of_input_quits_like_q(bib):
    result = invoke(bib, "m\n")  # asks for field choices, then stdin ends
    assert result.exit_code == 3
    assert "end of input" in result.output
    assert bib.read_text() == (DATA / "thesis.bib").read_text()


def test_help_and_unknown_keys(bib):
    result = invoke(bib, "?\nx\nd\nq\n")
    assert "n  not this one: never add this incoming entry" in result.output
    assert "a  keep both: add the incoming entry as an entry of its own" in result.output
    assert "s  skip for now: the case stays pending" in result.output
    assert "unknown key 'x'" in result.output
    assert "d is gone: a keeps both, n never adds the incoming entry" in result.output


def test_not_a_terminal_lists_and_never_prompts(bib):
    result = runner.invoke(app, ["review", "--into", str(bib)], input="m\n", env={"COLUMNS": "150"})
    assert result.exit_code == 3
    assert "3 review cases waiting in" in result.output
    assert re.search(r"\n  uncertain match    zhu2022msrl ~ zhu2023msrl \d\.\d\d\n", result.output)
    assert re.search(r"\n  uncertain match    smith2021dataflowa ~ smith2021dataflow \d\.\d\d\n", result.output)
    assert re.search(r"\n  possible duplicate Koliousis19 ~ koliousis2019stream \d\.\d\d\n", result.output)
    assert "›" not in result.output  # no prompt was shown
    assert bib.read_text() == (DATA / "thesis.bib").read_text()


def test_remembered_decisions_apply_without_a_terminal(bib):
    store = DecisionStore.for_bib(bib)
    store.record(Entry("article", key="Koliousis19"), Entry("article", key="koliousis2019stream"), "merge",
                 by_key=True)
    store.save()
    result = runner.invoke(app, ["review", "--into", str(bib)], env={"COLUMNS": "150"})
    assert result.exit_code == 3
    assert "1 merged, 0 added, 1 removed as duplicates" in result.output
    assert "2 review cases waiting" in result.output
    assert "@article{Koliousis19," not in bib.read_text()
    assert "  ids       = {Koliousis19},\n" in bib.read_text()


def test_forget_clears_decisions(bib):
    invoke(bib, "a\nq\n")
    count = len(decisions(bib)["decisions"])
    assert count == 3  # different, and the entry added (merge with its new key, different by key)
    result = runner.invoke(app, ["review", "--into", str(bib), "--forget"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "forgot 3 decisions" in result.output
    assert decisions(bib)["decisions"] == [] and len(decisions(bib)["pending"]) == 1


def test_ctrl_c_leaves_the_file_untouched_and_keeps_decisions(bib):
    with pytest.raises(KeyboardInterrupt):
        review_bib(bib, Interrupting([Action("add")]))
    assert bib.read_text() == (DATA / "thesis.bib").read_text()
    assert [d["decision"] for d in decisions(bib)["decisions"]] == ["add", "different"]
    # the next run applies the remembered "add" without asking and asks about the rest
    report = review_bib(bib, QueuedReviewer([Action("skip"), Action("skip")]))
    assert report.added == 1 and "@article{zhu2022msrl," in bib.read_text()


def test_rewrite_tex_after_merging_duplicates(bib, tmp_path):
    tex = tmp_path / "tex"
    tex.mkdir()
    (tex / "intro.tex").write_text("See \\citep[p.~2]{zhu2023msrl, Koliousis19}.\n")
    dry = invoke(bib, "s\ns\nm\n\n", "--rewrite-tex", str(tex))  # no --yes, and "n" is not typed: a dry run
    assert "-See \\citep[p.~2]{zhu2023msrl, Koliousis19}." in dry.output
    assert "+See \\citep[p.~2]{zhu2023msrl, koliousis2019stream}." in dry.output
    assert "the .tex files are unchanged (run again with --yes to rewrite them)" in dry.output
    assert "dry run" not in dry.output  # the person said no (or nothing): not a dry run
    assert (tex / "intro.tex").read_text() == "See \\citep[p.~2]{zhu2023msrl, Koliousis19}.\n"
    done = runner.invoke(app, ["review", "--into", str(bib), "--no-duplicates", "--rewrite-tex", str(tex), "--yes"],
                         env={"COLUMNS": "150"})
    assert "rewrote 1 citation(s) in 1 file(s)" in done.output
    assert (tex / "intro.tex").read_text() == "See \\citep[p.~2]{zhu2023msrl, koliousis2019stream}.\n"


def test_usage_errors(bib):
    result = runner.invoke(app, ["review"])
    assert result.exit_code == 2 and "--into FILE.bib or --zotero" in result.stderr
    result = runner.invoke(app, ["review", "--into", str(bib.with_name("nope.bib"))])
    assert result.exit_code == 2 and "no such file" in result.stderr


def sync(bib: Path, *extra: str, keys: str | None = None):
    env = KEYS if keys is not None else {"COLUMNS": "150"}
    return runner.invoke(app, ["sync", str(DATA / "incoming.bib"), "--into", str(bib), "--yes", *extra],
                         input=keys, env=env)


def test_a_sync_leaves_the_preprint_for_review_and_later_syncs_apply_the_decision(tmp_path):
    bib = tmp_path / "thesis.bib"
    shutil.copy(DATA / "thesis.bib", bib)
    first = sync(bib)
    assert first.exit_code == 3, first.output  # a preprint and its published version: never merged blindly
    assert [p["entry"] for p in decisions(bib)["pending"]] == ["doi:10.48550/arxiv.2210.00882"]
    review = runner.invoke(app, ["review", "--into", str(bib), "--no-duplicates"], input="m\n\n", env=KEYS)
    assert review.exit_code == 0, review.output
    published = bib.read_text().split("@inproceedings{zhu2023msrl,")[1].split("\n}")[0]
    # the published version keeps its type, venue and year, and records the preprint's arXiv id and key
    assert published.endswith("  year      = {2023},\n  archiveprefix = {arXiv},\n  eprint    = {2210.00882},\n"
                              "  ids       = {zhu2022msrl},")
    assert "doi" not in published
    assert decisions(bib)["pending"] == []
    before = bib.read_bytes()
    again = sync(bib)  # the remembered merge is applied silently: nothing to ask, nothing to write
    assert again.exit_code == 0, again.output
    assert bib.read_bytes() == before and decisions(bib)["pending"] == []


def test_sync_interactive_asks_inline(tmp_path):
    bib = tmp_path / "thesis.bib"
    shutil.copy(DATA / "thesis.bib", bib)
    result = sync(bib, "--interactive", keys="a\n")  # the preprint is a work of its own here
    assert result.exit_code == 0, result.output
    assert "uncertain match 1/1 · thesis.bib" in result.output
    text = bib.read_text()
    assert "@article{zhu2022msrl," in text and "@inproceedings{doe2024stream," in text
    data = decisions(bib)
    assert data["pending"] == []
    assert triples(bib) == [
        ("doi:10.48550/arxiv.2210.00882", "zhu2022msrl", "merge"),
        ("doi:10.48550/arxiv.2210.00882", "zhu2023msrl", "different"),
        ("key:zhu2022msrl", "zhu2023msrl", "different"),
    ]
    before = bib.read_bytes()
    again = sync(bib, "--interactive", keys="")  # nothing is asked twice, nothing added twice
    assert again.exit_code == 0 and "uncertain match 1/1" not in again.output
    assert bib.read_bytes() == before
    dupes = runner.invoke(app, ["review", "--into", str(bib)], input="s\n", env=KEYS)
    assert "zhu2022msrl" not in dupes.output  # kept apart as duplicates too


def test_sync_interactive_without_a_terminal_leaves_cases_for_review(tmp_path):
    bib = tmp_path / "thesis.bib"
    shutil.copy(DATA / "thesis.bib", bib)
    result = sync(bib, "--interactive")
    assert result.exit_code == 3
    assert "not a terminal" in result.stderr


def test_merging_away_the_last_entry_and_adding_one_keeps_one_blank_line(tmp_path):
    bib = tmp_path / "refs.bib"
    shutil.copy(DATA / "thesis.bib", bib)
    text = bib.read_text()
    smith = text[text.index("@misc{smith2021dataflow,"):]
    bib.write_text(text + "\n" + smith.replace("@misc{smith2021dataflow,", "@misc{smith21,"))
    leave_pending(bib)
    # skip the preprint, add the lookalike, merge the duplicates, merge smith21 (the last entry) into smith2021dataflow
    result = invoke(bib, "s\na\nm\n\nm\n\n")
    assert result.exit_code == 3, result.output
    assert "@misc{smith21," not in bib.read_text()
    assert "}\n\n@article{smith2021dataflowa," in bib.read_text()


def test_dedupe_interactive_merges_and_remembers(tmp_path):
    bib = tmp_path / "thesis.bib"
    shutil.copy(DATA / "thesis.bib", bib)
    listed = runner.invoke(app, ["dedupe", str(bib), "--interactive"], env={"COLUMNS": "150"})
    assert listed.exit_code == 3 and "possible duplicate Koliousis19 ~ koliousis2019stream" in listed.output
    assert bib.read_text() == (DATA / "thesis.bib").read_text()
    result = runner.invoke(app, ["dedupe", str(bib), "--interactive"], input="m\n\n", env=KEYS)
    assert result.exit_code == 0, result.output
    assert "possible duplicate 1/1" in result.output and "uncertain match" not in result.output
    assert "@article{Koliousis19," not in bib.read_text() and "  ids       = {Koliousis19},\n" in bib.read_text()
    assert triples(bib) == [
        ("key:Koliousis19", "koliousis2019stream", "merge"),
        ("t:crossbow scaling deep learning with small batch sizes on multi gpu servers|2019|koliousis",
         "koliousis2019stream", "merge"),
    ]
    after = runner.invoke(app, ["dedupe", str(bib)], env={"COLUMNS": "150"})
    assert after.exit_code == 0 and "0 duplicate group(s)" in after.output


def test_inline_review_through_the_library(tmp_path):
    from bibsync.review.session import inline_review_hook
    from bibsync.sync import run_sync
    from bibsync.targets.bibfile.target import BibFileTarget

    bib = tmp_path / "thesis.bib"
    shutil.copy(DATA / "thesis.bib", bib)
    hook = inline_review_hook(lambda: DecisionStore.for_bib(bib), bib.name,
                              reviewer=QueuedReviewer([Action("merge", 0, {"year": "incoming"})]))
    result = run_sync([str(DATA / "incoming.bib")], BibFileTarget(bib), review=hook)
    assert result.exit_code == 0 and result.plan.counts() == {"add": 1, "update": 1, "same": 0, "review": 0}
    assert "  year      = {2022},\n  archiveprefix = {arXiv},\n  eprint    = {2210.00882}," in bib.read_text()
    assert triples(bib) == [("doi:10.48550/arxiv.2210.00882", "zhu2023msrl", "merge")]
    assert decisions(bib)["decisions"][0]["fields"]["year"] == "incoming"


def test_a_block_never_closed_is_named_as_a_sync_names_it(tmp_path):
    bib = tmp_path / "refs.bib"
    text = ("@article{good,\n  author = {Doe, Jane},\n  title = {Good paper},\n  journal = {J},\n  year = {2000},\n}\n\n"
            "@article{x,\n  author = {Roe, Ann},\n  title = {Foo")
    bib.write_text(text)
    result = invoke(bib, "")
    assert result.exit_code == 0, result.output
    assert (f"kept as it is in {bib}: {bib}:8: @article{{x is never closed: bibtex reads the rest of the file as "
            "part of it; new entries that bibsync adds go before it") in result.output
    assert "hint: close its braces or quotes (bibsync keeps it as it is)" in result.output
    assert bib.read_text() == text
