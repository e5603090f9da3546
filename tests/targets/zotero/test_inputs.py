"""Zotero inputs are checked before any request: the API key's characters and the endpoint URL;
and a Retry-After no run would sit through is reported as what it is."""

from __future__ import annotations

import email.utils
import time

import pytest
from typer.testing import CliRunner
from zotero_fixtures import GROUP, SAMPLES, WRITE_KEY, socc_entries, sync_into
from zotero_server import Fault

from bibsync.cli import app
from bibsync.errors import TargetError

runner = CliRunner()
SPEC = f"group:{GROUP}"
SOCC = str(SAMPLES / "acm-toc-socc24.txt")
ITEMS = r"/groups/\d+/items$"


def sync(*args: str, env: dict):
    result = runner.invoke(app, ["sync", SOCC, "--zotero", SPEC, "--yes", *args], env=env)
    everything = result.output + result.stderr
    assert "Traceback" not in everything and "internal error" not in everything
    return result


@pytest.mark.parametrize("char, kind", [("\n", "a line break"), ("\r", "a carriage return"),
                                        ("\x01", "a control character"), ("é", "a non-ASCII character"),
                                        ("\u200b", "a non-ASCII character"), (" ", "a space")])
def test_an_api_key_that_cannot_be_one_is_refused_before_any_request(zotero_server, char, kind):
    key = WRITE_KEY[:10] + char + WRITE_KEY[11:]
    started = time.monotonic()
    result = sync("--zotero-endpoint", zotero_server.endpoint, env={"ZOTERO_API_KEY": key})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: ZOTERO_API_KEY: the Zotero API key holds {kind} (character 11 of 24)")
    assert "zotero.org/settings/keys" in result.stderr
    assert key not in result.output + result.stderr and WRITE_KEY[:10] not in result.stderr
    assert zotero_server.requests() == [] and time.monotonic() - started < 10  # no retries blaming the server


@pytest.mark.parametrize("char, kind", [("\n", "a line break"), ("\x00", "a NUL character")])
def test_a_key_file_with_a_break_or_nul_inside_names_the_file(zotero_server, tmp_path, char, kind):
    keyfile = tmp_path / "zotero.key"
    keyfile.write_text(WRITE_KEY[:12] + char + WRITE_KEY[12:] + "\n")  # the trailing line end is fine
    result = sync("--zotero-endpoint", zotero_server.endpoint, "--api-key-file", str(keyfile), env={})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {keyfile}: the Zotero API key holds {kind} (character 13 of 25)")
    assert zotero_server.requests() == []


@pytest.mark.parametrize("endpoint, problem", [
    ("http://[::1", "the IPv6 address in [...] is not valid or not closed"),
    ("http://[::1]x", "the IPv6 address in [...] is not valid"),
    ("http://localhost:99999", "the port is not a number from 1 to 65535"),
    ("http://localhost:port", "the port is not a number from 1 to 65535"),
    ("http://user:secret@localhost:8080", "it holds a user name or password"),
    ("http://local host", "it holds a space or a control character"),
    ("api.zotero.org", "it must start with https:// or http://"),
    ("https://api.zotero.org/?x=1", "it holds a query or fragment"),
])
def test_an_endpoint_that_is_no_url_is_a_usage_error(endpoint, problem):
    result = sync("--zotero-endpoint", endpoint, env={"ZOTERO_API_KEY": WRITE_KEY})
    assert result.exit_code == 2
    assert f"is not a server address: {problem}" in " ".join(result.stderr.split())


def test_the_endpoint_from_the_environment_is_checked_too():
    result = sync(env={"ZOTERO_API_KEY": WRITE_KEY, "BIBSYNC_ZOTERO_ENDPOINT": "http://[::1"})
    assert result.exit_code == 2 and "the IPv6 address in [...]" in result.stderr


@pytest.mark.parametrize("retry_after", ["100000", "date"])
def test_an_unrealistic_retry_after_is_reported_as_such(zotero_server, tmp_path, fake_clock, retry_after):
    if retry_after == "date":
        retry_after = email.utils.formatdate(time.time() + 3 * 86400, usegmt=True)
    zotero_server.faults.append(Fault("status", "POST", ITEMS, status=429, retry_after=retry_after))
    with pytest.raises(TargetError) as info:
        sync_into(zotero_server, tmp_path, socc_entries(), fake_clock)
    message = info.value.message
    assert message.startswith("the Zotero server asked bibsync to wait ")
    assert f"before writing items (HTTP 429, Retry-After: {retry_after}), longer than bibsync waits (120 s" \
        in message
    assert ("27.8 hours" if retry_after == "100000" else "days)") in message
    assert "kept answering" not in message and "run the same command again after that time" in info.value.hint
    assert fake_clock.sleeps == [] and len(zotero_server.requests(writes=True)) == 1
    assert zotero_server.items(SPEC) == []
