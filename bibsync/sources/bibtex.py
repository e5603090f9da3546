"""Source: BibTeX and BibLaTeX files, into canonical (BibTeX-typed) entries.

Reading (macros, ``#``, LaTeX accents, ``journaltitle``/``location``) is shared with the
.bib target in :mod:`bibsync.bibtex.read`; this source then makes each entry stand alone:

* ``crossref`` is resolved: the parent's title becomes ``booktitle``, and its editors,
  publisher, year, ... fill what the child lacks (DBLP exports); the parent stays an entry.
* Each entry is made canonical (:mod:`bibsync.bibtex.canonical`): BibLaTeX types become
  BibTeX ones (``report`` -> ``techreport``, ``thesis`` -> ``phdthesis``/``mastersthesis``,
  ...; ``online`` and ``software`` stay), ``date`` gives ``year`` and ``month``, ``subtitle``
  joins the title, ``eprinttype``/``eprintclass`` become ``archiveprefix``/``primaryclass``,
  a doi.org ``url`` gives a missing ``doi``.
* A duplicate key keeps both entries and is reported as a *warning* (the entries are all in
  the output, so ``bibsync parse`` still succeeds); a block that cannot be parsed is an
  error (skipped, exit status 1); a text with no entry at all is an InputError.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..bibtex.canonical import canonical_entry
from ..errors import InputError
from ..model import Entry, Failure
from ..registry import ParseContext

_ENTRY_RE = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


class BibtexSource:
    """BibTeX / BibLaTeX: macros, concatenation, crossref, LaTeX accents, BibLaTeX field names."""

    name = "bibtex"
    suffixes = (".bib", ".bibtex")
    description = "BibTeX or BibLaTeX (.bib): @string macros, crossref, LaTeX accents"

    def sniff(self, text: str) -> bool:
        """True when the text has an ``@type{`` block near the start of a line."""
        head = text[:20000]
        return bool(_ENTRY_RE.search(head)) and "<html" not in head.lower()

    def parse(self, text: str, context: ParseContext) -> Iterator[Entry | Failure]:
        """Yield every entry, in document order, with errors and warnings at their lines."""
        from ..bibtex.read import read_bibtex, resolve_crossrefs  # bibtexparser loads when a .bib is read

        doc = read_bibtex(text, context.filename)
        if not doc.entries and not doc.failures:  # only comments, @string or text: say so
            raise InputError("no BibTeX entries found", where=context.filename,
                             hint="an entry reads '@article{key, title = {...}, ...}'; "
                                  "for another format, name it with --from (see 'bibsync formats')")
        entries, problems = resolve_crossrefs(doc.entries, context.filename)
        items: list[tuple[int, int, Entry | Failure]] = [
            ((e.origin.line or 0) if e.origin else 0, 1, canonical_entry(e)) for e in entries
        ]
        items += [(f.line or 0, 0, f) for f in doc.failures + problems]
        for _, _, item in sorted(items, key=lambda t: (t[0], t[1])):
            yield item


source = BibtexSource()
