"""Whether a file could be replaced, asked before anything is written (and by a dry run).

A write replaces the file by renaming a new one into its folder, so it needs the folder (it
must exist and take a new file) as much as the file (a regular file that is not read-only),
and a file system that is not mounted read-only. :func:`write_problem` names the first thing
that would stop the write, as the error the write would raise; a real run raises it before
reading, a dry run reports it and exits as the real run would.

As root, permission bits stop no write: a read-only file is judged by its mode bits (as
:func:`bibsync.files.atomic.is_read_only` does), a folder by what the system allows.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import TargetError
from .atomic import is_read_only, read_only_file_system_error, refuse_special


def read_only_file_system(path: Path | str) -> bool:
    """True when ``path`` (a file or folder that exists) lies on a file system mounted read-only."""
    flag = getattr(os, "ST_RDONLY", None)
    if flag is None:
        return False
    try:
        return bool(os.statvfs(path).f_flag & flag)
    except (OSError, ValueError):
        return False


def write_problem(path: Path | str, *, force: bool = False, flag: str = "") -> TargetError | None:
    """The error that replacing (or creating) ``path`` would meet, or None if it can be written.

    In order: a file that is not a regular file (``flag`` names the option in the hint), a
    read-only file system, a read-only file (passed with ``force``), a folder that is missing,
    not a folder, or takes no new file. A symbolic link is judged by what it points to, whose
    folder receives the new file.
    """
    where = str(path)
    real = Path(os.path.realpath(path))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return TargetError(f"cannot read: {exc.strerror}", where=where)
    if info is not None:
        try:
            refuse_special(info.st_mode, where, flag)
        except TargetError as exc:
            return exc
        if read_only_file_system(real):
            return read_only_file_system_error(where)
        if not force and is_read_only(real, info.st_mode):
            return TargetError("the file is read-only; nothing was written", where=where,
                               hint="make it writable (chmod u+w), or pass --force to replace it anyway")
    return _folder_problem(real.parent, where)


def _folder_problem(folder: Path, where: str) -> TargetError | None:
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return TargetError(f"the folder {folder} does not exist; nothing was written", where=where,
                           hint=f"create it first (mkdir -p {folder}), or name a file in a folder that exists")
    except OSError as exc:
        return TargetError(f"cannot look at the folder {folder}: {exc.strerror}", where=where)
    if not stat.S_ISDIR(info.st_mode):
        return TargetError(f"{folder} is not a folder; nothing was written", where=where)
    if read_only_file_system(folder):
        return read_only_file_system_error(where)
    if not os.access(folder, os.W_OK | os.X_OK):
        return TargetError(f"the folder {folder} is not writable: the new file is made there and renamed over "
                           "the old one; nothing was written", where=where,
                           hint="make the folder writable (chmod u+w), or copy the file to a writable folder")
    return None


def require_writable(path: Path | str, *, force: bool = False, flag: str = "") -> None:
    """Raise :func:`write_problem`'s error, if there is one."""
    problem = write_problem(path, force=force, flag=flag)
    if problem is not None:
        raise problem
