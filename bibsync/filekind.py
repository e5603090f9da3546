"""What kind of thing a path names, for messages that refuse it: a folder, a device, a FIFO.

Looked up with ``os.stat`` (links followed) and never opened, so a FIFO cannot block the run.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def special_kind(path: Path | str) -> str | None:
    """``"a folder"``, ``"a character device"``, ``"a FIFO (named pipe)"``... for a path that
    exists and is not a regular file (or a link to one); None for a regular file, a missing
    path, or one that cannot be looked up."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def require_bib_file(path: Path | str, hint: str) -> None:
    """Refuse a .bib path that names a folder, a device, a FIFO or a socket (a TargetError
    saying which, with ``hint``), before anything is read or written; a regular file, a link
    to one, or a path that does not exist yet (a new file) passes."""
    from .errors import TargetError

    kind = special_kind(path)
    if kind is not None:
        raise TargetError(f"is {kind}, not a .bib file", where=str(path), hint=hint)
