"""Writing canonical entries as BibTeX text, in the canonical style or a file's own style."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..model import VERBATIM_FIELDS, Entry
from ..names import format_people
from ..text import MONTHS, escape_specials, protect_title, unicode_to_latex

# The fixed field order; fields not listed follow in alphabetical order.
FIELD_ORDER = (
    "author", "editor", "title", "booktitle", "journal", "journaltitle", "volume", "number",
    "pages", "year", "month", "publisher", "address", "issn", "isbn", "doi", "url", "abstract",
)
FIELD_RANK = {name: i for i, name in enumerate(FIELD_ORDER)}

# BibLaTeX types written as plain BibTeX types, and back.
BIBTEX_TYPE = {"software": "misc", "online": "misc", "dataset": "misc", "report": "techreport",
               "thesis": "phdthesis"}
TITLE_FIELDS = frozenset({"title", "booktitle", "journal", "journaltitle", "series", "shorttitle"})


@dataclass(frozen=True)
class Style:
    """How entries are written. The default is bibsync's canonical style."""

    indent: str = "  "
    align_equals: bool = False
    field_case: str = "lower"  # lower | upper | title
    type_case: str = "lower"
    quotes: bool = False  # "value" instead of {value}
    ascii: bool = False  # LaTeX escapes instead of UTF-8
    newline: str = "\n"
    trailing_comma: bool = True
    biblatex: bool = False
    blank_lines: int = 1  # blank lines between entries

    def case(self, word: str, how: str) -> str:
        """Apply a detected case (lower, upper or title) to a field name or type."""
        return word.upper() if how == "upper" else word.title() if how == "title" else word


def default_style(biblatex: bool = False, ascii: bool | None = None) -> Style:
    """The canonical style for new output, after Better BibTeX's convention: BibTeX in ASCII
    with LaTeX escapes (what pdflatex and bibtex compile), BibLaTeX in UTF-8 (biber reads it);
    ``ascii`` True or False overrides the convention."""
    return Style(ascii=(not biblatex) if ascii is None else ascii, biblatex=biblatex)


def entry_type_for(entry: Entry, biblatex: bool) -> str:
    """Return the type to write: BibLaTeX types are mapped to BibTeX ones unless ``biblatex``."""
    if biblatex:
        return entry.type
    return BIBTEX_TYPE.get(entry.type, entry.type)


def field_value(name: str, value: str, style: Style) -> str:
    """Encode one canonical value for BibTeX (escapes, protection, optional ASCII)."""
    if name in VERBATIM_FIELDS:
        return value
    if name in ("author", "editor"):
        encoded = value  # already formatted by format_people; only encode characters
    else:
        encoded = escape_specials(value)
        if name in TITLE_FIELDS:
            encoded = protect_title(encoded)
    return unicode_to_latex(encoded) if style.ascii else encoded


def ordered_fields(entry: Entry) -> list[tuple[str, str]]:
    """Return (name, value) pairs in the fixed order, people included."""
    pairs: list[tuple[str, str]] = []
    if entry.authors or entry.authors_truncated:
        pairs.append(("author", format_people(entry.authors, entry.authors_truncated)))
    if entry.editors:
        pairs.append(("editor", format_people(entry.editors)))
    pairs.extend((k, v) for k, v in entry.fields.items() if v != "")
    pairs.sort(key=lambda kv: (FIELD_RANK.get(kv[0], len(FIELD_RANK)), kv[0]))
    return pairs


def format_field(name: str, value: str, style: Style, width: int = 0) -> str:
    """Write ``name = {value}`` (without indent or comma) in ``style``."""
    encoded = field_value(name, value, style)
    shown = style.case(name, style.field_case)
    if style.align_equals:
        shown = shown.ljust(width)
    if name == "month" and not style.biblatex and encoded in MONTHS:
        delimited = encoded
    elif style.quotes and '"' not in encoded:
        delimited = f'"{encoded}"'
    else:
        delimited = "{" + encoded + "}"
    return f"{shown} = {delimited}"


def format_entry(entry: Entry, style: Style = Style()) -> str:
    """Return one entry as BibTeX text (no trailing newline)."""
    pairs = ordered_fields(entry)
    width = max((len(n) for n, _ in pairs), default=0)
    nl = style.newline
    lines = [f"@{style.case(entry_type_for(entry, style.biblatex), style.type_case)}{{{entry.key or ''},"]
    for i, (name, value) in enumerate(pairs):
        last = i == len(pairs) - 1
        comma = "," if style.trailing_comma or not last else ""
        lines.append(style.indent + format_field(name, value, style, width) + comma)
    lines.append("}")
    return nl.join(line.replace("\n", nl) if nl != "\n" else line for line in lines)


def format_entries(entries: list[Entry], style: Style = Style()) -> str:
    """Return entries as a BibTeX document, separated by blank lines, ending in a newline."""
    separator = style.newline * (style.blank_lines + 1)
    return separator.join(format_entry(e, style) for e in entries) + (style.newline if entries else "")


def unescaped_characters(written: Iterable[tuple[str, Iterable[tuple[str, str]]]], style: Style) -> dict[str, list[str]]:
    """The characters that stay non-ASCII when ``written`` is encoded in ``style`` (LaTeX has
    no escape for them: CJK, emoji, most symbols), each with the keys of the entries that hold
    it, in order of first appearance. ``written`` gives (key, [(field, value), ...]) per entry;
    nothing is found unless ``style.ascii``."""
    found: dict[str, list[str]] = {}
    if not style.ascii:
        return found
    for key, pairs in written:
        for name, value in pairs:
            encoded = field_value(name, value, style)
            if encoded.isascii():
                continue
            for char in dict.fromkeys(c for c in encoded if not c.isascii()):
                keys = found.setdefault(char, [])
                if key not in keys:
                    keys.append(key)
    return found


def unescaped_note(found: dict[str, list[str]], shown: int = 8) -> str:
    """One line about the characters :func:`unescaped_characters` found ("" for none): which
    (with code points), in which entries, and what pdflatex will do."""
    if not found:
        return ""
    chars = list(found)
    keys = list(dict.fromkeys(k for char in chars for k in found[char]))
    listed = ", ".join(f"{c} (U+{ord(c):04X})" for c in chars[:shown]) + (
        f" and {len(chars) - shown} more" if len(chars) > shown else "")
    where = ", ".join(keys[:shown]) + (f" and {len(keys) - shown} more" if len(keys) > shown else "")
    count = f"{len(chars)} character{'s' if len(chars) != 1 else ''}"
    them = "them" if len(chars) != 1 else "it"
    return (f"{count} with no LaTeX escape {'stay' if len(chars) != 1 else 'stays'} as in the source, "
            f"so the ASCII output is not pure ASCII: {listed} in {where}; pdflatex stops at {them} unless the "
            f"document loads support for {them} (e.g. CJK or a symbol font), or use --utf8 with biber")
