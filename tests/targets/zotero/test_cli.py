"""``bibsync sync --zotero`` from the command line; the API key never shows anywhere."""

from __future__ import annotations

import logging
import socket
import traceback

from typer.testing import CliRunner
from zotero_fixtures import GROUP, READ_KEY, SAMPLES, WRITE_KEY
from zotero_server import Fault

from bibsync.cli import app

runner = CliRunner()
SPEC = f"group:{GROUP}"
SOCC = str(SAMPLES / "acm-toc-socc24.txt")



def sync(endpoint: str, *args: str, env: dict | None = None):
    return runner.invoke(app, ["sync", SOCC, "--zotero", SPEC, "--zotero-endpoint", endpoint, "--yes", *args],
                         env=env if env is not None else {"ZOTERO_API_KEY": WRITE_KEY})


def everything(result) -> str:
    text = result.output + result.stderr
    if result.exc_info is not None and not isinstance(result.exc_info[1], SystemExit):
        text += "".join(traceback.format_exception(*result.exc_info))  # what BIBSYNC_DEBUG=1 would show
    return text


def test_sync_twice(zotero_server):
    first = sync(zotero_server.endpoint)
    assert first.exit_code == 0, everything(first)
    assert f"wrote Zotero {SPEC}: 63 added, 0 updated" in first.stderr
    assert len(zotero_server.items(SPEC)) == 63
    second = sync(zotero_server.endpoint)
    assert second.exit_code == 0
    assert f"Zotero {SPEC} is up to date: nothing to write" in second.stderr
    assert len(zotero_server.items(SPEC)) == 63


def test_api_key_file_and_endpoint_from_the_environment(zotero_server, tmp_path):
    keyfile = tmp_path / "zotero.key"
    keyfile.write_text(WRITE_KEY + "\n")
    result = runner.invoke(app, ["sync", SOCC, "--zotero", SPEC, "--api-key-file", str(keyfile), "--yes"],
                           env={"BIBSYNC_ZOTERO_ENDPOINT": zotero_server.endpoint})
    assert result.exit_code == 0, everything(result)
    assert len(zotero_server.items(SPEC)) == 63


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_wrong_key_read_only_key_unreachable_server(zotero_server):
    wrong = sync(zotero_server.endpoint, env={"ZOTERO_API_KEY": "WRONGsecret0000000000000"})
    assert wrong.exit_code == 1
    assert one_error_line(wrong) == "error: the Zotero server rejected the API key (HTTP 403)"
    read_only = sync(zotero_server.endpoint, env={"ZOTERO_API_KEY": READ_KEY})
    assert read_only.exit_code == 1
    assert one_error_line(read_only) == f"error: the API key may read {SPEC} but not write to it"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = sync(f"http://127.0.0.1:{port}")
    assert down.exit_code == 1
    assert one_error_line(down) == f"error: cannot reach the Zotero server at http://127.0.0.1:{port}"
    for result, key in ((wrong, "WRONGsecret0000000000000"), (read_only, READ_KEY), (down, WRITE_KEY)):
        assert key not in everything(result)
        assert "Traceback" not in everything(result)
    assert zotero_server.items(SPEC) == []


def test_the_key_is_not_logged_nor_in_a_debug_traceback(zotero_server, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    result = sync(zotero_server.endpoint)
    assert result.exit_code == 0
    assert caplog.records  # httpx and httpcore did log the requests...
    assert WRITE_KEY not in caplog.text  # ...but not the key

    # An unexpected failure shown with BIBSYNC_DEBUG=1: the server answers the key check with garbage.
    zotero_server.faults.append(Fault("status", "GET", "/keys/current", status=200, body="<html>oops</html>"))
    result = sync(zotero_server.endpoint, env={"ZOTERO_API_KEY": WRITE_KEY, "BIBSYNC_DEBUG": "1"})
    assert result.exit_code != 0 and "JSONDecodeError" in everything(result)  # a real traceback...
    assert WRITE_KEY not in everything(result) + caplog.text  # ...without the key


def dry_run(endpoint: str, source: str, key: str, *args: str):
    return runner.invoke(app, ["sync", source, "--zotero", SPEC, "--zotero-endpoint", endpoint, *args],
                         env={"ZOTERO_API_KEY": key})


def test_a_dry_run_with_a_read_only_key_exits_as_the_real_run(zotero_server, tmp_path, monkeypatch):
    """A plan that writes: the dry run names what would stop the real run and exits 1, from the
    key check it made anyway (the same requests as with a key that may write); a plan that
    writes nothing: both runs exit 0, as a read-only key needs no write access for it."""
    monkeypatch.setenv("BIBSYNC_CACHE_DIR", str(tmp_path / "cache"))
    few = tmp_path / "few.bib"
    few.write_text("@article{one, title = {A first paper}, author = {Doe, Jane}, year = {2020},"
                   " journal = {J}}\n", encoding="utf-8")
    assert dry_run(zotero_server.endpoint, str(few), WRITE_KEY, "--yes").exit_code == 0
    zotero_server.reset_log()
    writing_dry = dry_run(zotero_server.endpoint, SOCC, WRITE_KEY, "--dry-run", "--refresh")
    with_write_key = [(r.method, r.path) for r in zotero_server.requests()]
    zotero_server.reset_log()

    dry = dry_run(zotero_server.endpoint, SOCC, READ_KEY, "--dry-run", "--refresh")
    assert (writing_dry.exit_code, dry.exit_code) == (0, 1), everything(dry)
    assert "dry run: nothing written" in dry.stderr
    assert one_error_line(dry) == f"error: the real run would stop here: the API key may read {SPEC} but not write to it"
    assert "hint: allow writing for this key" in dry.stderr
    assert [(r.method, r.path) for r in zotero_server.requests()] == with_write_key
    real = dry_run(zotero_server.endpoint, SOCC, READ_KEY, "--yes")
    assert real.exit_code == 1
    assert one_error_line(real) == f"error: the API key may read {SPEC} but not write to it"
    assert zotero_server.requests(writes=True) == [] and len(zotero_server.items(SPEC)) == 1

    for args in (("--dry-run",), ("--yes",)):  # nothing to write: the key's rights do not matter
        same = dry_run(zotero_server.endpoint, str(few), READ_KEY, *args)
        assert same.exit_code == 0, everything(same)
        assert "error" not in same.stderr
    assert zotero_server.requests(writes=True) == []
