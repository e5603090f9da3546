"""Source: BibTeX and BibLaTeX files."""

from __future__ import annotations

import re
from typing import Iterator

from ..bibtex_read import read_bibtex
from ..model import Entry, Failure
from . import ParseContext

_ENTRY_RE = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


class BibtexSource:
    """BibTeX / BibLaTeX: macros, concatenation, LaTeX accents, BibLaTeX field names."""

    name = "bibtex"
    suffixes = (".bib", ".bibtex")
    description = "BibTeX or BibLaTeX (.bib): @string macros, crossref, LaTeX accents"

    def sniff(self, text: str) -> bool:
        """True when the text has an ``@type{`` block near the start of a line."""
        head = text[:20000]
        return bool(_ENTRY_RE.search(head)) and "<html" not in head.lower()

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield every entry; unreadable blocks and duplicates are reported as failures."""
        doc = read_bibtex(text, context.filename)
        items: list[tuple[int, Entry | Failure]] = [
            ((e.origin.line or 0) if e.origin else 0, e) for e in doc.entries
        ]
        items += [(f.line or 0, f) for f in doc.failures if f.message.startswith("cannot parse")]
        for _, item in sorted(items, key=lambda pair: pair[0]):
            yield item


source = BibtexSource()
