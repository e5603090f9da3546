"""Shared by the sources that read identifiers (doi, arxiv): one per line in a file, or one argument."""

from __future__ import annotations

from typing import Callable, Iterator


def identifier_lines(text: str, filename: str) -> Iterator[tuple[int | None, str]]:
    """Yield (line number, stripped line) for each non-blank line that is not a ``#`` comment.

    An identifier given on the command line arrives as both ``text`` and ``filename``; its
    line number is None, so messages name the identifier alone.
    """
    argument = text.strip() == filename.strip()
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield (None if argument else number), line


def looks_like_list(text: str, recognise: Callable[[str], object]) -> bool:
    """True when at least two thirds of the first lines are identifiers (a stray note may stand among them)."""
    lines = [line for _, line in identifier_lines(text[:20000], "")][:200]
    hits = sum(1 for line in lines if recognise(line))
    return hits > 0 and 3 * hits >= 2 * len(lines)
