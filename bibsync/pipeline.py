"""The first steps of the data flow: source -> entries -> keys, callable from Python; and a
bibliography read as it is, keys kept (the other side of ``bibsync match`` and ``dedupe``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .config import Settings
from .errors import InputError
from .keys import assign_keys
from .model import Entry, Failure
from .progress import ProgressCallback
from .registry import ParseContext, Registry, default_registry
from .sources.inputs import read_source_text


@dataclass
class ParseResult:
    """Entries read from all sources, and the records that could not be read."""

    entries: list[Entry] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def _claims(registry: Registry, argument: str):
    for source in registry.sources():
        claims = getattr(source, "claims_argument", None)
        if claims is not None and claims(argument):
            return source
    return None


def parse_text(
    text: str,
    filename: str,
    fmt: str | None = None,
    settings: Settings | None = None,
    registry: Registry | None = None,
    progress: ProgressCallback | None = None,
) -> ParseResult:
    """Parse one document's text with the named format, or the one its content suggests.

    ``progress(done, total)`` hears of slow work (look-ups of DOIs and arXiv ids)."""
    settings = settings or Settings()
    registry = registry or default_registry()
    source = registry.get(fmt) if fmt else registry.detect(text, filename)
    if source is None:
        raise InputError(
            "cannot tell what format this is",
            where=filename,
            hint="name it with --from (see 'bibsync formats' for the list)",
        )
    context = ParseContext(filename=filename, biblatex=settings.biblatex, settings=settings, progress=progress)
    result = ParseResult()
    for item in source.parse(text, context):
        (result.failures if isinstance(item, Failure) else result.entries).append(item)
    return result


def parse_sources(
    arguments: Iterable[str],
    fmt: str | None = None,
    settings: Settings | None = None,
    registry: Registry | None = None,
    progress: ProgressCallback | None = None,
) -> ParseResult:
    """Parse every SOURCE argument (path, ``-``, or an identifier a source claims);
    ``progress`` as for :func:`parse_text`."""
    settings = settings or Settings()
    registry = registry or default_registry()
    total = ParseResult()
    for argument in arguments:
        claimed = None if argument == "-" or Path(argument).exists() else _claims(registry, argument)
        if claimed is not None and fmt in (None, claimed.name):
            text, name, use = argument, argument, claimed.name
        else:
            text, name, use = read_source_text(argument), argument, fmt
        result = parse_text(text, name, use, settings, registry, progress)
        total.entries.extend(result.entries)
        total.failures.extend(result.failures)
    return total


def parse_and_key(
    arguments: Iterable[str],
    fmt: str | None = None,
    settings: Settings | None = None,
    registry: Registry | None = None,
    progress: ProgressCallback | None = None,
) -> ParseResult:
    """Parse the sources and give every entry a fresh, unique key from the settings' pattern."""
    settings = settings or Settings()
    result = parse_sources(arguments, fmt, settings, registry, progress)
    result.entries = assign_keys(result.entries, settings.key_pattern)
    return result


BIBTEX_SUFFIXES = (".bib", ".bibtex")


def load_bib(path: str) -> ParseResult:
    """Read a .bib file as it is, keeping its citation keys; unreadable blocks become failures."""
    from .bibtex.read import read_bibtex  # bibtexparser loads when a .bib is read

    doc = read_bibtex(read_source_text(path), path)
    return ParseResult(list(doc.entries), list(doc.failures))


def load_target(path: str, fmt: str | None = None) -> ParseResult:
    """A match target: a .bib file read as it is, or any source (with generated keys)."""
    if fmt in (None, "bibtex") and Path(path).suffix.lower() in BIBTEX_SUFFIXES:
        return load_bib(path)
    return parse_and_key([path], fmt)
