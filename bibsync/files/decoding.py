"""Bytes into text: a byte-order mark, UTF-16/UTF-32, UTF-8, else Windows-1252 or Latin-1 line by
line; binary data refused. Shared by the sources' inputs and the .bib target, which also needs
the encoding it chose so that it can write the same bytes back.
"""

from __future__ import annotations

import re

from ..errors import BibsyncError, InputError

BOM = b"\xef\xbb\xbf"
# Byte-order marks of the wide Unicode encodings (UTF-32 first: its LE mark starts like UTF-16's).
WIDE_BOMS = {"utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff",
             "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
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


def wide_encoding(data: bytes) -> tuple[str, bool] | None:
    """(codec, has BOM) when ``data`` is UTF-16 or UTF-32 text, else None.

    Known by its byte-order mark, or (UTF-16 without one) by NUL bytes in nearly every other
    place, as mostly-ASCII text such as BibTeX has when saved as UTF-16.
    """
    for codec, bom in WIDE_BOMS.items():
        if data.startswith(bom):
            return codec, True
    head = data[:8192]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    for codec, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.7 * len(zeros) and others.count(0) <= 0.05 * len(others):
            return codec, False
    return None


def decode_wide(data: bytes, codec: str, bom: bool, name: str, error: type[BibsyncError] = InputError) -> str:
    """Decode UTF-16/UTF-32 ``data`` (see :func:`wide_encoding`); damaged data is ``error``."""
    body = data[len(WIDE_BOMS[codec]):] if bom else data
    label = codec.upper().replace("-LE", "").replace("-BE", "")
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body[:exc.start].decode(codec, "replace").count("\n") + 1
        raise error(f"this {label} text is damaged (bytes that are not {label})", where=f"{name}:{line}",
                    hint=f"export the file again, or convert it to UTF-8 (iconv -f {label} -t UTF-8)") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise error(f"the {label} text holds a NUL character (it looks damaged)",
                    where=f"{name}:{text.count(chr(10), 0, nul) + 1}",
                    hint=f"export the file again, or convert it to UTF-8 (iconv -f {label} -t UTF-8)")
    return text


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
    """Decode file bytes: UTF-16 or UTF-32 (see :func:`wide_encoding`), UTF-8 (BOM stripped); else
    line by line, UTF-8 where a line is UTF-8 and Windows-1252 / Latin-1 where it is not (files
    pasted together from several exports).

    Binary data, or a NUL byte anywhere, is an InputError.
    """
    if data.startswith(BOM):
        data = data[3:]
    wide = wide_encoding(data)
    if wide is not None:
        return decode_wide(data, *wide, name)
    check_text_bytes(data, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_decode_line(line) for line in data.splitlines(keepends=True))
