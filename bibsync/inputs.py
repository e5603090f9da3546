"""Reading input files as text: BOM, UTF-8 or latin-1, and refusing binary or empty data."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import InputError


def decode_bytes(data: bytes, name: str) -> str:
    """Decode file bytes: UTF-8 (BOM stripped), else latin-1; binary data is an InputError."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192]:
        raise InputError("this is binary data, not text", where=name,
                         hint="give a text export (HTML, BibTeX, RIS, CSL-JSON) or a list of DOIs")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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
