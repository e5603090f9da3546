"""Reading BibTeX text into canonical entries (shared by the bibtex source and the .bib target).

bibtexparser 2 splits the text into blocks (with raw text and start lines); values are
resolved here from their raw form so that ``@string`` macros and ``#`` concatenation work.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator, Mapping, Sequence

from bibtexparser import model as bm

from ..model import VERBATIM_FIELDS, Entry, Failure, Origin, Person, ReadOnlyFields
from ..names import parse_bibtex_names
from ..text import MONTHS, latex_to_unicode, normalize_doi, normalize_month, normalize_pages
from .blocks import Span, parse_blocks
from .reach import runaways
from .splice import LayoutError, scan_entry

# Accent groups such as {\"o} repeat across a whole bibliography: decode each once.
_decode_group = lru_cache(maxsize=4096)(latex_to_unicode)
# Values with LaTeX commands go through pylatexenc, which is slow; the same values come back
# on every read of a file (venues, publishers, a re-read after a write): decode each once.
_decode_value = lru_cache(maxsize=8192)(latex_to_unicode)

# bibtexparser logs every failed block; bibsync reports them itself.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

_DEFAULT_MACROS = {m: m for m in MONTHS}

# BibLaTeX field names read into their canonical BibTeX names.
FIELD_ALIASES = {"journaltitle": "journal", "location": "address"}


def split_concatenation(raw: str) -> list[str]:
    """Split a raw value at ``#`` outside braces and quotes."""
    if "#" not in raw:  # the common case, without a character loop
        return [raw.strip()]
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0 and (i == 0 or raw[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def resolve_value(raw: str, macros: dict[str, str]) -> str:
    """Resolve a raw field value: strip ``{}``/``""`` delimiters, expand macros, join ``#``."""
    if "#" not in raw:  # the common case: one braced or quoted value
        part = raw.strip()
        if len(part) >= 2 and ((part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')):
            return part[1:-1]
    out = []
    for part in split_concatenation(raw):
        if len(part) >= 2 and ((part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')):
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        else:
            out.append(macros.get(part.lower(), _DEFAULT_MACROS.get(part.lower(), part)))
    return "".join(out)


def canonical_value(name: str, value: str) -> str:
    """Decode a BibTeX value of field ``name`` into canonical Unicode form."""
    value = " ".join(value.split()) if name != "abstract" else value.strip()
    if name == "doi":
        return normalize_doi(value) or value
    if name in VERBATIM_FIELDS:
        return value
    if name == "pages":
        return normalize_pages(latex_to_unicode(value).replace("–", "--"))
    if name == "month":
        return normalize_month(value)
    return _decode_value(value) if "\\" in value else latex_to_unicode(value)


def entry_from_fields(
    entry_type: str, key: str | None, fields: Iterable[tuple[str, str]], origin: Origin | None = None,
    macros: Mapping[str, str] | None = None, lazy: bool = False,
) -> Entry:
    """Build a canonical entry from resolved (name, value) pairs; the first of a repeated name
    that gives a value (or people) wins.

    With ``macros``, the values are raw (delimiters, macro names, ``#``) and resolved here.
    With ``lazy``, a :class:`ReadEntry`: each value is decoded, and the people parsed, when
    first asked for (equal to the entry built at once).
    """
    values: dict[str, str] = {}
    pending: set[str] = set()
    as_read: dict[str, str] = {}  # author/editor values left to parse
    authors, editors, truncated = (), (), False
    aliases = FIELD_ALIASES
    for raw_name, value in fields:
        name = raw_name.lower()
        if name in aliases:
            name = aliases[name]
        if name in values:
            continue
        if macros is not None:
            value = resolve_value(value, macros)
        if name in PEOPLE_FIELDS:
            if name in as_read or (name == "author" and authors) or (name == "editor" and editors):
                continue
            if lazy and _names_someone(value):
                as_read[name] = value
            elif name == "author":
                authors, truncated = read_people(value)
            else:
                editors, _ = read_people(value)
        # Left as read only when it surely decodes to a non-empty value: a value of a field kept as
        # written that is not white space, or one with only braces and text (no command, comment,
        # alignment tab, math or inverted mark: plain searches, faster than a regular expression
        # on long values; inline, as this runs for every field of a file), which keeps every
        # character but braces and folded white space.
        elif lazy and ((value != "" and not value.isspace()) if name in _AS_WRITTEN else (
                "\\" not in value and "%" not in value and "&" not in value and "$" not in value
                and "`" not in value and value.strip(" \t\r\n\f\v{}") != "")):
            values[name] = value
            pending.add(name)
        else:
            decoded = canonical_value(name, value)
            if decoded != "":
                values[name] = decoded
    if "year" not in values and "date" in values:
        date = canonical_value("date", values["date"]) if "date" in pending else values["date"]
        if re.match(r"^\d{4}", date):
            values["year"] = date[:4]
    if lazy:
        return ReadEntry.read(entry_type.lower(), key, ReadFields(values, pending), origin,
                              (as_read.get("author"), as_read.get("editor")), (authors, editors, truncated))
    return Entry(type=entry_type.lower(), fields=values, authors=authors, editors=editors,
                 authors_truncated=truncated, key=key, origin=origin)


PEOPLE_FIELDS = frozenset({"author", "editor"})
# Fields whose canonical value is the value with its white space folded (no LaTeX decoding):
# empty exactly when the value is white space.
_AS_WRITTEN = VERBATIM_FIELDS | {"doi", "month"}


def _names_someone(value: str) -> bool:
    """True when an ``author``/``editor`` value surely names at least one person: it is not
    white space, nor ``others`` alone (both give no people)."""
    folded = " ".join(value.split())
    return folded != "" and folded.lower() != "others"


def read_people(value: str | None) -> tuple[tuple[Person, ...], bool]:
    """The people of an ``author`` or ``editor`` value (resolved, still LaTeX) and whether the
    list ended in ``and others``; no people for None."""
    if value is None:
        return (), False
    return parse_bibtex_names(latex_to_unicode_names(value))


class ReadFields(ReadOnlyFields):
    """The fields of an entry read from a .bib, each value decoded (``canonical_value``) the
    first time it is asked for; ``pending`` names the values still as read (resolved, LaTeX).

    A sync reads a few fields of every entry of a large target (title, year, identifiers) and
    all of only the few it matches: the rest is never decoded. Only values that surely decode
    to something are left pending, so the names (and their order) are those of the decoded
    entry from the start.
    """

    __slots__ = ("_values", "_pending")

    def __init__(self, values: dict[str, str], pending: set[str] | frozenset[str] = frozenset()) -> None:
        self._values = values
        self._pending = pending if type(pending) is set else set(pending)  # a new set is kept, not copied

    def __getitem__(self, name: str) -> str:
        value = self._values[name]
        if name in self._pending:
            value = self._values[name] = canonical_value(name, value)
            self._pending.discard(name)
        return value

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """The decoded value of ``name``, or ``default``."""
        values = self._values
        if name not in values:
            return default
        if name in self._pending:  # as __getitem__ does, inline (matching reads a few fields of every entry)
            value = values[name] = canonical_value(name, values[name])
            self._pending.discard(name)
            return value
        return values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"ReadFields({dict(self.items())!r})"

    def as_read(self) -> tuple[dict[str, str], set[str]]:
        """The values as they stand (decoded or as read) and the names still pending (for the read
        cache; the mapping's own, not to be changed)."""
        return self._values, self._pending


class ReadEntry(Entry):
    """An entry read from a .bib whose fields decode (:class:`ReadFields`) and whose people are
    parsed when first asked for; equal to, and usable as, the entry built at once.

    Built by :meth:`read`; ``dataclasses.replace`` and the ``with_*`` methods give entries
    whose people are parsed (the fields stay lazy until read).
    """

    _people_as_read: tuple[str | None, str | None] | None = None

    @classmethod
    def read(cls, entry_type: str, key: str | None, fields: ReadFields, origin: Origin | None,
             as_read: tuple[str | None, str | None],
             parsed: tuple[tuple[Person, ...], tuple[Person, ...], bool] = ((), (), False)) -> "ReadEntry":
        """An entry of ``fields``; ``as_read`` holds the ``author`` and ``editor`` values left to
        parse (None: not left), ``parsed`` (authors, editors, truncated) the people already parsed."""
        entry = object.__new__(cls)
        authors, editors, truncated = parsed
        # one update of the frozen instance's attributes (a read makes ten thousand of these)
        entry.__dict__.update(type=entry_type, fields=fields, key=key, origin=origin, _authors=authors,
                              _editors=editors, _truncated=truncated)
        if as_read != (None, None):
            entry.__dict__["_people_as_read"] = as_read
        return entry

    def _parse_people(self) -> None:
        author, editor = self._people_as_read
        if author is not None:
            authors, truncated = read_people(author)
            object.__setattr__(self, "_authors", authors)
            object.__setattr__(self, "_truncated", truncated)
        if editor is not None:
            object.__setattr__(self, "_editors", read_people(editor)[0])
        object.__setattr__(self, "_people_as_read", None)

    def _person_attribute(name: str, doc: str):  # noqa: N805 (a property factory used in the class body)
        def get(self: "ReadEntry"):
            if self._people_as_read is not None:
                self._parse_people()
            return self.__dict__[name]

        def set_(self: "ReadEntry", value) -> None:  # the dataclass __init__ sets people this way
            if self._people_as_read is not None:
                self._parse_people()
            object.__setattr__(self, name, value)

        return property(get, set_, doc=doc)

    authors = _person_attribute("_authors", "The authors (parsed when first asked for).")
    editors = _person_attribute("_editors", "The editors (parsed when first asked for).")
    authors_truncated = _person_attribute("_truncated", "Whether the author list ended in ``and others``.")
    del _person_attribute

    def as_read(self) -> "EntryState":
        """What the entry holds now, nothing decoded for it (for the read cache)."""
        values, pending = self.fields.as_read() if isinstance(self.fields, ReadFields) else (dict(self.fields), set())
        author, editor = self._people_as_read or (None, None)
        people = self.__dict__
        return EntryState(self.type, self.key, values, pending,
                          people["_authors"] if author is None else author,
                          people["_editors"] if editor is None else editor, people["_truncated"])

    def moved(self, origin: Origin | None) -> "ReadEntry":
        """The same entry (nothing decoded for it) at another place."""
        entry = object.__new__(type(self))
        entry.__dict__.update(self.__dict__)
        object.__setattr__(entry, "origin", origin)
        return entry

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return ((self.type, self.fields, self.authors, self.editors, self.authors_truncated, self.key)
                == (other.type, other.fields, other.authors, other.editors, other.authors_truncated, other.key))

    __hash__ = None  # type: ignore[assignment]  # like Entry: its fields are a mapping


@dataclass(slots=True)
class EntryState:
    """An entry as the reader holds it: values (``pending`` ones still as read) and people
    (a tuple when parsed, the value as read when not)."""

    type: str
    key: str | None
    values: dict[str, str]
    pending: set[str]
    authors: tuple[Person, ...] | str
    editors: tuple[Person, ...] | str
    authors_truncated: bool

    @classmethod
    def of(cls, entry: Entry) -> "EntryState":
        """The state of any entry (a :class:`ReadEntry` keeps what it has not decoded)."""
        if isinstance(entry, ReadEntry):
            return entry.as_read()
        return cls(entry.type, entry.key, dict(entry.fields), set(), entry.authors, entry.editors,
                   entry.authors_truncated)

    def entry(self, origin: Origin | None) -> ReadEntry:
        """The entry again (equal to the one the state was taken of)."""
        return entry_of_state(self.type, self.key, self.values, self.pending, self.authors, self.editors,
                              self.authors_truncated, origin)


def entry_of_state(entry_type: str, key: str | None, values: dict[str, str], pending: set[str],
                   authors: Sequence[Person] | str, editors: Sequence[Person] | str, truncated: bool,
                   origin: Origin | None) -> ReadEntry:
    """The entry of an :class:`EntryState`'s parts, without the state (the read cache makes ten
    thousand of these): people as read (a string) are parsed when first asked for."""
    author = authors if type(authors) is str else None
    editor = editors if type(editors) is str else None
    parsed = (() if author is not None else tuple(authors), () if editor is not None else tuple(editors), truncated)
    return ReadEntry.read(entry_type, key, ReadFields(values, pending), origin, (author, editor), parsed)


def latex_to_unicode_names(value: str) -> str:
    """Decode accents in a name list but keep the braces that group institutional names."""
    if "\\" not in value:
        return value
    # Decode each braced accent group like {\"o} without removing {Institution} braces.
    return re.sub(r"\{\\[^{}]*\}|\\[`'^\"~=.uvHckrbd]\{?\\?[A-Za-z]\}?|\\[a-zA-Z]+\{[A-Za-z]?\}|\\(?:ss|o|O|ae|AE|oe|OE|aa|AA|l|L|i|j)\b",
                  lambda m: _decode_group(m.group(0)), value)


@dataclass
class BibDocument:
    """A parsed .bib text: entries in order, macros, failures, and the blocks with their spans.

    ``spans`` (parallel to ``blocks``) and ``entry_spans`` (parallel to ``entry_blocks`` and
    ``entries``) are offsets into the text that was read, or None for a block not found in it.
    """

    blocks: list[bm.Block] = field(default_factory=list)
    spans: list[Span | None] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    entry_blocks: list[bm.Block] = field(default_factory=list)
    entry_spans: list[Span | None] = field(default_factory=list)
    macros: dict[str, str] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)


# A value that swallowed the next field after a missing comma: "name =" after white space or
# a closing delimiter ("2021\n  publisher = ...", "{} doi = ..."). A value such as "{the x = y}"
# also matches; its rescan finds the same fields, and it is read as bibtexparser read it.
_SWALLOWED_FIELD_RE = re.compile(r"[\s}\"][ \t]*[^\s=,{}()\"#%]+[ \t]*=")


def read_bibtex(text: str, filename: str = "<input>", macros: Mapping[str, str] | None = None,
                lazy: bool = False, target: bool = False) -> BibDocument:
    """Parse BibTeX text into canonical entries, keeping every block for lossless writing.

    ``%`` lines are comments (see :mod:`bibsync.bibtex.blocks`). A duplicate key keeps both
    entries (and reports the second); a duplicate field keeps the first value (and reports
    it); a field without its comma before the next field is read as two fields (and
    reported); ``@string`` macros apply from their definition on (a repeated one is
    reported, the new value applies from there); a block that cannot be parsed is reported
    and kept as a block; every other block (``@preamble``, ``@comment``, text) is kept as it is.
    ``macros`` (lower-case name -> value) are defined before the text starts (for reading
    one entry of a file whose ``@string`` blocks were read before). ``lazy``: entries decode
    their values and people when first asked for (see :class:`ReadEntry`). ``target`` (a file
    bibsync adds to): a block that cannot be parsed and that BibTeX reads on past is reported
    as such (see :mod:`.reach`).
    """
    blocks, spans, lines = parse_blocks(text)
    doc = BibDocument(blocks=blocks, spans=spans, macros=dict(macros or {}))
    unparsed: dict[int, int] = {}  # start of each block that cannot be parsed -> its failure's index
    for block, span, line in zip(blocks, spans, lines):
        # An entry (the common case) is told by its type: isinstance on bibtexparser's abstract
        # block classes, as below, is slow.
        rescan = False  # whether the fields are scanned again (a repeated field name)
        if type(block) is bm.Entry:
            entry_block = block
        else:
            inner = block.ignore_error_block if isinstance(block, bm.DuplicateBlockKeyBlock) else block
            if isinstance(inner, bm.String):
                if inner.key.lower() in doc.macros:  # macro names are case-insensitive in BibTeX
                    doc.failures.append(Failure(
                        f"@string {inner.key!r} is defined again; its new value applies from here on",
                        filename, line, hint="keep one definition of each @string", raw=block.raw, severity="warning",
                        kind="@string macros defined again (the new value applies from there on)"))
                doc.macros[inner.key.lower()] = resolve_value(inner.value, doc.macros)
                continue
            if isinstance(block, bm.DuplicateFieldKeyBlock):
                entry_block, rescan = block.ignore_error_block, True
                doc.failures.append(Failure(
                    f"entry {entry_block.key!r} repeats field(s) {', '.join(sorted(block.duplicate_keys))}; "
                    "the first value is used", filename, line, hint="remove the repeated field", raw=block.raw,
                    severity="warning", kind="entries that repeat a field (the first value is used)"))
            elif isinstance(inner, bm.Entry):
                entry_block = inner
                if inner is not block:
                    doc.failures.append(Failure(f"duplicate key {block.key!r}; both entries kept", filename, line,
                                                hint="rename one of them", raw=block.raw, severity="warning",
                                                kind="entries with a duplicate key (both kept)"))
            elif isinstance(block, bm.ParsingFailedBlock):
                if span is not None:
                    unparsed[span[0]] = len(doc.failures)
                doc.failures.append(Failure(f"cannot parse this block: {_first_line(str(block.error))}", filename,
                                            line, hint="check for a missing brace or comma; the block is kept as it is",
                                            raw=block.raw, kind="blocks that cannot be parsed (kept as they are)"))
                continue
            else:  # @preamble, @comment, text between entries: kept as they are
                continue
        pairs, unended = _entry_fields(entry_block, block.raw, rescan)
        if unended:
            doc.failures.append(Failure(
                f"entry {entry_block.key!r}: no comma after field(s) {', '.join(unended)}; read as separate fields",
                filename, line, hint="add the missing comma (bibsync adds it when it updates the entry)",
                raw=block.raw, severity="warning", kind="entries with a field missing its comma (read as separate fields)"))
        origin = Origin("bibtex", filename, line)
        doc.entries.append(entry_from_fields(entry_block.entry_type, entry_block.key, pairs, origin, doc.macros,
                                               lazy))
        doc.entry_blocks.append(block)
        doc.entry_spans.append(span)
    if target:
        _report_runaways(text, filename, doc, unparsed)
    return doc


# Kinds of problem (see Failure.kind) of a block that BibTeX reads on past its end.
OPEN_TO_END_KIND = "blocks open to the end of the file (bibtex reads the rest as part of them)"
OPEN_KIND = "blocks that bibtex reads on into the entries after them"
_BLOCK_HEAD_RE = re.compile(r"@[^{(\n]*[{(][^,\n]{0,40}")


def _report_runaways(text: str, filename: str, doc: BibDocument, unparsed: dict[int, int]) -> None:
    """Say which blocks BibTeX reads on past (see :mod:`.reach`): in place of the "cannot
    parse" failure of a block bibtexparser could not parse, or as a failure of their own for
    a block it did parse, or for an ``@`` outside the blocks it read (a ``%`` line)."""
    suspects = _read_differently(text, doc)
    if not unparsed and not suspects:
        return
    parsed = sorted(span[0] for span, block in zip(doc.spans, doc.blocks)
                    if span is not None and span[0] not in unparsed and span[0] not in suspects
                    and not isinstance(block, bm.ImplicitComment))
    entry_starts = [(span[0], entry.key) for span, entry in zip(doc.entry_spans, doc.entries) if span]
    for start, end in runaways(text, sorted({*unparsed, *suspects}), parsed):
        head = _BLOCK_HEAD_RE.match(text, start)
        name = head.group(0) if head else "this block"
        swallowed = [key for at, key in entry_starts if start < at < end]
        line = text.count("\n", 0, start) + 1
        why, hint = _why_open(text, start, suspects.get(start))
        if end > len(text):
            some = f" ({_entries(swallowed)})" if swallowed else ""
            failure = Failure(f"{name} {why or 'is never closed'}: bibtex reads the rest of the file as part of "
                              f"it{some}; new entries that bibsync adds go before it", filename, line,
                              hint=f"{hint}; biber reads nothing from a file with such a block",
                              raw=text[start:start + 200], kind=OPEN_TO_END_KIND)
        else:
            failure = Failure(f"{name} {why or 'is not closed where it should be'}: bibtex reads "
                              f"{_entries(swallowed) if swallowed else 'on'} after it as part of it", filename, line,
                              hint=hint, raw=text[start:start + 200], kind=OPEN_KIND)
        if start in unparsed:
            doc.failures[unparsed[start]] = failure
        else:
            doc.failures.append(failure)


# Why BibTeX reads a block that bibsync reads whole differently (see _read_differently).
_UNBALANCED = "parsed"
_OUTSIDE = "outside"


def _read_differently(text: str, doc: BibDocument) -> dict[int, str]:
    """The places where BibTeX may start reading a block that bibtexparser read whole but
    BibTeX may not end where it does, each with why (``_UNBALANCED``, ``_OUTSIDE``): a block
    whose ``{`` and ``}`` do not pair up (BibTeX counts every brace, inside quotes and after
    a backslash too), an ``@comment`` with an ``@`` inside (BibTeX skips to it), and the first
    ``@`` between blocks (a ``%`` line, which BibTeX does not skip). Cheap: one count of the
    braces of each block, one search for ``@`` between blocks."""
    suspects: dict[int, str] = {}
    covered_to = 0
    for block, span in zip(doc.blocks, doc.spans):
        if span is None:
            continue
        kind = type(block)  # the common kinds by type: isinstance on bibtexparser's abstract classes is slow
        if kind is bm.ImplicitComment or (kind is not bm.Entry and isinstance(block, bm.ImplicitComment)):
            continue
        start, end = span
        at = text.find("@", covered_to, start)
        if at >= 0:
            suspects[at] = _OUTSIDE
        if end > covered_to:
            covered_to = end
        if kind is bm.Entry:
            if text.count("{", start, end) != text.count("}", start, end):
                suspects[start] = _UNBALANCED
        elif isinstance(block, bm.ExplicitComment):
            if text.find("@", span[0] + 1, span[1]) >= 0:
                suspects[span[0]] = _OUTSIDE
        elif (not isinstance(block, bm.ParsingFailedBlock)
              and text.count("{", *span) != text.count("}", *span)):
            suspects[span[0]] = _UNBALANCED
    at = text.find("@", covered_to)
    if at >= 0:
        suspects[at] = _OUTSIDE
    return suspects


def _why_open(text: str, start: int, suspect: str | None) -> tuple[str, str]:
    """Why BibTeX reads on past the block at ``start`` ("" for a block bibsync cannot parse
    either) and the hint to mend it."""
    if suspect == _UNBALANCED:
        return ("has a brace that bibtex does not see closed (bibtex counts the braces inside quotes and "
                "after a backslash too)", "pair up the braces in its values (bibsync keeps it as it is)")
    line_start = text.rfind("\n", 0, start) + 1
    if suspect == _OUTSIDE and text[line_start:start].lstrip(" \t").startswith("%"):
        return ("is on a % line, which bibtex does not skip, and is not closed",
                "close its braces or quotes, or delete the line (bibsync keeps it as it is)")
    return "", "close its braces or quotes (bibsync keeps it as it is)"


def _entries(keys: list[str]) -> str:
    return f"the entry {keys[0]!r}" if len(keys) == 1 else f"{len(keys)} entries from {keys[0]!r} on"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "syntax error"


def _entry_fields(entry: bm.Entry, raw: str, rescan: bool) -> tuple[list[tuple[str, str]], list[str]]:
    """The (name, raw value) pairs of an entry, and the fields not followed by their comma.

    bibtexparser reads a field without its comma as one value running into the next field
    (``year = 2021\n  publisher = {ACM}``). Such entries, and those with repeated fields
    (``rescan``), are scanned again with the splicer's scanner, which knows where each value
    ends; a repeated name then keeps every value in order (the reader uses the first).
    """
    pairs = [(f.key, f.value) for f in entry.fields]
    if not rescan:
        for _, value in pairs:
            if "=" in value and _SWALLOWED_FIELD_RE.search(value):
                break
        else:
            return pairs, []
    try:
        layout = scan_entry(raw)
    except LayoutError:
        return pairs, []
    if not layout.fields or (not rescan and len(layout.fields) <= len(pairs)):
        return pairs, []
    unended = [span.name for span in layout.fields[:-1] if span.comma is None]
    return [(span.name, layout.value_of(span)) for span in layout.fields], unended


# Fields a child does not take from its crossref'd parent: identifiers and links of the
# parent volume, bookkeeping, and the parent's title (which becomes the child's booktitle).
_NOT_INHERITED = frozenset({
    "crossref", "xref", "ids", "title", "doi", "url", "eprint", "eprinttype", "eprintclass",
    "archiveprefix", "primaryclass", "biburl", "bibsource", "timestamp", "abstract", "keywords",
    "file", "urldate", "shorthand", "label", "sortkey", "entryset", "related",
})
# Parent types whose title is the child's booktitle.
_VOLUME_TYPES = frozenset({"proceedings", "mvproceedings", "book", "mvbook", "collection",
                           "mvcollection", "reference", "mvreference"})


def resolve_crossrefs(entries: list[Entry], filename: str = "<input>") -> tuple[list[Entry], list[Failure]]:
    """Fill each entry that has ``crossref`` with what it inherits from the parent in ``entries``.

    The parent's title becomes the child's ``booktitle``; its editors, publisher, year,
    address, series, volume, isbn (any field the child lacks, except identifiers such as doi
    and url) are copied; the child's own values always win and the ``crossref`` field is
    dropped. A parent that is itself a child is resolved first. A crossref to a key that is
    not in ``entries`` leaves the entry as it is and is reported as a warning. Pure: the
    entries passed in are not changed (used by the bibtex source, not by the .bib target).
    """
    if not any("crossref" in entry.fields for entry in entries):
        return list(entries), []  # nothing to resolve (most files): no index of the keys
    by_key: dict[str, Entry] = {}
    for entry in entries:
        if entry.key:
            by_key.setdefault(entry.key.lower(), entry)  # a duplicate key: the first one is the parent
    resolved: dict[int, Entry] = {}
    problems: list[Failure] = []

    def resolve(entry: Entry, depth: int) -> Entry:
        if id(entry) in resolved:
            return resolved[id(entry)]
        ref = entry.get("crossref")
        parent = by_key.get(ref.lower()) if ref else None
        if not ref or parent is None or parent is entry or depth > 8:
            if ref and parent is None and depth == 0:
                line = entry.origin.line if entry.origin else None
                problems.append(Failure(f"entry {entry.key!r}: crossref {ref!r} is not in this file; nothing inherited",
                                        filename, line, hint="add the cross-referenced entry to the file",
                                        severity="warning", kind="crossrefs to entries not in the file"))
            return entry
        parent = resolve(parent, depth + 1)
        fields = dict(entry.fields)
        del fields["crossref"]
        if parent.type in _VOLUME_TYPES and parent.title and "booktitle" not in fields:
            fields["booktitle"] = parent.title
        for name, value in parent.fields.items():
            if name not in _NOT_INHERITED and name not in fields:
                fields[name] = value
        child = Entry(type=entry.type, fields=fields, authors=entry.authors, editors=entry.editors or parent.editors,
                      authors_truncated=entry.authors_truncated, key=entry.key, origin=entry.origin)
        resolved[id(entry)] = child
        return child

    return [resolve(entry, 0) for entry in entries], problems
