"""Text normalisation shared by sources, writers and the matcher.

Repairing web text (mojibake, HTML entities), LaTeX <-> Unicode, DOIs, pages, ASCII folding.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ftfy and pylatexenc are imported on first use: a command that never needs them starts faster
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexencode import UnicodeToLatexEncoder

from .tex_letters import composed_escape, decoding_macros, encoding_overrides

_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NON_ASCII_TOKEN_RE = re.compile(r"[^\s]*[^\x00-\x7f][^\s]*")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def repair_text(text: str, *, straighten_quotes: bool = False) -> str:
    """Fix double-encoded UTF-8 and HTML entities; fold runs of spaces to one.

    Newlines are kept (abstract paragraphs); spaces around them are trimmed.
    """
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        import ftfy

        # Token by token: ftfy leaves a whole string alone when real Unicode (an entity
        # such as &beta;) stands beside the mojibake it should repair.
        text = _NON_ASCII_TOKEN_RE.sub(
            lambda m: ftfy.fix_text(m.group(0), uncurl_quotes=straighten_quotes, normalization="NFC"), text
        )
    if straighten_quotes:
        text = text.translate(_QUOTES)
    lines = [_SPACE_RE.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def one_line(text: str) -> str:
    """Collapse all whitespace, newlines included, to single spaces."""
    return " ".join(text.split())


# --- LaTeX <-> Unicode -----------------------------------------------------------------

_LOGOS = {r"\LaTeXe": "LaTeX2e", r"\LaTeX": "LaTeX", r"\TeX": "TeX", r"\BibTeX": "BibTeX"}
_LOGO_RE = re.compile(r"\\(LaTeXe|LaTeX|TeX|BibTeX)(\{\})?(?![A-Za-z])")
# Inline math as TeX writers type it: no space just inside the dollars ("$5 and $6" is money).
# \url{x} -> x and \href{x}{text} -> text (pylatexenc would write "<x>").
_URL_RE = re.compile(r"\\(?:url\{([^{}]*)\}|href\{[^{}]*\}\{((?:[^{}]|\{[^{}]*\})*)\})")
_MATH_RE = re.compile(r"(\$(?=\S)[^$]*?(?<=\S)\$)")


@lru_cache(maxsize=1)
def _contexts():
    """pylatexenc's reading contexts (walker, text) with bibsync's own letters added."""
    from pylatexenc import latex2text, latexwalker

    walker_specs, text_specs = decoding_macros()
    walker = latexwalker.get_default_latex_context_db()
    walker.add_context_category("bibsync", prepend=True, macros=walker_specs)
    text = latex2text.get_default_latex_context_db()
    text.add_context_category("bibsync", prepend=True, macros=text_specs)
    return walker, text


@lru_cache(maxsize=1)
def _decoder() -> LatexNodes2Text:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(latex_context=_contexts()[1], keep_braced_groups=True, math_mode="verbatim")


@lru_cache(maxsize=1)
def _encoder() -> UnicodeToLatexEncoder:
    from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

    overrides = UnicodeToLatexConversionRule(rule_type=RULE_DICT, rule=encoding_overrides())
    return UnicodeToLatexEncoder(conversion_rules=[overrides, "defaults"], non_ascii_only=True,
                                 replacement_latex_protection="braces-all",
                                 unknown_char_policy=lambda char: composed_escape(char, unicode_to_latex),
                                 unknown_char_warning=False)


# TeX ligatures and the tie, kept as typed: a value decodes the same whether or not it also
# holds markup (the fast path never touches them), so written entries read back equal.
_KEPT = {"---": "\ue000", "--": "\ue001", "``": "\ue002", "''": "\ue003", "~": "\ue004"}
_KEPT_RE = re.compile(r"(?<!\\)(?:" + "|".join(re.escape(k) for k in _KEPT) + ")")
_KEPT_BACK = {v: k for k, v in _KEPT.items()}
_KEPT_BACK_RE = re.compile("[\ue000-\ue004]")


def _has_latex_specials(value: str) -> bool:
    """Whether ``value`` is more than braced words: a command, a comment, an alignment tab,
    math, an inverted mark (TeX dashes, quotes and ``~`` are kept as typed either way).
    Plain searches: much faster than one pattern with alternatives on long values."""
    return ("\\" in value or "%" in value or "&" in value or "$" in value
            or ("`" in value and ("!`" in value or "?`" in value)))


# A value whose only markup, besides braces, is escaped specials (\% \& \# \_; not \$, which
# the full decoding may pair with another into math).
_ESCAPES_ONLY_RE = re.compile(r"(?:[^\\%&$]|\\[%&#_])*")
_ESCAPE_RE = re.compile(r"\\([%&#_])")


def latex_to_unicode(value: str) -> str:
    """Decode LaTeX markup to plain Unicode: accents, escapes, braces; math kept verbatim.

    Values without a backslash or brace are returned unchanged, and values whose only markup
    is braces (``{MSRL}: fast``) just lose them: the common cases in a large .bib, and the
    same result as :func:`decode_markup` gives (property-tested).
    """
    if "\\" not in value and "{" not in value:
        return value
    if not _has_latex_specials(value):
        return value.replace("{", "").replace("}", "")
    if _ESCAPES_ONLY_RE.fullmatch(value) and "!`" not in value and "?`" not in value:
        return _ESCAPE_RE.sub(r"\1", value).replace("{", "").replace("}", "")  # "50\% of {GPU}s" in abstracts
    accented = _accents_decoded(value)
    if accented is not None:  # "Unit{\'e} Acoustique": only accented letters, decoded one by one
        return accented
    words = _words(value) if len(value) > _LONG else None
    if words is not None and len(words) > 1:  # an abstract with a few commands: decode only the words that hold them
        # (each word is shorter than the value, so this ends; one long word is decoded whole)
        return "".join(latex_to_unicode(w) if "\\" in w or "{" in w else w for w in words)
    return decode_markup(value)


# An accented letter as it stands in a title or a name: {\'e}, {\"{u}}, {\'\i}, {\v s}, {\ss}, \'e,
# \"{o}, \v{s}. An accent named by a letter (\v, \c, ...) takes its letter in braces or after a
# space when unbraced inside a group; bare (\vs) it would be another command.
_ACCENT_RE = re.compile(
    r"\{\\(?:[`'^\"~=.]\s*(?:[A-Za-z]|\\[ij]|\{(?:[A-Za-z]|\\[ij])\})"
    r"|[uvHckrbd](?:\s*\{(?:[A-Za-z]|\\[ij])\}|\s+[A-Za-z])"
    r"|(?:ss|o|O|ae|AE|oe|OE|aa|AA|l|L|i|j))\}"
    r"|\\[`'^\"~=.](?:[A-Za-z]|\{[A-Za-z]\})"
    r"|\\[uvHckrbd]\{[A-Za-z]\}")


@lru_cache(maxsize=4096)
def _accented_letter(group: str) -> str | None:
    """The letter an accent group stands for, or None when it is not one letter."""
    letter = decode_markup(group)
    return letter if len(letter) == 1 and letter.isalpha() else None


def _accents_decoded(value: str) -> str | None:
    """``value`` decoded, when its only commands are accented letters (each decoded on its own,
    once per run: they repeat across a bibliography) and the rest takes a fast path; else None.

    The same as :func:`decode_markup` gives (property-tested): a group ``{\'e}`` or a
    command with its letter is one letter wherever it stands.
    """
    failed = False

    def letter(match: re.Match[str]) -> str:
        nonlocal failed
        found = _accented_letter(match.group(0))
        if found is None:
            failed = True
            return match.group(0)
        return found

    rest = _ACCENT_RE.sub(letter, value)
    if failed or _has_latex_specials(rest):
        return None
    return rest.replace("{", "").replace("}", "")


_LONG = 200  # shorter values are decoded whole
_BREAK_RE = re.compile(r"\s+")
_CONTROL_WORD_END_RE = re.compile(r"\\[A-Za-z]+$")


def _words(value: str) -> list[str] | None:
    """``value`` cut at white space outside braces into words and the spaces between them, or
    None when the pieces could decode differently from the whole: math (``$``), a comment
    (``%``), ``&``, a TeX logo, a link, unbalanced braces, or a space right after a command
    word (which TeX swallows)."""
    if "$" in value or "&" in value or "\\url" in value or "\\href" in value or _LOGO_RE.search(value):
        return None
    if "%" in value.replace("\\%", ""):
        return None
    pieces: list[str] = []
    depth, start = 0, 0
    for match in re.finditer(r"[{}]|\s+", value):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            word = value[start:match.start()]
            if _CONTROL_WORD_END_RE.search(word):
                continue  # "\texttimes faster": the space belongs to the command
            pieces += [word, token]
            start = match.end()
    if depth != 0:
        return None
    pieces.append(value[start:])
    return pieces


def decode_markup(value: str) -> str:
    """The full decoding through pylatexenc, for values with commands, math or specials.

    TeX dashes (``--``), typed quotes and the tie ``~`` are kept as typed, as on the fast paths.
    """
    value = _LOGO_RE.sub(lambda m: _LOGOS["\\" + m.group(1)], value)
    value = _URL_RE.sub(lambda m: m.group(2) or m.group(1), value)
    value = _KEPT_RE.sub(lambda m: _KEPT[m.group(0)], value)
    try:
        decoded = _decoder().latex_to_text(value, latex_context=_contexts()[0])
    except Exception:  # pylatexenc raises on pathological input; keep the text readable
        decoded = value
    decoded = _KEPT_BACK_RE.sub(lambda m: _KEPT_BACK[m.group(0)], decoded)
    parts = _MATH_RE.split(decoded)
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("{", "").replace("}", "")
    return "".join(parts)


@lru_cache(maxsize=512)
def latex_escape(char: str) -> str | None:
    """The LaTeX escape of one character (``é`` -> ``{\\'e}``), or None when LaTeX has none (``王``)."""
    escaped = unicode_to_latex(char)
    return None if escaped == char and not char.isascii() else escaped


def unicode_to_latex(value: str) -> str:
    """Encode non-ASCII characters as LaTeX escapes (``Ö`` -> ``{\\"O}``, ``ễ`` -> ``{\\~{\\^{e}}}``;
    see :mod:`bibsync.tex_letters`). Only a character LaTeX has no escape for stays as it is."""
    if value.isascii():
        return value
    return _encoded(value)


@lru_cache(maxsize=4096)  # a run encodes what it writes, then looks at it again for the ASCII note
def _encoded(value: str) -> str:
    return _encoder().unicode_to_latex(value)


_SPECIALS_RE = re.compile(r"(?<!\\)([&%$#_])")


def escape_specials(value: str) -> str:
    """Escape ``& % $ # _`` for BibTeX, leaving ``$...$`` math that holds LaTeX alone."""
    parts = _MATH_RE.split(value)
    out = []
    for i, part in enumerate(parts):
        is_math = i % 2 == 1 and ("\\" in part or "^" in part)
        out.append(part if is_math else _SPECIALS_RE.sub(r"\\\1", part))
    return "".join(out)


_PROTECT_RE = re.compile(r"(?<![\w{])([\w][\w.+'-]*)")


def _needs_protection(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return any(c.isupper() for c in letters[1:])


def protect_title(title: str) -> str:
    """Brace words with capitals after their first letter: ``MSRL`` -> ``{MSRL}``.

    ``CXL-SSD``, ``uIO`` and ``FAASM`` are protected; ``Deep`` and ``the`` are not.
    """
    def wrap(match: re.Match[str]) -> str:
        word = match.group(1)
        return "{" + word + "}" if _needs_protection(word) else word

    return _PROTECT_RE.sub(wrap, title)


# --- identifiers and small fields ------------------------------------------------------

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_DOI_PREFIX_RE = re.compile(
    r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/|https?://(?:www\.)?doi\.org/)", re.IGNORECASE
)


def normalize_doi(value: str) -> str:
    """Return the bare DOI (``10.1145/...``) from a DOI, ``doi:`` form or resolver URL; else ""."""
    value = _DOI_PREFIX_RE.sub("", value.strip())
    match = _DOI_RE.search(value)
    if not match:
        return ""
    return match.group(0).rstrip(".,;")


_RANGE_RE = re.compile(r"^\s*([^\s\-\u2010-\u2015]+)\s*(?:-+|[\u2010-\u2015]+)\s*([^\s\-\u2010-\u2015]+)\s*$")


def normalize_pages(value: str) -> str:
    """Write page ranges with ``--``; repair doubled ranges (``1–5-1–5`` -> ``1--5``)."""
    value = value.strip()
    doubled = re.fullmatch(r"(\S+?)\s*[-\u2010-\u2015]+\s*(\S+?)\s*-\s*\1\s*[-\u2010-\u2015]+\s*\2", value)
    if doubled:
        return f"{doubled.group(1)}--{doubled.group(2)}"
    match = _RANGE_RE.match(value)
    if match:
        start, end = match.groups()
        return start if start == end else f"{start}--{end}"
    return value


_FOLD = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l",
    "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i", "ŀ": "l",
})


def fold_ascii(text: str) -> str:
    """Fold accents and ligatures to ASCII (``Wagenländer`` -> ``Wagenlander``); drop the rest."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return text.encode("ascii", "ignore").decode("ascii")


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def normalize_month(value: str) -> str:
    """Return a month as its BibTeX macro name (``jan`` .. ``dec``), or the value unchanged."""
    low = value.strip().lower().rstrip(".")
    if month_from_number(low):
        return month_from_number(low)
    for name in MONTHS:
        if low.startswith(name):
            return name
    return value.strip()


def month_from_number(value: str | int | None) -> str:
    """Return ``jan`` .. ``dec`` for a month number 1..12 (``"03"`` works too), else ""."""
    text = str(value).strip() if value is not None else ""
    # ASCII digits only, and few: int("²") and int() of 5,000 digits both raise ValueError
    return MONTHS[int(text) - 1] if text.isascii() and text.isdigit() and len(text) <= 4 and 1 <= int(text) <= 12 else ""
