"""A target that cannot be written (read-only file system, read-only file, a folder that takes no
new file or is missing): a clear message naming the file, with a hint, and a dry run that exits
as the real run would."""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.errors import TargetError
from bibsync.files.atomic import save

BIB = "@article{doe2020gpu,\n  author = {Doe, Jane},\n  title = {A Study of Clocks},\n  journal = {J},\n  year = {2020},\n}\n"
LISTING = ("@article{wang2024, author = {Wang, Xiu}, title = {Serverless Tensors at Scale},"
           " journal = {Letters on Clouds}, year = {2024}}\n")


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    listing = tmp_path / "listing.bib"
    listing.write_text(LISTING)
    target = tmp_path / "refs.bib"
    target.write_text(BIB)
    return listing, target


def _mounted_read_only(monkeypatch, folder: Path) -> None:
    """Play a read-only mount of ``folder``: statvfs says ST_RDONLY, and every write there fails with EROFS."""
    real_statvfs, real_open, real_mkstemp = os.statvfs, os.open, __import__("tempfile").mkstemp
    inside = str(folder)

    class Flags:
        def __init__(self, real):
            self._real = real
            self.f_flag = real.f_flag | os.ST_RDONLY

        def __getattr__(self, name):
            return getattr(self._real, name)

    def statvfs(path):
        real = real_statvfs(path)
        return Flags(real) if os.path.realpath(path).startswith(inside) else real

    def erofs(path, *rest, **kw):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def guarded_open(path, flags, *rest, **kw):
        if os.path.realpath(path).startswith(inside) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            erofs(path)
        return real_open(path, flags, *rest, **kw)

    def mkstemp(*args, dir=None, **kw):
        if dir is not None and os.path.realpath(dir).startswith(inside):
            erofs(dir)
        return real_mkstemp(*args, dir=dir, **kw)

    monkeypatch.setattr(os, "statvfs", statvfs)
    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr("tempfile.mkstemp", mkstemp)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: not (
        mode & os.W_OK and os.path.realpath(path).startswith(inside)))


def _same_code_dry_and_real(listing: Path, target: Path, *words: str) -> None:
    before = target.read_bytes() if target.exists() else None
    real = _cli("sync", str(listing), "--into", str(target), "--yes")
    dry = _cli("sync", str(listing), "--into", str(target), "--dry-run")
    assert real.exit_code == 1 and dry.exit_code == 1, (real.output, dry.output)
    for result in (real, dry):
        assert f"error: {target}" in result.stderr and "hint:" in result.stderr, result.stderr
        assert "Traceback" not in result.output and "internal error" not in result.stderr
        for word in words:
            assert word in result.stderr, result.stderr
    assert "the real run would stop here" in dry.stderr and "dry run: nothing written" in dry.stderr
    assert (target.read_bytes() if target.exists() else None) == before


def test_a_read_only_file_system_is_named_with_a_hint_real_and_dry(tmp_path: Path, monkeypatch) -> None:
    listing, target = _setup(tmp_path)
    _mounted_read_only(monkeypatch, tmp_path)
    _same_code_dry_and_real(listing, target, "file system is mounted read-only", "remount")
    forced = _cli("sync", str(listing), "--into", str(target), "--yes", "--force")  # --force cannot help
    assert forced.exit_code == 1 and "mounted read-only" in forced.stderr and "--force" not in forced.stderr
    _same_code_dry_and_real(listing, tmp_path / "new.bib", "mounted read-only")


def test_erofs_during_the_write_itself_is_named(tmp_path: Path, monkeypatch) -> None:
    """A file system that turns read-only after the checks (remounted on an I/O error)."""
    path = tmp_path / "refs.bib"
    path.write_bytes(b"old")

    def erofs(*args, **kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("tempfile.mkstemp", erofs)
    with pytest.raises(TargetError) as caught:
        save(path, b"new")
    assert caught.value.message == "cannot write: the file system is mounted read-only; nothing was written"
    assert caught.value.where == str(path) and "remount" in caught.value.hint
    assert path.read_bytes() == b"old"


def test_a_read_only_file_dry_run_exits_as_the_real_run(tmp_path: Path) -> None:
    listing, target = _setup(tmp_path)
    target.chmod(0o444)
    _same_code_dry_and_real(listing, target, "read-only", "--force")
    assert _cli("sync", str(listing), "--into", str(target), "--dry-run", "--force").exit_code == 0


def test_a_missing_folder_dry_run_exits_as_the_real_run(tmp_path: Path) -> None:
    listing, _ = _setup(tmp_path)
    _same_code_dry_and_real(listing, tmp_path / "no-such-folder" / "refs.bib", "does not exist", "mkdir -p")


def test_a_folder_that_takes_no_new_file(tmp_path: Path, monkeypatch) -> None:
    """Without write permission on the folder, the temporary file cannot be made (root is never
    refused by permission bits, so the refusal is played through os.access)."""
    listing, target = _setup(tmp_path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == tmp_path and mode & os.W_OK
                        else real_access(path, mode, **kw))
    _same_code_dry_and_real(listing, target, "not writable", "chmod u+w")


def test_nothing_stands_in_the_way_of_an_ordinary_target(tmp_path: Path) -> None:
    from bibsync.files.writable import write_problem

    listing, target = _setup(tmp_path)
    assert write_problem(target) is None and write_problem(tmp_path / "new.bib") is None
    dry = _cli("sync", str(listing), "--into", str(target), "--dry-run")
    assert dry.exit_code == 0 and "would stop" not in dry.stderr


@pytest.fixture
def read_only_mount(tmp_path: Path):
    """A real read-only tmpfs holding refs.bib (root only; skipped elsewhere)."""
    mount = tmp_path / f"ro-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                            capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root and mount(8); the monkeypatched tests cover EROFS")
    try:
        (mount / "refs.bib").write_text(BIB)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True, capture_output=True)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_real_read_only_mount(tmp_path: Path, read_only_mount: Path) -> None:
    listing = tmp_path / "listing.bib"
    listing.write_text(LISTING)
    _same_code_dry_and_real(listing, read_only_mount / "refs.bib", "file system is mounted read-only")
    backup = _cli("sync", str(listing), "--into", str(read_only_mount / "refs.bib"), "--yes", "--backup", "--force")
    assert backup.exit_code == 1 and "mounted read-only" in backup.stderr
    assert sorted(p.name for p in read_only_mount.iterdir()) == ["refs.bib"]
