"""Replacing a file atomically: temporary file in the same folder, fsync, rename."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import TargetError


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader (or a crash) sees the old file or the new one.

    The temporary file lives in the same folder (rename is atomic only within a file
    system), is flushed and fsynced, and takes the old file's permissions. A symbolic link
    is followed: the file it points to is replaced and the link stays a link.
    """
    path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def save(path: Path | str, data: bytes, hint: str = "check the folder's permissions and free space") -> None:
    """:func:`write_atomic`, with a failure (no such folder, a folder in the way, no permission,
    a full disk) raised as a TargetError naming the file; the old file, if any, is unchanged."""
    try:
        write_atomic(path, data)
    except IsADirectoryError:
        raise TargetError("is a folder, not a file", where=str(path), hint="name a file inside it") from None
    except OSError as exc:
        raise TargetError(f"cannot write: {exc.strerror or exc}", where=str(path), hint=hint) from None
