"""Reading a SOURCE argument as text: a file, a named pipe or standard input, within a size
bound, decoded by :mod:`bibsync.files.decoding` (BOM, UTF-8 or a single-byte encoding),
refusing binary or empty data.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO

from ..errors import InputError
from ..files.atomic import kind_of
from ..files.decoding import decode_bytes

# The most bibsync reads from one input. A real listing or bibliography is a few MB (a
# 10,000-entry .bib is 5 MB); reading and parsing holds about twenty times the input in
# memory, so a larger input would take gigabytes, and is more likely a wrong file than a list.
MAX_INPUT_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20


def read_source_bytes(path: str, limit: int = MAX_INPUT_BYTES) -> tuple[bytes, str]:
    """The bytes of a SOURCE argument (a path, or ``-`` for standard input) and its name for messages.

    Regular files, FIFOs (named pipes) and standard input are read; a folder, a device
    (``/dev/zero`` never ends), a socket or a missing file is an InputError, and so is more
    than ``limit`` bytes (say so instead of filling the memory).
    """
    if path == "-":
        if sys.stdin is None:
            raise InputError("standard input is closed, so there is nothing to read", where="-",
                             hint="pipe a listing in, or name its file instead of -")
        return _read_bounded(sys.stdin.buffer, "<stdin>", limit), "<stdin>"
    try:
        kind = kind_of(os.stat(path).st_mode)
    except FileNotFoundError:
        raise InputError("no such file", where=path, hint="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=path) from None
    _refuse_kind(kind, path)
    try:
        with open(path, "rb") as stream:  # a FIFO waits here for its writer, as cat would
            info = os.fstat(stream.fileno())
            _refuse_kind(kind_of(info.st_mode), path)  # replaced since the first look
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise _too_large(path, limit)
            return _read_bounded(stream, path, limit), path
    except FileNotFoundError:
        raise InputError("no such file", where=path, hint="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=path) from None


def _refuse_kind(kind: str | None, path: str) -> None:
    if kind is None or kind == "a FIFO (named pipe)":
        return
    if kind == "a folder":
        raise InputError("is a folder, not a file", where=path, hint="name the file inside it")
    raise InputError(f"is {kind}, not a file: bibsync reads listings from files, named pipes or standard input",
                     where=path, hint="name the file, or pipe the data in and give '-' as the source")


def _read_bounded(stream: BinaryIO, name: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(name, limit)


def _too_large(name: str, limit: int) -> InputError:
    mib = 1024 * 1024
    shown = f"{limit // mib} MiB" if limit >= mib else f"{limit} bytes"
    return InputError(f"is larger than {shown}, the most bibsync reads from one input (a 10,000-entry .bib is "
                      f"5 MB; reading this would take gigabytes of memory)", where=name,
                      hint="check that this is the file you meant, or split it into smaller files")


def read_source_text(path: str) -> str:
    """Read a SOURCE argument (a path or ``-`` for standard input) as text (see :func:`read_source_bytes`)."""
    data, name = read_source_bytes(path)
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
