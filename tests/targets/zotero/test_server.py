"""The Zotero-compatible test server speaks the documented protocol (raw HTTP and pyzotero)."""

from __future__ import annotations

import httpx
import pytest
from pyzotero import zotero, zotero_errors
from zotero_fixtures import GROUP, READ_KEY, WRITE_KEY

ITEM = {"itemType": "conferencePaper", "title": "Hops", "creators": [
    {"creatorType": "author", "firstName": "Qinghe", "lastName": "Wang"}]}



def client(server, key: str = WRITE_KEY) -> httpx.Client:
    return httpx.Client(base_url=f"{server.endpoint}/groups/{GROUP}", trust_env=False,
                        headers={"Zotero-API-Key": key, "Zotero-API-Version": "3"})


def post(http: httpx.Client, objects: list, **headers) -> httpx.Response:
    return http.post("/items", json=objects, headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_versions_304_and_since(zotero_server):
    with client(zotero_server) as http:
        empty = http.get("/items")
        assert (empty.status_code, empty.json(), empty.headers["Last-Modified-Version"]) == (200, [], "0")
        first = post(http, [ITEM, {**ITEM, "title": "Two"}]).json()
        assert sorted(first["success"]) == ["0", "1"] and first["failed"] == {}
        assert first["successful"]["0"]["version"] == 1
        assert http.get("/items", headers={"If-Modified-Since-Version": "1"}).status_code == 304
        assert http.get("/items", headers={"If-Modified-Since-Version": "0"}).status_code == 200
        post(http, [{**ITEM, "title": "Three"}])
        since = http.get("/items", params={"since": 1})
        assert [o["data"]["title"] for o in since.json()] == ["Three"]
        assert since.headers["Last-Modified-Version"] == "2"
        versions = http.get("/items", params={"format": "versions"}).json()
        assert sorted(versions.values()) == [1, 1, 2]


def test_updates_need_a_current_version(zotero_server):
    with client(zotero_server) as http:
        key = post(http, [ITEM]).json()["success"]["0"]
        assert post(http, [{"key": key, "title": "No version"}]).json()["failed"]["0"]["code"] == 428
        stale = post(http, [{"key": key, "version": 0, "title": "Stale"}]).json()["failed"]["0"]
        assert stale["code"] == 412
        assert post(http, [{"key": key, "version": 1, "title": "Fresh"}]).json()["success"] == {"0": key}
        assert http.patch(f"/items/{key}", json={"title": "x"}).status_code == 428
        assert http.patch(f"/items/{key}", json={"title": "x"},
                          headers={"If-Unmodified-Since-Version": "1"}).status_code == 412
        ok = http.patch(f"/items/{key}", json={"title": "x"}, headers={"If-Unmodified-Since-Version": "2"})
        assert (ok.status_code, ok.headers["Last-Modified-Version"]) == (204, "3")
        assert post(http, [ITEM], If_Unmodified_Since_Version="2").status_code == 412


def test_write_tokens_and_limits(zotero_server):
    with client(zotero_server) as http:
        token = "a" * 32
        assert post(http, [ITEM], Zotero_Write_Token=token).status_code == 200
        again = post(http, [ITEM], Zotero_Write_Token=token)
        assert (again.status_code, again.text) == (412, "Write token already used")
        assert post(http, [ITEM] * 51).status_code == 413
        bad = post(http, [{**ITEM, "bogus": "x"}, {**ITEM, "creators": [{"creatorType": "programmer", "name": "X"}]}])
        assert {i: f["code"] for i, f in bad.json()["failed"].items()} == {"0": 400, "1": 400}
        assert len(zotero_server.items(f"group:{GROUP}")) == 1


def test_paging_links_and_totals(zotero_server):
    with client(zotero_server) as http:
        for start in range(0, 120, 50):
            post(http, [{**ITEM, "title": f"T{i}"} for i in range(start, min(start + 50, 120))])
        first = http.get("/items", params={"limit": 100})
        assert first.headers["Total-Results"] == "120" and len(first.json()) == 100
        nxt = first.links["next"]["url"]
        assert "start=100" in nxt
        rest = http.get(nxt)
        assert len(rest.json()) == 20 and "next" not in rest.links
        assert len(http.get("/items").json()) == 25  # the default limit
        titles = {o["data"]["title"] for o in first.json() + rest.json()}
        assert len(titles) == 120


def test_deleted_keys_and_access(zotero_server):
    with client(zotero_server) as http:
        key = post(http, [ITEM]).json()["success"]["0"]
        assert http.delete(f"/items/{key}", headers={"If-Unmodified-Since-Version": "1"}).status_code == 204
        assert http.get("/deleted", params={"since": 1}).json()["items"] == [key]
        assert http.get("/deleted", params={"since": 2}).json()["items"] == []
        assert http.get("/deleted").status_code == 400
    with client(zotero_server, READ_KEY) as http:
        assert http.get("/items").status_code == 200
        assert (post(http, [ITEM]).status_code, post(http, [ITEM]).text) == (403, "Write access denied")
    with client(zotero_server, "nope" * 6) as http:
        assert http.get("/items").status_code == 403
        assert http.get(f"{zotero_server.endpoint}/keys/current").status_code == 403
    with client(zotero_server, READ_KEY) as http:
        access = http.get(f"{zotero_server.endpoint}/keys/current").json()["access"]
        assert access["groups"][str(GROUP)] == {"library": True, "write": False}


def test_item_fields_with_and_without_citation_key(zotero_server, legacy_zotero_server):
    native = httpx.get(f"{zotero_server.endpoint}/itemFields", trust_env=False).json()
    legacy = httpx.get(f"{legacy_zotero_server.endpoint}/itemFields", trust_env=False).json()
    assert "citationKey" in {f["field"] for f in native}
    assert "citationKey" not in {f["field"] for f in legacy}
    with client(legacy_zotero_server) as http:
        failed = post(http, [{**ITEM, "citationKey": "k"}]).json()["failed"]["0"]
        assert failed["code"] == 400 and "citationKey" in failed["message"]


def test_collections(zotero_server):
    with client(zotero_server) as http:
        created = http.post("/collections", json=[{"name": "SoCC"}]).json()
        key = created["success"]["0"]
        post(http, [{**ITEM, "collections": [key]}, ITEM])
        assert [c["data"]["name"] for c in http.get("/collections").json()] == ["SoCC"]
        assert len(http.get(f"/collections/{key}/items").json()) == 1
        assert post(http, [{**ITEM, "collections": ["ZZZZ2222"]}]).json()["failed"]["0"]["code"] == 409


def test_driven_by_pyzotero(zotero_server):
    zot = zotero.Zotero(GROUP, "group", WRITE_KEY)
    zot.endpoint = zotero_server.endpoint
    zot.client = httpx.Client(headers=zot.default_headers(), trust_env=False)
    answer = zot.create_items([dict(ITEM), {**ITEM, "title": "Second"}])
    assert len(answer["success"]) == 2
    assert zotero_server.requests()[-1].headers["Zotero-Write-Token"]
    items = zot.top(limit=1)
    assert len(items) == 1 and zot.links["next"]
    assert len(zot.everything(zot.top(limit=1))) == 2
    assert zot.item_versions() == {k: 1 for k in answer["success"].values()}
    assert zot.deleted(since=0)["items"] == []
    with pytest.raises(zotero_errors.TooManyItemsError):
        zot.create_items([dict(ITEM)] * 51)
