"""A target file that holds no BibTeX but another format: RIS, LaTeX source, JSON, HTML, a list of DOIs.

To BibTeX, any text outside an ``@type{...}`` block is a comment, so such a file reads as
an empty bibliography, and a sync would append BibTeX to it (after ``\\end{document}``, or
among RIS records). A file with content but no ``@`` block is therefore recognised: by the
sniffers of bibsync's sources (RIS, CSL-JSON, ACM and Imperial pages, DOI and arXiv lists)
and by the marks of LaTeX source, HTML, XML and JSON. Only a positive recognition refuses
the file; a .bib that holds only comments so far (a header, notes) is a bibliography still.
"""

from __future__ import annotations

import re

from ...errors import TargetError

# A BibTeX block start, as bibtexparser finds one: "@type{" or "@type(".
_BLOCK_RE = re.compile(r"@[ \t]*[A-Za-z]\w*[ \t]*[{(]")
_SNIFF_CHARS = 50_000
# What the sources call their formats, for the message ("looks like RIS").
_SOURCE_NAMES = {"ris": "RIS", "csl-json": "CSL-JSON", "acm-toc": "an ACM table of contents (HTML)",
                 "respub": "an Imperial College publication list", "respub-json": "Imperial respub JSON",
                 "doi": "a list of DOIs", "arxiv": "a list of arXiv ids"}
_LATEX_RE = re.compile(r"\\(?:documentclass|begin\{document\}|usepackage|section\*?\{|chapter\*?\{|input\{|include\{)")
_HTML_RE = re.compile(r"\A\s*(?:<!doctype\s+html|<html\b|<head\b|<body\b)", re.IGNORECASE)
_XML_RE = re.compile(r"\A\s*<\?xml\b")


def other_format(text: str) -> tuple[str, bool] | None:
    """What ``text`` looks like when it holds no BibTeX block but another format ("RIS",
    "LaTeX source", "JSON", ...) and whether a bibsync source reads it; None for BibTeX,
    empty text or text that looks like nothing."""
    if not text.strip() or _BLOCK_RE.search(text):
        return None
    head = text[:_SNIFF_CHARS].lstrip("\ufeff")
    from ...registry import default_registry  # only for a file without BibTeX: rare

    for source in default_registry().sources():
        if source.name == "bibtex":
            continue
        try:
            if source.sniff(head):
                return _SOURCE_NAMES.get(source.name, f"{source.name} ({source.description})"), True
        except Exception:  # a plugin's broken sniff must not stop the check
            continue
    if _LATEX_RE.search(head):
        return "LaTeX source", False
    if _HTML_RE.match(head):
        return "HTML", False
    if _XML_RE.match(head):
        return "XML", False
    if head.strip()[:1] in ("[", "{") and text.rstrip()[-1:] in ("]", "}"):
        return "JSON", False
    return None


def refuse_other_format(text: str, where: str, writing: bool) -> None:
    """Raise TargetError ("x.ris looks like RIS, not BibTeX") when ``text`` is another format
    (see :func:`other_format`); ``writing`` adds that nothing was written."""
    found = other_format(text)
    if found is None:
        return
    kind, readable = found
    hint = "name a .bib file (a new one is created)"
    if readable:
        hint += f"; to read the entries of {where}, give it as a source: bibsync parse {where}"
    raise TargetError(f"{where} looks like {kind}, not BibTeX" + ("; nothing was written" if writing else ""),
                      hint=hint)
