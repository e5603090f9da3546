"""bibsync.toml, the settings in effect, ``bibsync config``, and a thesis repository's day."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.bibtex.read import read_bibtex
from bibsync.cli import app
from bibsync.config import Settings, file_keys, find_config, load_settings, read_config
from bibsync.errors import UsageError
from bibsync.keys import DEFAULT_PATTERN
from locations import ROOT, SAMPLES

runner = CliRunner()

THESIS_TOML = """# the thesis's bibliography settings
into = "refs.bib"
key_format = "[auth:lower][year]"
omit = ["abstract", "keywords"]
collection = "Thesis"

[zotero]
library = "group:4711"
endpoint = "http://127.0.0.1:9"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def thesis(tmp_path: Path) -> Path:
    """A thesis repository: .git, bibsync.toml at the root, refs.bib, chapters/."""
    root = tmp_path / "thesis"
    (root / ".git").mkdir(parents=True)
    write(root / "bibsync.toml", THESIS_TOML)
    (root / "chapters").mkdir()
    return root


# --- finding the file -------------------------------------------------------------------------

def test_found_in_the_nearest_parent(thesis):
    deep = thesis / "chapters" / "two" / "figures"
    deep.mkdir(parents=True)
    assert find_config(deep, home=thesis.parent.parent) == thesis / "bibsync.toml"


def test_the_search_stops_at_the_repository_root(tmp_path):
    write(tmp_path / "bibsync.toml", 'into = "outer.bib"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    assert find_config(repo / "src", home=Path("/nonexistent")) is None


def test_the_search_stops_at_the_home_folder(tmp_path):
    write(tmp_path / "bibsync.toml", 'into = "outer.bib"\n')
    home = tmp_path / "home"
    (home / "papers").mkdir(parents=True)
    assert find_config(home / "papers", home=home) is None
    write(home / "bibsync.toml", 'into = "mine.bib"\n')
    assert find_config(home / "papers", home=home) == home / "bibsync.toml"


# --- reading it ---------------------------------------------------------------------------------

def test_every_key_is_read_and_paths_are_relative_to_the_file(thesis):
    values = read_config(thesis / "bibsync.toml")
    toml = str(thesis / "bibsync.toml")
    assert values == {
        "into": (thesis / "refs.bib", f"{toml}:2"),
        "key_pattern": ("[auth:lower][year]", f"{toml}:3"),
        "omit": (("abstract", "keywords"), f"{toml}:4"),
        "collection": ("Thesis", f"{toml}:5"),
        "zotero": ("group:4711", f"{toml}:8"),
        "zotero_endpoint": ("http://127.0.0.1:9", f"{toml}:9"),
    }


def test_all_keys_of_the_issue(tmp_path):
    path = write(tmp_path / "bibsync.toml", 'into = "../refs.bib"\nzotero = "user:12"\ncollection = "C"\n'
                 'key_format = "[auth][year]"\nbiblatex = true\nascii = false\nprefer = "source"\n'
                 'omit = ["Abstract", "journaltitle"]\n\n[zotero]\nendpoint = "https://z.example.org/"\n')
    with pytest.raises(UsageError) as caught:  # zotero as a string and as a table: TOML itself refuses
        read_config(path)
    assert caught.value.where.startswith(f"{path}:")
    path.write_text(path.read_text().replace('zotero = "user:12"\n', "").replace("[zotero]\n", '[zotero]\nlibrary = "user:12"\n'))
    settings = load_settings(config=path, environ={})
    assert (settings.into, settings.zotero, settings.collection, settings.key_pattern, settings.biblatex,
            settings.ascii, settings.prefer, settings.omit, settings.zotero_endpoint) == (
        tmp_path.parent / "refs.bib", "user:12", "C", "[auth][year]", True, False, "source",
        ("abstract", "journal"), "https://z.example.org")
    assert {k.key for k in file_keys()} == {"into", "zotero", "collection", "key_format", "biblatex", "ascii",
                                            "prefer", "omit", "decisions", "zotero.endpoint"}


@pytest.mark.parametrize("text,line,words", [
    ('into = "refs.bib"\nintoo = "x.bib"\n', 2, "unknown key 'intoo'"),
    ('into = "refs.bib"\n\n[zotero]\nendpoint = "http://x"\napi_key = "SECRET"\n', 5,
     "'zotero.api_key': secrets do not belong in bibsync.toml"),
    ('biblatex = "yes"\n', 1, "biblatex: expected true or false, not a string"),
    ('omit = "abstract"\n', 1, 'omit: expected a list of field names such as ["abstract", "keywords"]'),
    ('prefer = "mine"\n', 1, "prefer: expected one of fill, source, target, not 'mine'"),
    ('zotero = "4711"\n', 1, "zotero: expected user:ID or group:ID"),
    ('key_format = "[auth"\n', 1, "key_format:"),
    ('into = "refs.bib"\nkey_format = [auth]\n', 2, "not valid TOML"),
    ('into = "refs.bib"\n[zotero\n', 2, "not valid TOML"),
])
def test_a_bad_file_names_file_and_line_and_exits_2(tmp_path, monkeypatch, text, line, words):
    path = write(tmp_path / "bibsync.toml", text)
    with pytest.raises(UsageError) as caught:
        read_config(path)
    assert caught.value.where == f"{path}:{line}"
    assert words in caught.value.message
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2
    assert f"{path}:{line}" in result.stderr and "Traceback" not in result.stderr


def test_a_secret_is_refused_with_a_hint(tmp_path):
    path = write(tmp_path / "bibsync.toml", 'api_key = "0123456789abcdef"\n')
    with pytest.raises(UsageError) as caught:
        read_config(path)
    assert "'api_key': secrets do not belong in bibsync.toml" in caught.value.message
    assert "ZOTERO_API_KEY" in caught.value.hint and "--api-key-file" in caught.value.hint
    assert "0123456789abcdef" not in str(caught.value)


# --- precedence -------------------------------------------------------------------------------

def test_flags_beat_environment_beat_file_beat_defaults(thesis):
    environ = {"BIBSYNC_ZOTERO_ENDPOINT": "http://127.0.0.2:8080"}
    flags = {"key_pattern": ("[authEtAl][year]", "flag --key-format")}
    settings = load_settings(flags, cwd=thesis / "chapters", environ=environ, home=thesis.parent)
    assert settings.key_pattern == "[authEtAl][year]" and settings.origin("key_pattern") == "flag --key-format"
    assert settings.zotero_endpoint == "http://127.0.0.2:8080"
    assert settings.origin("zotero_endpoint") == "env BIBSYNC_ZOTERO_ENDPOINT"
    assert settings.into == thesis / "refs.bib" and settings.origin("into") == f"{thesis / 'bibsync.toml'}:2"
    assert settings.biblatex is False and settings.origin("biblatex") == "default"
    assert settings.config_path == thesis / "bibsync.toml"


def test_without_a_file_the_defaults_stand(tmp_path):
    (tmp_path / ".git").mkdir()
    settings = load_settings(cwd=tmp_path, environ={}, home=tmp_path)
    assert settings.config_path is None
    assert (settings.key_pattern, settings.omit, settings.into, settings.writes_ascii) == (DEFAULT_PATTERN, (), None, True)
    assert settings == Settings(cache_dir=settings.cache_dir)


def test_a_new_key_is_one_line():
    """Every file key is a Settings field declared with ``setting(...)``: nothing else lists them."""
    declared = [f.name for f in fields(Settings) if "kind" in f.metadata]
    assert [k.name for k in file_keys()] == declared


# --- bibsync config -------------------------------------------------------------------------------

def test_config_shows_each_setting_and_where_it_comes_from(thesis, monkeypatch):
    monkeypatch.chdir(thesis / "chapters")
    monkeypatch.setenv("ZOTERO_API_KEY", "SECRETkey0123456789abcd")
    result = runner.invoke(app, ["config", "--prefer", "source", "--omit", "note"])
    assert result.exit_code == 0, result.output
    toml = thesis / "bibsync.toml"
    lines = {line.split(" = ")[0].strip(): " ".join(line.split(" = ", 1)[1].split()) for line in result.stdout.splitlines()
             if " = " in line}
    assert result.stdout.startswith(f"# bibsync.toml: {toml}\n")
    assert lines["into"] == f"{thesis / 'refs.bib'} {toml}:2"
    assert lines["key_format"] == f"[auth:lower][year] {toml}:3"
    assert lines["omit"] == '["note"] flag --omit'
    assert lines["prefer"] == "source flag --prefer"
    assert lines["zotero"] == f"group:4711 {toml}:8"
    assert lines["biblatex"] == "false default"
    assert lines["zotero api key"] == "(set, never shown) env ZOTERO_API_KEY"
    assert "SECRET" not in result.stdout


# --- a thesis repository, run from chapters/ ------------------------------------------------------

EXISTING = """@inproceedings{sartakov2021cubicleos,
  author = {Sartakov, Vasily A. and Vilanova, Llu{\\'\\i}s and Pietzuch, Peter},
  title = {{CubicleOS}: A library {OS} with software componentisation for practical isolation},
  booktitle = {ASPLOS '21},
  year = {2021},
}

@inproceedings{zhu2023msrl,
  author = {Zhu, Huanzhou and Zhao, Bo and Chen, Gang and Chen, Weifeng and Chen, Yijie and Shi, Liang and Yang, Yaodong and Pietzuch, Peter and Chen, Lei},
  title = {{MSRL}: Distributed Reinforcement Learning with Dataflow Fragments},
  booktitle = {USENIX Annual Technical Conference},
  year = {2023},
  abstract = {Kept: an abstract the thesis already has stays as it is.},
}
"""


def test_sync_from_a_chapter_writes_the_refs_bib_named_above_without_omitted_fields(thesis, monkeypatch):
    refs = write(thesis / "refs.bib", EXISTING)
    monkeypatch.chdir(thesis / "chapters")
    result = runner.invoke(app, ["sync", str(SAMPLES / "imperial-respub-pietzuch.txt"), "--yes"])
    assert result.exit_code in (0, 3), result.output
    assert f"wrote {refs}:" in " ".join(result.stderr.split())
    assert not (thesis / "chapters" / "refs.bib").exists()
    text = refs.read_text(encoding="utf-8")
    entries = {e.key: e for e in read_bibtex(text).entries}
    assert len(entries) > 25
    # No abstract written, in new entries nor in completed ones; the one the thesis had stays.
    assert text.count("abstract = ") == 1
    assert entries["zhu2023msrl"].fields["abstract"] == "Kept: an abstract the thesis already has stays as it is."
    assert "pages" in entries["zhu2023msrl"].fields  # completed with what is not omitted
    # Keys follow the file's key_format: [auth:lower][year].
    new_keys = [k for k in entries if k not in ("sartakov2021cubicleos", "zhu2023msrl")]
    assert len(new_keys) > 25 and all(re.fullmatch(r"[a-z]+(19|20)\d\d[a-z]?", k) for k in new_keys), new_keys
    # A second identical run writes nothing.
    again = runner.invoke(app, ["sync", str(SAMPLES / "imperial-respub-pietzuch.txt"), "--yes"])
    assert "is up to date: nothing to write" in again.stderr
    assert refs.read_text(encoding="utf-8") == text


def test_a_flag_overrides_the_file_for_one_run(thesis, monkeypatch):
    write(thesis / "refs.bib", EXISTING)
    monkeypatch.chdir(thesis / "chapters")
    other = thesis / "chapters" / "draft.bib"
    result = runner.invoke(app, ["sync", str(SAMPLES / "imperial-respub-pietzuch.txt"), "--into", "draft.bib",
                                 "--omit", "pages", "--yes"])
    assert result.exit_code == 0, result.output
    text = other.read_text(encoding="utf-8")
    assert "pages = " not in text and "abstract = " in text  # --omit replaced the file's list
    assert (thesis / "refs.bib").read_text(encoding="utf-8") == EXISTING


def test_review_and_check_use_the_file_too(thesis, monkeypatch):
    write(thesis / "refs.bib", EXISTING)
    monkeypatch.chdir(thesis / "chapters")
    checked = runner.invoke(app, ["check"])
    assert checked.exit_code == 0 and "all 2 entries" in checked.stdout
    reviewed = runner.invoke(app, ["review"])
    assert reviewed.exit_code == 0, reviewed.output


def test_the_readme_example_is_valid_and_shows_every_key(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    path = write(tmp_path / "bibsync.toml", example)
    values = read_config(path)
    assert set(values) == {k.name for k in file_keys()}
    table = readme.split("| key | flag | meaning |", 1)[1].split("\n\n", 1)[0]
    for key in file_keys():  # one row per key in the README's table
        name = f"`[{key.key.split('.')[0]}] {key.key.split('.')[1]}`" if "." in key.key else f"`{key.key}`"
        assert f"\n| {name}" in table, name


def test_the_decision_file_named_in_the_file_is_where_a_sync_keeps_its_pending_case(thesis, monkeypatch):
    toml = thesis / "bibsync.toml"
    toml.write_text(toml.read_text().replace('collection = "Thesis"\n', 'decisions = "bib/decisions.json"\n'))
    refs = write(thesis / "refs.bib", EXISTING)
    monkeypatch.chdir(thesis / "chapters")
    result = runner.invoke(app, ["sync", str(SAMPLES / "imperial-respub-pietzuch.txt"), "--yes"])
    assert result.exit_code == 3, result.output  # the CubicleOS artefact waits for review
    shared = thesis / "bib" / "decisions.json"
    assert shared.is_file() and not Path(f"{refs}.bibsync.json").exists()
    assert "sartakov2021cubicleos" in shared.read_text(encoding="utf-8")
    config = runner.invoke(app, ["config"])
    assert re.search(rf"decisions\s+= {re.escape(str(shared))}\s+{re.escape(str(toml))}:\d+", config.stdout), config.stdout
