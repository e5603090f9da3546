"""The canonical model every source produces and every target consumes.

Plain frozen dataclasses with no I/O. Field values are Unicode text with no LaTeX markup:
sources decode on the way in, writers encode on the way out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

# Fields that hold people; they live in Entry.authors / Entry.editors, never in Entry.fields.
PERSON_FIELDS = ("author", "editor")

# Fields whose values are identifiers or links: never LaTeX-encoded, escaped or decoded.
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "file", "ids", "urldate", "isbn", "issn"})


@dataclass(frozen=True)
class Person:
    """One author or editor.

    ``last`` is the surname including particles ("van der Berg", "Da Costa Carmo");
    ``first`` the given names or initials ("Peter", "P. R."). An institution is a
    ``literal`` person whose whole name is in ``last``.
    """

    last: str
    first: str = ""
    suffix: str = ""
    literal: bool = False

    def display(self) -> str:
        """Return the name as a person would read it: "P. R. Pietzuch"."""
        if self.literal or not self.first:
            return self.last
        return f"{self.first} {self.last}" + (f", {self.suffix}" if self.suffix else "")


@dataclass(frozen=True)
class Origin:
    """Where an entry came from, for messages: source name, file, line or record."""

    source: str
    file: str = ""
    line: int | None = None
    record: str | None = None

    def where(self) -> str:
        """Return "file:line" (or "file, record R") for error messages."""
        place = self.file or "<input>"
        if self.line is not None:
            return f"{place}:{self.line}"
        if self.record is not None:
            return f"{place}, record {self.record}"
        return place


class ReadOnlyFields(Mapping):
    """A read-only mapping of fields that an Entry keeps as it is (not copied): for a reader
    that decodes values when first asked for (see ``bibsync.bibtex.read.ReadFields``)."""

    __slots__ = ()


def _frozen(mapping: Mapping[str, str] | Iterable[tuple[str, str]]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Entry:
    """A bibliographic entry in canonical form.

    ``type`` is a lower-case BibTeX type (article, inproceedings, misc, ...); BibLaTeX-only
    types (software, online) appear only when a source asked for them. ``fields`` maps
    lower-case field names to Unicode values (pages use ``--``, doi is bare). People are
    kept apart in ``authors`` and ``editors``; ``authors_truncated`` means "and others".
    """

    type: str
    fields: Mapping[str, str] = field(default_factory=dict)
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    authors_truncated: bool = False
    key: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.fields, (MappingProxyType, ReadOnlyFields)):
            object.__setattr__(self, "fields", _frozen(self.fields))
        object.__setattr__(self, "authors", tuple(self.authors))
        object.__setattr__(self, "editors", tuple(self.editors))

    def get(self, name: str, default: str = "") -> str:
        """Return field ``name`` or ``default``."""
        return self.fields.get(name, default)

    @property
    def title(self) -> str:
        """The title, or an empty string."""
        return self.fields.get("title", "")

    @property
    def year(self) -> str:
        """The year (from ``year`` or the first four digits of ``date``), or ""."""
        year = self.fields.get("year", "")
        if not year:
            date = self.fields.get("date", "")
            year = date[:4] if date[:4].isdigit() else ""
        return year

    @property
    def aliases(self) -> tuple[str, ...]:
        """The entry's other citation keys: BibLaTeX ``ids`` (comma separated), which cite it too."""
        return tuple(k.strip() for k in self.fields.get("ids", "").split(",") if k.strip())

    def with_fields(self, **changes: str | None) -> "Entry":
        """Return a copy with fields set (or removed where the value is None)."""
        fields = dict(self.fields)
        for name, value in changes.items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
        return replace(self, fields=_frozen(fields))

    def with_key(self, key: str | None) -> "Entry":
        """Return a copy with a different citation key."""
        return replace(self, key=key)

    def without_fields(self, names: Iterable[str]) -> "Entry":
        """Return a copy without the fields ``names`` (``author``/``editor`` drop the people)."""
        names = set(names)
        if not names:
            return self
        kept = {k: v for k, v in self.fields.items() if k not in names}
        people = {}
        if "author" in names:
            people.update(authors=(), authors_truncated=False)
        if "editor" in names:
            people["editors"] = ()
        if len(kept) == len(self.fields) and not people:
            return self
        return replace(self, fields=_frozen(kept), **people)


@dataclass(frozen=True)
class Failure:
    """A record a source could not read: reported, skipped, never fatal to the others.

    ``severity`` is ``"error"`` (the record was skipped) or ``"warning"`` (the record was
    read and kept, but something about it deserves a look, e.g. a duplicate key). ``kind``
    names the problem in the plural, for summaries ("entries with a duplicate key"); empty
    for a one-off.
    """

    message: str
    file: str = ""
    line: int | None = None
    record: str | None = None
    hint: str = ""
    raw: str = ""
    severity: str = "error"
    kind: str = ""

    @property
    def is_warning(self) -> bool:
        """True when the record was kept and this is only reported."""
        return self.severity == "warning"

    def where(self) -> str:
        """Return "file:line" (or "file, record R")."""
        return Origin("", self.file, self.line, self.record).where()


def repeated_keys(entries: Sequence[Entry]) -> frozenset[str]:
    """The keys (case-folded, as BibTeX compares them) that more than one entry carries."""
    seen = Counter(e.key.casefold() for e in entries if e.key)
    return frozenset(k for k, n in seen.items() if n > 1)


def key_with_line(entry: Entry, repeated: frozenset[str], missing: str = "(no key)") -> str:
    """The entry's key (``missing`` if it has none), with its line (``smith2020 (line 8)``)
    when other entries carry the key too (``repeated``, see :func:`repeated_keys`)."""
    key = entry.key or missing
    line = entry.origin.line if entry.origin is not None else None
    shared = bool(entry.key) and entry.key.casefold() in repeated
    return f"{key} (line {line})" if shared and line else key
