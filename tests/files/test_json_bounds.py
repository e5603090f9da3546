"""Every JSON input is read within bounds: nesting depth and number length, with a clear error
that names the file and the place; and a decision file's format number is checked as a number."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.errors import TargetError
from bibsync.files.jsonload import MAX_DEPTH, JsonLimitError, json_error_message, load_json
from bibsync.review.decisions import FORMAT_VERSION, DecisionStore
from locations import DATA, SAMPLES

runner = CliRunner()
CSL = (DATA / "csl" / "zotero_mendeley.json").read_text(encoding="utf-8")
LISTING = SAMPLES / "acm-toc-socc24.txt"
DEEP = "[" * 100_000
HUGE = "9" * 5000


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output + result.stderr and "internal error" not in result.stderr
    return result


# --- the loader -----------------------------------------------------------------------------

def test_ordinary_json_loads_as_json_loads_does():
    assert load_json(CSL) == json.loads(CSL)
    assert load_json('{"a": [1, -2.5e3, "[[[{{{", {"b": null}], "c": "\\"]"}') == \
        {"a": [1, -2500.0, "[[[{{{", {"b": None}], "c": '"]'}


def test_depth_is_bounded_exactly_and_brackets_inside_strings_do_not_count():
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_json(at_limit) is not None
    assert load_json(json.dumps(["[" * 5000])) == ["[" * 5000]
    with pytest.raises(JsonLimitError) as err:
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert (err.value.lineno, err.value.colno) == (1, MAX_DEPTH + 1)
    assert f"more than {MAX_DEPTH} levels" in json_error_message(err.value)


@pytest.mark.parametrize("text", [DEEP, "[" * 2000 + "]" * 2000, '{"a":' * 50_000])
def test_deep_nesting_is_a_limit_error_not_a_recursion_error(text):
    with pytest.raises(JsonLimitError, match="nests more than 100 levels deep"):
        load_json(text)


def test_long_numbers_are_refused_with_their_place():
    text = '{\n  "issued": {"date-parts": [[' + HUGE + "]]}\n}"
    with pytest.raises(JsonLimitError) as err:
        load_json(text)
    assert (err.value.lineno, err.value.colno) == (2, 30)
    assert json_error_message(err.value).startswith("a number 5,000 characters long")
    with pytest.raises(JsonLimitError, match="a number 202 characters long"):
        load_json("[1." + "5" * 200 + "]")


def test_a_syntax_error_is_still_named_as_such():
    with pytest.raises(json.JSONDecodeError) as err:
        load_json('{"a": 1')
    assert not isinstance(err.value, JsonLimitError)
    assert json_error_message(err.value) == "this is not valid JSON: Expecting ',' delimiter"


# --- CSL-JSON and respub JSON ------------------------------------------------------------------

def test_csl_json_nested_100000_deep_is_a_clear_error(tmp_path):
    path = tmp_path / "refs.json"
    item = json.loads(CSL)[0]
    path.write_text('[\n' + json.dumps(item)[:-1] + ',\n "note": ' + DEEP + "}]\n")
    result = run("parse", str(path))
    assert result.exit_code == 1
    assert f"{path}:3" in result.stderr and "nests more than 100 levels deep" in result.stderr


def test_csl_json_date_parts_with_a_5000_digit_number_is_a_clear_error(tmp_path):
    item = json.loads(CSL)[0]
    item["issued"] = {"date-parts": [[2020]]}
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([item], indent=1).replace("2020", HUGE))
    result = run("parse", str(path))
    assert result.exit_code == 1
    line = path.read_text().splitlines().index(next(l for l in path.read_text().splitlines() if HUGE in l)) + 1
    assert f"{path}:{line}" in result.stderr and "a number 5,000 characters long" in result.stderr


def test_csl_json_date_parts_with_a_5000_digit_string_keeps_the_entry(tmp_path):
    item = json.loads(CSL)[0]
    item["issued"] = {"date-parts": [["2020", HUGE]]}
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([item]))
    result = run("parse", str(path))
    assert result.exit_code == 0, result.stderr
    assert "year = {2020}" in result.stdout and "month" not in result.stdout


@pytest.mark.parametrize("wrap", ["{}", "callback({});"])
def test_respub_json_nested_100000_deep_is_a_clear_error(tmp_path, wrap):
    path = tmp_path / "search.jsonp"
    path.write_text(wrap.replace("{}", '{"objectid": 1, "title": "A", "authors": ' + DEEP))
    result = run("parse", "--from", "respub-json", str(path))
    assert result.exit_code == 1
    assert f"{path}:1" in result.stderr and "nests more than 100 levels deep" in result.stderr


# --- decision files ------------------------------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    (DEEP, "nests more than 100 levels deep"),
    ('{"bibsync": 2,\n "decisions": [{"entry": "x", "decision": "merge", "score": ' + HUGE + "}]}",
     "a number 5,000 characters long"),
])
def test_a_hostile_decision_file_stops_the_sync_with_a_clear_error(tmp_path, content, message):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{a, title = {A}}\n")
    decisions = tmp_path / "refs.bib.bibsync.json"
    decisions.write_text(content)
    result = run("sync", str(LISTING), "--into", str(bib), "--yes")
    assert result.exit_code == 1
    line = 1 if content is DEEP else 2
    assert f"{decisions}:{line}" in result.stderr and message in result.stderr
    assert bib.read_text() == "@misc{a, title = {A}}\n" and decisions.read_text() == content


@pytest.mark.parametrize("version", ["1.5", "true", "0", "-1", '"2"'])
def test_a_format_that_is_not_a_format_number_is_called_that_not_newer(tmp_path, version):
    path = tmp_path / "refs.bib.bibsync.json"
    path.write_text('{\n  "decisions": [],\n  "bibsync": ' + version + "\n}\n")
    with pytest.raises(TargetError) as err:
        DecisionStore.for_bib(tmp_path / "refs.bib")
    assert err.value.message == (f"the decision file has format {version}, which is not a format number: "
                                 f"bibsync writes a whole number from 1 to {FORMAT_VERSION} there")
    assert err.value.where == f"{path}:3" and "newer" not in err.value.hint


def test_a_newer_format_still_says_upgrade(tmp_path):
    path = tmp_path / "refs.bib.bibsync.json"
    path.write_text(json.dumps({"bibsync": FORMAT_VERSION + 1, "decisions": []}))
    with pytest.raises(TargetError, match=f"format {FORMAT_VERSION + 1}; this bibsync reads format {FORMAT_VERSION} and older") as err:
        DecisionStore.for_bib(tmp_path / "refs.bib")
    assert "newer version" in err.value.hint


# --- bibsync.toml (read with tomllib: the same two hazards) -------------------------------------

@pytest.mark.parametrize("value, message", [("[" * 100_000, "values nested more than 100 levels deep"),
                                            (HUGE, "a number too long to read")])
def test_a_hostile_bibsync_toml_is_a_usage_error_with_its_line(tmp_path, monkeypatch, value, message):
    (tmp_path / ".git").mkdir()
    (tmp_path / "bibsync.toml").write_text(f'into = "refs.bib"\nomit = {value}\n')
    monkeypatch.chdir(tmp_path)
    result = run("config")
    assert result.exit_code == 2
    assert f"{tmp_path / 'bibsync.toml'}:2: cannot read this TOML: {message}" in result.stderr
