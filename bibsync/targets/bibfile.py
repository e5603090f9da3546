"""The .bib file target: read with bibtexparser, write by splicing into the original text.

``load`` keeps the file's bytes, its decoded text and the span of every block. ``render``
turns a plan into the new text: each updated entry's span is replaced by the same text with
only its new or changed fields edited (bibsplice), new entries are appended (or inserted in
key order) in the file's own style (bibstyle); every other byte stays, in order. ``apply``
writes it atomically after checking that the file did not change on disk since ``load``.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from bibtexparser import model as bm

from ..bibtex_read import FIELD_ALIASES, BibDocument, canonical_value, read_bibtex, resolve_crossrefs
from ..config import Settings
from ..errors import ConflictError, TargetError
from ..inputs import BOM, check_text_bytes, decode_single_byte
from ..model import Entry, Failure
from ..plan import ENTRY_KEY, ENTRY_TYPE, Change, Plan
from ..sources.bibtex import canonical_entry
from .atomic import save
from .base import ApplyReport
from .bibsplice import LayoutError, NewField, apply_edits, scan_entry, splice_entry
from .bibstyle import (FileStyle, delimited_value, detect_style, encodable, field_rank, file_field_name,
                       format_new_entry, sample, type_name, word_case)
from ..bibtex_write import default_style, entry_type_for


@dataclass(frozen=True)
class Decoded:
    """A file's text and how to turn it back into the same bytes."""

    text: str
    encoding: str  # utf-8, cp1252 or latin-1
    bom: bool


def decode_bib(data: bytes, where: str) -> Decoded:
    """Decode .bib bytes: UTF-8 (with or without BOM), else Latin-1 (Windows-1252 when the
    bytes 0x80-0x9F, its quotes and dashes, occur and it can decode them).

    Each choice round-trips: encoding the text again gives the same bytes. Binary data (or a
    NUL byte anywhere) is a TargetError.
    """
    bom = data.startswith(BOM)
    body = data[3:] if bom else data
    check_text_bytes(body, where, TargetError, "a .bib file", hint="name a BibTeX file with --into")
    try:
        return Decoded(body.decode("utf-8"), "utf-8", bom)
    except UnicodeDecodeError:
        return Decoded(*decode_single_byte(body), bom)


def encode_bib(text: str, encoding: str, bom: bool) -> bytes:
    """The bytes of ``text`` in the file's encoding (with its BOM, if it had one)."""
    return (BOM if bom else b"") + text.encode(encoding)


def block_spans(text: str, blocks: list[bm.Block]) -> dict[int, tuple[int, int]]:
    """Map ``id(block)`` to the (start, end) offsets of its raw text in ``text``.

    Blocks come in file order, so each raw text is searched from the end of the previous
    one; a block whose raw text cannot be found (never seen) has no span and is never edited.
    """
    spans: dict[int, tuple[int, int]] = {}
    pos = 0
    for block in blocks:
        raw = block.raw
        if not raw:
            continue
        start = text.find(raw, pos)
        if start < 0:
            continue
        spans[id(block)] = (start, start + len(raw))
        pos = start + len(raw)
    return spans


class BibFileTarget:
    """A .bib file as a sync target (see the module docstring)."""

    name = "bib"

    def __init__(self, path: Path | str, settings: Settings | None = None, *, sorted_keys: bool = False,
                 backup: bool = False) -> None:
        self.path = Path(path)
        self.settings = settings or Settings()
        self.sorted_keys = sorted_keys
        self.backup = backup
        self.failures: list[Failure] = []
        self._data: bytes | None = None  # None: the file did not exist when loaded
        self._decoded = Decoded("", "utf-8", False)
        self._doc = BibDocument()
        self._spans: list[tuple[int, int] | None] = []
        self._style: FileStyle | None = None
        self._loaded = False

    # --- reading ---------------------------------------------------------------------

    def load(self) -> list[Entry]:
        """Read the file (a missing file is an empty target) and return its entries with keys."""
        where = str(self.path)
        try:
            self._data = self.path.read_bytes()
        except FileNotFoundError:
            self._data = None
        except IsADirectoryError:
            raise TargetError("is a folder, not a .bib file", where=where, hint="name a file with --into") from None
        except OSError as exc:
            raise TargetError(f"cannot read: {exc.strerror}", where=where) from None
        self._decoded = decode_bib(self._data or b"", where)
        self._doc = read_bibtex(self._decoded.text, where)
        spans = block_spans(self._decoded.text, self._doc.blocks)
        self._spans = [spans.get(id(block)) for block in self._doc.entry_blocks]
        # Entries mean what the bibtex source reads from the same text: crossrefs resolved,
        # BibLaTeX forms made canonical. So a file synced into itself plans nothing.
        entries, problems = resolve_crossrefs(self._doc.entries, where)
        self.failures = list(self._doc.failures) + problems
        self._style = None
        self._loaded = True
        return [canonical_entry(e) for e in entries]

    @property
    def exists(self) -> bool:
        """Whether the file existed when it was loaded."""
        return self._data is not None

    @property
    def text(self) -> str:
        """The file's text as loaded (without a BOM)."""
        return self._decoded.text

    @property
    def style(self) -> FileStyle:
        """The file's detected style (detected on first use)."""
        if self._style is None:
            text = self._decoded.text
            entry_spans = [s for s in self._spans if s is not None]
            raws = [text[a:b] for a, b in sample(entry_spans)]
            gaps = [text[entry_spans[i][1]:entry_spans[i + 1][0]] for i in range(min(len(entry_spans) - 1, 400))]
            style = detect_style(text, raws, gaps, self._decoded.encoding, self._decoded.bom)
            if not raws:  # a new (or entry-less) file: the settings' choice, Better BibTeX's convention
                base = default_style(self.settings.biblatex, self.settings.ascii)
                style = replace(style, base=replace(style.base, ascii=base.ascii, biblatex=base.biblatex))
            self._style = replace(style, macros=self._macro_values())
        return self._style

    def _macro_values(self) -> tuple[tuple[str, str], ...]:
        """(canonical value, name as written) of each @string macro, the first name for a value."""
        values: dict[str, str] = {}
        for block in self._doc.blocks:
            if isinstance(block, bm.String):
                value = canonical_value("journal", self._doc.macros.get(block.key.lower(), ""))
                if value:
                    values.setdefault(value, block.key)
        return tuple(values.items())

    # --- writing ---------------------------------------------------------------------

    def render(self, plan: Plan, removals: Sequence[int] = ()) -> tuple[str, list[str]]:
        """The new text for ``plan`` (and entries removed by index) and the changes that could
        not be spliced (messages)."""
        self._require_loaded()
        text, style = self._decoded.text, self.style
        edits: list[tuple[int, int, int, str]] = [self._removal(i, text) for i in removals]
        problems: list[str] = []
        for change in plan.by_kind("update"):
            index = change.target_index
            span = self._spans[index] if index is not None and 0 <= index < len(self._spans) else None
            if span is None:
                problems.append(f"{change.key}: the entry's text was not found in the file; left as it is")
                continue
            try:
                new_raw = self._splice(text[span[0]:span[1]], change, style)
            except LayoutError as exc:
                problems.append(f"{change.key}: {exc.message}; left as it is")
                continue
            edits.append((span[0], span[1], 0, encodable(new_raw, style.encoding)))
        edits.extend(self._additions(plan.by_kind("add"), text, style, _kept_end(text, edits)))
        return apply_edits(text, edits), problems

    def diff(self, plan: Plan) -> str:
        """The unified diff that applying ``plan`` would make ("" when nothing changes)."""
        new, _ = self.render(plan)
        name = str(self.path)
        return "".join(difflib.unified_diff(
            self._decoded.text.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile=name if self.exists else "/dev/null", tofile=name))

    def apply(self, plan: Plan) -> ApplyReport:
        """Write the plan's adds and updates; refuse (ConflictError) if the file changed on disk."""
        return self.apply_with_removals(plan, ())

    def apply_with_removals(self, plan: Plan, removals: Sequence[int | str]) -> ApplyReport:
        """Apply ``plan`` and remove whole entries (merged-away duplicates, for the review).

        ``removals`` are entry indices (as in ``load()``), or keys: a key names the entries
        with that key that the plan does not update; if none is updated, all but the first.
        """
        self._require_loaded()
        indices = self._removal_indices(plan, removals)
        report = ApplyReport(skipped_review=len(plan.by_kind("review")))
        if not plan.to_apply() and not indices:
            return report
        new_text, problems = self.render(plan, indices)
        report.details["removed"] = len(indices)
        report.failed.extend(problems)  # only updates can fail to splice
        report.added = len(plan.by_kind("add"))
        report.updated = len(plan.by_kind("update")) - len(problems)
        if new_text == self._decoded.text:
            return report
        data = encode_bib(new_text, self._decoded.encoding, self._decoded.bom)
        self._check_unchanged()
        if self.backup and self._data is not None:
            backup = self.path.with_name(self.path.name + ".orig")
            save(backup, self._data, hint="check the folder's permissions and free space; the file is unchanged")
            os.chmod(backup, stat.S_IMODE(self.path.stat().st_mode))
            report.details["backup"] = str(backup)
        save(self.path, data, hint="check the folder's permissions and free space; the file is unchanged")
        report.details["path"] = str(self.path)
        # The loaded state now describes the new file: a later apply compares against it.
        self._data = data
        self._loaded = False
        return report

    # --- helpers -----------------------------------------------------------------------

    def _require_loaded(self) -> None:
        if not self._loaded:
            raise TargetError("load() the .bib file before planning against it", where=str(self.path))

    def _check_unchanged(self) -> None:
        try:
            now = self.path.read_bytes()
        except FileNotFoundError:
            now = None
        except OSError as exc:
            raise TargetError(f"cannot read: {exc.strerror}", where=str(self.path)) from None
        if now != self._data:
            what = "was deleted" if now is None else "was created" if self._data is None else "changed on disk"
            raise ConflictError(f"the file {what} since it was read; nothing was written",
                                where=str(self.path), hint="run the sync again on the current file")

    def _removal_indices(self, plan: Plan, removals: Sequence[int | str]) -> list[int]:
        updated = {c.target_index for c in plan.by_kind("update")}
        out: set[int] = set()
        for item in removals:
            if isinstance(item, int):
                out.add(item)
                continue
            same_key = [i for i, e in enumerate(self._doc.entries) if e.key == item]
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
            if fc.old is None:
                if fc.new != "":
                    name = style.base.case(file_field_name(fc.name, style).lower(), case)
                    add.append(NewField(name, delimited_value(fc.name, fc.new, style), field_rank(fc.name, style)))
                continue
            span = next((f for f in layout.fields
                         if FIELD_ALIASES.get(f.name.lower(), f.name.lower()) == fc.name), None)
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
        entries = [(c.key or "", format_new_entry(c.result or c.entry.with_key(c.key), style)) for c in adds]
        entries = [(key, encodable(body, style.encoding)) for key, body in entries]
        edits: list[tuple[int, int, int, str]] = []
        at_end = entries
        if self.sorted_keys:
            at_end = []
            existing = [(e.key.lower(), span) for e, span in zip(self._doc.entries, self._spans)
                        if span is not None and e.key]
            for order, (key, body) in enumerate(sorted(entries, key=lambda kb: kb[0].lower())):
                spot = next((span for k, span in existing if k > key.lower()), None)
                if spot is None:
                    at_end.append((key, body))
                    continue
                line_start = text.rfind("\n", 0, spot[0]) + 1
                offset = line_start if not text[line_start:spot[0]].strip() else spot[0]
                edits.append((offset, offset, order, body + gap))
        if at_end:
            edits.append((len(text), len(text), len(entries) + 1, _end_prefix(text[:kept_end], style) + gap.join(
                body for _, body in at_end) + nl))
        return edits


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
