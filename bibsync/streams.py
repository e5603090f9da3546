"""Whether a stream is a terminal, for streams that may be missing or closed.

A program started with its standard input closed (``cmd 0<&-``, some CI runners and
service managers) has ``sys.stdin`` set to None; a stream can also be closed under us.
Neither is a terminal, and neither may crash the run.
"""

from __future__ import annotations

from typing import IO, Optional


def is_terminal(stream: Optional[IO]) -> bool:
    """True if ``stream`` is an open terminal; False for None, a closed stream, or an object
    without ``isatty``."""
    if stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
