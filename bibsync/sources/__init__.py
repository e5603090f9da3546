"""Sources: one module per format, each registered in the ``bibsync.sources`` entry-point group.

A source is any object with the attributes of :class:`Source`. bibsync's own sources are
declared in pyproject.toml exactly as a third-party package would declare its own::

    # the third-party package's pyproject.toml
    [project.entry-points."bibsync.sources"]
    endnote-xml = "bibsync_endnote:source"   # an instance (or a class, called with no arguments)

Once that package is installed, ``bibsync formats`` lists it, ``--from endnote-xml`` selects it
and its ``sniff``/``suffixes`` take part in detection; nothing in bibsync changes. A plugin
that fails to load is listed by ``bibsync formats`` as not loaded, with the reason, and the
other sources keep working. Every installed source is loaded whenever sources are listed or
detected, so a source module imports its heavy dependencies (an HTML or XML parser, an HTTP
client) inside ``parse``, not at its top: bibsync's own sources do, and ``bibsync formats``
starts without loading any of them.

Contract: ``sniff(text)`` is cheap and offline (look at the start of the text only);
``parse(text, context)`` yields :class:`~bibsync.model.Entry` objects and, for records it
cannot read, :class:`~bibsync.model.Failure` objects with the file and line (or record number),
in document order; a Failure with ``severity="warning"`` reports a record that was kept. A
whole input that is not of the format raises :class:`~bibsync.errors.InputError`. A source
that takes identifiers on the command line (DOIs, arXiv ids) also has
``claims_argument(argument) -> bool``; its ``parse`` then gets the argument as ``text`` and
as ``context.filename``. A source that does slow work (network look-ups) reports it through
``context.progress(done, total)`` when that is set, and never draws anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol, runtime_checkable

from ..model import Entry, Failure


@dataclass(frozen=True)
class ParseContext:
    """What a source may need besides the text: the file name for messages, and options."""

    filename: str = "<input>"
    biblatex: bool = False
    settings: object | None = None  # bibsync.config.Settings; typed loosely to avoid a cycle
    options: dict = field(default_factory=dict)
    progress: Callable[[int, int], None] | None = None  # (done, total) of slow work such as look-ups


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
