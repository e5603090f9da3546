"""Settings: one object built once per run and passed down (no global configuration)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from .keys import DEFAULT_PATTERN


def default_cache_dir() -> Path:
    """The user cache folder for bibsync (override with ``BIBSYNC_CACHE_DIR``)."""
    import os

    return Path(os.environ.get("BIBSYNC_CACHE_DIR") or platformdirs.user_cache_dir("bibsync"))


@dataclass(frozen=True)
class Settings:
    """Everything a run may be configured with."""

    key_pattern: str = DEFAULT_PATTERN
    biblatex: bool = False
    ascii: bool = False
    contact_email: str = "bibsync@example.org"  # sent in the Crossref/arXiv User-Agent
    cache_dir: Path = field(default_factory=default_cache_dir)
    requests_per_second: float = 3.0
    offline: bool = False  # DOI and arXiv look-ups from the cache only
