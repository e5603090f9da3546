"""What a .bib target must be, and what a write leaves: special files, read-only files,
encodings that cannot hold a name, UTF-16, leftovers of killed runs, backups on a full disk."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.errors import TargetError
from bibsync.model import Entry, Person
from bibsync.pipeline import parse_sources
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget

BIB = "@article{doe2020gpu,\n  author = {Doe, Jane},\n  title = {A Study of Clocks},\n  journal = {J},\n  year = {2020},\n}\n"
LISTING = ("@article{wang2024, author = {Wang, Xiu and M{\\\"u}ller, Anna}, title = {Serverless Tensors at Scale},"
           " journal = {Letters on Clouds}, year = {2024}}\n")


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def _listing(tmp_path: Path, text: str = LISTING) -> Path:
    path = tmp_path / "listing.bib"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.stderr, result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.output and "internal error" not in result.stderr


def _in_thread(fn, timeout: float = 20.0):
    """Run ``fn`` in a daemon thread: a call that blocks (on a FIFO) fails the test instead of hanging it."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert out, "blocked"
    return out[0]


# --- item 2: targets must be regular files the user may write ---------------------------------

def _null_device(folder: Path) -> Path:
    """A character device like /dev/null, made in ``folder``: a test must never risk the real one
    (the code this guards against replaced /dev/null by a regular file when run as root)."""
    device = folder / "null.bib"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("making a character device needs root; the FIFO and socket tests cover the rest")
    return device


def test_a_character_device_is_refused_and_stays_a_device(tmp_path: Path) -> None:
    listing = _listing(tmp_path)
    device = _null_device(tmp_path)
    link = tmp_path / "link.bib"
    link.symlink_to(device)
    for into in (device, link):
        _refused(_cli("sync", str(listing), "--into", str(into), "--yes"), "is a character device", "--into")
    _refused(_cli("parse", str(listing), "-o", str(link)), "is a character device", "leave -o out")
    assert stat.S_ISCHR(os.stat(device).st_mode) and link.is_symlink()


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    listing = _listing(tmp_path)
    fifo = tmp_path / "pipe.bib"
    os.mkfifo(fifo)
    _refused(_in_thread(lambda: _cli("sync", str(listing), "--into", str(fifo), "--yes")), "is a FIFO")
    _refused(_in_thread(lambda: _cli("sync", str(listing), "--into", str(fifo), "--dry-run")), "is a FIFO")
    _refused(_in_thread(lambda: _cli("parse", str(listing), "-o", str(fifo))), "is a FIFO")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_socket_is_refused(tmp_path: Path) -> None:
    listing = _listing(tmp_path)
    path = tmp_path / "s.bib"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        _refused(_cli("sync", str(listing), "--into", str(path), "--yes"), "is a socket")
        assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_a_read_only_file_is_refused_unless_forced(tmp_path: Path) -> None:
    listing = _listing(tmp_path)
    path = tmp_path / "refs.bib"
    path.write_text(BIB)
    path.chmod(0o444)
    result = _cli("sync", str(listing), "--into", str(path), "--yes")
    _refused(result, "read-only", "--force")
    assert path.read_text() == BIB
    dry = _cli("sync", str(listing), "--into", str(path), "--dry-run")  # the plan is shown, the code is the real run's
    assert dry.exit_code == 1 and "wang2024" in dry.stdout and "the real run would stop here" in dry.stderr
    out = tmp_path / "out.bib"
    out.write_text("old")
    out.chmod(0o444)
    _refused(_cli("parse", str(listing), "-o", str(out)), "read-only")
    assert out.read_text() == "old"

    forced = _cli("sync", str(listing), "--into", str(path), "--yes", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "@article{wang2024," in path.read_text() and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert _cli("parse", str(listing), "-o", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("@article{wang2024serverless,")


# --- item 7: an encoding that cannot hold the new text -----------------------------------------

POLISH = Entry("article", {"title": "Quorum Leases for Ledgers", "journal": "Letters on Optics", "year": "2031"},
               (Person("Łukasiewicz", "Jan"), Person("Erdős", "Pál"), Person("Núñez", "Iñés")))


def test_latin1_file_gets_escapes_in_its_own_style_or_a_clear_stop(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    text = BIB.replace("Doe, Jane", "Méndez, José and Sørensen, Åse")  # a Latin-1 file written in Unicode
    path.write_bytes(text.encode("latin-1"))
    result = run_sync(None, BibFileTarget(path), incoming=[POLISH], decisions=None)
    assert result.report.added == 1
    data = path.read_bytes()
    # Latin-1 holds á, ú, ñ, é: they stay; Ł and ő have no place in it and get LaTeX escapes.
    assert "{\\L}ukasiewicz, Jan and Erd{\\H{o}}s, Pál and Núñez, Iñés".encode("latin-1") in data

    chinese = Entry("article", {"title": "Gossip in Enclaves", "journal": "Reviews of Storage", "year": "2011"},
                    (Person("王", "小明"),))
    with pytest.raises(TargetError) as info:
        run_sync(None, BibFileTarget(path), incoming=[chinese], decisions=None)
    assert "cannot write '王' (U+738B)" in info.value.message and "Latin-1" in info.value.message
    assert "nothing was written" in info.value.message and "UTF-8" in info.value.hint
    assert path.read_bytes() == data


def test_escapes_follow_the_file_accent_form(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    text = BIB.replace("Doe, Jane", "M\\'{e}ndez, Jos\\'{e} and S\\'{a}nchez, Ana")  # \'{e}, in a Latin-1 file
    path.write_bytes(text.encode("latin-1") + b"% S\xf8rensen\n")
    run_sync(None, BibFileTarget(path), incoming=[POLISH], decisions=None)
    assert b"{\\L}ukasiewicz, Jan and Erd{\\H{o}}s, P\\'{a}l and N\\'{u}\\~{n}ez, I\\~{n}\\'{e}s" in path.read_bytes()


def test_cp1252_file_and_an_emoji_stop_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(BIB.replace("A Study of Clocks", "A “Study” of Clocks").encode("cp1252"))
    before = path.read_bytes()
    listing = _listing(tmp_path, LISTING.replace("Serverless Tensors", "Serverless 🚀 Tensors"))
    result = _cli("sync", str(listing), "--into", str(path), "--yes")
    _refused(result, "cannot write '🚀' (U+1F680)", "Windows-1252")
    assert path.read_bytes() == before
    dry = _cli("sync", str(listing), "--into", str(path), "--dry-run")
    _refused(dry, "cannot write '🚀'")


# --- item 11: what a write says and leaves ----------------------------------------------------

def test_leftovers_of_a_killed_run_are_cleaned_up_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB)
    mine = [".refs.bib.k3j_0x9a.tmp", ".refs.bib.orig.ab12cd34.tmp", ".refs.bib.bibsync.json.zz99yy88.tmp"]
    others = [".refs.bib.notours.tmp", ".refs.bib.ab12cd34.tmp.keep", ".other.bib.ab12cd34.tmp", "refs.bib.ab12cd34.tmp"]
    for name in mine + others:
        (tmp_path / name).write_text("x" * 100)
    run_sync([str(_listing(tmp_path))], BibFileTarget(path), decisions=None)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(others + ["listing.bib", "refs.bib"])


def test_backup_is_not_made_when_the_write_cannot_succeed(tmp_path: Path) -> None:
    """A full disk, played by a file-size limit: the old file's size fits, the new one's does not."""
    path = tmp_path / "refs.bib"
    path.write_text(BIB)
    child = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["bibsync", "sync", *sys.argv[2:]]
from bibsync.cli import main
main()
"""
    done = subprocess.run([sys.executable, "-c", child, str(len(BIB) + 20), str(_listing(tmp_path)), "--into",
                           str(path), "--yes", "--backup"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "cannot write" in done.stderr and "the file is unchanged" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_text() == BIB
    assert sorted(p.name for p in tmp_path.iterdir()) == ["listing.bib", "refs.bib"]  # no .orig, no .tmp


def test_backup_keeps_the_old_file_when_the_write_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB)
    path.chmod(0o640)
    result = _cli("sync", str(_listing(tmp_path)), "--into", str(path), "--yes", "--backup")
    assert result.exit_code == 0, result.stderr
    backup = tmp_path / "refs.bib.orig"
    assert backup.read_text() == BIB and stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert path.read_text().startswith(BIB) and path.stat().st_ino != backup.stat().st_ino


@pytest.mark.parametrize("codec,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"")])
def test_utf16_target_is_read_and_written_back_as_utf16(tmp_path: Path, codec: str, bom: bytes) -> None:
    path = tmp_path / "refs.bib"
    text = BIB.replace("Doe, Jane", "Dö, Jané")
    path.write_bytes(bom + text.encode(codec))
    target = BibFileTarget(path)
    (entry,) = target.load()
    assert entry.authors[0] == Person("Dö", "Jané")
    result = run_sync([str(_listing(tmp_path))], BibFileTarget(path), decisions=None)
    assert result.report.added == 1
    data = path.read_bytes()
    assert data.startswith(bom + text.encode(codec))
    new = data[len(bom):].decode(codec)
    assert "@article{wang2024," in new and "Müller" in new
    again = run_sync([str(_listing(tmp_path))], BibFileTarget(path), decisions=None)
    assert again.plan.to_apply() == [] and path.read_bytes() == data


def test_utf16_source_is_read(tmp_path: Path) -> None:
    path = tmp_path / "listing.bib"
    path.write_bytes(b"\xff\xfe" + LISTING.encode("utf-16-le"))
    (entry,) = parse_sources([str(path)]).entries
    assert entry.title == "Serverless Tensors at Scale" and entry.authors[1].last == "Müller"


def test_damaged_utf16_is_named_as_utf16(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"\xff\xfe" + BIB.encode("utf-16-le")[:-1])  # an odd number of bytes
    result = _cli("sync", str(_listing(tmp_path)), "--into", str(path), "--yes")
    _refused(result, "UTF-16", "damaged")
    assert "binary data" not in result.stderr
