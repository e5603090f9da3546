"""--backup and an existing FILE.bib.orig: a special file or a link there is refused before anything
is written; a regular one is kept and the backup numbered; the backup appears whole or not at all."""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app

BIB = "@article{doe2020gpu,\n  author = {Doe, Jane},\n  title = {A Study of Clocks},\n  journal = {J},\n  year = {2020},\n}\n"
LISTING = ("@article{wang2024, author = {Wang, Xiu}, title = {Serverless Tensors at Scale},"
           " journal = {Letters on Clouds}, year = {2024}}\n")
SECOND = ("@article{li2025, author = {Li, Mei}, title = {Quiet Queues for Loud Clusters},"
          " journal = {Letters on Clouds}, year = {2025}}\n")


def _sync(tmp_path: Path, text: str = LISTING, *extra: str):
    listing = tmp_path / "listing.txt"
    listing.write_text(text)
    return CliRunner().invoke(app, ["sync", str(listing), "--into", str(tmp_path / "refs.bib"), "--yes", "--backup",
                                    *extra])


def _target(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(BIB)
    return path


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inside").write_text("mine")


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


def _link_to_precious(path: Path) -> None:
    precious = path.parent / "precious.txt"
    precious.write_text("do not touch")
    path.symlink_to(precious)


def _dangling_link(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere" / "x")


@pytest.mark.parametrize("make, what", [(_fifo, "a FIFO (named pipe)"), (_folder, "a folder"), (_socket, "a socket"),
                                        (_link_to_precious, "a symbolic link"), (_dangling_link, "a symbolic link")])
def test_an_orig_that_is_not_a_regular_file_is_refused_and_nothing_is_written(tmp_path: Path, make, what) -> None:
    path = _target(tmp_path)
    orig = tmp_path / "refs.bib.orig"
    make(orig)
    before = sorted(p.name for p in tmp_path.iterdir())
    kind = os.lstat(orig).st_mode
    for extra in ((), ("--dry-run",)):
        result = _sync(tmp_path, LISTING, *extra)
        assert result.exit_code == 1, result.output
        assert f"error: {orig}" in result.stderr and f"is {what}, not a regular file" in result.stderr
        assert "hint: move it out of the way, or leave out --backup" in result.stderr
        assert "Traceback" not in result.output
    assert path.read_text() == BIB
    assert os.lstat(orig).st_mode == kind
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(set(before) | {"listing.txt"})
    if make is _link_to_precious:
        assert (tmp_path / "precious.txt").read_text() == "do not touch"


def test_a_character_device_orig_is_refused(tmp_path: Path) -> None:
    path = _target(tmp_path)
    orig = tmp_path / "refs.bib.orig"
    try:
        os.mknod(orig, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError:
        pytest.skip("making a character device needs root")
    result = _sync(tmp_path)
    assert result.exit_code == 1 and "is a character device, not a regular file" in result.stderr
    assert stat.S_ISCHR(os.lstat(orig).st_mode) and path.read_text() == BIB


def test_an_existing_regular_orig_is_kept_and_the_backups_are_numbered(tmp_path: Path) -> None:
    path = _target(tmp_path)
    mine = tmp_path / "refs.bib.orig"
    mine.write_text("my own copy")
    first = _sync(tmp_path, LISTING)
    assert first.exit_code == 0, first.output
    assert f"backup: {tmp_path / 'refs.bib.orig.1'}" in first.stderr
    after_first = path.read_text()
    second = _sync(tmp_path, LISTING + SECOND)
    assert second.exit_code == 0, second.output
    assert f"backup: {tmp_path / 'refs.bib.orig.2'}" in second.stderr
    assert mine.read_text() == "my own copy"
    assert (tmp_path / "refs.bib.orig.1").read_text() == BIB
    assert (tmp_path / "refs.bib.orig.2").read_text() == after_first
    assert "li2025" in path.read_text()
    third = _sync(tmp_path, LISTING + SECOND)  # nothing to write: no backup either
    assert third.exit_code == 0 and "backup:" not in third.stderr
    assert not (tmp_path / "refs.bib.orig.3").exists()


def test_a_link_among_the_numbered_names_is_passed_over_not_followed(tmp_path: Path) -> None:
    path = _target(tmp_path)
    (tmp_path / "refs.bib.orig").write_text("older")
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch")
    (tmp_path / "refs.bib.orig.1").symlink_to(precious)
    result = _sync(tmp_path)
    assert result.exit_code == 0 and f"backup: {tmp_path / 'refs.bib.orig.2'}" in result.stderr
    assert precious.read_text() == "do not touch" and (tmp_path / "refs.bib.orig.2").read_text() == BIB
    assert "wang2024" in path.read_text()


def test_without_hard_links_the_copy_appears_whole_under_a_free_name(tmp_path: Path, monkeypatch) -> None:
    from bibsync.files.backup import make_backup

    path = _target(tmp_path)
    (tmp_path / "refs.bib.orig").write_text("older")

    def no_links(*args, **kw):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    made = make_backup(path, tmp_path / "refs.bib.orig")
    assert made == tmp_path / "refs.bib.orig.1" and made.read_text() == BIB
    assert (tmp_path / "refs.bib.orig").read_text() == "older"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib", "refs.bib.orig", "refs.bib.orig.1"]


def test_the_help_says_what_happens_to_an_existing_orig() -> None:
    result = CliRunner().invoke(app, ["sync", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.stdout.split())
    assert "FILE.bib.orig" in text and "numbered" in text and "never replaced" in text
