"""The .bib file target: read with bibtexparser, write by splicing into the original text.

``load`` takes the file's lock (see :mod:`bibsync.files.lock`: two bibsync runs on one file
take turns), refuses what is not a regular file, and keeps the file's bytes, its decoded text
and the span of every block. ``render`` turns a plan into the new text: each updated entry's
span is replaced by the same text with only its new or changed fields edited
(:mod:`bibsync.bibtex.splice`), new entries are appended (or inserted in key order) in the
file's own style (:mod:`bibsync.bibtex.style`), before a block that BibTeX would read them into
(:mod:`bibsync.bibtex.reach`); every other byte stays, in order. ``apply`` writes it atomically; just before the rename it checks
that the file is still the one ``load`` read (size, modification time, content hash), and
writes nothing if not. ``close`` lets the lock go.
"""

from __future__ import annotations

import os
import re
import weakref
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ...bibtex.diff import unified_diff
from ...bibtex.keys_in_text import has_commented_entry, keys_in_text
from ...bibtex.reach import block_reading_past_end
from ...bibtex.read import FIELD_ALIASES, OPEN_TO_END_KIND
from ...bibtex.splice import LayoutError, NewField, apply_edits, is_empty_value, scan_entry, splice_entry
from ...bibtex.style import (FileStyle, UnencodableError, delimited_value, detect_style, encodable, field_rank,
                             file_field_name, format_new_entry, sample, type_name, word_case)
from ...bibtex.write import default_style, entry_type_for
from ...config import Settings
from ...errors import ConflictError, Interrupted, TargetError
from ...files.atomic import remove_leftovers, save
from ...files.backup import backup_base, backup_problem, make_backup
from ...files.lock import FileLock
from ...files.writable import write_problem
from ...model import Entry, Failure
from ...plan import ENTRY_KEY, ENTRY_TYPE, Change, Plan
from ..base import ApplyReport
from .cache import ReadCache
from .filebytes import Decoded, FileState, current_state, decode_bib, encode_bib, read_regular
from .notbibtex import refuse_other_format
from .state import ReadResult, after_edits, macros_at, read_result


class BibFileTarget:
    """A .bib file as a sync target (see the module docstring).

    ``read_only`` (a dry run, a look at the entries) takes no lock and never writes;
    ``force`` replaces a read-only file; ``lock_timeout`` is how long to wait for another
    bibsync run on the same file, ``on_lock_wait(pid)`` is called once if it has to wait.
    With a ``cache`` (see :mod:`.cache`), an unchanged file is not parsed again, and what a
    write changed is kept there for the next run: by :meth:`close` (at the end of a
    :meth:`session` too, unless ``late_cache``: the command line closes the target after its
    output is printed, so that the cache write does not hold the output up). ``freeze_read``
    keeps the garbage collector off what was read until the process ends (for a command line
    run; see ``state.long_lived``).
    """

    name = "bib"

    def __init__(self, path: Path | str, settings: Settings | None = None, *, sorted_keys: bool = False,
                 backup: bool = False, force: bool = False, read_only: bool = False, lock_timeout: float = 30.0,
                 on_lock_wait: Callable[[int | None], None] | None = None, cache: ReadCache | None = None,
                 freeze_read: bool = False, late_cache: bool = False) -> None:
        self.path = Path(path)
        self.settings = settings or Settings()
        self.sorted_keys = sorted_keys
        self.backup = backup
        self.force = force
        self.read_only = read_only
        self.failures: list[Failure] = []
        self.written = False  # set the moment the new file is in place
        self._lock = None if read_only else FileLock(self.path, lock_timeout, on_lock_wait)
        self._in_session = False
        if self._lock is not None:
            weakref.finalize(self, self._lock.release)
        self._data: bytes | None = None  # None: the file did not exist when loaded
        self._state: FileState | None = None
        self._decoded = Decoded("", "utf-8", False)
        self._read = ReadResult()
        self._spans: list[tuple[int, int] | None] = []
        self.cache = cache
        self.freeze_read = freeze_read
        self.late_cache = late_cache
        self.from_cache = False  # whether the last load came from the cache
        self._to_cache: tuple[FileState | None, ReadResult] | None = None
        self._style: FileStyle | None = None
        self._loaded = False

    # --- reading ---------------------------------------------------------------------

    def load(self) -> list[Entry]:
        """Read the file (a missing file is an empty target) and return its entries with keys.

        In a :meth:`session`, first take the file's lock (see :meth:`_take_lock`).
        """
        where = str(self.path)
        if self._in_session:
            self._take_lock()
        self._data, self._state = read_regular(self.path)
        self._decoded = decode_bib(self._data or b"", where)
        refuse_other_format(self._decoded.text, where, writing=self._in_session and not self.read_only)
        cached = (self.cache.load(self.path, self._state, self._decoded.text, where, self.freeze_read)
                  if self.cache else None)
        self.from_cache = cached is not None
        self._read = cached or read_result(self._decoded.text, where, freeze=self.freeze_read)
        if cached is None and self.cache is not None:
            self._to_cache = (self._state, self._read)
        self._spans = list(self._read.spans)
        self.failures = list(self._read.failures)
        self._style = None
        self._loaded = True
        return list(self._read.entries)

    def _take_lock(self) -> None:
        """Refuse a read-only file (unless ``force``), take the file's lock (waiting for another
        bibsync run on it), and delete the temporary files that a killed run left beside it."""
        if self._lock is None or self._lock.held:
            return
        problem = self.write_problem()
        if problem is not None:
            raise problem
        if self._lock.acquire():
            remove_leftovers(self.path, self._backup_path(), self.path.with_name(self.path.name + ".bibsync.json"))

    def write_problem(self) -> TargetError | None:
        """What would stop a write of this file, as the error a real run raises before it reads
        (None: nothing): not a regular file, a read-only file system, a read-only file (unless
        ``force``), a folder that is missing or takes no new file, a ``FILE.bib.orig`` that is no
        regular file (with ``backup``). A dry run reports it and exits as the real run would."""
        problem = write_problem(self.path, force=self.force, flag="--into")
        if problem is None and self.backup and os.path.lexists(self.path):
            problem = backup_problem(self._backup_path())
        return problem

    def close(self) -> None:
        """Keep what was read (or written) in the cache, and let the file's lock go."""
        if self._to_cache is not None and self.cache is not None:
            self.cache.store(self.path, *self._to_cache)
            self._to_cache = None
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()

    def _finish(self) -> None:
        """The end of a session or of a write outside one: :meth:`close`, or with ``late_cache``
        only let the lock go (the caller closes later)."""
        if self.late_cache:
            self._release()
        else:
            self.close()

    @contextmanager
    def session(self) -> Iterator["BibFileTarget"]:
        """Hold the file's lock from ``load`` to the end of the block: a read-modify-write that
        another bibsync run waits for (the sync saves its decisions inside it too). Outside a
        session, ``apply`` takes the lock only around its last check and rename, so a run that
        read the file before another wrote it stops with a ConflictError instead."""
        self._in_session = True
        try:
            yield self
        finally:
            self._in_session = False
            self._finish()

    @property
    def exists(self) -> bool:
        """Whether the file existed when it was loaded."""
        return self._data is not None

    @property
    def text(self) -> str:
        """The file's text as loaded (without a BOM)."""
        return self._decoded.text

    @property
    def reserved_keys(self) -> frozenset[str]:
        """Keys (lower-cased) that BibTeX reads in the file beside its entries' own: those of
        ``%``-commented entries and of blocks bibsync cannot read. New keys avoid them."""
        if not self.failures and not has_commented_entry(self.text):
            return frozenset()  # every key BibTeX reads is an entry's own, which is taken anyway
        return keys_in_text(self.text)

    @property
    def encoding(self) -> str:
        """The encoding the file was read in (and is written back in)."""
        return self._decoded.encoding

    @property
    def diff_encoding(self) -> str:
        """The encoding a diff of this file is saved in: the file's own, so that it applies
        with ``patch``; UTF-8 for a UTF-16 or UTF-32 file (``patch`` reads no wide text)."""
        encoding = self._decoded.encoding
        return "utf-8" if encoding.startswith(("utf-16", "utf-32")) else encoding

    @property
    def entry_spans(self) -> list[tuple[int, int] | None]:
        """Where each loaded entry's text is in :attr:`text` (by entry index; None if not found)."""
        return list(self._spans)

    @property
    def style(self) -> FileStyle:
        """The file's detected style (detected on first use)."""
        if self._style is None:
            text = self._decoded.text
            entry_spans = [s for s in self._spans if s is not None]
            raws = [text[a:b] for a, b in sample(entry_spans)]
            gaps = [text[a[1]:b[0]] for a, b in sample(list(zip(entry_spans, entry_spans[1:])))]
            style = detect_style(text, raws, gaps, self._decoded.encoding, self._decoded.bom)
            if not raws:  # a new (or entry-less) file: the settings' choice, Better BibTeX's convention
                base = default_style(self.settings.biblatex, self.settings.ascii)
                style = replace(style, base=replace(style.base, ascii=base.ascii, biblatex=base.biblatex))
            self._style = style
        return self._style

    def _style_at(self, offset: int) -> FileStyle:
        """The file's style for text written at ``offset``: with the ``@string`` macros that
        BibTeX has read by then, as they are defined there."""
        return replace(self.style, macros=macros_at(self._read.macro_names, offset))

    # --- writing ---------------------------------------------------------------------

    def render(self, plan: Plan, removals: Sequence[int] = ()) -> tuple[str, list[str]]:
        """The new text for ``plan`` (and entries removed by index) and the changes that could
        not be spliced (messages)."""
        edits, problems = self.edits(plan, removals)
        return apply_edits(self._decoded.text, edits), problems

    def edits(self, plan: Plan, removals: Sequence[int] = ()) -> tuple[list[tuple[int, int, int, str]], list[str]]:
        """The splice edits ``(start, end, order, new text)`` into :attr:`text` that make the
        plan (and remove entries by index), and the changes that could not be spliced."""
        self._require_loaded()
        text, style = self._decoded.text, self.style
        edits: list[tuple[int, int, int, str]] = _gap_taken_at_end(text, [self._removal(i, text) for i in removals])
        problems: list[str] = []
        for change in plan.by_kind("update"):
            index = change.target_index
            span = self._spans[index] if index is not None and 0 <= index < len(self._spans) else None
            if span is None:
                problems.append(f"{change.key}: the entry's text was not found in the file; left as it is")
                continue
            try:
                new_raw = self._splice(text[span[0]:span[1]], change, self._style_at(span[0]))
            except LayoutError as exc:
                problems.append(f"{change.key}: {exc.message}; left as it is")
                continue
            edits.append((span[0], span[1], 0, self._encodable(new_raw, change.key, style)))
        edits.extend(self._additions(plan.by_kind("add"), text, style, _kept_end(text, edits)))
        return edits, problems

    def diff(self, plan: Plan) -> str:
        """The unified diff that applying ``plan`` would make ("" when nothing changes), built
        from the splice edits: its cost follows the change, not the size of the file."""
        edits, _ = self.edits(plan)
        name = str(self.path)
        return unified_diff(self._decoded.text, edits, fromfile=name if self.exists else "/dev/null", tofile=name)

    def apply(self, plan: Plan) -> ApplyReport:
        """Write the plan's adds and updates; refuse (ConflictError) if the file changed on disk."""
        return self.apply_with_removals(plan, ())

    def apply_with_removals(self, plan: Plan, removals: Sequence[int | str]) -> ApplyReport:
        """Apply ``plan`` and remove whole entries (merged-away duplicates, for the review).

        ``removals`` are entry indices (as in ``load()``), or keys: a key names the entries
        with that key that the plan does not update; if none is updated, all but the first.
        The file's lock is let go at the end, unless a :meth:`session` holds it.
        """
        try:
            return self._apply(plan, removals)
        finally:
            if not self._in_session:
                self._finish()

    def _apply(self, plan: Plan, removals: Sequence[int | str]) -> ApplyReport:
        self._require_loaded()
        if self.read_only:
            raise TargetError("opened read-only (a dry run): nothing is written", where=str(self.path))
        indices = self._removal_indices(plan, removals)
        report = ApplyReport(skipped_review=len(plan.by_kind("review")))
        if not plan.to_apply() and not indices:
            return report
        edits, problems = self.edits(plan, indices)
        new_text = apply_edits(self._decoded.text, edits)
        report.details["removed"] = len(indices)
        report.failed.extend(problems)  # only updates can fail to splice
        report.added = len(plan.by_kind("add"))
        report.updated = len(plan.by_kind("update")) - len(problems)
        if new_text == self._decoded.text:
            return report
        data = encode_bib(new_text, self._decoded.encoding, self._decoded.bom)
        self._take_lock()
        backup = self._backup_path() if self.backup and self._data is not None else None
        kept: list[Path] = []

        def last_check() -> None:  # just before the rename: nothing may have changed since load
            self._check_unchanged()
            if backup is not None:
                try:
                    kept.append(make_backup(self.path, backup))
                except OSError as exc:
                    raise TargetError(f"cannot write the backup: {exc.strerror or exc}", where=str(backup),
                                      hint="check the folder's permissions and free space; the file is unchanged"
                                      ) from None

        def mark_written() -> None:
            self.written = True

        try:
            save(self.path, data, hint="check the folder's permissions and free space; the file is unchanged",
                 before_replace=last_check, replaced=mark_written)
        except KeyboardInterrupt:
            if not self.written:
                raise
            raise Interrupted(f"interrupted after the new file was written (complete: {report.added} added, "
                              f"{report.updated} updated)", where=str(self.path)) from None
        if kept:
            report.details["backup"] = str(kept[0])
        report.details["path"] = str(self.path)
        # The loaded state now describes the new file: a later apply compares against it.
        self._data = data
        self._state = current_state(self.path)
        if self.cache is not None:  # what the next run would read, without reading it
            after = after_edits(self._read, self._decoded.text, edits, str(self.path))
            self._to_cache = (self._state, after) if after is not None else None
        self._loaded = False
        return report

    # --- helpers -----------------------------------------------------------------------

    def _require_loaded(self) -> None:
        if not self._loaded:
            raise TargetError("load() the .bib file before planning against it", where=str(self.path))

    def _backup_path(self) -> Path:
        return backup_base(self.path)

    def _check_unchanged(self) -> None:
        """Raise ConflictError unless the file is still the one ``load`` read (size, mtime, hash)."""
        now = current_state(self.path)
        if now != self._state:
            what = "was deleted" if now is None else "was created" if self._state is None else "changed on disk"
            raise ConflictError(f"the file {what} since it was read; nothing was written",
                                where=str(self.path), hint="run the sync again on the current file")

    def _removal_indices(self, plan: Plan, removals: Sequence[int | str]) -> list[int]:
        updated = {c.target_index for c in plan.by_kind("update")}
        out: set[int] = set()
        for item in removals:
            if isinstance(item, int):
                out.add(item)
                continue
            same_key = [i for i, e in enumerate(self._read.entries) if e.key == item]
            free = [i for i in same_key if i not in updated]
            out.update(free if len(free) < len(same_key) else free[1:] if len(free) > 1 else free)
        for i in out:
            if not 0 <= i < len(self._spans) or self._spans[i] is None:
                raise TargetError(f"cannot remove entry {i}: its text was not found", where=str(self.path))
        return sorted(out)

    def _removal(self, index: int, text: str) -> tuple[int, int, int, str]:
        """An edit deleting one entry, its line end and the blank lines after it."""
        start, end = self._spans[index]
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip():
            start = line_start
        follow = end
        while True:
            eol = text.find("\n", follow)
            if eol < 0:
                if not text[follow:].strip():
                    follow = len(text)
                break
            if text[follow:eol].strip():
                break
            follow = eol + 1
        return start, follow, 0, ""

    def _encodable(self, text: str, key: str | None, style: FileStyle) -> str:
        """``text`` with what the file's encoding cannot hold escaped (a TargetError naming the
        entry when LaTeX has no escape for a character: nothing is written)."""
        try:
            return encodable(text, style.encoding, style.accent_form)
        except UnencodableError as exc:
            raise TargetError(f"entry {key!r}: {exc.message}", where=str(self.path), hint=exc.hint) from None

    def _splice(self, raw: str, change: Change, style: FileStyle) -> str:
        """The entry's raw text with ``change``'s field changes made in place.

        A field change with ``new == ""`` removes the field; one named ``ENTRY_TYPE``
        (``@type``) renames the entry type (both come from a review's merges, never from
        make_plan); ``type`` is the ordinary field (``type = {Technical Report}``).
        """
        layout = scan_entry(raw)
        cases = Counter(word_case(f.name) for f in layout.fields)
        cases.pop(None, None)
        case = cases.most_common(1)[0][0] if cases else style.base.field_case
        replaced: dict[str, str] = {}
        remove: list[str] = []
        add: list[NewField] = []
        new_type = None
        new_key = None
        for fc in change.field_changes:
            if fc.name == ENTRY_KEY:
                new_key = fc.new
                continue
            if fc.name == ENTRY_TYPE:
                new_type = type_name(entry_type_for(Entry(fc.new), style.base.biblatex), style)
                continue
            spans = [f for f in layout.fields if FIELD_ALIASES.get(f.name.lower(), f.name.lower()) == fc.name]
            if fc.old is None:
                # A field the entry already has but that did not read as a value (`doi = {}`, or
                # a crossref the reader resolved) is set in place: never a second line of it.
                present = next((f for f in spans if is_empty_value(layout.value_of(f))), spans[0] if spans else None)
                if present is not None and fc.new != "":
                    replaced[present.name] = delimited_value(fc.name, fc.new, style,
                                                             quote=raw[present.value_start] == '"')
                elif fc.new != "":
                    name = style.base.case(file_field_name(fc.name, style).lower(), case)
                    add.append(NewField(name, delimited_value(fc.name, fc.new, style), field_rank(fc.name, style)))
                continue
            span = spans[0] if spans else None
            if span is None:  # the old value was inherited (crossref) or derived (date): add it
                if fc.new != "":
                    name = style.base.case(file_field_name(fc.name, style).lower(), case)
                    add.append(NewField(name, delimited_value(fc.name, fc.new, style), field_rank(fc.name, style)))
                continue
            if fc.new == "":
                remove.append(span.name)
                continue
            quoted = raw[span.value_start] == '"'
            replaced[span.name] = delimited_value(fc.name, fc.new, style, quote=quoted)
        spliced = splice_entry(raw, replaced, add, style.line_style(), lambda n: field_rank(n, style),
                               remove, new_type)
        return _renamed(spliced, new_key) if new_key else spliced

    def _additions(self, adds: list[Change], text: str, style: FileStyle,
                   kept_end: int | None = None) -> list[tuple[int, int, int, str]]:
        """Insertions of the new entries: at the end, or before the first larger key (--sorted).

        ``kept_end`` is where the text that stays ends when the last entries are removed in
        the same write (see :func:`_kept_end`); the blank lines before the new entries are
        counted from there, so that the file keeps its usual gap.
        """
        if not adds:
            return []
        nl = style.newline
        gap = nl * (style.base.blank_lines + 1)

        def body(change: Change, offset: int) -> str:  # the file's macros as they stand at offset
            key = change.key or ""
            return self._encodable(format_new_entry(change.result or change.entry.with_key(change.key),
                                                    self._style_at(offset)), key, style)

        edits: list[tuple[int, int, int, str]] = []
        at_end = list(adds)
        unread_from = self._unread_from(text)
        if self.sorted_keys:
            at_end = []
            existing = [(e.key.lower(), span) for e, span in zip(self._read.entries, self._spans)
                        if span is not None and e.key and (unread_from is None or span[0] < unread_from)]
            for order, change in enumerate(sorted(adds, key=lambda c: (c.key or "").lower())):
                spot = next((span for k, span in existing if k > (change.key or "").lower()), None)
                if spot is None:
                    at_end.append(change)
                    continue
                line_start = text.rfind("\n", 0, spot[0]) + 1
                offset = line_start if not text[line_start:spot[0]].strip() else spot[0]
                edits.append((offset, offset, order, body(change, offset) + gap))
        if at_end and unread_from is not None:  # before the block BibTeX would read them into
            line_start = text.rfind("\n", 0, unread_from) + 1
            before = text[line_start:unread_from].strip()
            offset = line_start if not before or before.startswith("%") else unread_from  # a % line stays whole
            edits.append((offset, offset, len(adds) + 1, _end_prefix(text[:offset], style)
                          + gap.join(body(c, offset) for c in at_end) + gap))
        elif at_end:
            edits.append((len(text), len(text), len(adds) + 1, _end_prefix(text[:kept_end], style) + gap.join(
                body(c, len(text)) for c in at_end) + nl))
        return edits

    def _unread_from(self, text: str) -> int | None:
        """Where BibTeX stops seeing the file: the start of the block it reads on to the end
        of the file (reported when the file was read), so that appended entries would be
        part of it; None when there is none."""
        lines = [f.line for f in self._read.failures if f.kind == OPEN_TO_END_KIND and f.line]
        if not lines:
            return None
        line_start = 0
        for _ in range(min(lines) - 1):
            line_start = text.find("\n", line_start) + 1
        return block_reading_past_end(text, line_start)


def _renamed(raw: str, key: str) -> str:
    """The entry's text with its citation key replaced (a review kept the other side's key)."""
    match = re.match(r"(\s*@\s*[A-Za-z]+\s*[{(]\s*)([^,\s]*)(\s*,)", raw)
    if match is None:
        raise LayoutError("the entry's key was not found where it should be")
    return raw[:match.start(2)] + key + raw[match.end(2):]


def _kept_end(text: str, edits: Sequence[tuple[int, int, int, str]]) -> int:
    """Where the text that stays ends: before the edits that delete the end of ``text``
    (removals of the last entries, each reaching the start of the next), else ``len(text)``."""
    end = len(text)
    for start, stop, _, new in sorted(edits, reverse=True):
        if stop != end or new or start == stop:
            break
        end = start
    return end


def _gap_taken_at_end(text: str, removals: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """``removals`` with the first of those that delete the end of ``text`` also taking the
    blank lines before it. A removal takes the blank lines after its entry, but the file's
    last entry has none: without this the file would end in the gap that led to it, not as
    if the entry had never been there."""
    end = _kept_end(text, removals)
    if end == len(text):
        return removals
    kept = len(text[:end].rstrip(" \t\r\n"))  # the end of the last line that stays
    line_end = text.find("\n", kept, end)
    start = 0 if kept == 0 else line_end + 1 if line_end >= 0 else end
    return [(start if begin == end else begin, stop, order, new) for begin, stop, order, new in removals]


def _end_prefix(text: str, style: FileStyle) -> str:
    """What to write after the file's last byte before a new entry: the end of its last
    line, then the blank lines the file puts between entries (counting those it already has)."""
    if not text.strip():
        return ""
    nl = style.newline
    last_nl = text.rfind("\n")
    if last_nl < len(text) - 1:  # the last line has no newline yet
        return nl + nl * style.base.blank_lines
    trailing = len(text) - len(text.rstrip("\r\n \t"))
    have = text[len(text) - trailing:].count("\n")
    return nl * max(style.base.blank_lines + 1 - have, 0)
