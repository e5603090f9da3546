"""Letters that need more than pylatexenc's table to be written in ASCII and read back.

pylatexenc writes one LaTeX command per character it knows (``ö`` -> ``{\\"o}``, ``β`` ->
``{\\ensuremath{\\beta}}``, ``Д`` -> ``{\\CYRD}``). A letter with several accents (``ễ``,
Vietnamese) has no single command; :func:`composed_escape` writes it from its Unicode
decomposition, innermost accent first: ``{\\~{\\^{e}}}``. Vietnamese horn letters and the
hook above use the commands of ``vntex`` (``\\ohorn``, ``\\h{a}``), as Cyrillic uses those
of T2A: a document typesets them once it loads that font encoding.

:func:`decoding_macros` teaches the reader those commands (and fixes ``\\textperiodcentered``,
which pylatexenc reads as a dot above), so every escape bibsync writes reads back as the
character it came from.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

# Combining marks and the accent command that typesets each.
ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u0309": "h", "\u030a": "r", "\u030b": "H", "\u030c": "v",
    "\u0323": "d", "\u0326": "textcommabelow", "\u0327": "c", "\u0328": "k", "\u0331": "b",
}
_BELOW = frozenset("\u0323\u0326\u0327\u0328\u0331")
# Accent commands pylatexenc does not read, and the combining mark each stands for.
_READ_ACCENTS = {"h": "\u0309", "textcommabelow": "\u0326"}
HORN = "\u031b"
# Letters with a horn (vntex) and other single letters pylatexenc does not know.
LETTERS = {"ohorn": "ơ", "OHORN": "Ơ", "uhorn": "ư", "UHORN": "Ư", "SS": "ẞ"}
_HORN_COMMANDS = {"o": "ohorn", "O": "OHORN", "u": "uhorn", "U": "UHORN"}
# Symbols pylatexenc writes correctly but reads back as another character.
SYMBOLS = {"textperiodcentered": "·"}
# Letters pylatexenc writes wrongly (a double acute is not an acute).
OVERRIDES = {"ű": "\\H{u}", "Ű": "\\H{U}"}


def composed_escape(char: str, encode: Callable[[str], str]) -> str:
    """The escape of a character with no single LaTeX command (``encode`` escapes the rest).

    A letter with accents is composed from its decomposition: ``ễ`` -> ``{\\~{\\^{e}}}``,
    ``ợ`` -> ``{\\d{\\ohorn}}``; a dotless ``\\i`` carries accents above the i. A compatibility
    form (ligature, superscript, full-width letter) is written as what it stands for. A
    character with neither (a CJK ideograph) is returned as it is: LaTeX has no escape for it.
    """
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    text = None
    if marks[:1] == HORN and base in _HORN_COMMANDS:
        text, marks = "\\" + _HORN_COMMANDS[base], marks[1:]
    if text is not None or (marks and all(m in ACCENTS for m in marks)):
        if not all(m in ACCENTS for m in marks):
            return char
        if text is None:
            above = any(m not in _BELOW for m in marks)
            text = "\\i" if base == "i" and above else "\\j" if base == "j" and above else (
                base if base.isascii() else encode(base))
        for mark in marks:
            text = f"\\{ACCENTS[mark]}{{{text}}}"
        return "{" + text + "}"
    if char == "ẞ":
        return "{\\SS}"
    compatible = unicodedata.normalize("NFKD", char)
    if unicodedata.normalize("NFC", compatible) != char:  # not just the same letter decomposed
        return encode(compatible)
    return char


def encoding_overrides() -> dict[int, str]:
    """Escapes that replace pylatexenc's own (a pylatexenc conversion rule: code point -> LaTeX)."""
    return {ord(char): latex for char, latex in OVERRIDES.items()}


def decoding_macros():
    """(walker macro specs, text macro specs) for pylatexenc: ``\\h{x}``, ``\\textcommabelow{s}``,
    the horn letters, ``\\SS`` and the symbols pylatexenc misreads."""
    from pylatexenc import latex2text, macrospec

    def accent(mark: str):
        def combine(node, l2tobj) -> str:
            inner = l2tobj.nodelist_to_text([node.nodeargd.argnlist[0]]) if node.nodeargd.argnlist else ""
            return unicodedata.normalize("NFC", inner.replace("\u0131", "i") + mark)
        return combine

    walker = [macrospec.MacroSpec(name, "{") for name in _READ_ACCENTS]
    walker += [macrospec.MacroSpec(name, "") for name in (*LETTERS, *SYMBOLS)]
    text = [latex2text.MacroTextSpec(name, simplify_repl=accent(mark)) for name, mark in _READ_ACCENTS.items()]
    text += [latex2text.MacroTextSpec(name, simplify_repl=char) for name, char in (*LETTERS.items(), *SYMBOLS.items())]
    return walker, text
