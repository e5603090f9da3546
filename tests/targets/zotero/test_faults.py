"""Under every injected fault the library ends as it would without it: no duplicate, nothing lost."""

from __future__ import annotations

import time

import pytest
from zotero_fixtures import (
    GROUP,
    citation_keys,
    library_state,
    make_server,
    socc_entries,
    sync_into,
)
from zotero_server import Fault

from bibsync.errors import TargetError
from bibsync.targets.zotero.items import item_from_entry


SPEC = f"group:{GROUP}"
ITEMS = r"/groups/\d+/items$"


@pytest.fixture(scope="module")
def fault_free():
    """The library after a fault-free sync of the 63 entries into an empty group, and after an update."""
    import tempfile
    from pathlib import Path

    server = make_server()
    try:
        with tempfile.TemporaryDirectory() as cache:
            _, _, report = sync_into(server, Path(cache), socc_entries())
            assert report.added == 63
            added = library_state(server)
            sync_into(server, Path(cache), with_pages(socc_entries()))
            updated = library_state(server)
    finally:
        server.stop()
    return {"added": added, "updated": updated}


def with_pages(entries):
    """The entries with page ranges, so that a second sync updates every item."""
    return [e.with_fields(pages=f"{i + 1}--{i + 10}") for i, e in enumerate(entries)]


def assert_complete(server, expected):
    assert library_state(server) == expected
    keys = citation_keys(server)
    assert len(keys) == 63 and len(set(keys)) == 63  # no duplicate, nothing lost


CREATE_FAULTS = {
    "429 with Retry-After": (Fault("status", "POST", ITEMS, status=429, retry_after="7"), [7.0]),
    "429 without Retry-After": (Fault("status", "POST", ITEMS, status=429), [1.0]),
    "503 with Retry-After": (Fault("status", "POST", ITEMS, status=503, retry_after="3"), [3.0]),
    "503 twice without Retry-After": (Fault("status", "POST", ITEMS, status=503, times=2), [1.0, 2.0]),
    "429 on a read": (Fault("status", "GET", r"/items/top$", status=429, retry_after="2"), [2.0]),
    "503 on the key check": (Fault("status", "GET", r"/keys/current$", status=503), [1.0]),
    "Backoff on a 200": (Fault("backoff", "POST", ITEMS, seconds=5), [5.0]),
    "dropped after the first write committed": (Fault("drop_after", "POST", ITEMS), [1.0]),
    "dropped after the second write committed": (Fault("drop_after", "POST", ITEMS, skip=1), [1.0]),
    "dropped before the write": (Fault("drop_before", "POST", ITEMS), [1.0]),
    "dropped while reading": (Fault("drop_before", "GET", r"/items/top$"), [1.0]),
}


@pytest.mark.parametrize("name", list(CREATE_FAULTS))
def test_first_sync_under_fault(name, zotero_server, tmp_path, fake_clock, fault_free):
    fault, sleeps = CREATE_FAULTS[name]
    zotero_server.faults.append(fault)
    _, _, report = sync_into(zotero_server, tmp_path, socc_entries(), fake_clock)
    assert fault.hits == 1 or fault.times == fault.hits
    assert (report.added, report.failed) == (63, [])
    assert fake_clock.sleeps == sleeps
    if fault.kind == "drop_after":  # the retry was refused (412), and reconciled against ?since=
        assert 412 in [r.status for r in zotero_server.requests(writes=True)]
        assert any("since" in r.query for r in zotero_server.requests(writes=False))
    assert_complete(zotero_server, fault_free["added"])


def test_a_write_that_timed_out_after_commit_is_not_repeated(zotero_server, tmp_path, fake_clock, fault_free):
    zotero_server.faults.append(Fault("slow_after", "POST", ITEMS, seconds=0.6))
    _, _, report = sync_into(zotero_server, tmp_path, socc_entries(), fake_clock, timeout=0.2)
    assert (report.added, report.failed) == (63, [])
    time.sleep(0.5)  # let the slow answer finish before the server stops
    assert_complete(zotero_server, fault_free["added"])
    posts = [(r.status, r.headers["Zotero-Write-Token"]) for r in zotero_server.requests(writes=True)]
    # The retry reused the write token and was refused; the two batches were written once each.
    refused = [token for status, token in posts if status == 412]
    assert len(refused) == 1 and (200, refused[0]) in posts
    assert [status for status, _ in posts].count(200) == 2


UPDATE_FAULTS = {
    "429 with Retry-After": Fault("status", "POST", ITEMS, status=429, retry_after="4"),
    "503 without Retry-After": Fault("status", "POST", ITEMS, status=503),
    "dropped after the update committed": Fault("drop_after", "POST", ITEMS),
    "dropped before the update": Fault("drop_before", "POST", ITEMS),
}


@pytest.mark.parametrize("name", list(UPDATE_FAULTS))
def test_update_under_fault(name, zotero_server, tmp_path, fake_clock, fault_free):
    sync_into(zotero_server, tmp_path, socc_entries())
    zotero_server.faults.append(UPDATE_FAULTS[name])
    _, plan, report = sync_into(zotero_server, tmp_path, with_pages(socc_entries()), fake_clock)
    assert plan.counts()["update"] == 63
    assert report.failed == []
    assert_complete(zotero_server, fault_free["updated"])


def test_concurrent_edit_between_read_and_write(zotero_server, tmp_path, fake_clock, tmp_path_factory):
    """Another client edits two items after bibsync read them: 412, read again, plan again, write."""
    sync_into(zotero_server, tmp_path, socc_entries())
    items = {d["citationKey"]: d["key"] for d in zotero_server.items(SPEC)}
    first, second = socc_entries()[0].key, socc_entries()[1].key
    edits = [(items[first], {"volume": "42"}), (items[second], {"pages": "99--100"})]

    def edit(server):
        for key, change in edits:
            server.edit_item(SPEC, key, change)

    zotero_server.faults.append(Fault("before", "POST", ITEMS, action=edit))
    _, _, report = sync_into(zotero_server, tmp_path, with_pages(socc_entries()), fake_clock)
    assert report.failed == [] and report.details["replanned"] == 2
    assert report.updated == 62  # the second item got its pages from the other client: fill keeps them

    # The same edits made before bibsync read the library give the same library.
    expected = make_server()
    try:
        cache = tmp_path_factory.mktemp("expected")
        sync_into(expected, cache, socc_entries())
        keys = {d["citationKey"]: d["key"] for d in expected.items(SPEC)}
        edits[:] = [(keys[first], {"volume": "42"}), (keys[second], {"pages": "99--100"})]
        edit(expected)
        sync_into(expected, cache, with_pages(socc_entries()))
        assert library_state(zotero_server) == library_state(expected)
    finally:
        expected.stop()
    by_key = {d["citationKey"]: d for d in zotero_server.items(SPEC)}
    assert (by_key[first]["volume"], by_key[first]["pages"]) == ("42", "1-10")
    assert by_key[second]["pages"] == "99--100"


def test_concurrent_add_of_the_same_paper_makes_no_duplicate(zotero_server, tmp_path, fake_clock, tmp_path_factory):
    """Another client adds one of the papers (without a key) after bibsync read the empty library."""
    other = item_from_entry(socc_entries()[3].with_key(None))
    zotero_server.faults.append(Fault("before", "POST", ITEMS, action=lambda s: s.put_item(SPEC, other)))
    _, _, report = sync_into(zotero_server, tmp_path, socc_entries(), fake_clock)
    assert (report.added, report.failed) == (62, [])
    assert len(zotero_server.items(SPEC)) == 63
    expected = make_server()
    try:
        expected.put_item(SPEC, other)
        sync_into(expected, tmp_path_factory.mktemp("expected"), socc_entries())
        assert library_state(zotero_server) == library_state(expected)
    finally:
        expected.stop()


def test_gives_up_after_a_bounded_time_with_a_clear_message(zotero_server, tmp_path, fake_clock):
    zotero_server.faults.append(Fault("status", "POST", ITEMS, status=503, times=1000))
    with pytest.raises(TargetError) as info:
        sync_into(zotero_server, tmp_path, socc_entries(), fake_clock)
    message = str(info.value)
    assert message.startswith("gave up writing items after 8 attempts in 91 s: "
                              "the Zotero server kept answering HTTP 503")
    assert fake_clock.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]  # within the 120 s budget
    assert zotero_server.items(SPEC) == []


def test_an_overlong_backoff_is_refused_not_slept(zotero_server, tmp_path, fake_clock):
    zotero_server.faults.append(Fault("backoff", "GET", r"/keys/current$", seconds=3600))
    started = time.monotonic()
    with pytest.raises(TargetError, match="asked bibsync to wait 3600 s"):
        sync_into(zotero_server, tmp_path, socc_entries(), fake_clock)
    assert time.monotonic() - started < 5 and fake_clock.sleeps == []


def test_waits_take_no_real_time(zotero_server, tmp_path, fake_clock):
    """pyzotero's own backoff (real sleeps, timer threads) is off; only the injected sleep waits."""
    zotero_server.faults.append(Fault("backoff", "GET", r"/items/top$", seconds=30))
    zotero_server.faults.append(Fault("status", "POST", ITEMS, status=429, retry_after="60"))
    started = time.monotonic()
    sync_into(zotero_server, tmp_path, socc_entries(), fake_clock)
    assert time.monotonic() - started < 5
    assert fake_clock.sleeps == [30.0, 60.0]
