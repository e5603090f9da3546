"""Benchmark: sync the 63 SoCC '24 entries into an empty Zotero group, then again.

Runs against the Zotero-compatible test server (tests/zotero_server.py: real HTTP on
127.0.0.1, driven by the real pyzotero client) and counts the requests bibsync sends.
Targets: 2 write requests the first time (63 = 50 + 13), 0 writes and at most 2 requests
the second time (the key check and a 304 for "nothing changed").

    python benchmarks/zotero_sync.py
    items=63 first_requests=5 first_writes=2 second_requests=2 second_writes=0
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from zotero_server import ZoteroTestServer

from bibsync.config import Settings
from bibsync.pipeline import parse_and_key
from bibsync.sync import run_sync
from bibsync.targets.zotero.target import open_zotero_target

GROUP = 4711
KEY = "BENCHkey0123456789abcdef"


def sync_once(server: ZoteroTestServer, entries, settings: Settings) -> tuple[int, int, int]:
    """One sync through the real sync path; returns (items written, requests, write requests)."""
    target = open_zotero_target(f"group:{GROUP}", endpoint=server.endpoint, settings=settings,
                                environ={"ZOTERO_API_KEY": KEY})
    try:
        result = run_sync(None, target, "fill", settings, incoming=entries)
    finally:
        target.close()
    assert result.report is not None and not result.report.failed, result.report
    return result.report.added + result.report.updated, target.client.requests, target.client.writes


def main() -> int:
    """Run the benchmark and print one line of figures."""
    entries = parse_and_key([str(ROOT / "samples" / "acm-toc-socc24.txt")]).entries
    server = ZoteroTestServer()
    server.add_library("groups", GROUP, "SoCC '24")
    server.add_key(KEY, 1, groups={GROUP: {"library": True, "write": True}})
    server.start()
    try:
        with tempfile.TemporaryDirectory() as cache:
            settings = Settings(cache_dir=Path(cache))
            _, first_requests, first_writes = sync_once(server, entries, settings)
            assert len(server.items(f"group:{GROUP}")) == len(entries)
            second_items, second_requests, second_writes = sync_once(server, entries, settings)
            assert second_items == 0 and len(server.items(f"group:{GROUP}")) == len(entries)
            # The server's own log agrees with the client's counts.
            assert len(server.requests()) == first_requests + second_requests
    finally:
        server.stop()
    print(f"items={len(entries)} first_requests={first_requests} first_writes={first_writes} "
          f"second_requests={second_requests} second_writes={second_writes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
