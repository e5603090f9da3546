"""``bibsync pull``: a Zotero library into a .bib, through the .bib target, with stable keys."""

from __future__ import annotations

from typer.testing import CliRunner
from zotero_fixtures import GROUP, READ_KEY, SAMPLES, WRITE_KEY, socc_entries, sync_into

from bibsync.bibtex.read import read_bibtex
from bibsync.cli import app
from bibsync.targets.zotero.items import citation_key_of, item_from_entry


runner = CliRunner()
SPEC = f"group:{GROUP}"


def pull(server, into, *args, key=WRITE_KEY):
    return runner.invoke(app, ["pull", "--zotero", SPEC, "--into", str(into), "--zotero-endpoint", server.endpoint,
                               *args], env={"ZOTERO_API_KEY": key})


def test_pull_into_an_empty_bib_gives_what_parse_gives(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path / "cache", socc_entries())
    parsed = runner.invoke(app, ["parse", str(SAMPLES / "acm-toc-socc24.txt")])
    assert parsed.exit_code == 0
    out = tmp_path / "library.bib"
    result = pull(zotero_server, out)
    assert result.exit_code == 0, result.output
    assert f"pulled 63 items from Zotero {SPEC} into {out}: 63 added, 0 updated, 0 unchanged" in result.stderr
    pulled = read_bibtex(out.read_text(encoding="utf-8")).entries
    expected = read_bibtex(parsed.stdout).entries
    assert [e.key for e in pulled] == [e.key for e in expected]
    assert {e.key: e for e in pulled} == {e.key: e for e in expected}
    # Items come out in the order they were added, so the text is the same too.
    assert out.read_text(encoding="utf-8") == parsed.stdout


def test_a_second_pull_changes_nothing_and_asks_little(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path / "cache", socc_entries())
    out = tmp_path / "library.bib"
    assert pull(zotero_server, out).exit_code == 0
    before = out.read_bytes()
    zotero_server.reset_log()
    result = pull(zotero_server, out)
    assert result.exit_code == 0 and out.read_bytes() == before
    assert "0 added, 0 updated, 63 unchanged" in result.stderr
    assert [r.status for r in zotero_server.requests()] == [200, 304]  # the key check, then "nothing changed"


def test_pull_keeps_the_rest_of_the_file_and_updates_only_what_changed(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path / "cache", socc_entries()[:3])
    out = tmp_path / "mine.bib"
    mine = "% my own notes\n@misc{mine,\n    title = \"Kept as I wrote it\",\n}\n"
    out.write_text(mine, encoding="utf-8")
    assert pull(zotero_server, out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(mine) and text.count("@inproceedings{") == 3
    item = next(d for d in zotero_server.items(SPEC) if d["citationKey"] == socc_entries()[0].key)
    zotero_server.edit_item(SPEC, item["key"], {"pages": "1--12"})
    result = pull(zotero_server, out)
    assert result.exit_code == 0 and "0 added, 1 updated, 2 unchanged" in result.stderr
    changed = out.read_text(encoding="utf-8")
    assert changed.replace("    pages = \"1--12\",\n", "") == text  # in the file's own style


def test_generated_keys_and_pin_keys(zotero_server, tmp_path):
    for entry in socc_entries()[:3]:
        zotero_server.put_item(SPEC, item_from_entry(entry.with_key(None)))
    out = tmp_path / "library.bib"
    result = pull(zotero_server, out)
    assert result.exit_code == 0
    assert "3 items had no citation key; run again with --pin-keys" in result.stderr
    assert {e.key for e in read_bibtex(out.read_text()).entries} == {e.key for e in socc_entries()[:3]}
    assert zotero_server.requests(writes=True) == []
    assert all(not citation_key_of(d) for d in zotero_server.items(SPEC))

    result = pull(zotero_server, out, "--pin-keys")
    assert result.exit_code == 0 and "pinned 3 citation keys in Zotero" in result.stderr
    assert sorted(d["citationKey"] for d in zotero_server.items(SPEC)) == sorted(e.key for e in socc_entries()[:3])
    writes = zotero_server.requests(writes=True)
    assert len(writes) == 1 and writes[0].headers.get("If-Unmodified-Since-Version") is None
    result = pull(zotero_server, out, "--pin-keys")
    assert "pinned" not in result.stderr and len(zotero_server.requests(writes=True)) == 1


def test_pin_keys_into_extra_on_an_older_server(legacy_zotero_server, tmp_path):
    legacy_zotero_server.put_item(SPEC, item_from_entry(socc_entries()[0].with_key(None), native_key=False))
    result = pull(legacy_zotero_server, tmp_path / "out.bib", "--pin-keys")
    assert result.exit_code == 0
    assert legacy_zotero_server.items(SPEC)[0]["extra"] == f"Citation Key: {socc_entries()[0].key}"


def test_pull_one_collection(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path / "cache", socc_entries()[:2], collection="Keep")
    sync_into(zotero_server, tmp_path / "cache", socc_entries()[2:5])
    out = tmp_path / "keep.bib"
    result = pull(zotero_server, out, "--collection", "Keep")
    assert result.exit_code == 0
    assert [e.key for e in read_bibtex(out.read_text()).entries] == [e.key for e in socc_entries()[:2]]
    missing = pull(zotero_server, tmp_path / "x.bib", "--collection", "Nope")
    assert missing.exit_code == 1
    assert f"error: group:{GROUP} has no collection named 'Nope'" in missing.stderr


def test_read_only_key_can_pull_but_not_pin(zotero_server, tmp_path):
    zotero_server.put_item(SPEC, item_from_entry(socc_entries()[0].with_key(None)))
    assert pull(zotero_server, tmp_path / "a.bib", key=READ_KEY).exit_code == 0
    result = pull(zotero_server, tmp_path / "b.bib", "--pin-keys", key=READ_KEY)
    assert result.exit_code == 1
    assert f"the API key may read group:{GROUP} but not write to it" in result.stderr
    assert READ_KEY not in result.output + result.stderr


def test_ctrl_c_after_the_bib_is_written_says_so(zotero_server, tmp_path, monkeypatch):
    import bibsync.cli.commands.pull as pull_command
    from bibsync.targets.zotero.target import ZoteroTarget

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    sync_into(zotero_server, tmp_path / "cache", socc_entries()[:3])
    out = tmp_path / "library.bib"
    monkeypatch.setattr(pull_command, "report_incomplete", ctrl_c)  # while the summary prints
    result = pull(zotero_server, out)
    assert result.exit_code == 130 and "nothing was written" not in result.stderr
    assert "interrupted after the .bib was written (it is complete)" in result.stderr
    assert out.read_text(encoding="utf-8").count("@inproceedings{") == 3

    monkeypatch.undo()
    out.unlink()
    monkeypatch.setattr(ZoteroTarget, "pin_keys", ctrl_c)  # while generated keys go to Zotero
    zotero_server.edit_item(SPEC, zotero_server.items(SPEC)[0]["key"], {"citationKey": ""})
    result = pull(zotero_server, out, "--pin-keys")
    assert result.exit_code == 130 and "nothing was written" not in result.stderr
    assert "interrupted after the .bib was written" in result.stderr
    assert out.read_text(encoding="utf-8").count("@inproceedings{") == 3
