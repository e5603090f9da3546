"""Shared pytest setup: no test may reach the network or the user's real cache."""

from __future__ import annotations

import os
import signal

import pytest
from hypothesis import HealthCheck, settings

# Property tests must not depend on the machine's speed or on earlier runs: CI runs on a
# shared, loaded machine from a clean clone. So no per-example deadline, no "too slow"
# health check, no example database; and one fixed sequence of examples, so that a failure
# in CI is the same failure on a developer's machine. BIBSYNC_HYPOTHESIS=explore draws new
# examples on every run instead.
settings.register_profile("ci", deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("BIBSYNC_HYPOTHESIS", "ci"))

# A test run started in the background by a shell without job control inherits SIGINT
# ignored, and so would every bibsync process the tests start: the Ctrl-C tests would see no
# interrupt. A handler of our own is reset to the default in each child, which then acts on it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Fixtures of the Zotero-compatible test server (tests/zotero_fixtures.py), for every module.
pytest_plugins = ["zotero_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own bibsync cache folder, and no proxy or terminal settings of the caller."""
    monkeypatch.setenv("BIBSYNC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    # What the caller's shell or CI runner says about the terminal (colours forced on or off, a
    # width, bibsync's own switches) is not the test's: each test that needs one sets it.
    for name in ("FORCE_COLOR", "NO_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS",
                 "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES", "BIBSYNC_DEBUG", "BIBSYNC_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")  # CI runners often say "dumb": rich draws no bar there
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
    monkeypatch.delenv("BIBSYNC_ZOTERO_ENDPOINT", raising=False)


_LONG_ID = 40


def pytest_make_parametrize_id(config, val, argname):
    """A short test id for a long string parameter (a hostile page, a 100 KB nesting).

    pytest before 9.2 puts the whole string into the test's id, and so into the
    PYTEST_CURRENT_TEST variable that every process a test starts inherits: an id over 128 KiB
    makes each such start fail with "Argument list too long". CI's Python has such a pytest.
    """
    if isinstance(val, (str, bytes)) and len(val) > _LONG_ID:
        text = val if isinstance(val, str) else val.decode("latin-1")
        head = text[:24].encode("unicode_escape").decode("ascii")
        return f"{head}...{len(val)}chars"
    return None
