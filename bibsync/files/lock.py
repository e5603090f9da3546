"""An advisory lock between bibsync runs that read and then replace the same file.

The lock is ``flock`` on a small file beside the target (``.NAME.bibsync-lock``), never on
the target itself: bibsync replaces the target by renaming a new file over it, so a lock
held on the target would stay with the old, replaced file, and a run starting just after
the rename would lock the new file while the first still believes it holds the lock. The
lock file exists only while a run holds it: the holder deletes it before letting go, and a
run that obtains the lock on a file that is no longer the one at that path (deleted or
replaced meanwhile) lets it go and tries again. Symbolic links are resolved first: two
links to one file share one lock. ``flock`` locks belong to an open file, so two targets in
one process exclude each other as two processes do; the kernel drops the lock when the
process ends, however it ends (a lock file left by a killed run is simply locked again).
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Callable

from ..errors import ConflictError, TargetError

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock between runs; the last check before the rename remains
    fcntl = None

LOCK_SUFFIX = ".bibsync-lock"
_POLL_S = 0.05


def lock_path_for(path: Path | str) -> Path:
    """The lock file of ``path``: ``.NAME.bibsync-lock`` beside the file a link points to."""
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}{LOCK_SUFFIX}")


class FileLock:
    """An exclusive advisory lock on one target file (see the module docstring).

    ``acquire`` waits up to ``timeout`` seconds, calling ``on_wait(pid)`` once when it has
    to wait (pid of the holder, or None if unknown); then raises ConflictError. A folder in
    which no file can be created (read-only) gives no lock: nothing can be written there.
    """

    def __init__(self, path: Path | str, timeout: float = 30.0,
                 on_wait: Callable[[int | None], None] | None = None) -> None:
        self.path = Path(path)
        self.lock_path = lock_path_for(path)
        self.timeout = timeout
        self.on_wait = on_wait
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock (waiting if another run holds it). Returns False when no lock file can
        be made (a read-only folder); raises ConflictError when the wait times out."""
        if self._fd is not None:
            return True
        if fcntl is None:
            return False
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM, errno.ENOENT, errno.ENOTDIR):
                    return False
                raise TargetError(f"cannot create the lock file {self.lock_path.name}: {exc.strerror}",
                                  where=str(self.path)) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                if not told and self.on_wait is not None:
                    self.on_wait(holder)
                    told = True
                if time.monotonic() >= deadline:
                    who = f" (process {holder})" if holder else ""
                    raise ConflictError(f"another bibsync run{who} is still working on this file; "
                                        "nothing was written", where=str(self.path),
                                        hint="run again when it has finished")
                time.sleep(_POLL_S)
                continue
            except OSError as exc:  # a file system without flock: go on unlocked
                os.close(fd)
                if exc.errno in (errno.ENOLCK, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
                    return False
                raise
            if _same_file(fd, self.lock_path):
                break
            os.close(fd)  # the holder deleted it as we waited: lock the file at the path now
        try:  # say who holds it, for the message of a run that has to wait
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass
        self._fd = fd
        return True

    def release(self) -> None:
        """Let the lock go (closing the file releases the flock)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.unlink(self.lock_path)
            except OSError:
                pass
            os.close(fd)

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except (OSError, ValueError):
        return None
