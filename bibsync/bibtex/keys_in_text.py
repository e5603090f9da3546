"""The citation keys BibTeX itself reads in a .bib file's text, commented-out entries included.

bibsync (like biber) reads a line that starts with ``%`` as a comment, but BibTeX does not: it
skips everything outside an entry up to the next ``@``, so ``% @inproceedings{misono2024uio,``
is an entry to BibTeX, read before any later entry with the same key. A key that stands in
such a line (or in a block bibsync cannot read) must therefore count as taken when a new
entry's key is chosen, or ``\\cite`` finds the old, commented-out entry.
"""

from __future__ import annotations

import re

# An entry start at the beginning of a line, behind any number of "%" (and spaces):
# "@type{key," or "@type(key,". The types that hold no key are left out below.
_ENTRY_START_RE = re.compile(
    r"^[ \t%]*@[ \t]*([A-Za-z]\w*)[ \t]*[{(][ \t]*([^\s,{}()\"#%'=\\~]+)[ \t]*,", re.MULTILINE)
_KEYLESS_TYPES = frozenset({"comment", "preamble", "string"})
_PERCENT_AT_RE = re.compile(r"%[ \t%]*@")  # starts with a literal: a fast scan of a large file


def has_commented_entry(text: str) -> bool:
    """Whether a line of ``text`` starts an entry behind ``%`` (a quick test before :func:`keys_in_text`)."""
    for match in _PERCENT_AT_RE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if not text[line_start:match.start()].strip(" \t%"):
            return True
    return False


def keys_in_text(text: str) -> frozenset[str]:
    """Every key (lower-cased) of an entry start in ``text``, commented out with ``%`` or not."""
    if "@" not in text:
        return frozenset()
    return frozenset(m.group(2).lower() for m in _ENTRY_START_RE.finditer(text)
                     if m.group(1).lower() not in _KEYLESS_TYPES)
