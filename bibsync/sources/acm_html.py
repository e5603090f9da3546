"""Reading the HTML of an ACM Digital Library table of contents into plain records.

The page (``DLtoc``) is a header (``h1``: "SoCC '24: Proceedings of ...") and a content
block of session headings (``h2``) and papers: an ``h3`` holding the ``a.DLtitleLink``,
a ``ul.DLauthors`` list and a ``div.DLabstract``. This module knows that markup and
nothing about BibTeX; :mod:`bibsync.sources.acm_toc` turns the records into entries.

Line numbers are those of the text as given (a GitHub file view included), found by
matching the title links in the raw text in document order, since BeautifulSoup with
lxml does not record source lines.

Hostile pages cost time in proportion to their size: every pass is linear, line numbers are
counted in one sweep, and trees are walked with an explicit stack, so a thousand (or a
million) nested elements in an abstract cannot exhaust Python's recursion limit. MathML
nested deeper than :data:`MAX_MATH_DEPTH` is read as its plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..text import latex_to_unicode, one_line, repair_text
from .inputs import line_numbers

# An <a> tag in the raw text, up to its ">" (or the next "<" or the end: it may be cut off), and
# the tokens of its attributes. Every match consumes what it reads, so hostile text (thousands
# of unclosed "<a class=") costs time in proportion to its length.
_A_TAG_RE = re.compile(r"<a\b[^<>]*", re.IGNORECASE)
_ATTRIBUTE_TOKEN_RE = re.compile(r"""\s+|=|"[^"]*"?|'[^']*'?|[^\s"'=]+""")
_HTML_START_RE = re.compile(r"<!doctype\s+html|<html\b", re.IGNORECASE)
_H3_RE = re.compile(r"<h3\b", re.IGNORECASE)
_PAGE_END_RE = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_COUNTED_TAGS = ("a", "ul", "li", "div", "p", "h3", "span")

# Elements that end one abstract paragraph and start the next.
_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "blockquote", "table", "tr", "h1", "h2", "h3",
                     "h4", "h5", "h6", "section", "dl", "dt", "dd", "pre"})
_SKIPPED = frozenset({"script", "style", "annotation", "annotation-xml", "none", "mprescripts"})
# MathML operators written with a space on each side.
_SPACED_OPERATORS = frozenset("=<>≤≥≈≠≡→←⇒⇐↔∈∉⊂⊆∝~")
MAX_MATH_DEPTH = 64  # MathML is a few levels deep; deeper nesting is read as plain text


@dataclass
class RawPaper:
    """One title link of the page and what follows it, as text."""

    index: int  # 1-based position among the page's title links
    title: str
    href: str
    authors: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    parts: set[str] = field(default_factory=set)  # the blocks seen: "authors", "abstract"
    line: int | None = None
    cut: bool = False  # the text ends inside this entry
    raw: str = ""
    swallowed: bool = False  # its abstract left an element open and held what follows (recovered)


@dataclass
class RawPage:
    """The page heading and its papers (Session details included), in document order."""

    heading: str
    papers: list[RawPaper]
    ends: bool  # the text reaches </body> or </html>


def normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR line ends into LF (the line count stays the same)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_start(text: str) -> int | None:
    """Return where the page begins (after a GitHub file view's chrome), None for a fragment."""
    match = _HTML_START_RE.search(text)
    return match.start() if match else None


def line_at(text: str, pos: int) -> int:
    """Return the 1-based line number of character ``pos``."""
    return text.count("\n", 0, pos) + 1


def title_link_starts(text: str, start: int = 0) -> list[int]:
    """Where each ``<a class="... DLtitleLink ...">`` begins in the raw text, in order."""
    return [m.start() for m in _A_TAG_RE.finditer(text, start)
            if "DLtitleLink" in m.group(0) and "DLtitleLink" in tag_classes(m.group(0))]


def tag_classes(tag: str) -> list[str]:
    """The class names of a raw start tag such as ``<a href=x class="DLtitleLink big"``."""
    tokens = [t for t in _ATTRIBUTE_TOKEN_RE.findall(tag[2:]) if not t.isspace()]
    classes: list[str] = []
    for i in range(len(tokens) - 2):
        if tokens[i].lower() == "class" and tokens[i + 1] == "=":
            classes += tokens[i + 2].strip("\"'").split()
    return classes


def read_page(text: str) -> RawPage:
    """Parse a table of contents (raw HTML or a GitHub file view) into a :class:`RawPage`."""
    text = normalize_newlines(text)
    found = html_start(text)
    start = found or 0
    soup = BeautifulSoup(text[start:], "lxml")
    link_starts = title_link_starts(text, start)
    papers = _papers(soup)
    lines_known = len(papers) <= len(link_starts)  # else papers are named by their record number
    if lines_known:
        for paper, line in zip(papers, line_numbers(text, [link_starts[p.index - 1] for p in papers])):
            paper.line = line
    ends = bool(_PAGE_END_RE.search(text, link_starts[-1] if link_starts else start))
    if not ends and lines_known:
        _mark_cut(text, start, papers, link_starts, whole_page=found is not None)
    return RawPage(heading=_heading(soup), papers=papers, ends=ends)


def _heading(soup: BeautifulSoup) -> str:
    header = soup.find(id="DLheader")  # find, not a CSS selector: its ancestor checks cost the depth per element
    for tag in (header.find("h1") if header is not None else None, soup.find("h1"), soup.find("title")):
        if tag is not None:
            text = inline_text(tag)
            if text:
                return text
    return ""


def _papers(soup: BeautifulSoup) -> list[RawPaper]:
    """Walk the page in document order: a title link opens a paper, a heading closes it."""
    papers: list[RawPaper] = []
    current: RawPaper | None = None
    for tag in _outline(soup):
        if _has_class(tag, "DLtitleLink"):
            current = RawPaper(index=len(papers) + 1, title=inline_text(tag),
                               href=(tag.get("href") or "").strip())
            papers.append(current)
        elif current is None:
            continue
        elif _has_class(tag, "DLauthors"):
            if "authors" not in current.parts:
                current.authors = _names(tag)
            current.parts.add("authors")
        elif _has_class(tag, "DLabstract"):
            current.swallowed |= _release_swallowed(tag)
            current.paragraphs.extend(paragraphs(tag))
            current.parts.add("abstract")
        else:  # a session heading: whatever follows until the next title link is not this paper's
            current = None
    return papers


def _release_swallowed(abstract: Tag) -> bool:
    """Move what an abstract swallowed back after it; True if it had swallowed something.

    An abstract that leaves an element open (``<div><b>`` never closed) makes the parser put
    everything after it inside that element: the next papers' title links, author lists and
    session headings. The first such part, and everything after it within the abstract, is
    moved out to follow the abstract in document order, where the walk in :func:`_papers`
    then finds it. Each element is looked at and moved once, however deep the nesting.
    """
    first = abstract.find(lambda tag: _is_part(tag) or tag.name in ("h1", "h2"))
    if first is None:
        return False
    node = first
    while node.parent is not abstract and not any(  # an <h3> that only holds the link goes with it
            (isinstance(s, Tag) or str(s).strip()) for s in node.previous_siblings):
        node = node.parent
    levels: list[list] = [[node, *node.next_siblings]]
    while node.parent is not abstract:
        node = node.parent
        levels.append(list(node.next_siblings))
    anchor: Tag = abstract
    for level in levels:
        for item in level:
            anchor.insert_after(item.extract())
            anchor = item
    return True


def _outline(root: Tag) -> Iterator[Tag]:
    """The headings, title links, author lists and abstracts under ``root`` in document order.

    A title link, an author list or an abstract is not looked inside (what it holds is its
    text, read once), so each element is visited once however the page nests them.
    """
    yield from _top_level(root, lambda tag: tag.name in ("h1", "h2") or _is_part(tag), descend=_is_heading)


def _top_level(root: Tag, wanted, descend=lambda tag: False) -> Iterator[Tag]:
    """The elements under ``root`` that are ``wanted``, in document order, walked with a stack;
    below a wanted element only if ``descend(element)``."""
    stack = [iter(root.contents)]
    while stack:
        for node in stack[-1]:
            if isinstance(node, Tag):
                found = wanted(node)
                if found:
                    yield node
                if not found or descend(node):
                    stack.append(iter(node.contents))
                    break
        else:
            stack.pop()


def _is_heading(tag: Tag) -> bool:
    return tag.name in ("h1", "h2") and not _is_part(tag)


def _is_part(tag: Tag) -> bool:
    return any(_has_class(tag, name) for name in ("DLtitleLink", "DLauthors", "DLabstract"))


def _has_class(tag: Tag, name: str) -> bool:
    classes = tag.get("class") or ()
    return name in (classes.split() if isinstance(classes, str) else classes)


def _names(tag: Tag) -> list[str]:
    items = list(_top_level(tag, lambda node: node.name == "li"))  # a list inside an item is that item's text
    if items:
        texts = [inline_text(li) for li in items]
    else:  # a plain "A, B and C" list
        texts = re.split(r",|\band\b", inline_text(tag))
    names = [t.strip(" ,;") for t in texts]
    return [n for n in names if n]


def _mark_cut(text: str, start: int, papers: list[RawPaper], link_starts: list[int], whole_page: bool) -> None:
    """Flag the paper the text ends inside, or add one for an entry the parser could not see.

    Only called when the text stops before ``</body>``: a whole page cut short, or a
    fragment. On a whole page, a last paper that lacks a part the others have (authors, an
    abstract block) was cut before it.
    """
    if len(link_starts) > len(papers):  # cut inside the last title link's own tag
        _add_cut(text, papers, link_starts[len(papers)])
        return
    begin = link_starts[papers[-1].index - 1] if papers else start
    tail = text[begin:]
    partial = tail.find("<", tail.rfind(">") + 1)  # a tag the text stops inside: a "<" after the last ">"
    body = tail[:partial] if partial >= 0 else tail
    later_h3 = _H3_RE.search(tail)  # a new entry begun after the last title link, cut before its link
    if later_h3:
        body = tail[:later_h3.start()]
    if papers:
        last = papers[-1]
        # A whole page that stops early: the last paper needs every part the others have.
        expected = set().union(*(p.parts for p in papers[:-1])) if len(papers) > 1 else {"authors", "abstract"}
        missing = whole_page and not later_h3 and not expected <= last.parts
        if missing or _segment_open(body):
            last.cut = True
            last.raw = tail[:300]
    if later_h3:
        _add_cut(text, papers, begin + later_h3.start())


def _add_cut(text: str, papers: list[RawPaper], pos: int) -> None:
    papers.append(RawPaper(index=len(papers) + 1, title="", href="", line=line_at(text, pos), cut=True,
                           raw=text[pos:pos + 300]))


def _segment_open(segment: str) -> bool:
    """True when an entry's raw text leaves an element open (its own <h3> came before it)."""
    lower = segment.lower()
    for name in _COUNTED_TAGS:
        opened = len(re.findall(rf"<{name}\b", lower)) + (name == "h3")
        closed = len(re.findall(rf"</{name}\s*>", lower))
        if opened > closed:
            return True
    return False


# --- text of elements ----------------------------------------------------------------

def inline_text(tag: Tag) -> str:
    """Return an element's text on one line: markup removed, entities decoded, MathML readable."""
    return " ".join(paragraphs(tag))


def paragraphs(tag: Tag) -> list[str]:
    """Return the paragraphs of a block (an abstract), each on one line, empty ones dropped.

    A block element (``p``, ``div``, ``li`` ...) ends a paragraph where it starts and where it
    ends. The tree is walked with an explicit stack: nesting depth costs no recursion.
    """
    out: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = one_line(repair_text("".join(buffer)))
        buffer.clear()
        if text:
            out.append(text)

    stack: list[tuple[Iterator, bool]] = [(iter(tag.contents), False)]  # (children, ends a paragraph)
    while stack:
        children, block = stack[-1]
        for child in children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                buffer.append(str(child))
            elif isinstance(child, Tag):
                name = _local(child)
                if name == "math":
                    buffer.append(math_text(child))
                elif name not in _SKIPPED:
                    if name in _BLOCKS:
                        flush()
                    stack.append((iter(child.contents), name in _BLOCKS))
                    break
        else:
            stack.pop()
            if block:
                flush()
    flush()
    return out


def _local(tag: Tag) -> str:
    """The element name without a namespace prefix (``mml:mi`` -> ``mi``)."""
    return (tag.name or "").split(":")[-1].lower()


def math_text(tag: Tag) -> str:
    """Write a MathML ``math`` element as readable text: ``O(n log n)``, ``x²``, ``n^(1/2)``, ``a/b``.

    The token elements (mi, mn, mo, mtext) give the text; ``alttext`` (often TeX, decoded
    to Unicode) is used only when there are none.
    """
    text = _math(tag).strip()
    if not text:
        text = one_line(latex_to_unicode(tag.get("alttext", "") or ""))
    return f" {text} " if tag.get("display") == "block" else text


def _math(node: Tag, depth: int = 0) -> str:
    name = _local(node)
    if name in _SKIPPED:
        return ""
    if depth >= MAX_MATH_DEPTH:  # no formula nests this deep: keep its text, spend no more recursion
        return one_line(node.get_text())
    kids = [c for c in node.children if isinstance(c, Tag)]
    if name in ("mi", "mn", "mo", "mtext", "ms") and not kids:
        token = one_line(node.get_text())
        return f" {token} " if name == "mo" and token in _SPACED_OPERATORS else token
    rendered = [_math(k, depth + 1) for k in kids]
    if name == "semantics":
        return rendered[0] if rendered else ""
    if name in ("msup", "msub", "msubsup", "mfrac", "mroot") and len(rendered) >= 2:
        base, first = _group(rendered[0]), _group(rendered[1])
        if name == "msup":
            return base + _script(rendered[1], _SUPERSCRIPTS, "^")
        if name == "msub":
            return base + _script(rendered[1], _SUBSCRIPTS, "_")
        if name == "mfrac":
            return f"{base}/{first}"
        if name == "mroot":
            return f"{first}√{base}"
        sup = _script(rendered[2], _SUPERSCRIPTS, "^") if len(rendered) > 2 else ""
        return base + _script(rendered[1], _SUBSCRIPTS, "_") + sup
    if name == "msqrt":
        return "√" + _group(_join(rendered))
    if name == "mspace":
        return " " + _join(rendered)
    if name == "mfenced":
        separator = (node.get("separators", ",").strip() or ",")[0]
        return node.get("open", "(") + separator.join(rendered) + node.get("close", ")")
    if not kids:
        return one_line(node.get_text())
    return _join(rendered)


def _join(parts: list[str]) -> str:
    """Join rendered pieces, with a space between two words (``log`` ``n`` -> ``log n``)."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and out[-1][-1].isalnum() and part[0].isalnum() and (_ends_in_word(out) or len(part.split()[0]) > 1):
            out.append(" ")
        out.append(part)
    return re.sub(r" {2,}", " ", "".join(out))


def _ends_in_word(pieces: list[str]) -> bool:
    """True when the text so far ends in a word of two or more characters (looks at its end only)."""
    tail = "".join(pieces[-2:])[-2:]
    return len(tail) == 2 and bool(re.fullmatch(r"\w\w", tail))


_SUPERSCRIPTS = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-−=()aeoxhklmnpstij", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ")


def _script(text: str, table: dict[int, str], mark: str) -> str:
    """A sub- or superscript in Unicode where every character has one (``n²``), else ``^(...)``."""
    text = text.strip().replace(" ", "")
    if text and all(ord(c) in table for c in text):
        return text.translate(table)
    return mark + (text if len(text) <= 1 else f"({text})")


def _group(text: str) -> str:
    """Parenthesise a compound operand: ``(a+b)/c``."""
    text = text.strip()
    return text if len(text) <= 1 or text.isalnum() else f"({text})"
