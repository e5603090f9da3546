"""Reading input files as text: BOM, UTF-8 or a single-byte encoding, refusing binary or empty data.

The decoding is shared with the .bib target (:mod:`bibsync.targets.bibfile`), which also
needs to know the encoding it chose so that it can write the same bytes back.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .errors import BibsyncError, InputError

BOM = b"\xef\xbb\xbf"
_BINARY_WINDOW = 8192  # a NUL byte this early means binary data rather than a damaged text
_C1_RE = re.compile(rb"[\x80-\x9f]")


def check_text_bytes(data: bytes, name: str, error: type[BibsyncError] = InputError, what: str = "text",
                     hint: str = "give a text export (HTML, BibTeX, RIS, CSL-JSON) or a list of DOIs") -> None:
    """Raise ``error`` when ``data`` holds a NUL byte: binary data, or a text damaged at some line."""
    nul = data.find(b"\x00")
    if nul < 0:
        return
    if nul < _BINARY_WINDOW:
        raise error(f"this is binary data, not {what}", where=name, hint=hint)
    line = data.count(b"\n", 0, nul) + 1
    raise error("the file holds a NUL byte (it looks damaged)", where=f"{name}:{line}",
                hint="remove the NUL bytes (e.g. tr -d '\\000') or export the file again")


def decode_single_byte(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes: Windows-1252 when its quotes and dashes (0x80-0x9F) occur and it
    can decode them, else Latin-1. Return (text, encoding); each choice round-trips."""
    if _C1_RE.search(data):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return decode_single_byte(line)[0]


def decode_bytes(data: bytes, name: str) -> str:
    """Decode file bytes: UTF-8 (BOM stripped); else line by line, UTF-8 where a line is UTF-8
    and Windows-1252 / Latin-1 where it is not (files pasted together from several exports).

    Binary data, or a NUL byte anywhere, is an InputError.
    """
    if data.startswith(BOM):
        data = data[3:]
    check_text_bytes(data, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_decode_line(line) for line in data.splitlines(keepends=True))


def read_source_text(path: str) -> str:
    """Read a SOURCE argument (a path or ``-`` for standard input) as text."""
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        p = Path(path)
        if p.is_dir():
            raise InputError("is a folder, not a file", where=path, hint="name the file inside it")
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            raise InputError("no such file", where=path, hint="check the path") from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=path) from None
        name = path
    text = decode_bytes(data, name)
    if not text.strip():
        raise InputError("the file is empty", where=name, hint="give a file with entries in it")
    return text


def line_numbers(text: str, positions: list[int]) -> list[int]:
    """The 1-based line numbers of ascending character ``positions`` in ``text``, counted in one
    sweep (counting from the start for each position is quadratic on a long listing)."""
    lines, line, last = [], 1, 0
    for pos in positions:
        line += text.count("\n", last, pos)
        last = pos
        lines.append(line)
    return lines
