"""A .bib file's own style, detected from its text, and writing new text in that style.

Detected: indent (spaces or tabs), alignment of ``=`` and the text around it, field-name and
entry-type case, braces or quotes, UTF-8 or LaTeX escapes (and the file's encoding), line
ends, blank lines between entries, a trailing comma after the last field, where the closing
brace sits, alphabetical field order, ``{{double-braced}}`` titles, BibLaTeX field names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from ..errors import TargetError
from ..model import Entry
from ..text import MONTHS, escape_specials, latex_escape, unicode_to_latex
from .splice import EntryLayout, LayoutError, LineStyle, scan_entry
from .write import FIELD_RANK, Style, entry_type_for, field_value, ordered_fields

# BibLaTeX names for canonical fields, used when the file is written in BibLaTeX.
BIBLATEX_NAMES = {"journal": "journaltitle", "address": "location"}
# Fields only BibLaTeX files have (Better BibTeX's BibTeX mode also writes urldate and langid).
_BIBLATEX_MARKERS = frozenset({"journaltitle", "date", "location"})
_BIBLATEX_TYPES = frozenset({"online", "software", "dataset", "report", "thesis", "mvbook", "collection"})
_ACCENT_RE = re.compile(r"\\[`'^\"~=.uvHckrbd]|\\(?:ss|o|O|ae|AE|oe|OE|aa|AA|l|L|i)(?![A-Za-z])")
# Fields whose value may be written as one of the file's @string macros.
MACRO_FIELDS = frozenset({"journal", "booktitle", "publisher", "address", "series", "institution", "school",
                          "organization", "howpublished"})
_SAMPLE = 150  # entries looked at when detecting the style of a large file (spread evenly over it)
# How a file writes an accent on one letter: {\'e} (braced), \'{e} (argument) or \'e (bare).
_ACCENT_FORMS = {
    "braced": re.compile(r"\{\\([`'^\"~=.])([A-Za-z])\}"),
    "argument": re.compile(r"\\([`'^\"~=.])\{([A-Za-z])\}"),
    "bare": re.compile(r"(?<![{\\])\\([`'^\"~=.])([A-Za-z])(?!\})"),
}


@dataclass(frozen=True)
class FileStyle:
    """Everything needed to write text that looks like the rest of one file."""

    base: Style = field(default_factory=Style)
    separator: str = " = "
    close_own_line: bool = True
    alphabetical: bool = False
    title_double_braces: bool = False
    bare_numbers: bool = False  # year = 2020 rather than {2020}
    type_spellings: tuple[tuple[str, str], ...] = ()  # ("inproceedings", "InProceedings"), as the file writes them
    macros: tuple[tuple[str, str], ...] = ()  # (canonical value, @string name): venues written as the file's macros
    accent_form: str = "braced"  # braced {\'e}, argument \'{e} or bare \'e (see _ACCENT_FORMS)
    encoding: str = "utf-8"
    bom: bool = False

    @property
    def newline(self) -> str:
        """The file's line end."""
        return self.base.newline

    def line_style(self) -> LineStyle:
        """The default line layout for fields added to an entry."""
        return LineStyle(self.base.indent, self.separator, None, self.newline, self.base.trailing_comma)


def _majority(counter: Counter, default):
    return counter.most_common(1)[0][0] if counter else default


def word_case(word: str) -> str | None:
    """``lower``, ``upper`` or ``title`` for a name like ``year``, ``YEAR``, ``Year``; None if mixed or short."""
    letters = [c for c in word if c.isalpha()]
    if not letters or len(letters) < 2:
        return None
    if all(c.isupper() for c in letters):
        return "upper"
    if all(c.islower() for c in letters):
        return "lower"
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return "title"
    return None


def sample(items: Sequence, size: int = _SAMPLE) -> list:
    """At most ``size`` items spread evenly over ``items`` (all of them if there are fewer)."""
    if len(items) <= size:
        return list(items)
    step = len(items) / size
    return [items[int(i * step)] for i in range(size)]


def detect_style(text: str, entry_raws: Sequence[str], gaps: Sequence[str] = (),
                 encoding: str = "utf-8", bom: bool = False) -> FileStyle:
    """Detect the style of a .bib text from (a sample of) its entries' raw texts.

    ``gaps`` are the texts between consecutive entries (for blank lines); ``encoding`` and
    ``bom`` describe how the file's bytes were decoded. A file without entries gets the
    canonical style with the file's line ends.
    """
    newline = "\r\n" if "\r" in text and text.count("\r\n") * 2 > text.count("\n") else "\n"
    layouts: list[EntryLayout] = []
    for raw in sample(entry_raws, _SAMPLE):
        try:
            layouts.append(scan_entry(raw))
        except LayoutError:
            continue
    if not layouts:
        return FileStyle(Style(newline=newline, ascii=encoding == "ascii"), encoding=encoding, bom=bom)

    indents, separators, field_cases, type_cases = Counter(), Counter(), Counter(), Counter()
    spellings: dict[str, Counter] = {}
    quotes = braces = aligned = alignable = trailing = closing_own = sorted_entries = sortable = 0
    double_titles = titles = bare_years = years = 0
    biblatex = False
    for layout in layouts:
        raw = layout.raw
        type_cases[word_case(layout.type_name)] += 1
        spellings.setdefault(layout.type_name.lower(), Counter())[layout.type_name] += 1
        biblatex = biblatex or layout.type_name.lower() in _BIBLATEX_TYPES
        own = [f for f in layout.fields if f.own_line]
        for span in layout.fields:
            field_cases[word_case(span.name)] += 1
            biblatex = biblatex or span.name.lower() in _BIBLATEX_MARKERS
            first = raw[span.value_start]
            quotes += first == '"'
            braces += first == "{"
            if span.name.lower() == "year":
                years += 1
                bare_years += first.isdigit()
            if span.name.lower() == "title":
                titles += 1
                value = layout.value_of(span)
                double_titles += value.startswith("{{") and value.endswith("}}") and _one_group(value[1:-1])
        for span in own:
            indents[layout.lead_of(span)] += 1
        if len(own) >= 2 and len({f.name_end - f.name_start for f in own}) > 1:
            alignable += 1
            columns = {f.name_start - f.line_start + len(raw[f.name_start:f.value_start].split("=")[0]) for f in own}
            if len(columns) == 1:
                aligned += 1
                separators[" =" + layout.separator_of(own[0]).split("=", 1)[1]] += 1
            else:
                separators.update(layout.separator_of(f) for f in own)
        else:
            separators.update(layout.separator_of(f) for f in own)
        if layout.fields:
            trailing += layout.fields[-1].comma is not None
            line_start = raw.rfind("\n", 0, layout.close) + 1
            closing_own += line_start > 0 and raw[line_start:layout.close].strip() == ""
        names = [f.name.lower() for f in layout.fields if not f.name.lower().startswith("bdsk-")]
        if len(names) >= 3:
            sortable += 1
            sorted_entries += names == sorted(names)
    n = len(layouts)
    with_fields = sum(1 for layout in layouts if layout.fields) or 1
    field_cases.pop(None, None)
    type_cases.pop(None, None)

    sample_text = "".join(layout.raw for layout in layouts)
    escapes = len(_ACCENT_RE.findall(sample_text))
    unicode_chars = len(sample_text) - len(sample_text.encode("ascii", "ignore"))  # characters beyond ASCII
    ascii_ = escapes > unicode_chars or (unicode_chars == 0 and text.isascii())

    forms = Counter({form: len(pattern.findall(sample_text)) for form, pattern in _ACCENT_FORMS.items()})
    blank = Counter(max(g.count("\n") - 1, 0) for g in gaps if not g.strip())
    base = Style(
        indent=_majority(indents, "  "),
        align_equals=alignable > 0 and aligned * 2 > alignable,
        field_case=_majority(field_cases, "lower"),
        type_case=_majority(type_cases, "lower"),
        quotes=quotes > braces,
        ascii=ascii_,
        newline=newline,
        trailing_comma=trailing * 2 > with_fields if n else True,
        biblatex=biblatex,
        blank_lines=_majority(blank, 1),
    )
    return FileStyle(
        base=base,
        separator=_majority(separators, " = "),
        close_own_line=closing_own * 2 >= with_fields,
        alphabetical=sortable >= 2 and sorted_entries * 10 >= sortable * 9,
        title_double_braces=titles > 0 and double_titles * 2 > titles,
        bare_numbers=years > 0 and bare_years * 2 > years,
        type_spellings=tuple(sorted((low, c.most_common(1)[0][0]) for low, c in spellings.items())),
        accent_form=_majority(+forms, "braced"),
        encoding=encoding,
        bom=bom,
    )


def _one_group(text: str) -> bool:
    """True when ``text`` (which starts with ``{``) is a single braced group."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0:
            return i == len(text) - 1
    return False


# --- writing in the style --------------------------------------------------------------

def file_field_name(name: str, style: FileStyle) -> str:
    """The name a canonical field gets in this file (case, BibLaTeX names)."""
    if style.base.biblatex:
        name = BIBLATEX_NAMES.get(name, name)
    return style.base.case(name, style.base.field_case)


def field_rank(name: str, style: FileStyle) -> tuple:
    """Sort key of a field name (any case, any dialect) in this file's field order."""
    low = name.lower()
    if style.alphabetical:
        return (0, low)
    canonical = {v: k for k, v in BIBLATEX_NAMES.items()}.get(low, low)
    return (FIELD_RANK.get(canonical, len(FIELD_RANK)), low)


def delimited_value(name: str, value: str, style: FileStyle, quote: bool | None = None) -> str:
    """Encode a canonical value for this file and put it between its delimiters.

    ``quote`` overrides the file's choice of quotes or braces (to keep a field's own).
    """
    if name == "month" and value in MONTHS:
        return value
    if name in MACRO_FIELDS and style.macros:
        macro = dict(style.macros).get(value)
        if macro is not None:
            return macro
    if name == "title" and style.title_double_braces:
        encoded = "{" + escape_specials(value) + "}"
        encoded = unicode_to_latex(encoded) if style.base.ascii else encoded
    else:
        encoded = field_value(name, value, style.base)
    if style.base.ascii and style.accent_form != "braced" and "\\" in encoded:
        encoded = restyle_accents(encoded, style.accent_form)
    if name == "year" and encoded.isdigit() and style.bare_numbers and quote is None:
        return encoded
    use_quotes = style.base.quotes if quote is None else quote
    if use_quotes and '"' not in encoded:
        delimited = f'"{encoded}"'
    else:
        delimited = "{" + encoded + "}"
    return delimited.replace("\r\n", "\n").replace("\n", style.newline)


def type_name(entry_type: str, style: FileStyle) -> str:
    """An entry type as the file writes it: its own spelling if it has one, else its usual case."""
    spelled = dict(style.type_spellings).get(entry_type)
    return spelled or style.base.case(entry_type, style.base.type_case)


def format_new_entry(entry: Entry, style: FileStyle) -> str:
    """Write a whole entry (no trailing newline) in the file's style."""
    base = style.base
    pairs = [(file_field_name(n, style), delimited_value(n, v, style)) for n, v in ordered_fields(entry)]
    if style.alphabetical:
        pairs.sort(key=lambda p: p[0].lower())
    width = max((len(n) for n, _ in pairs), default=0)
    sep_after = style.separator.split("=", 1)[1] if "=" in style.separator else " "
    lines = [f"@{type_name(entry_type_for(entry, base.biblatex), style)}{{{entry.key or ''},"]
    for i, (name, value) in enumerate(pairs):
        last = i == len(pairs) - 1
        comma = "," if base.trailing_comma or not last else ""
        if base.align_equals:
            head = name.ljust(width) + " =" + sep_after
        else:
            head = name + style.separator
        lines.append(base.indent + head + value + comma)
    if style.close_own_line or not pairs:
        lines.append("}")
    else:
        lines[-1] += "}"
    return style.newline.join(lines)


class UnencodableError(TargetError):
    """A character that the file's encoding cannot hold and LaTeX has no escape for."""

    def __init__(self, char: str, encoding: str) -> None:
        name = {"latin-1": "Latin-1", "cp1252": "Windows-1252 (cp1252)", "ascii": "ASCII"}.get(encoding, encoding)
        super().__init__(f"cannot write {char!r} (U+{ord(char):04X}): this file is in {name}, which cannot "
                         "hold it, and LaTeX has no escape for it; nothing was written",
                         hint="convert the file to UTF-8 (e.g. iconv -f " + encoding + " -t UTF-8) and run again")
        self.char = char


def restyle_accents(latex: str, form: str) -> str:
    """Braced escapes such as ``{\\'e}`` in ``latex`` written in the file's ``form`` (``\\'{e}`` or ``\\'e``)."""
    if form == "braced":
        return latex
    template = "\\{0}{{{1}}}" if form == "argument" else "\\{0}{1}"
    return _ACCENT_FORMS["braced"].sub(lambda m: template.format(*m.groups()), latex)


def encodable(text: str, encoding: str, accent_form: str = "braced") -> str:
    """Replace characters the file's encoding cannot hold by LaTeX escapes in the file's form.

    Raises UnencodableError for a character LaTeX has no escape for (``王``, an emoji).
    """
    if encoding.startswith("utf") or text.isascii():
        return text
    out = []
    for ch in text:
        try:
            ch.encode(encoding)
            out.append(ch)
        except UnicodeEncodeError:
            latex = latex_escape(ch)
            if latex is None:
                raise UnencodableError(ch, encoding) from None
            out.append(restyle_accents(latex, accent_form))
    return "".join(out)
