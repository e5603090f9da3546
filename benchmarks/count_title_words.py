"""Count how many titles of a corpus use each word, and write ``bibsync/match/common_words.py``.

    python benchmarks/count_title_words.py --bib real-bib/acl-anthology-lrec-emnlp-naacl.bib \
        --table dblp-acm/DBLP2.csv --table dblp-acm/ACM.csv [--write]

Each title is read as the matcher reads it (``normalize.title_words``: content words, number
words as digits) and each word counted once per title. Words used by at least ``--min``
titles are written with their counts, most common first (ties in the order first met):
blocking looks them up last, and the title comparison weighs a word by how rarely titles
use it. Only titles are read, never a label. The last line printed is
``titles=... words=... listed=...``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from entity_resolution import read_rows  # noqa: E402

from bibsync.bibtex.read import read_bibtex  # noqa: E402
from bibsync.match.normalize import title_words  # noqa: E402

TARGET = Path(__file__).parent.parent / "bibsync" / "match" / "common_words.py"
PER_LINE = 6


def corpus_titles(bibs: list[Path], tables: list[Path]) -> list[str]:
    """The titles of the .bib files and of the tables (a ``title`` column), in the order given."""
    titles = []
    for path in bibs:
        titles += [e.title for e in read_bibtex(path.read_text(encoding="utf-8"), str(path)).entries if e.title]
    for path in tables:
        titles += [row["title"] for row in read_rows(path) if row.get("title")]
    return titles


def count(titles: list[str]) -> Counter[str]:
    """How many titles use each word (once per title, in the order first met)."""
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update(list(dict.fromkeys(title_words(title))))
    return counts


def render(counts: Counter[str], titles: int, minimum: int, sources: list[str]) -> str:
    """The text of common_words.py."""
    listed = [(w, n) for w, n in counts.most_common() if n >= minimum]
    lines = ['"""Common title words with the number of titles using each, most common first. Generated: do not edit.',
             "",
             "Candidate search picks the rarest words of a title by this fixed order, never by how often",
             "a word occurs in the library at hand, so that whether two entries are compared depends on",
             "those two entries alone (issue 15). The title comparison weighs a word by how rarely titles",
             "use it (``rarity.py``). Words not listed are rare.",
             "",
             f"The {len(listed)} content words found in at least {minimum} of {titles:,} titles of computer-science",
             "papers (titles only; no labels), counted once per title with ``normalize.title_words`` by",
             f"``python benchmarks/count_title_words.py --write`` from {', '.join(sources)}.",
             '"""',
             "",
             f"CORPUS_TITLES = {titles}",
             f"LISTED_MIN = {minimum}  # a word not listed is used by fewer titles than this",
             "TITLE_COUNTS: dict[str, int] = {"]
    for k in range(0, len(listed), PER_LINE):
        lines.append("    " + " ".join(f'"{w}": {n},' for w, n in listed[k:k + PER_LINE]))
    lines += ["}", "COMMON_TITLE_WORDS: tuple[str, ...] = tuple(TITLE_COUNTS)"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Count, and with --write store the list."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bib", type=Path, action="append", default=[], help="a .bib file of titles (repeat)")
    parser.add_argument("--table", type=Path, action="append", default=[], help="a CSV with a title column (repeat)")
    parser.add_argument("--min", type=int, default=15, help="titles a word needs to be listed")
    parser.add_argument("--write", action="store_true", help="write bibsync/match/common_words.py")
    args = parser.parse_args(argv)
    titles = corpus_titles(args.bib, args.table)
    counts = count(titles)
    text = render(counts, len(titles), args.min, [p.name for p in args.bib + args.table])
    if args.write:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET}")
    listed = sum(1 for n in counts.values() if n >= args.min)
    print(f"titles={len(titles)} words={len(counts)} listed={listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
