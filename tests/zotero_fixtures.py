"""Fixtures for the Zotero tests: the test server, a fake clock, and targets bound to both.

Import the fixtures into a test module with ``from zotero_fixtures import *``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from zotero_server import ZoteroTestServer

from bibsync.config import Settings
from bibsync.pipeline import parse_and_key
from bibsync.plan import make_plan
from bibsync.targets.zotero.client import RetryPolicy
from bibsync.targets.zotero.items import citation_key_of, entry_from_item
from bibsync.targets.zotero.target import open_zotero_target
from locations import SAMPLES

GROUP = 4711
USER = 99
WRITE_KEY = "WRITEkeySECRET0123456789"  # 24 characters, as Zotero keys are
READ_KEY = "READkeySECRET01234567890"
OTHER_KEY = "OTHERkeySECRET0123456789"  # valid, but no access to the group


class FakeClock:
    """A clock that only moves when ``sleep`` is called: retries take no real time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        """Record the wait and move time forward."""
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def clock(self) -> float:
        """The current fake time."""
        return self.now


def make_server(*, citation_key_field: bool = True) -> ZoteroTestServer:
    """A started server with group 4711 (and user 99) and three keys."""
    server = ZoteroTestServer(citation_key_field=citation_key_field)
    server.add_library("groups", GROUP, "SoCC reading group")
    server.add_library("users", USER, "My library")
    server.add_key(WRITE_KEY, USER, groups={GROUP: {"library": True, "write": True}})
    server.add_key(READ_KEY, USER, user_write=False, groups={GROUP: {"library": True, "write": False}})
    server.add_key(OTHER_KEY, 12345, groups={})
    return server.start()


@pytest.fixture
def zotero_server():
    """A running Zotero-compatible server (native citationKey field)."""
    server = make_server()
    yield server
    server.stop()


@pytest.fixture
def legacy_zotero_server():
    """A running server whose /itemFields has no citationKey (keys go to Extra)."""
    server = make_server(citation_key_field=False)
    yield server
    server.stop()


@pytest.fixture
def fake_clock() -> FakeClock:
    """Injectable sleep and clock."""
    return FakeClock()


def open_target(server: ZoteroTestServer, cache_dir: Path, clock: FakeClock | None = None, *,
                spec: str = f"group:{GROUP}", key: str | None = WRITE_KEY, **options):
    """Open a ZoteroTarget on the test server with its own cache folder and a fake clock."""
    clock = clock or FakeClock()
    environ = {"ZOTERO_API_KEY": key} if key else {}
    options.setdefault("timeout", 5.0)
    return open_zotero_target(spec, endpoint=server.endpoint, settings=Settings(cache_dir=cache_dir),
                              retry=RetryPolicy(sleep=clock.sleep, clock=clock.clock), environ=environ,
                              **options)


@lru_cache(maxsize=1)
def socc_entries() -> tuple:
    """The 63 SoCC '24 entries with keys, as ``bibsync parse`` gives them (parsed once)."""
    result = parse_and_key([str(SAMPLES / "acm-toc-socc24.txt")])
    assert len(result.entries) == 63 and not result.failures
    return tuple(result.entries)


def sync_into(server: ZoteroTestServer, cache_dir: Path, entries, clock: FakeClock | None = None,
              policy: str = "fill", **options):
    """Load, plan and apply once; returns (target, plan, report)."""
    target = open_target(server, cache_dir, clock, policy=policy, **options)
    plan = make_plan(list(entries), target.load(), policy)
    report = target.apply(plan)
    target.close()
    return target, plan, report


def library_state(server: ZoteroTestServer, spec: str = f"group:{GROUP}") -> list[str]:
    """The library's content, independent of item keys, versions and dates: one line per item."""
    return sorted(repr(entry_from_item(data)) for data in server.items(spec))


def citation_keys(server: ZoteroTestServer, spec: str = f"group:{GROUP}") -> list[str]:
    """Every item's citation key (None for items without one), sorted."""
    return sorted((citation_key_of(d) or "") for d in server.items(spec))
