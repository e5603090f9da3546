"""Syncing into a Zotero library: reading through the cache, writing in batches, errors."""

from __future__ import annotations

import pytest
from zotero_fixtures import (
    GROUP,
    OTHER_KEY,
    READ_KEY,
    USER,
    WRITE_KEY,
    library_state,
    open_target,
    socc_entries,
    sync_into,
)
from zotero_server import SCHEMA, Fault

from bibsync.errors import TargetError, UsageError
from bibsync.model import Entry, Person
from bibsync.plan import make_plan
from bibsync.sync import run_sync
from bibsync.targets.zotero.client import parse_library_spec, read_api_key
from bibsync.targets.zotero.items import item_from_entry
from bibsync.targets.zotero.target import open_zotero_target


SPEC = f"group:{GROUP}"


def calls(server) -> list[tuple[str, str, int]]:
    return [(r.method, r.path.replace(f"/groups/{GROUP}", ""), r.status) for r in server.requests()]


def test_first_sync_writes_two_batches_second_sync_asks_once(zotero_server, tmp_path):
    _, plan, report = sync_into(zotero_server, tmp_path, socc_entries())
    assert (plan.counts()["add"], report.added, report.failed) == (63, 63, [])
    assert calls(zotero_server) == [
        ("GET", "/keys/current", 200), ("GET", "/itemFields", 200), ("GET", "/items/top", 200),
        ("POST", "/items", 200), ("POST", "/items", 200)]
    posts = zotero_server.requests(writes=True)
    assert [r.headers["If-Unmodified-Since-Version"] for r in posts] == ["0", "1"]
    assert report.details["item_keys"]["wang2024hops"] in {d["key"] for d in zotero_server.items(SPEC)}
    zotero_server.reset_log()

    _, plan, report = sync_into(zotero_server, tmp_path, socc_entries())
    assert plan.counts()["same"] == 63 and (report.added, report.updated) == (0, 0)
    assert calls(zotero_server) == [("GET", "/keys/current", 200), ("GET", "/items/top", 304)]
    assert zotero_server.requests()[-1].headers["If-Modified-Since-Version"] == "2"


def test_later_syncs_fetch_only_what_changed(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path, socc_entries())
    items = {d["citationKey"]: d["key"] for d in zotero_server.items(SPEC)}
    zotero_server.edit_item(SPEC, items["wang2024hops"], {"volume": "7"})
    zotero_server.delete_item(SPEC, items[socc_entries()[1].key])
    zotero_server.put_item(SPEC, item_from_entry(Entry("article", {"title": "Someone else's paper", "year": "2020"},
                                                       (Person("Roe", "Ann"),), key="roe2020someone")))
    zotero_server.reset_log()
    target = open_target(zotero_server, tmp_path)
    entries = target.load()
    logged = zotero_server.requests()
    assert [(r.path.rsplit("/", 1)[-1], r.query.get("since")) for r in logged] == [
        ("current", None), ("top", "2"), ("deleted", "2")]
    keys = {e.key for e in entries}
    assert len(entries) == 63 and "roe2020someone" in keys and socc_entries()[1].key not in keys
    assert next(e for e in entries if e.key == "wang2024hops").get("volume") == "7"
    assert target.cache.library_version == 5 and target.cache.deleted_keys() == [items[socc_entries()[1].key]]
    target.close()
    zotero_server.reset_log()
    assert len(open_target(zotero_server, tmp_path).load()) == 63
    assert [r.status for r in zotero_server.requests()] == [200, 304]


def test_refresh_rebuilds_the_cache(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path, socc_entries())
    zotero_server.reset_log()
    entries = open_target(zotero_server, tmp_path, refresh=True).load()
    assert len(entries) == 63
    top = [r for r in zotero_server.requests() if r.path.endswith("/items/top")]
    assert len(top) == 1 and "since" not in top[0].query and "If-Modified-Since-Version" not in top[0].headers
    assert [r.path for r in zotero_server.requests()][1] == "/itemFields"


def test_full_fetch_pages_by_100_with_the_total(zotero_server, tmp_path):
    for i in range(230):
        zotero_server.put_item(SPEC, {"itemType": "document", "title": f"Note {i}"})
    target = open_target(zotero_server, tmp_path)
    seen = []
    items, version = target.client.fetch_items(on_page=lambda total, done: seen.append((total, done)))
    assert (len(items), version) == (230, 230)
    assert seen == [(230, 100), (230, 200), (230, 230)]
    assert [r.query.get("limit") for r in zotero_server.requests()] == ["100", "100", "100"]
    assert len({d["key"] for d in items}) == 230


def test_updates_carry_versions_and_keep_the_rest(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path, socc_entries())
    wang = next(d for d in zotero_server.items(SPEC) if d["citationKey"] == "wang2024hops")
    zotero_server.edit_item(SPEC, wang["key"], {"extra": "PMID: 1", "libraryCatalog": "ACM",
                                                "tags": [{"tag": "mine", "type": 0}]})
    richer = [e.with_fields(pages="1--12") if e.key == "wang2024hops" else e for e in socc_entries()]
    zotero_server.reset_log()
    _, plan, report = sync_into(zotero_server, tmp_path, richer)
    assert plan.counts() == {"add": 0, "update": 1, "same": 62, "review": 0}
    assert (report.updated, report.failed) == (1, [])
    post = zotero_server.requests(writes=True)[0]
    assert post.headers.get("If-Unmodified-Since-Version") is None  # the version is in the object
    after = next(d for d in zotero_server.items(SPEC) if d["key"] == wang["key"])
    assert (after["pages"], after["extra"], after["libraryCatalog"]) == ("1-12", "PMID: 1", "ACM")  # Zotero stores a hyphen
    assert after["tags"] == [{"tag": "mine", "type": 0}]


def test_more_than_fifty_updates_and_per_object_failures(zotero_server, tmp_path, monkeypatch):
    sync_into(zotero_server, tmp_path, socc_entries())
    book = Entry("book", {"title": "A book", "edition": "2", "year": "2021"}, (Person("Doe", "Jane"),), key="doe2021book")
    fields, creators = SCHEMA["book"]
    monkeypatch.setitem(SCHEMA, "book", ([f for f in fields if f != "edition"], creators))
    entries = [e.with_fields(pages="1--2") for e in socc_entries()] + [book]
    zotero_server.reset_log()
    target = open_target(zotero_server, tmp_path)
    result = run_sync(None, target, "fill", target.settings, incoming=entries, decisions=None)
    assert result.report.updated == 63 and result.report.added == 0
    assert result.report.failed == ["doe2021book: not added (HTTP 400: 'edition' is not a valid field for type 'book')"]
    assert result.exit_code == 1
    assert len(zotero_server.requests(writes=True)) == 3  # 50 + 13 updates, 1 create


def test_collection_is_created_once_and_holds_new_items(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path, socc_entries()[:10], collection="SoCC '24")
    library = zotero_server.library(SPEC)
    assert [c["data"]["name"] for c in library.collections.values()] == ["SoCC '24"]
    key = next(iter(library.collections))
    assert all(d["collections"] == [key] for d in zotero_server.items(SPEC))
    zotero_server.reset_log()
    sync_into(zotero_server, tmp_path, socc_entries()[:12], collection="SoCC '24")
    assert len(library.collections) == 1
    assert sum(1 for d in zotero_server.items(SPEC) if d["collections"] == [key]) == 12
    assert not any(r.path.endswith("/collections") for r in zotero_server.requests())  # cached


def test_keys_go_to_extra_when_the_server_has_no_citation_key_field(legacy_zotero_server, tmp_path):
    _, _, report = sync_into(legacy_zotero_server, tmp_path, socc_entries())
    assert (report.added, report.failed) == (63, [])
    extras = [d["extra"] for d in legacy_zotero_server.items(SPEC)]
    assert "Citation Key: wang2024hops" in extras
    _, plan, _ = sync_into(legacy_zotero_server, tmp_path, socc_entries())
    assert plan.counts()["same"] == 63


def test_user_library(zotero_server, tmp_path):
    _, _, report = sync_into(zotero_server, tmp_path, socc_entries()[:3], spec=f"user:{USER}")
    assert report.added == 3 and len(zotero_server.items(f"user:{USER}")) == 3


@pytest.mark.parametrize("key, message", [
    ("WRONGkey0000000000000000", "the Zotero server rejected the API key (HTTP 403)"),
    (READ_KEY, f"the API key may read group:{GROUP} but not write to it"),
    (OTHER_KEY, f"the API key has no access to group:{GROUP}"),
    (None, f"no Zotero API key to write to group:{GROUP}"),
])
def test_access_problems_are_one_clear_line(zotero_server, tmp_path, key, message):
    with pytest.raises(TargetError) as info:
        open_target(zotero_server, tmp_path, key=key).load()
    assert info.value.message == message
    assert zotero_server.requests(writes=True) == []
    if key:
        assert key not in str(info.value)


def test_read_only_key_may_read(zotero_server, tmp_path):
    sync_into(zotero_server, tmp_path / "a", socc_entries()[:2])
    assert len(open_target(zotero_server, tmp_path / "b", key=READ_KEY, require_write=False).load()) == 2


def test_unreachable_server(tmp_path, fake_clock):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    target = open_zotero_target(SPEC, endpoint=f"http://127.0.0.1:{port}", environ={"ZOTERO_API_KEY": WRITE_KEY})
    with pytest.raises(TargetError) as info:
        target.load()
    assert info.value.message == f"cannot reach the Zotero server at http://127.0.0.1:{port}"


def test_options(tmp_path):
    assert str(parse_library_spec("group:4711")) == "group:4711"
    assert parse_library_spec("user:1").path == "users/1"
    with pytest.raises(UsageError):
        parse_library_spec("groups/4711")
    keyfile = tmp_path / "key"
    keyfile.write_text(" FILEKEY \n")
    assert read_api_key(keyfile, {"ZOTERO_API_KEY": "ENVKEY"}) == "FILEKEY"
    assert read_api_key(None, {"ZOTERO_API_KEY": "ENVKEY"}) == "ENVKEY"
    assert read_api_key(None, {}) is None
    keyfile.write_text("")
    with pytest.raises(TargetError, match="empty"):
        read_api_key(keyfile, {})
    with pytest.raises(UsageError):
        open_zotero_target(SPEC, endpoint="ftp://example.org", environ={})


def test_make_plan_sees_generated_keys_for_items_without_one(zotero_server, tmp_path):
    zotero_server.put_item(SPEC, item_from_entry(socc_entries()[0].with_key(None)))
    target = open_target(zotero_server, tmp_path)
    entries = target.load()
    assert entries[0].key == "wang2024hops" and target.generated == {0: "wang2024hops"}
    plan = make_plan(list(socc_entries()[:1]), entries)
    assert plan.counts()["same"] == 1
    assert target.apply(plan).details["writes"] == 0
    assert library_state(zotero_server)[0].endswith("key=None)")


def test_a_library_that_changes_while_it_is_paged_is_read_whole(zotero_server, tmp_path):
    keys = [zotero_server.put_item(SPEC, {"itemType": "document", "title": f"Doc {i}"}) for i in range(150)]
    newest = keys[-1]  # first on page one (newest first); deleting it shifts page two by one

    zotero_server.faults.append(Fault("before", "GET", r"/items/top$", skip=1,
                                      action=lambda server: server.delete_item(SPEC, newest)))
    target = open_target(zotero_server, tmp_path)
    entries = target.load()
    assert len(entries) == 149 and {e.title for e in entries} == {f"Doc {i}" for i in range(149)}
    listing = [r.query for r in zotero_server.requests() if r.path.endswith("/items/top")]
    assert [q.get("format") for q in listing] == ["json", "json", "versions"]
    assert any("itemKey" in r.query for r in zotero_server.requests())  # the one page two skipped
