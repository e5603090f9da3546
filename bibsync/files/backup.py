"""``--backup``: keep the file as it was before a write, never writing over anything.

The backup of ``FILE.bib`` is ``FILE.bib.orig``; when that name is taken by a regular file
(an earlier backup, or a copy the user made), the next free of ``FILE.bib.orig.1``,
``FILE.bib.orig.2``, ...: no backup, and nothing else, is ever replaced. A ``FILE.bib.orig``
that is not a regular file (a symbolic link, a folder, a FIFO, a device, a socket) is refused
before anything is written: a link is never followed, a special file never replaced.

Each backup appears whole or not at all: a hard link to the current file, made under its
final name in one step (the rename of the new file that follows leaves the old one living on
as the backup, costing no disk space, so a full disk cannot leave a backup without the
write). Where links are not possible the bytes are copied to a temporary file, which is then
renamed onto a name reserved for it.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from ..errors import TargetError
from .atomic import kind_of, write_atomic

_MAX_NUMBER = 9999
_NO_LINKS = (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP)


def backup_base(path: Path | str) -> Path:
    """The first name a backup of ``path`` takes: ``FILE.bib.orig`` beside it."""
    path = Path(path)
    return path.with_name(path.name + ".orig")


def backup_problem(base: Path | str) -> TargetError | None:
    """The error when ``base`` (``FILE.bib.orig``) exists and is not a regular file, else None.

    Looked up with ``lstat``: a symbolic link is refused whatever it points to.
    """
    try:
        mode = os.lstat(base).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return TargetError(f"cannot look at the backup: {exc.strerror}", where=str(base))
    what = "a symbolic link" if stat.S_ISLNK(mode) else kind_of(mode)
    if what is None:
        return None
    return TargetError(f"is {what}, not a regular file: --backup never writes over it or through it, "
                       "and nothing was written", where=str(base),
                       hint="move it out of the way, or leave out --backup")


def candidates(base: Path) -> list[Path]:
    """The names a backup may take, in order: ``base``, ``base.1``, ``base.2``, ..."""
    return [base] + [base.with_name(f"{base.name}.{n}") for n in range(1, _MAX_NUMBER + 1)]


def make_backup(path: Path | str, base: Path | str) -> Path:
    """Keep the current content of ``path`` under the first free name of :func:`candidates`
    (see the module docstring); return that name. Raises TargetError for a ``base`` that is
    not a regular file, OSError when the backup cannot be written."""
    path = Path(os.path.realpath(path))
    base = Path(base)
    problem = backup_problem(base)
    if problem is not None:
        raise problem
    copy: str | None = None
    try:
        for name in candidates(base):
            try:
                if copy is None:
                    os.link(path, name)
                else:
                    _claim(copy, name)
                return name
            except FileExistsError:
                continue
            except OSError as exc:
                if copy is not None or exc.errno not in _NO_LINKS:
                    raise
                copy = _copy_beside(path, base)
                try:
                    _claim(copy, name)
                    return name
                except FileExistsError:
                    continue
        raise OSError(errno.EEXIST, f"{base} and {_MAX_NUMBER} numbered backups exist already")
    finally:
        if copy is not None and os.path.lexists(copy):
            os.unlink(copy)


def _copy_beside(path: Path, base: Path) -> str:
    """A temporary copy of ``path`` beside ``base``, named as the leftovers a next run deletes."""
    fd, tmp = tempfile.mkstemp(prefix=f".{base.name}.", suffix=".tmp", dir=base.parent)
    os.close(fd)
    write_atomic(tmp, path.read_bytes())
    os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
    return tmp


def _claim(tmp: str, name: Path) -> None:
    """Rename ``tmp`` to ``name`` only if ``name`` is free: reserved first with O_EXCL (which
    fails on anything there, a dangling link too), then replaced by the whole copy."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    os.replace(tmp, name)
