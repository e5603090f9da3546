"""What reading a .bib produces for the target, and how a write changes it.

:func:`read_result` is the full read: entries as the sync compares them (crossrefs
resolved, BibLaTeX made canonical, the ``crossref`` field kept), where each entry's text is,
the problems found, and the ``@string`` macros. :func:`after_edits` derives the read of the
file bibsync has just written from the read of the old file and the splice edits, parsing
only the entries it wrote; where it cannot be sure the result equals a full read (a
removal, a crossref involved, a problem inside an edited entry, a repeated key), it gives
None and the next run reads the file in full.
"""

from __future__ import annotations

import gc
import heapq
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

from bibtexparser import model as bm

from ...bibtex.canonical import canonical_entry
from ...bibtex.read import BibDocument, ReadEntry, canonical_value, read_bibtex, resolve_crossrefs, resolve_value
from ...model import Entry, Failure, Origin

Span = tuple[int, int]
Edit = tuple[int, int, int, str]


@dataclass
class ReadResult:
    """A read .bib: entries in file order with their spans, problems, and macros."""

    entries: list[Entry] = field(default_factory=list)
    spans: list[Span | None] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    macros: dict[str, str] = field(default_factory=dict)  # lower-case name -> value
    # Each @string definition: (canonical value, name as written, where it starts, where the
    # next definition of the name starts or -1): a value may be written as that name only there.
    macro_names: tuple[tuple[str, str, int, int], ...] = ()


@contextmanager
def long_lived(freeze: bool) -> Iterator[None]:
    """With ``freeze``, build what stays alive for the rest of the run without the cyclic
    garbage collector, then move it out of the collector's sight (``gc.freeze``).

    A large read makes a hundred thousand objects that live until the process ends. The
    collector would walk them again and again, while they are made (allocations trigger
    collections) and afterwards, each time the matcher's work triggers a full collection:
    together half a parse. Frozen objects are still freed when nothing refers to them; only
    a reference cycle among them would stay. They are never unfrozen: the interpreter's last
    collection at exit would walk them all once more (0.4 s after a 10,000-entry read, more
    than the matcher's work). Meant for a command line run, which ends soon (the sync command
    asks for it); a library caller keeps Python's usual collection.
    """
    if not freeze:
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def read_result(text: str, where: str, macros: dict[str, str] | None = None, freeze: bool = False) -> ReadResult:
    """Read ``text`` (the whole file, or one snippet with the file's ``macros``); ``freeze``: see
    :func:`long_lived`."""
    with long_lived(freeze):
        doc = read_bibtex(text, where, macros, lazy=True, target=True)
        resolved, problems = resolve_crossrefs(doc.entries, where)
        entries = [_with_crossref(canonical_entry(e), read.get("crossref")) for e, read in zip(resolved, doc.entries)]
    return ReadResult(entries, list(doc.entry_spans), list(doc.failures) + problems, dict(doc.macros),
                      _macro_names(doc))


def _with_crossref(entry: Entry, crossref: str) -> Entry:
    """The crossref field itself stays: a listing whose parent is elsewhere carries it too."""
    return entry.with_fields(crossref=crossref) if crossref and "crossref" not in entry.fields else entry


def _macro_names(doc: BibDocument) -> tuple[tuple[str, str, int, int], ...]:
    """Each ``@string`` definition with the value it has where it stands (a redefinition applies
    from its own place on, as BibTeX reads it) and the stretch of text where it applies."""
    running: dict[str, str] = {}
    definitions: list[list] = []
    last_of: dict[str, int] = {}  # lower-case name -> index of its latest definition
    for block, span in zip(doc.blocks, doc.spans):
        if type(block) is bm.Entry:  # most blocks: skipped without isinstance on bibtexparser's abstract classes
            continue
        inner = block.ignore_error_block if isinstance(block, bm.DuplicateBlockKeyBlock) else block
        if not isinstance(inner, bm.String) or span is None:
            continue
        name = inner.key.lower()
        running[name] = resolve_value(inner.value, running)
        if name in last_of:
            definitions[last_of[name]][3] = span[0]
        last_of[name] = len(definitions)
        definitions.append([canonical_value("journal", running[name]), inner.key, span[1], -1])
    return tuple((value, key, start, end) for value, key, start, end in definitions if value)


def macros_at(macro_names: Sequence[tuple[str, str, int, int]], offset: int) -> tuple[tuple[str, str], ...]:
    """(value, name) of the macros defined at ``offset`` of the text, first name per value: what
    an entry written there may use instead of the value (a macro defined later, or redefined
    since, would read as another value or none)."""
    values: dict[str, str] = {}
    for value, name, start, end in macro_names:
        if start <= offset and (end < 0 or offset < end):
            values.setdefault(value, name)
    return tuple(values.items())


def after_edits(result: ReadResult, old: str, edits: Sequence[Edit], where: str) -> ReadResult | None:
    """The read of the text that ``edits`` make of ``old``, from ``result`` (the read of ``old``),
    or None when only a full read can say (see the module docstring)."""
    if any(span is None for span in result.spans):
        return None
    ordered = sorted(edits, key=lambda e: (e[0], e[0] != e[1], e[2]))
    index_of = {span: i for i, span in enumerate(result.spans)}
    referenced = {e.fields["crossref"].lower() for e in result.entries if "crossref" in e.fields}
    keys = {e.key for e in result.entries}
    shifts = _Shifts(old, ordered)
    if not shifts.untouched(result.failures):
        return None  # a problem reported where an edit goes: only a full read says what remains
    replaced: dict[int, tuple[Entry, Span]] = {}
    inserted: list[tuple[Entry, Span]] = []
    for k, (start, end, _, text) in enumerate(ordered):
        index = index_of.get((start, end)) if start != end else None
        if start != end and (index is None or not text):
            return None  # a removal, or an edit that is not one whole entry
        if index is not None and ("crossref" in result.entries[index].fields
                                  or (result.entries[index].key or "").lower() in referenced):
            return None
        snippet = read_result(text, where, result.macros)
        if snippet.failures or any("crossref" in e.fields for e in snippet.entries) or None in snippet.spans:
            return None
        at, line = shifts.new_place(k)
        placed = [(replace_origin(e, line - 1), (at + a, at + b)) for e, (a, b) in zip(snippet.entries, snippet.spans)]
        if index is not None:
            if len(placed) != 1 or placed[0][0].key != result.entries[index].key:
                return None
            replaced[index] = placed[0]
            continue
        new_keys = [e.key for e, _ in placed]
        if (len(set(new_keys)) != len(new_keys) or keys.intersection(new_keys)
                or referenced.intersection((key or "").lower() for key in new_keys)):
            return None
        keys.update(new_keys)
        inserted += placed
    # Entries that end before the first edit keep their place (all of them when a sync appends).
    before = bisect_right([span[1] for span in result.spans], ordered[0][0]) if ordered else len(result.spans)
    placed_all: list[tuple[Entry, Span]] = list(zip(result.entries[:before], result.spans[:before]))
    for i in range(before, len(result.entries)):
        entry, span = result.entries[i], result.spans[i]
        if i in replaced:
            placed_all.append(replaced[i])
            continue
        at, line_shift = shifts.moved(span[0])
        placed_all.append((replace_origin(entry, line_shift), (at, at + span[1] - span[0])))
    merged = _merge_by_offset(placed_all, inserted)
    failures = [replace(f, line=f.line + shifts.line_shift_before_line(f.line)) for f in result.failures]
    macro_names = tuple((value, name, shifts.moved(start)[0], shifts.moved(end)[0] if end >= 0 else -1)
                        for value, name, start, end in result.macro_names)
    return ReadResult([e for e, _ in merged], [s for _, s in merged], failures, dict(result.macros), macro_names)


def _merge_by_offset(a: list[tuple[Entry, Span]], b: list[tuple[Entry, Span]]) -> list[tuple[Entry, Span]]:
    """Two lists in offset order (the kept entries keep their order; the inserted ones come in
    edit order), merged in offset order."""
    return list(heapq.merge(a, b, key=lambda pair: pair[1][0]))


def replace_origin(entry: Entry, line_offset: int) -> Entry:
    """``entry`` with its origin line moved by ``line_offset`` (the same object when it does not
    move; a read entry stays undecoded)."""
    origin = entry.origin
    if origin is None or not origin.line or not line_offset:
        return entry
    moved = Origin(origin.source, origin.file, origin.line + line_offset, origin.record)
    if isinstance(entry, ReadEntry):
        return entry.moved(moved)
    return Entry(entry.type, entry.fields, entry.authors, entry.editors, entry.authors_truncated, entry.key, moved)


class _Shifts:
    """Where old offsets and lines land in the new text, given edits sorted by offset."""

    def __init__(self, old: str, ordered: Sequence[Edit]) -> None:
        self.ordered = ordered
        self.ends: list[int] = []  # old end offset of each edit
        self.offset_after: list[int] = []  # cumulative offset shift after each edit
        self.lines_after: list[int] = []  # cumulative line shift after each edit
        self.start_lines: list[int] = []  # old line (1-based) of each edit's start
        self.end_lines: list[int] = []  # old line (1-based) of each edit's end
        offset_shift = line_shift = 0
        line, counted = 1, 0
        for start, end, _, text in ordered:
            line += old.count("\n", counted, start)
            counted = start
            self.start_lines.append(line)
            removed_lines = old.count("\n", start, end)
            self.end_lines.append(line + removed_lines)
            offset_shift += len(text) - (end - start)
            line_shift += text.count("\n") - removed_lines
            self.ends.append(end)
            self.offset_after.append(offset_shift)
            self.lines_after.append(line_shift)

    def _before(self, offset: int) -> int:
        """How many edits end at or before ``offset`` (an insertion at ``offset`` counts)."""
        return bisect_right(self.ends, offset)

    def moved(self, offset: int) -> tuple[int, int]:
        """(new offset, line shift) of an old offset that no edit covers."""
        k = self._before(offset)
        return offset + (self.offset_after[k - 1] if k else 0), (self.lines_after[k - 1] if k else 0)

    def new_place(self, k: int) -> tuple[int, int]:
        """(new offset, new 1-based line) where the text of edit ``k`` begins."""
        offset_shift = self.offset_after[k - 1] if k else 0
        line_shift = self.lines_after[k - 1] if k else 0
        return self.ordered[k][0] + offset_shift, self.start_lines[k] + line_shift

    def line_shift_before_line(self, line: int) -> int:
        """The line shift of an old line after the edits that end on an earlier line."""
        k = bisect_right(self.end_lines, line - 1)
        return self.lines_after[k - 1] if k else 0

    def untouched(self, failures: Sequence[Failure]) -> bool:
        """True when every problem has a line and no edit touches that line."""
        for failure in failures:
            if failure.line is None:
                return False
            k = bisect_right(self.start_lines, failure.line)
            if k and self.end_lines[k - 1] >= failure.line:
                return False
        return True
