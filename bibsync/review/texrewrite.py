"""Rewriting citation keys in LaTeX sources after duplicates were merged (``--rewrite-tex DIR``).

Every cite command is understood: ``\\cite``, ``\\citep``, ``\\citet``, ``\\parencite``,
``\\textcite``, ``\\autocite``, ``\\footcite``, ``\\nocite`` and any other ``\\...cite...``
command (``\\citeauthor``, ``\\Textcite``, ``\\supercite``), starred or not, with optional
``[...]`` arguments, and BibLaTeX multicite commands (``\\cites[pre][post]{a}{b}``). Keys
inside comma lists are rewritten one by one, keeping the spacing; a key that becomes a
repeat of one already in the same list is dropped. Comments (``% ...``) are left alone.

Only files inside the folder are written: each path is resolved, a ``.tex`` link (or a linked
folder) that leads outside is left alone and reported, and a file reached by several links is
rewritten once. Right before writing, each file is checked again: still inside, still what
was read.
"""

from __future__ import annotations

import bisect
import difflib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import InputError
from ..files.atomic import write_atomic
from ..files.kinds import special_kind
from ..model import Entry

_COMMAND_RE = re.compile(r"\\([A-Za-z]*cite[A-Za-z]*)\*?")
_COMMENT_RE = re.compile(r"(?<!\\)%[^\n]*")


@dataclass
class TexFiles:
    """The .tex files of a folder: those inside it (real paths, each once) and the links that
    lead outside it (as found), which are left alone."""

    root: Path
    files: list[Path] = field(default_factory=list)
    outside: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class TexRewrite:
    """One .tex file whose citations change: old and new text, and how many keys changed."""

    path: Path
    old: str
    new: str
    count: int
    encoding: str = "utf-8"

    def diff(self, root: Path | None = None) -> str:
        """A unified diff of the change (paths relative to ``root``)."""
        name = str(self.path.relative_to(root)) if root else str(self.path)
        return "".join(difflib.unified_diff(self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
                                            f"a/{name}", f"b/{name}"))


def _skip_optional(text: str, i: int) -> int:
    """Skip spaces and any ``[...]`` / ``(...)`` arguments (brace-aware) from ``i``."""
    while True:
        j = i
        while j < len(text) and text[j] in " \t\n":
            j += 1
        if j < len(text) and text[j] in "[(":
            close = "]" if text[j] == "[" else ")"
            depth, k = 0, j + 1
            while k < len(text):
                ch = text[k]
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                elif ch == close and depth <= 0:
                    break
                k += 1
            if k >= len(text):
                return i
            i = k + 1
            continue
        return j


def _rewrite_keys(keys: str, renames: Mapping[str, str]) -> tuple[str, int]:
    """Rewrite one ``{a, b}`` key list's content; return it and the number of keys changed."""
    parts = keys.split(",")
    out, seen, count = [], set(), 0
    for part in parts:
        key = part.strip()
        new = renames.get(key, key)
        if new != key:
            count += 1
            part = part.replace(key, new, 1)
        if key and new in seen:
            continue  # the same key twice in one list after the rewrite
        seen.add(new)
        out.append(part)
    return ",".join(out), count


def rewrite_citations(text: str, renames: Mapping[str, str]) -> tuple[str, int]:
    """Return ``text`` with cited keys renamed, and the number of keys rewritten."""
    if not renames:
        return text, 0
    comments = [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text)]
    comment_starts = [a for a, _ in comments]
    out: list[str] = []
    pos, total = 0, 0
    for match in _COMMAND_RE.finditer(text):
        before = bisect.bisect_right(comment_starts, match.start()) - 1  # the last comment starting before it
        if match.start() < pos or (before >= 0 and match.start() < comments[before][1]):
            continue
        multi = match.group(1).endswith("cites")
        i = match.end()
        while True:
            j = _skip_optional(text, i)
            if j >= len(text) or text[j] != "{":
                break
            close = text.find("}", j + 1)
            if close < 0:
                break
            new, count = _rewrite_keys(text[j + 1:close], renames)
            if count:
                out.append(text[pos:j + 1])
                out.append(new)
                pos = close
                total += count
            i = close + 1
            if not multi:
                break
    out.append(text[pos:])
    return "".join(out), total


def _read_tex(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def require_folder(directory: Path) -> None:
    """An InputError unless ``directory`` is a folder: missing, or what it is instead (a file)."""
    directory = Path(directory)
    if directory.is_dir():
        return
    hint = "--rewrite-tex takes the folder of your .tex files"
    if directory.exists():
        kind = special_kind(directory) or "a file"
        raise InputError(f"{directory} is {kind}, not a folder", hint=f"{hint} (e.g. --rewrite-tex .)")
    raise InputError(f"no such folder: {directory}", hint=hint)


def find_tex_files(directory: Path) -> TexFiles:
    """The regular .tex files under ``directory``, resolved: each file inside it once (under its
    real name, relative to ``directory`` as given), and the links that lead outside it."""
    directory = Path(directory)
    require_folder(directory)
    root = os.path.realpath(directory)
    found = TexFiles(directory)
    seen: set[str] = set()
    for folder, subfolders, names in os.walk(directory):  # links to folders are listed, not entered
        for name in sorted(subfolders):
            path = os.path.join(folder, name)
            if os.path.islink(path) and not _inside(os.path.realpath(path), root):
                found.outside.append(Path(path))
        for name in sorted(names):
            if not name.endswith(".tex"):
                continue
            path = os.path.join(folder, name)
            real = os.path.realpath(path)
            if not _inside(real, root):
                found.outside.append(Path(path))
                continue
            try:
                regular = stat.S_ISREG(os.stat(real).st_mode)  # not a FIFO, device or dangling link
            except OSError:
                regular = False
            if regular and real not in seen:
                seen.add(real)
                found.files.append(directory / os.path.relpath(real, root))
    found.files.sort()
    found.outside.sort()
    return found


def plan_tex_rewrites(directory: Path, renames: Mapping[str, str], files: TexFiles | None = None) -> list[TexRewrite]:
    """The .tex files inside ``directory`` whose citations would change (nothing is written).

    ``files`` is :func:`find_tex_files` of the folder, if the caller has it already (to report
    the links left alone)."""
    files = files or find_tex_files(directory)
    rewrites = []
    for path in files.files:
        text, encoding = _read_tex(path)
        new, count = rewrite_citations(text, renames)
        if count:
            rewrites.append(TexRewrite(path, text, new, count, encoding))
    return rewrites


def apply_tex_rewrites(rewrites: list[TexRewrite], directory: Path | None = None) -> None:
    """Write the rewritten files (atomically, each in its own encoding and line ends).

    Every file is checked first: it must still be the file that was read (same text) and, when
    ``directory`` is given, still lie inside it. If one is not, nothing is written (InputError).
    """
    root = os.path.realpath(directory) if directory is not None else None
    for rewrite in rewrites:
        real = os.path.realpath(rewrite.path)
        if root is not None and not _inside(real, root):
            raise InputError(f"{rewrite.path} now leads outside {directory}; nothing was rewritten",
                             hint="run the review again")
        try:
            unchanged = _read_tex(Path(real))[0] == rewrite.old
        except OSError:
            unchanged = False
        if not unchanged:
            raise InputError(f"{rewrite.path} changed since it was read; nothing was rewritten",
                             hint="run the review again to see the new diff")
    for rewrite in rewrites:
        write_atomic(os.path.realpath(rewrite.path), rewrite.new.encode(rewrite.encoding))


def aliases_of(entries: Sequence[Entry]) -> dict[str, str]:
    """Old key -> kept key, from the ``ids`` fields (BibLaTeX aliases) of a .bib's entries.

    An alias that is still the key of an entry of its own is left out.
    """
    keys = {e.key for e in entries if e.key}
    renames: dict[str, str] = {}
    for entry in entries:
        for alias in (a.strip() for a in entry.get("ids").split(",")):
            if alias and entry.key and alias != entry.key and alias not in keys:
                renames.setdefault(alias, entry.key)
    return renames
