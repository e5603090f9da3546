"""Shared pytest setup: no test may reach the network or the user's real cache."""

from __future__ import annotations

import pytest

# Fixtures of the Zotero-compatible test server (tests/zotero_fixtures.py), for every module.
pytest_plugins = ["zotero_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own bibsync cache folder and no proxy settings."""
    monkeypatch.setenv("BIBSYNC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
    monkeypatch.delenv("BIBSYNC_ZOTERO_ENDPOINT", raising=False)
