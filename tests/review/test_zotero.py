"""``bibsync review --zotero``: the cases a sync left in a Zotero library, on the test server."""

import json

from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.review.decisions import DecisionStore
from bibsync.targets.zotero.items import entry_from_item
from zotero_fixtures import GROUP, WRITE_KEY, zotero_server  # noqa: F401
import locations

DATA = locations.DATA / "review"
runner = CliRunner()


def test_sync_leaves_a_case_and_review_merges_it_in_zotero(zotero_server, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("BIBSYNC_CACHE_DIR", str(cache))
    env = {"ZOTERO_API_KEY": WRITE_KEY, "BIBSYNC_ZOTERO_ENDPOINT": zotero_server.endpoint, "COLUMNS": "150"}
    spec = f"group:{GROUP}"
    seeded = runner.invoke(app, ["sync", str(DATA / "thesis.bib"), "--zotero", spec, "--yes"], env=env)
    assert seeded.exit_code == 0, seeded.output
    first = runner.invoke(app, ["sync", str(DATA / "incoming.bib"), "--zotero", spec, "--yes"], env=env)
    assert first.exit_code == 3, first.output  # the preprint waits for a person
    listed = runner.invoke(app, ["review", "--zotero", spec], env=env)
    assert listed.exit_code == 3 and "uncertain match    zhu2022msrl ~ zhu2023msrl" in listed.output
    result = runner.invoke(app, ["review", "--zotero", spec], input="m\n\n", env={**env, "BIBSYNC_INTERACTIVE": "1"})
    assert result.exit_code == 0, result.output
    assert "Zotero group:4711: 1 merged, 0 added" in result.output
    entries = {e.key: e for e in (entry_from_item(d) for d in zotero_server.items(spec))}
    # the published version keeps its DOI-less record and gains the preprint's arXiv id and key
    assert (entries["zhu2023msrl"].get("doi"), entries["zhu2023msrl"].get("eprint")) == ("", "2210.00882")
    assert entries["zhu2023msrl"].get("ids") == "zhu2022msrl"
    assert entries["zhu2023msrl"].type == "inproceedings" and "zhu2022msrl" not in entries
    store = DecisionStore.for_zotero(f"groups/{GROUP}", cache)
    assert store.pending() == [] and [(d.candidate, d.decision) for d in store.decisions()] == [("zhu2023msrl", "merge")]
    assert json.loads(store.path.read_text())["decisions"][0]["entry"] == "doi:10.48550/arxiv.2210.00882"
    again = runner.invoke(app, ["sync", str(DATA / "incoming.bib"), "--zotero", spec, "--yes"], env=env)
    assert again.exit_code == 0, again.output  # decided once, applied silently
