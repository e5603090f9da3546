"""Sources: one module per format, each registered in the ``bibsync.sources`` entry-point group.

A source is any object with the attributes of :class:`Source`. bibsync's own sources are
declared in pyproject.toml exactly as a third-party package would declare its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol, runtime_checkable

from ..model import Entry, Failure


@dataclass(frozen=True)
class ParseContext:
    """What a source may need besides the text: the file name for messages, and options."""

    filename: str = "<input>"
    biblatex: bool = False
    settings: object | None = None  # bibsync.config.Settings; typed loosely to avoid a cycle
    options: dict = field(default_factory=dict)


@runtime_checkable
class Source(Protocol):
    """The plugin interface. ``sniff`` must be cheap and offline."""

    name: str
    suffixes: tuple[str, ...]
    description: str

    def sniff(self, text: str) -> bool:
        """Return True when ``text`` looks like this source's format."""
        ...

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield canonical entries (keys may be None) and failures, in document order."""
        ...
