"""bibsync.toml and the flags that mirror it are checked the same way, at once, naming the file
and line (or the flag): the Zotero endpoint, secrets, a byte-order mark, a bibsync.toml that
is not a file, field names, an empty endpoint (QA review, items 9 and 13)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from locations import DATA

REVIEW = DATA / "review"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("command", [["config"], ["sync", str(REVIEW / "incoming.bib"), "--yes"]])
def test_a_bad_endpoint_in_the_file_is_blamed_on_the_file_and_line(project, command):
    (project / "bibsync.toml").write_text('into = "refs.bib"\n[zotero]\nendpoint = "http://[::1"\n')
    result = run(*command)
    assert result.exit_code == 2, result.output
    assert (f"error: {project / 'bibsync.toml'}:3: zotero.endpoint: 'http://[::1' is not a server address: "
            "the IPv6 address in [...] is not valid or not closed") in one_line(result.stderr)
    assert "--zotero-endpoint or BIBSYNC_ZOTERO_ENDPOINT" not in result.stderr


def test_a_byte_order_mark_is_accepted(project):
    (project / "bibsync.toml").write_bytes(b'\xef\xbb\xbfinto = "refs.bib"\nomit = ["abstract"]\n')
    result = run("config")
    assert result.exit_code == 0, result.output
    assert f"{project / 'refs.bib'}" in result.stdout and f"{project / 'bibsync.toml'}:1" in result.stdout


def test_a_secret_under_zotero_says_where_secrets_belong(project):
    (project / "bibsync.toml").write_text('[zotero]\nlibrary = "group:4711"\napi_key = "SECRETkey0123456789abcd"\n')
    result = run("config")
    assert result.exit_code == 2
    message = one_line(result.stderr)
    assert f"{project / 'bibsync.toml'}:3: 'zotero.api_key': secrets do not belong in bibsync.toml" in message
    assert "ZOTERO_API_KEY" in message and "--api-key-file" in message and "SECRETkey" not in message


@pytest.mark.parametrize("kind, make", [
    ("a folder", lambda path: path.mkdir()),
    ("a FIFO (named pipe)", lambda path: os.mkfifo(path)),  # read, it would block the run forever
])
def test_a_bibsync_toml_that_is_not_a_file_is_named_not_ignored(project, kind, make):
    make(project / "bibsync.toml")
    result = run("config")
    assert result.exit_code == 2
    assert f"error: {project / 'bibsync.toml'}: is {kind}, not a settings file" in one_line(result.stderr)


@pytest.mark.parametrize("args, message", [
    (["--omit", "bad field"], "--omit: 'bad field' is not a field name"),
    (["--omit", "note", "--omit", "{x}"], "--omit: '{x}' is not a field name"),
])
def test_omitted_field_names_are_checked(project, args, message):
    result = run("parse", str(REVIEW / "incoming.bib"), *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_field_names_in_the_file_are_checked_too(project):
    (project / "bibsync.toml").write_text('omit = ["abstract", "my notes"]\n')
    result = run("config")
    assert result.exit_code == 2
    assert f"{project / 'bibsync.toml'}:1: omit: 'my notes' is not a field name" in one_line(result.stderr)


@pytest.mark.parametrize("value, message", [
    ("", "--zotero-endpoint: expected a server address such as https://api.zotero.org, not an empty string"),
    ("http://[::1", "--zotero-endpoint: 'http://[::1' is not a server address"),
])
def test_an_empty_or_broken_endpoint_flag_is_a_usage_error(project, value, message):
    result = run("sync", str(REVIEW / "incoming.bib"), "--zotero", "group:4711", "--zotero-endpoint", value, "--yes")
    assert result.exit_code == 2 and message in one_line(result.stderr)
