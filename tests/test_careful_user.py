"""Issue 11, problems 1 to 8, each as the careful user met it (problem 4: targets/zotero/test_writes.py).

Through the command line (typer's CliRunner; keys on stdin with BIBSYNC_INTERACTIVE=1), on
copies of tests/data in tmp_path; Zotero over loopback against tests/zotero_server.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
from typer.testing import CliRunner
from zotero_fixtures import GROUP, WRITE_KEY

from bibsync.cli import app
from bibsync.config import Settings
from bibsync.registry import Registry
from bibsync.sources.bibtex import source as bibtex_source
from bibsync.sources.doi import DoiSource, crossref_url
from bibsync.sources.http_cache import ResponseCache
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
from locations import DATA
from sample_entries import CUBICLE_ARTEFACT_BIB as ARTEFACT
from sample_entries import CUBICLE_PAPER_BIB as PAPER

REVIEW = DATA / "review"
CROSSREF = DATA / "doi" / "recorded"
KEYS = {"BIBSYNC_INTERACTIVE": "1", "COLUMNS": "150", "NO_COLOR": "1"}
PLAIN = {"COLUMNS": "150", "NO_COLOR": "1"}
runner = CliRunner()

ANOTHER_SOURCE = """@article{lamport1978time,
  author = {Lamport, Leslie},
  title = {Time, Clocks, and the Ordering of Events in a Distributed System},
  journal = {Communications of the ACM},
  year = {1978},
}
"""


def cli(*args: str, keys: str | None = None, env: dict | None = None):
    return runner.invoke(app, list(args), input=keys, env={**(KEYS if keys is not None else PLAIN), **(env or {})})


def thesis(tmp_path: Path) -> Path:
    bib = tmp_path / "thesis.bib"
    shutil.copy(REVIEW / "thesis.bib", bib)
    return bib


def store(bib: Path) -> dict:
    return json.loads(bib.with_name(bib.name + ".bibsync.json").read_text())


def entry_text(text: str, key: str) -> str:
    start = text.index("{" + key + ",")
    return text[text.rindex("@", 0, start):text.index("\n}", start) + 2]


# --- 1. a pending case disappears --------------------------------------------------------------


def test_1_a_sync_of_other_sources_keeps_the_pending_case_until_its_entries_are_gone(tmp_path):
    bib = thesis(tmp_path)
    assert cli("sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--yes").exit_code == 3
    assert [p["entry"] for p in store(bib)["pending"]] == ["doi:10.48550/arxiv.2210.00882"]
    other = tmp_path / "other.bib"
    other.write_text(ANOTHER_SOURCE)
    result = cli("sync", str(other), "--into", str(bib), "--yes")
    assert "@article{lamport1978time," in bib.read_text()
    assert [p["entry"] for p in store(bib)["pending"]] == ["doi:10.48550/arxiv.2210.00882"]
    assert result.exit_code == 3, result.output  # the case still waits
    assert "1 case from earlier syncs left for review" in result.output
    # the entry it names removed by hand: the case goes with it
    text = bib.read_text()
    bib.write_text(text.replace(entry_text(text, "zhu2023msrl"), ""))
    assert cli("sync", str(other), "--into", str(bib), "--yes").exit_code == 0
    assert store(bib)["pending"] == []


# --- 2. an incoming entry cannot be declined ---------------------------------------------------------


def test_2_not_this_one_is_remembered_and_never_added(tmp_path):
    bib = thesis(tmp_path)
    cli("sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--yes")
    before = bib.read_text()
    declined = cli("review", "--into", str(bib), "--no-duplicates", keys="n\n")
    assert declined.exit_code == 0, declined.output
    assert "1 declined, 0 open" in " ".join(declined.output.split())
    assert bib.read_text() == before and store(bib)["pending"] == []
    [decision] = store(bib)["decisions"]
    assert (decision["decision"], decision["candidate"], decision["ids"]) == (
        "decline", None, ["doi:10.48550/arxiv.2210.00882", "arxiv:2210.00882"])
    again = cli("sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--yes", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["counts"]["declined"] == 1
    assert bib.read_text() == before
    # the same preprint from another source, without its DOI: still declined, by its arXiv id
    arxiv = tmp_path / "arxiv.bib"
    arxiv.write_text("@misc{zhu22,\n  author = {Zhu, H. and Zhao, B. and Pietzuch, P.},\n"
                     "  title = {{MSRL}: distributed reinforcement learning with dataflow fragments},\n"
                     "  year = {2022},\n  eprint = {2210.00882v2},\n  archivePrefix = {arXiv},\n}\n")
    third = cli("sync", str(arxiv), "--into", str(bib), "--yes")
    assert third.exit_code == 0, third.output
    assert bib.read_text() == before


def test_2_keep_both_and_not_this_one_mean_different_things(tmp_path):
    bib = thesis(tmp_path)
    cli("sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--yes")
    kept = cli("review", "--into", str(bib), "--no-duplicates", keys="a\n")
    assert kept.exit_code == 0 and "@article{zhu2022msrl," in bib.read_text()
    assert {d["decision"] for d in store(bib)["decisions"]} == {"merge", "different"}


# --- 3. merges the user cannot steer ------------------------------------------------------------------

PREPRINT_IN_THESIS = """@article{zhu2022msrl,
  author  = {Zhu, Huanzhou and Zhao, Bo and Pietzuch, Peter},
  title   = {MSRL: Distributed Reinforcement Learning with Dataflow Fragments},
  journal = {arXiv preprint arXiv:2210.00882},
  year    = {2022},
}
"""
PUBLISHED = """@inproceedings{zhu2023msrl,
  author    = {Zhu, Huanzhou and Zhao, Bo and Pietzuch, Peter},
  title     = {{MSRL}: Distributed Reinforcement Learning with Dataflow Fragments},
  booktitle = {2023 USENIX Annual Technical Conference (USENIX ATC 23)},
  pages     = {977--993},
  year      = {2023},
}
"""


def test_3_the_published_version_merged_into_its_preprint_keeps_type_venue_year_and_the_arxiv_id(tmp_path):
    bib = tmp_path / "thesis.bib"
    bib.write_text(PREPRINT_IN_THESIS)
    listing = tmp_path / "atc.bib"
    listing.write_text(PUBLISHED)
    assert cli("sync", str(listing), "--into", str(bib), "--yes").exit_code == 3  # never merged blindly
    result = cli("review", "--into", str(bib), keys="m\n\n")
    assert result.exit_code == 0, result.output
    assert "preprint vs published: the incoming entry is the published version" in result.output
    assert entry_text(bib.read_text(), "zhu2022msrl") == (
        "@inproceedings{zhu2022msrl,\n"
        "  author  = {Zhu, Huanzhou and Zhao, Bo and Pietzuch, Peter},\n"
        "  title   = {MSRL: Distributed Reinforcement Learning with Dataflow Fragments},\n"
        "  booktitle = {2023 {USENIX} Annual Technical Conference ({USENIX} {ATC} 23)},\n"
        "  pages   = {977--993},\n"
        "  year    = {2023},\n"
        "  archiveprefix = {arXiv},\n"
        "  eprint  = {2210.00882},\n"
        "  ids     = {zhu2023msrl},\n"
        "}")
    assert f"the file as it was before this review: {bib}.orig" in result.output
    assert Path(f"{bib}.orig").read_text() == PREPRINT_IN_THESIS


THREE_COPIES = """@article{koliousis2019crossbow,
  author = {Koliousis, Alexandros and Pietzuch, Peter},
  title = {Crossbow: Scaling Deep Learning with Small Batch Sizes on Multi-GPU Servers},
  journal = {Proc. VLDB Endow.},
  year = {2019},
}

@article{Koliousis19,
  author = {Koliousis, Alexandros and Pietzuch, Peter},
  title = {Crossbow: Scaling Deep Learning with Small Batch Sizes on Multi-GPU Servers},
  journal = {Proc. VLDB Endow.},
  volume = {12},
  year = {2019},
}

@article{crossbow,
  author = {Koliousis, Alexandros and Pietzuch, Peter},
  title = {Crossbow: Scaling Deep Learning with Small Batch Sizes on Multi-GPU Servers},
  journal = {Proc. VLDB Endow.},
  pages = {1399--1412},
  year = {2019},
}
"""


def test_3_the_person_picks_the_key_and_the_next_screen_no_longer_offers_the_entry_merged_away(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(THREE_COPIES)
    # first screen: Koliousis19 against the other two; merge into candidate 1, keep the key Koliousis19
    result = cli("review", "--into", str(bib), keys="m\n1\nk\n2\n\nm\n\n")
    assert result.exit_code == 0, result.output
    screens = result.output.split("possible duplicate ")[1:]
    assert "1 koliousis2019crossbow" in screens[0] and "2 crossbow" in screens[0]
    # second screen: crossbow against what is left, Koliousis19 with the first merge in it
    listed = re.findall(r"\n (\d) (\S+)  \d\.\d\d", screens[1])
    assert listed == [("1", "Koliousis19")]  # koliousis2019crossbow is gone: merged into Koliousis19
    assert re.search(r"ids ≠ +│ – +│ koliousis2019crossbow", screens[1])
    text = bib.read_text()
    assert text.count("@article{") == 1 and "@article{Koliousis19," in text
    assert "ids = {koliousis2019crossbow,crossbow}" in text.replace("  ", " ")
    assert "volume = {12}" in text and "pages = {1399--1412}" in text


# --- 5. Zotero review speaks BibTeX ------------------------------------------------------------------


def zotero_env(server) -> dict:
    return {"ZOTERO_API_KEY": WRITE_KEY, "BIBSYNC_ZOTERO_ENDPOINT": server.endpoint}


def test_5_zotero_review_in_zoteros_words_adds_into_the_collection_and_keeps_decisions_in_a_named_file(
        zotero_server, tmp_path):
    env = zotero_env(zotero_server)
    spec = f"group:{GROUP}"
    decisions = tmp_path / "group.decisions.json"
    seeded = cli("sync", str(REVIEW / "thesis.bib"), "--zotero", spec, "--yes", "--collection", "Thesis", env=env)
    assert seeded.exit_code == 0, seeded.output
    first = cli("sync", str(REVIEW / "incoming.bib"), "--zotero", spec, "--yes", "--collection", "Thesis",
                "--decisions", str(decisions), env=env)
    assert first.exit_code == 3, first.output
    assert json.loads(decisions.read_text())["pending"][0]["collection"] == "Thesis"
    result = cli("review", "--zotero", spec, "--decisions", str(decisions), keys="a\n", env=env)
    assert result.exit_code == 0, result.output
    screen = result.output
    assert re.search(r"itemType ≠ +│ journalArticle +│ conferencePaper", screen)
    assert re.search(r"proceedingsTitle ≠ +│ – +│ USENIX Annual Technical Conference", screen)
    assert re.search(r"publicationTitle ≠ +│ arXiv", screen) and re.search(r"\bdate ≠ +│ 2022 +│ 2023", screen)
    assert "@type" not in screen and "booktitle" not in screen
    library = zotero_server.library(spec)
    thesis_key = next(k for k, c in library.collections.items() if c["data"]["name"] == "Thesis")
    added = next(d for d in zotero_server.items(spec) if d.get("citationKey") == "zhu2022msrl")
    assert added["collections"] == [thesis_key]
    saved = json.loads(decisions.read_text())
    assert saved["pending"] == [] and "commit this file" in saved["about"]
    assert not list((tmp_path / "cache").glob("**/*.decisions.json"))  # nothing in the cache folder


# --- 6. pull cannot place a settled item ----------------------------------------------------------------


def test_6_pull_places_an_item_added_in_review_and_names_what_it_cannot_place(zotero_server, tmp_path):
    env = zotero_env(zotero_server)
    spec = f"group:{GROUP}"
    (tmp_path / "paper.bib").write_text(PAPER)
    (tmp_path / "artefact.bib").write_text(ARTEFACT)
    group = tmp_path / "group.bib"
    assert cli("sync", str(tmp_path / "paper.bib"), "--zotero", spec, "--yes", env=env).exit_code == 0
    assert cli("pull", "--zotero", spec, "--into", str(group), env=env).exit_code == 0  # the group's .bib
    assert cli("sync", str(tmp_path / "artefact.bib"), "--zotero", spec, "--yes", env=env).exit_code == 3
    assert cli("review", "--zotero", spec, keys="a\n", env=env).exit_code == 0  # the artefact is its own entry
    for _ in range(2):  # with --refresh too
        pulled = cli("pull", "--zotero", spec, "--into", str(group), *(["--refresh"] if _ else []), env=env)
        assert pulled.exit_code == 0, pulled.output
    text = group.read_text()
    assert "@misc{sartakov2020cubicleos," in text and "@inproceedings{sartakov2021cubicleos," in text

    # an item without a key of its own, uncertain against a hand-made entry: named, and listed by review
    other = tmp_path / "other.bib"
    other.write_text("@inproceedings{Sartakov21,\n  title = {CubicleOS: A Library OS with Software Componentisation "
                     "for Practical Isolation},\n  author = {Sartakov, V. and Vilanova, L. and Pietzuch, P.},\n"
                     "  booktitle = {ASPLOS},\n  year = {2021},\n}\n")
    only_artefact = [d for d in zotero_server.items(spec) if d["itemType"] == "computerProgram"]
    zotero_server.delete_item(spec, next(d["key"] for d in zotero_server.items(spec)
                                         if d["itemType"] == "conferencePaper"))
    zotero_server.edit_item(spec, only_artefact[0]["key"], {"citationKey": ""})
    unplaced = cli("pull", "--zotero", spec, "--into", str(other), env=env)
    assert unplaced.exit_code == 3
    assert "1 item could not be placed and was left out:" in unplaced.output
    assert re.search(r"\n  sartakov2020cubicleos: CubicleOS: .* ~ maybe Sartakov21 \(0\.\d\d: ", unplaced.output)
    listed = cli("review", "--into", str(other))
    assert listed.exit_code == 3
    assert re.search(r"uncertain match    sartakov2020cubicleos ~ Sartakov21 \d\.\d\d", listed.output)


# --- 7. one bad identifier sinks the run ----------------------------------------------------------------


def test_7_each_identifier_is_checked_and_reported_and_the_rest_is_synced(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("BIBSYNC_CACHE_DIR", str(cache))
    ResponseCache(cache).put(crossref_url("10.1038/nature14539"),
                             (CROSSREF / "crossref-10.1038-nature14539.json").read_text())
    listing = tmp_path / "listing.bib"
    listing.write_text(ANOTHER_SOURCE)
    bib = tmp_path / "refs.bib"
    result = cli("sync", "10.1038/nature14539", "10.1145/3698038.3698515", "10.12/x", "1234.5678", str(listing),
                 "--into", str(bib), "--yes", "--offline")
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "malformed DOI '10.12/x': a DOI starts with 10. and a registrant code of 4 to 9 digits" in out
    assert "malformed arXiv id '1234.5678': month 34 does not exist" in out
    assert ("DOI 10.1145/3698038.3698515 not looked up: not in the cache, and --offline asks Crossref "
            "(api.crossref.org) nothing") in out
    assert "3 records or identifiers could not be read and were left out" in out
    text = bib.read_text()
    assert "{Deep learning}" in text and "@article{lamport1978time," in text


def test_7_no_network_fails_each_doi_and_the_other_sources_still_sync(tmp_path):
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)
    registry = Registry(load_entry_points=False)
    registry.register(DoiSource(transport=httpx.MockTransport(offline)))
    registry.register(bibtex_source)
    listing = tmp_path / "listing.bib"
    listing.write_text(ANOTHER_SOURCE)
    target = BibFileTarget(tmp_path / "refs.bib")
    result = run_sync(["10.1038/nature14539", "10.1145/notadoi", str(listing)], target,
                      settings=Settings(cache_dir=tmp_path / "cache"), registry=registry)
    assert [f.message for f in result.source_errors] == [
        "DOI 10.1038/nature14539 not looked up: cannot reach Crossref (api.crossref.org) (network: ConnectError); "
        "are you offline?",
        "DOI 10.1145/notadoi not looked up: cannot reach Crossref (api.crossref.org) (network: ConnectError); "
        "are you offline?"]
    assert result.report.added == 1 and result.exit_code == 1


# --- 8. exit codes and consent ----------------------------------------------------------------------------


def test_8_a_dry_run_exits_as_the_real_run_and_no_terminal_means_no_write_without_yes(tmp_path):
    bib = thesis(tmp_path)
    assert cli("sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--yes").exit_code == 3
    before = bib.read_bytes()
    real = cli("sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--yes")
    dry = cli("sync", str(REVIEW / "incoming.bib"), "--into", str(bib), "--dry-run")
    assert (real.exit_code, dry.exit_code) == (3, 3)  # a case is pending: no-op or not, dry run or not
    assert bib.read_bytes() == before

    other = tmp_path / "other.bib"
    other.write_text(ANOTHER_SOURCE)
    unasked = cli("sync", str(other), "--into", str(bib))  # CliRunner's stdin is no terminal
    assert unasked.exit_code == 1
    assert "nothing written: standard input is not a terminal" in unasked.output and "add --yes" in unasked.output
    assert "+ lamport1978time" in unasked.output  # the plan was shown
    assert bib.read_bytes() == before
