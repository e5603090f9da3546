"""Rewriting citation keys in LaTeX sources after duplicates were merged (``--rewrite-tex DIR``).

Every cite command is understood: ``\\cite``, ``\\citep``, ``\\citet``, ``\\parencite``,
``\\textcite``, ``\\autocite``, ``\\footcite``, ``\\nocite`` and any other ``\\...cite...``
command (``\\citeauthor``, ``\\Textcite``, ``\\supercite``), starred or not, with optional
``[...]`` arguments, and BibLaTeX multicite commands (``\\cites[pre][post]{a}{b}``). Keys
inside comma lists are rewritten one by one, keeping the spacing; a key that becomes a
repeat of one already in the same list is dropped. Comments (``% ...``) are left alone.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .errors import InputError
from .model import Entry
from .targets.atomic import write_atomic

_COMMAND_RE = re.compile(r"\\([A-Za-z]*cite[A-Za-z]*)\*?")
_COMMENT_RE = re.compile(r"(?<!\\)%[^\n]*")


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
    out: list[str] = []
    pos, total = 0, 0
    for match in _COMMAND_RE.finditer(text):
        if match.start() < pos or any(a <= match.start() < b for a, b in comments):
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


def plan_tex_rewrites(directory: Path, renames: Mapping[str, str]) -> list[TexRewrite]:
    """The .tex files under ``directory`` whose citations would change (nothing is written)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"no such folder: {directory}", hint="--rewrite-tex takes the folder of your .tex files")
    rewrites = []
    for path in sorted(directory.rglob("*.tex")):
        if not path.is_file():
            continue
        text, encoding = _read_tex(path)
        new, count = rewrite_citations(text, renames)
        if count:
            rewrites.append(TexRewrite(path, text, new, count, encoding))
    return rewrites


def apply_tex_rewrites(rewrites: list[TexRewrite]) -> None:
    """Write the rewritten files (atomically, each in its own encoding and line ends)."""
    for rewrite in rewrites:
        write_atomic(rewrite.path, rewrite.new.encode(rewrite.encoding))


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
