"""A .bib file's bytes: read safely, recognised later, decoded and encoded so that they round-trip.

Only regular files are read (a device, FIFO or socket is refused before anything is read,
and opening never blocks). What was read is remembered as a :class:`FileState` (size,
modification time, content hash), so that the last check before a write can tell whether
the file is still the one that was read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ...errors import ConflictError, TargetError
from ...files.atomic import refuse_special
from ...files.decoding import BOM, WIDE_BOMS, check_text_bytes, decode_single_byte, decode_wide, wide_encoding

_READ_ATTEMPTS = 3


@dataclass(frozen=True)
class FileState:
    """What identifies the bytes bibsync read: size, modification time, SHA-256 of the content."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, data: bytes, info: os.stat_result) -> "FileState":
        """The state of ``data`` read from a file whose ``fstat`` is ``info``."""
        return cls(len(data), info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def read_regular(path: Path | str, flag: str = "--into") -> tuple[bytes | None, FileState | None]:
    """Read a target file: (bytes, state), or (None, None) when it does not exist.

    A device, FIFO, socket or folder is refused (TargetError) before anything is read; the
    file is opened without blocking and checked again once open. A file that changes while
    it is read is read again (a ConflictError if it keeps changing).
    """
    where = str(path)
    try:
        refuse_special(os.stat(path).st_mode, where, flag)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise TargetError(f"cannot read: {exc.strerror}", where=where) from None
    try:
        info = os.fstat(fd)
        refuse_special(info.st_mode, where, flag)
        for _ in range(_READ_ATTEMPTS):
            data = _read_all(fd, info.st_size)
            after = os.fstat(fd)
            if (after.st_size, after.st_mtime_ns) == (info.st_size, info.st_mtime_ns) and len(data) == after.st_size:
                return data, FileState.of(data, after)
            info = after
            os.lseek(fd, 0, os.SEEK_SET)
    except OSError as exc:
        raise TargetError(f"cannot read: {exc.strerror}", where=where) from None
    finally:
        os.close(fd)
    raise ConflictError("the file kept changing while it was read; nothing was written", where=where,
                        hint="run again when no other program is writing it")


def _read_all(fd: int, size_hint: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, max(size_hint, 1 << 16))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def current_state(path: Path | str) -> FileState | None:
    """The state of the file at ``path`` now (None if it does not exist), for the last check."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TargetError(f"cannot read: {exc.strerror}", where=str(path)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return FileState(-1, info.st_mtime_ns, "")
        return FileState.of(_read_all(fd, info.st_size), info)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Decoded:
    """A file's text and how to turn it back into the same bytes."""

    text: str
    encoding: str  # utf-8, cp1252, latin-1, utf-16-le/-be, utf-32-le/-be
    bom: bool


def is_unicode(encoding: str) -> bool:
    """True for an encoding that holds every character (UTF-8, UTF-16, UTF-32)."""
    return encoding.startswith("utf")


def decode_bib(data: bytes, where: str) -> Decoded:
    """Decode .bib bytes: UTF-16 or UTF-32 (by BOM, or UTF-16 by its NUL bytes), UTF-8 (with or
    without BOM), else Latin-1 (Windows-1252 when the bytes 0x80-0x9F, its quotes and dashes,
    occur and it can decode them).

    Each choice round-trips: encoding the text again gives the same bytes. Binary data (or a
    NUL byte anywhere) is a TargetError.
    """
    wide = wide_encoding(data)
    if wide is not None:
        codec, bom = wide
        return Decoded(decode_wide(data, codec, bom, where, TargetError), codec, bom)
    bom = data.startswith(BOM)
    body = data[3:] if bom else data
    check_text_bytes(body, where, TargetError, "a .bib file", hint="name a BibTeX file with --into")
    try:
        return Decoded(body.decode("utf-8"), "utf-8", bom)
    except UnicodeDecodeError:
        return Decoded(*decode_single_byte(body), bom)


def encode_bib(text: str, encoding: str, bom: bool) -> bytes:
    """The bytes of ``text`` in the file's encoding (with its BOM, if it had one)."""
    mark = (WIDE_BOMS.get(encoding, BOM) if bom else b"")
    return mark + text.encode(encoding)
