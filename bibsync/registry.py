"""Finding sources by name, suffix or content, from the ``bibsync.sources`` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import PurePath

from .errors import UsageError
from .sources import Source

SOURCE_GROUP = "bibsync.sources"


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
