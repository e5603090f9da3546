"""The SQLite cache of a Zotero library: one database per library, versions, deletions, safety."""

from __future__ import annotations

from bibsync.targets.zotero.cache import ZoteroCache, cache_path


def item(key: str, version: int, title: str = "T") -> dict:
    return {"key": key, "version": version, "itemType": "document", "title": title}


def test_one_database_per_library_and_server(tmp_path):
    a = cache_path(tmp_path, "https://api.zotero.org", "groups", 1)
    assert a.parent == tmp_path / "zotero" and a.name.endswith("-groups-1.sqlite3")
    assert a != cache_path(tmp_path, "https://api.zotero.org", "users", 1)
    assert a != cache_path(tmp_path, "http://127.0.0.1:8080", "groups", 1)


def test_versions_changes_and_deletions(tmp_path):
    path = tmp_path / "lib.sqlite3"
    with ZoteroCache(path) as cache:
        assert cache.library_version is None and cache.items() == []
        cache.replace_all([item("BBBB2222", 3), item("AAAA2222", 5)], 5)
        assert cache.library_version == 5
        cache.apply_changes([item("AAAA2222", 6, "new")], ["BBBB2222"], 6)
        cache.store_written([item("CCCC2222", 7)], None)
    with ZoteroCache(path) as cache:  # it persists
        assert cache.library_version == 6  # our write did not move it: someone else may have written
        assert [(d["key"], d["title"]) for d in cache.items()] == [("AAAA2222", "new"), ("CCCC2222", "T")]
        assert cache.versions() == {"AAAA2222": 6, "CCCC2222": 7}
        assert cache.deleted_keys() == ["BBBB2222"]
        cache.store_written([], 7)
        assert cache.library_version == 7
        cache.clear()
        assert cache.library_version is None and cache.items() == []


def test_collections_are_valid_only_at_their_library_version(tmp_path):
    with ZoteroCache(tmp_path / "lib.sqlite3") as cache:
        cache.replace_all([], 4)
        assert cache.collections() is None
        cache.replace_collections([{"key": "COLL2222", "version": 2, "name": "A"}], 4)
        assert [c["name"] for c in cache.collections()] == ["A"]
        cache.store_written([item("AAAA2222", 5)], 5)  # our own item write: collections unchanged
        assert cache.collections() is not None
        cache.apply_changes([], [], 6)  # someone else's changes: read the collections again
        assert cache.collections() is None


def test_item_fields_expire(tmp_path):
    with ZoteroCache(tmp_path / "lib.sqlite3") as cache:
        assert cache.item_fields(3600) is None
        cache.set_item_fields(["title", "citationKey"])
        assert cache.item_fields(3600) == ["title", "citationKey"]
        assert cache.item_fields(-1) is None


def test_a_damaged_cache_is_rebuilt(tmp_path):
    path = tmp_path / "lib.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with ZoteroCache(path) as cache:
        assert cache.library_version is None
        cache.replace_all([item("AAAA2222", 1)], 1)
        assert len(cache.items()) == 1
