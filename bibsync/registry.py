"""The plugin point of the sources: what a source is (:class:`Source`, given a :class:`ParseContext`)
and how sources are found by name, suffix or content (:class:`Registry`), from the
``bibsync.sources`` entry points.

A source is any object with the attributes of :class:`Source`. bibsync's own sources
(:mod:`bibsync.sources`) are declared in pyproject.toml exactly as a third-party package would
declare its own::

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
from importlib.metadata import entry_points
from pathlib import PurePath
from typing import Callable, Iterator, Protocol, runtime_checkable

from .errors import UsageError
from .model import Entry, Failure

SOURCE_GROUP = "bibsync.sources"


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


class Registry:
    """The sources known to one run: entry points plus any registered by hand (tests)."""

    def __init__(self, load_entry_points: bool = True) -> None:
        self._sources: dict[str, Source] = {}
        self.broken: dict[str, str] = {}  # entry-point name -> why it could not be loaded
        if load_entry_points:
            for ep in sorted(entry_points(group=SOURCE_GROUP), key=lambda e: e.name):
                try:
                    obj = ep.load()
                    self.register(obj() if isinstance(obj, type) else obj)
                except Exception as exc:  # one broken plugin must not disable the others
                    self.broken[ep.name] = f"{type(exc).__name__}: {exc}"

    def register(self, source: Source) -> None:
        """Add a source (a later one with the same name replaces the earlier).

        Raises TypeError when ``source`` lacks a Source attribute or has one of the wrong
        kind (a plugin loaded from an entry point then lands in ``broken``).
        """
        if not isinstance(source, Source):
            raise TypeError(f"{source!r} does not implement the Source protocol "
                            "(name, suffixes, description, sniff, parse)")
        check_source(source)
        self._sources[source.name] = source

    def names(self) -> list[str]:
        """All source names, sorted."""
        return sorted(self._sources)

    def sources(self) -> list[Source]:
        """All sources, sorted by name."""
        return [self._sources[n] for n in self.names()]

    def get(self, name: str) -> Source:
        """Return the source called ``name``; UsageError listing the known names otherwise."""
        try:
            return self._sources[name]
        except KeyError:
            raise UsageError(
                f"unknown format {name!r}", hint="known formats: " + ", ".join(self.names())
            ) from None

    def detect(self, text: str, filename: str = "") -> Source | None:
        """Pick a source: first by content (sniff), then by file suffix; None if nothing fits."""
        for source in self.sources():
            try:
                if source.sniff(text):
                    return source
            except Exception:  # a plugin's broken sniff must not stop detection
                continue
        suffix = PurePath(filename).suffix.lower()
        for source in self.sources():
            if suffix and suffix in source.suffixes:
                return source
        return None


def check_source(source: Source) -> None:
    """Raise TypeError unless the Source attributes have usable values."""
    name = getattr(source, "name", None)
    if not isinstance(name, str) or not name or any(c.isspace() for c in name):
        raise TypeError(f"source name must be a non-empty word, not {name!r}")
    suffixes = getattr(source, "suffixes", None)
    if not isinstance(suffixes, (tuple, list)) or not all(isinstance(s, str) and s.startswith(".") for s in suffixes):
        raise TypeError(f"source {name!r}: suffixes must be a tuple of strings like '.bib', not {suffixes!r}")
    if not isinstance(getattr(source, "description", None), str):
        raise TypeError(f"source {name!r}: description must be a string")
    if not callable(getattr(source, "sniff", None)) or not callable(getattr(source, "parse", None)):
        raise TypeError(f"source {name!r}: sniff and parse must be callable")


def default_registry() -> Registry:
    """Return a registry of every installed source."""
    return Registry()
