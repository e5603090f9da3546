"""The read cache: an unchanged file is not parsed again; stale, corrupt or foreign caches are ignored;
what a write changed is derived without a full read, and equals one."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.model import Entry, Person
from bibsync.plan import make_plan
from bibsync.sync import run_sync
from bibsync.targets.bibfile import cache as bibcache
from bibsync.targets.bibfile.cache import ReadCache
from bibsync.targets.bibfile.state import after_edits, read_result
from bibsync.targets.bibfile.target import BibFileTarget
from locations import SAMPLES

SOCC = SAMPLES / "acm-toc-socc24.txt"
PROPS = settings(max_examples=int(os.environ.get("BIBSYNC_PROPERTY_EXAMPLES", "25")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _bib(path: Path, n: int = 300) -> None:
    path.write_text('@string{jot = "Journal of Tests"}\n\n' + "".join(
        f"@article{{k{i},\n  author = {{Writer{i}, Ann and M{{\\\"u}}ller, Bo}},\n  title = {{Paper {i} on topic {i % 7}}},\n"
        f"  journal = jot,\n  year = {{{1950 + i % 70}}},\n}}\n\n" for i in range(n)) + "@article{k5,\n  title = {Again}\n}\n")


def _same_read(a: BibFileTarget, b: BibFileTarget, ea: list[Entry], eb: list[Entry]) -> None:
    assert ea == eb
    assert [(e.origin.file, e.origin.line) for e in ea] == [(e.origin.file, e.origin.line) for e in eb]
    assert a.entry_spans == b.entry_spans
    assert [(f.message, f.file, f.line, f.hint, f.severity, f.kind) for f in a.failures] == \
        [(f.message, f.file, f.line, f.hint, f.severity, f.kind) for f in b.failures]


def _load(path: Path, cache: ReadCache | None) -> tuple[BibFileTarget, list[Entry]]:
    target = BibFileTarget(path, read_only=True, cache=cache)
    with target.session():
        entries = target.load()
    return target, entries


def test_an_unchanged_file_is_read_from_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    cache = ReadCache(tmp_path / "cache", min_bytes=0)
    first, entries = _load(path, cache)
    assert not first.from_cache and len(entries) == 301
    again, cached = _load(path, cache)
    assert again.from_cache
    _same_read(first, again, entries, cached)
    assert again.failures[0].message == "duplicate key 'k5'; both entries kept"
    key = tmp_path / "cache" / "bib-reads" / ".key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_a_write_leaves_the_read_of_the_new_file_in_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    cache = ReadCache(tmp_path / "cache", min_bytes=0)
    incoming = [Entry("article", {"title": "Gossip in enclaves", "journal": "Journal of Tests", "year": "2011"},
                      (Person("Roe", "Jane"),)),
                Entry("article", {"title": "Paper 7 on topic 0", "journal": "Journal of Tests", "year": "1957",
                                  "doi": "10.1000/k7"}, (Person("Writer7", "Ann"), Person("Müller", "Bo")))]
    result = run_sync(None, BibFileTarget(path, cache=cache), incoming=incoming, decisions=None)
    assert result.report.added == 1 and result.report.updated == 1
    cached_target, cached = _load(path, cache)
    assert cached_target.from_cache
    fresh_target, fresh = _load(path, None)
    _same_read(fresh_target, cached_target, fresh, cached)
    again = run_sync(None, BibFileTarget(path, cache=cache), incoming=incoming, decisions=None)
    assert again.plan.to_apply() == []


@pytest.mark.parametrize("spoil", ["edited", "same-size-edit", "garbage", "truncated", "other-key", "foreign",
                                   "other-version", "lax-key"])
def test_a_stale_corrupt_or_foreign_cache_is_ignored(tmp_path: Path, spoil: str) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    cache = ReadCache(tmp_path / "cache", min_bytes=0)
    _load(path, cache)
    cache_file = cache.file_for(path)
    if spoil == "edited":
        path.write_text(path.read_text().replace("Paper 3 on", "Paper 3 about"))
    elif spoil == "same-size-edit":  # same size and modification time: only the hash tells
        stat = path.stat()
        path.write_text(path.read_text().replace("Paper 3 on", "Paper 3 in"))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        path.write_text(path.read_text().replace("Paper 3 in", "Paper 3 at"))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    elif spoil == "garbage":
        cache_file.write_bytes(b"\x00\xff not json")
    elif spoil == "truncated":
        cache_file.write_bytes(cache_file.read_bytes()[:-100])
    elif spoil == "other-key":
        (cache.folder / ".key").write_bytes(os.urandom(32))
    elif spoil == "foreign":  # a cache file made for another copy of the same file
        other = tmp_path / "copy.bib"
        shutil.copy(path, other)
        _load(other, cache)
        shutil.copy(cache.file_for(other), cache_file)
    elif spoil == "other-version":
        mac, _, payload = cache_file.read_bytes().partition(b"\n")
        data = json.loads(payload)
        data["reader"] = "bibsync-bib-read/0"
        payload = json.dumps(data).encode()
        import hashlib
        import hmac
        key = (cache.folder / ".key").read_bytes()
        cache_file.write_bytes(hmac.new(key, payload, hashlib.sha256).hexdigest().encode() + b"\n" + payload)
    elif spoil == "lax-key":
        os.chmod(cache.folder / ".key", 0o644)
    target, entries = _load(path, cache)
    assert not target.from_cache
    fresh_target, fresh = _load(path, None)
    _same_read(fresh_target, target, fresh, entries)


def test_a_forged_cache_with_a_valid_mac_but_wrong_spans_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    cache = ReadCache(tmp_path / "cache", min_bytes=0)
    target, _ = _load(path, cache)
    result = target._read
    result.spans[3] = (result.spans[3][0] + 1, result.spans[3][1])  # not the start of an entry
    cache.store(path, target._state, result)
    again, _ = _load(path, cache)
    assert not again.from_cache


def test_no_cache_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    _bib(path, 1000)
    assert path.stat().st_size > bibcache.MIN_BYTES
    cache_dir = Path(os.environ["BIBSYNC_CACHE_DIR"]) / "bib-reads"
    result = CliRunner().invoke(app, ["sync", str(SOCC), "--into", str(path), "--dry-run", "--no-cache"])
    assert result.exit_code == 0 and not cache_dir.exists()
    result = CliRunner().invoke(app, ["sync", str(SOCC), "--into", str(path), "--dry-run"])
    assert result.exit_code == 0 and len(list(cache_dir.glob("*.json"))) == 1


# --- the read after a write equals a full read ---------------------------------------------------

WORDS = ["Gossip", "Enclaves", "Leases", "Quorum", "Tensors", "Müller", "{GPU}", "Clocks"]


@st.composite
def texts(draw) -> str:
    parts = ['@string{jot = "Journal of Tests"}']
    for i in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["entry", "entry", "entry", "comment", "dupkey", "broken", "crossref", "parent"]))
        title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=4))) + f" {i}"
        if kind == "comment":
            parts.append("% a comment line")
        elif kind == "broken":
            parts.append(f"@misc{{broken{i},\n  title = {{never closed,\n")
        elif kind == "crossref":
            parts.append(f"@inproceedings{{c{i},\n  author = {{Roe, Jane}},\n  title = {{{title}}},\n  crossref = {{vol}},\n}}")
        elif kind == "parent":
            parts.append("@proceedings{vol,\n  title = {Proceedings of Tests},\n  year = {2001},\n}")
        else:
            key = "same" if kind == "dupkey" else f"k{i}"
            sep = draw(st.sampled_from([",\n", ",\n", "\n"]))  # now and then a missing comma
            parts.append(f"@article{{{key},\n  author = {{Writer{i}, Ann}},\n  title = {{{title}}}{sep}"
                         f"  journal = jot,\n  year = {{{1990 + i}}}\n}}")
    gap = draw(st.sampled_from(["\n\n", "\n", "\n\n\n"]))
    return gap.join(parts) + draw(st.sampled_from(["\n", "", "\n\n"]))


@PROPS
@given(texts(), st.data())
def test_the_read_after_a_write_equals_a_full_read(tmp_path: Path, text: str, data) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(text)
    target = BibFileTarget(path, read_only=True, sorted_keys=data.draw(st.booleans()))
    entries = target.load()
    incoming = [e.with_fields(pages="1--10", note="Extended version") for e in
                data.draw(st.lists(st.sampled_from(entries), max_size=3)) if entries] if entries else []
    incoming += [Entry("article", {"title": f"Zyxwv unmatched {n}", "journal": "Journal of Tests", "year": "2031"},
                       (Person("Ünique", "Ann"),)) for n in range(data.draw(st.integers(0, 2)))]
    plan = make_plan(incoming, entries)
    edits, problems = target.edits(plan)
    from bibsync.bibtex.splice import apply_edits
    new = apply_edits(target.text, edits)
    derived = after_edits(target._read, target.text, edits, str(path))
    if derived is None:
        assert any("crossref" in e.fields for e in entries) or target.failures or problems or not edits, text
        return
    fresh = read_result(new, str(path))
    assert derived.entries == fresh.entries
    assert [e.origin.line for e in derived.entries] == [e.origin.line for e in fresh.entries]
    assert derived.spans == fresh.spans
    assert [(f.message, f.line, f.kind) for f in derived.failures] == [(f.message, f.line, f.kind) for f in fresh.failures]
    assert derived.macros == fresh.macros and derived.macro_names == fresh.macro_names
