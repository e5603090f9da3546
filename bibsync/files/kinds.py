"""What kind of thing a path names, for messages that refuse it: a folder, a device, a FIFO.

Looked up with ``os.stat`` (links followed) and never opened, so a FIFO cannot block the run.
The kinds and the refusal of a target are those of :mod:`bibsync.files.atomic`.
"""

from __future__ import annotations

import os
from pathlib import Path

from .atomic import kind_of, refuse_special


def special_kind(path: Path | str) -> str | None:
    """``"a folder"``, ``"a character device"``, ``"a FIFO (named pipe)"``... for a path that
    exists and is not a regular file (or a link to one); None for a regular file, a missing
    path, or one that cannot be looked up."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return kind_of(mode)


def require_bib_file(path: Path | str, flag: str = "") -> None:
    """Refuse a .bib path that names a folder, a device, a FIFO or a socket (a TargetError
    saying which; ``flag`` names the option that gave it, e.g. ``--into``), before anything is
    read or written or a server is asked; a regular file, a link to one, or a path that does
    not exist yet (a new file) passes."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    refuse_special(mode, str(path), flag)
