"""Replacing a file atomically: temporary file in the same folder, fsync, last check, rename.

Also the refusal of a file that is not a regular file (a device, FIFO or socket: see
:mod:`bibsync.files.writable` for the rest of what a write needs), and the clean-up of temporary
files that a killed run left behind.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import tempfile
import threading
from pathlib import Path
from typing import Callable

from ..errors import TargetError

# mkstemp names its files prefix + 8 characters of this alphabet + suffix.
_TEMP_NAME = "{name}.[a-z0-9_]{{8}}.tmp"

_SPECIAL_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def temp_name_pattern(path: Path | str) -> re.Pattern:
    """The names of the temporary files :func:`write_atomic` makes for ``path`` (``.NAME.XXXXXXXX.tmp``)."""
    return re.compile(_TEMP_NAME.format(name=re.escape("." + Path(path).name)) + r"\Z")


def kind_of(mode: int) -> str | None:
    """What a non-regular file is ("a character device", "a FIFO (named pipe)", ...); None for a regular file."""
    return next((what for test, what in _SPECIAL_KINDS if test(mode)), None)


def refuse_special(mode: int, where: str, flag: str = "") -> None:
    """Raise TargetError when ``mode`` is not a regular file's (``flag`` names the option, e.g. ``--into``)."""
    what = kind_of(mode)
    if what is None:
        return
    hint = ("name a file inside it" if what == "a folder"
            else "name a regular file with -o, or leave -o out to write to standard output" if flag == "-o"
            else f"name a regular .bib file with {flag}" if flag else "name a regular file")
    raise TargetError(f"is {what}, not a regular file; bibsync reads and replaces only regular files",
                      where=where, hint=hint)


def is_read_only(path: Path | str, mode: int) -> bool:
    """True when the user may not write the file (for root: when nobody may, by its mode bits)."""
    if not mode & 0o222:
        return True
    return not os.access(path, os.W_OK)


def read_only_file_system_error(where: str) -> TargetError:
    """The error for a write refused by a file system mounted read-only (EROFS)."""
    return TargetError("cannot write: the file system is mounted read-only; nothing was written", where=where,
                       hint="copy the file to a writable place and use the copy, or remount the file system "
                            "read-write")


def remove_leftovers(*paths: Path | str) -> list[str]:
    """Delete the temporary files interrupted writes of ``paths`` left (``.NAME.XXXXXXXX.tmp``).

    Only regular files owned by this user and named exactly as :func:`write_atomic` names
    them are removed. Call it only while holding the file's lock (see :mod:`bibsync.files.lock`), so that
    no other bibsync run is writing one of them. Returns the names removed.
    """
    removed = []
    for path in paths:
        real = Path(os.path.realpath(path))
        for folder, name in {(real.parent, real.name), (Path(path).parent, Path(path).name)}:
            removed += _remove_matching(folder, temp_name_pattern(name))
    return removed


def _remove_matching(folder: Path, pattern: re.Pattern) -> list[str]:
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not pattern.match(name):
            continue
        leftover = folder / name
        try:
            info = os.lstat(leftover)
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid():
                os.unlink(leftover)
                removed.append(name)
        except OSError:
            continue
    return removed


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _replace_deferring_sigint(tmp: str, path: Path, replaced: Callable[[], None] | None) -> None:
    """``os.replace`` with Ctrl-C held back until ``replaced`` has recorded the rename, so that a
    KeyboardInterrupt never arrives between the two (the caller must be able to say "written").

    The SIGINT handler is swapped for one that only notes the signal (Python runs handlers in
    the main thread, whichever thread the kernel gave the signal to); the old handler runs
    once the rename is recorded. Outside the main thread, :func:`write_atomic` still tells a
    rename that happened from one that did not.
    """
    pending: list[tuple[int, object]] = []
    swap = threading.current_thread() is threading.main_thread()
    if swap:
        old = signal.signal(signal.SIGINT, lambda signum, frame: pending.append((signum, frame)))
    try:
        os.replace(tmp, path)
        if replaced is not None:
            replaced()
    finally:
        if swap:
            signal.signal(signal.SIGINT, old)
            if pending and callable(old):
                old(*pending[0])
            elif pending and old == signal.SIG_DFL:
                raise KeyboardInterrupt


def write_atomic(path: Path | str, data: bytes, *, before_replace: Callable[[], None] | None = None,
                 replaced: Callable[[], None] | None = None, durable: bool = True,
                 mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that a reader (or a crash) sees the old file or the new one.

    The temporary file lives in the same folder (rename is atomic only within a file
    system), is written, fsynced and given the old file's permissions; then
    ``before_replace()`` runs (the last check that the file is still the one that was read,
    and a backup; raising there leaves everything as it was), then the rename, then
    ``replaced()`` (with Ctrl-C held back in between). A symbolic link is followed: the file
    it points to is replaced and the link stays a link. ``durable=False`` skips the fsyncs
    (for a cache, which is checked when read and can be lost); ``mode`` gives the new file
    those permissions instead of the old file's (a private cache file: 0o600).
    """
    path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        info = path.stat()
        refuse_special(info.st_mode, str(path))  # never replace a device, FIFO or socket by a file
        old_mode = stat.S_IMODE(info.st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        old_mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        try:
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, old_mode if mode is None else mode)
        if before_replace is not None:
            before_replace()
        _replace_deferring_sigint(tmp, path, replaced)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        elif replaced is not None:  # interrupted after the rename: the new file is in place
            replaced()
        raise
    if not durable:
        return
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def save(path: Path | str, data: bytes, hint: str = "check the folder's permissions and free space", *,
         before_replace: Callable[[], None] | None = None, replaced: Callable[[], None] | None = None) -> None:
    """:func:`write_atomic`, with a failure (no such folder, a folder in the way, no permission,
    a full disk) raised as a TargetError naming the file; the old file, if any, is unchanged."""
    try:
        write_atomic(path, data, before_replace=before_replace, replaced=replaced)
    except IsADirectoryError:
        raise TargetError("is a folder, not a file", where=str(path), hint="name a file inside it") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise read_only_file_system_error(str(path)) from None
        raise TargetError(f"cannot write: {exc.strerror or exc}", where=str(path), hint=hint) from None
