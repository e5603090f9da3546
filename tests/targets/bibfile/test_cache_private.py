"""The read cache holds the user's bibliography: its folder is 0700 and its files 0600 whatever
the umask, and a cache written by another reader (another version, edited code) is never trusted."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from bibsync.targets.bibfile import cache as bibcache
from bibsync.targets.bibfile.cache import ReadCache
from bibsync.targets.bibfile.target import BibFileTarget


def _bib(path: Path, n: int = 50) -> None:
    path.write_text("".join(f"@article{{k{i},\n  author = {{Writer{i}, Ann}},\n  title = {{Paper {i}}},\n"
                            f"  journal = {{J}},\n  year = {{{1990 + i % 30}}},\n}}\n\n" for i in range(n)))


def _load(path: Path, cache: ReadCache) -> BibFileTarget:
    target = BibFileTarget(path, read_only=True, cache=cache)
    with target.session():
        target.load()
    return target


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o000)  # the loosest umask: nothing may rely on it
    yield
    os.umask(old)


def test_cache_folder_is_0700_and_cache_files_0600(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    cache = ReadCache(tmp_path / "user-cache", min_bytes=0)
    assert not _load(path, cache).from_cache
    assert _mode(tmp_path / "user-cache") == 0o700 and _mode(cache.folder) == 0o700
    assert _mode(cache.file_for(path)) == 0o600 and _mode(cache.folder / ".key") == 0o600
    assert _load(path, cache).from_cache


def test_a_loose_cache_folder_is_tightened(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    cache = ReadCache(tmp_path / "c", min_bytes=0)
    cache.folder.mkdir(parents=True, mode=0o777)
    os.chmod(cache.folder, 0o777)
    _load(path, cache)
    assert _mode(cache.folder) == 0o700 and _mode(cache.file_for(path)) == 0o600


def test_a_cache_file_made_loose_is_written_back_private(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    cache = ReadCache(tmp_path / "c", min_bytes=0)
    _load(path, cache)
    os.chmod(cache.file_for(path), 0o644)
    path.write_text(path.read_text() + "\n")  # changed: read again, the cache written again
    _load(path, cache)
    assert _mode(cache.file_for(path)) == 0o600


def test_a_linked_cache_folder_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "bib-reads").symlink_to(elsewhere)
    cache = ReadCache(tmp_path / "c", min_bytes=0)
    _load(path, cache)
    assert not _load(path, cache).from_cache and list(elsewhere.iterdir()) == []


def test_a_cache_of_another_reader_code_is_ignored(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "refs.bib"
    _bib(path)
    folder = tmp_path / "c"
    _load(path, ReadCache(folder, min_bytes=0))
    assert _load(path, ReadCache(folder, min_bytes=0)).from_cache
    monkeypatch.setattr(bibcache, "reader_fingerprint", lambda root=None: "0" * 16)  # an edited reader
    edited = ReadCache(folder, min_bytes=0)
    target = _load(path, edited)
    assert not target.from_cache  # the other reader's cache is ignored (and replaced by this one's)
    assert _load(path, ReadCache(folder, min_bytes=0)).from_cache
    monkeypatch.undo()
    assert not _load(path, ReadCache(folder, min_bytes=0)).from_cache


def _reader_copy(tmp_path: Path) -> Path:
    """A copy of the package's reader sources (and one module outside them) to edit."""
    root = Path(bibcache.__file__).resolve().parents[2]
    copy = tmp_path / "bibsync"
    for name in bibcache.READER_SOURCES + ("sync.py",):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, copy / name)
    return copy


def test_the_fingerprint_follows_every_edit_of_the_reader_code_only(tmp_path: Path) -> None:
    reader_fingerprint = bibcache.reader_fingerprint
    copy = _reader_copy(tmp_path)
    base = reader_fingerprint(copy)
    assert base == reader_fingerprint(copy) == reader_fingerprint(Path(bibcache.__file__).resolve().parents[2])
    (copy / "sync.py").write_text("# not part of a read\n")
    assert reader_fingerprint(copy) == base
    for name in ("bibtex/read.py", "targets/bibfile/state.py", "text.py", "__init__.py"):
        original = (copy / name).read_bytes()
        (copy / name).write_bytes(original + b"\n# edited\n")
        assert reader_fingerprint(copy) != base, name
        (copy / name).write_bytes(original)
    (copy / "bibtex" / "new_helper.py").write_text("X = 1\n")
    assert reader_fingerprint(copy) != base
