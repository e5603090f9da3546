"""Entity resolution on the Leipzig benchmark format (DBLP-ACM and friends), as bibsync matches.

    python benchmarks/entity_resolution.py --left DBLP2.csv --right ACM.csv --mapping DBLP-ACM_perfectMapping.csv
    python benchmarks/entity_resolution.py --pairs tests/data/match/pairs.csv

Tables have the columns id, title, authors ("First Last, First Last"), venue, year, in
UTF-8 or latin-1, with HTML entities. Each row becomes an Entry (a venue that names a
journal makes an article, "Software" a misc artefact, any other an inproceedings); a
Matcher indexes the left table, every right entry gets a proposal, and the "match"
recommendations are assigned one to one (best score first). With --pairs, each labelled
pair is compared on its own; label 1 means "the same entry, merge", 0 "do not merge".
The last line printed is ``precision=... recall=... f1=... review=... seconds=...``, where
``review`` is the share of pairs (of proposals, for tables) whose verdict is review.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import time
from pathlib import Path

from bibsync.files.decoding import decode_bytes
from bibsync.match import Matcher, MatchSettings, Proposal
from bibsync.model import Entry
from bibsync.names import person_from_natural
from bibsync.text import repair_text

_JOURNAL_RE = re.compile(r"\b(journal|j\.|trans\.|transactions|record|letters|magazine|bulletin|review)",
                         re.IGNORECASE)


_ARTEFACT_RE = re.compile(r"software|dataset|artefact|artifact", re.IGNORECASE)


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file in UTF-8 or latin-1 (detected), keys as in its header."""
    text = decode_bytes(path.read_bytes(), str(path))
    return list(csv.DictReader(io.StringIO(text)))


# The labelled-pair splits are tokenised: an HTML entity may be split ("& hellip ;", "&#39 ;").
_SPLIT_ENTITY_RE = re.compile(r"&\s?(#?[0-9a-z]+)\s?;", re.IGNORECASE)
# ... parentheses stand apart ("( demo abstract )"), and years may be written as floats ("1999.0").
_SPLIT_PAREN_RE = re.compile(r"\(\s+|\s+\)")
_FLOAT_YEAR_RE = re.compile(r"^(\d{4})\.0+$")


def _cell(text: str | None) -> str:
    """A cell as a source would read it: entities joined again and decoded, spaces folded."""
    text = _SPLIT_PAREN_RE.sub(lambda m: m.group(0).strip(), text or "")
    return repair_text(_SPLIT_ENTITY_RE.sub(r"&\1;", text))


def make_entry(title: str, authors: str, venue: str, year: str, key: str | None = None) -> Entry:
    """An Entry as a bibsync source would build it from one row."""
    venue = _cell(venue)
    kind = "article" if _JOURNAL_RE.search(venue) else "inproceedings"
    year = (year or "").strip()
    fields = {"title": _cell(title), "year": _FLOAT_YEAR_RE.sub(r"\1", year)}
    if _ARTEFACT_RE.fullmatch(venue):
        kind, fields["howpublished"] = "misc", venue  # as the respub source types a "Software" record
    elif venue:
        fields["journal" if kind == "article" else "booktitle"] = venue
    names = [_cell(n) for n in (authors or "").split(",")]
    people = tuple(person_from_natural(n) for n in names if n and n != "?")
    return Entry(kind, {k: v for k, v in fields.items() if v}, authors=people, key=key)


def entry_from_row(row: dict[str, str]) -> Entry:
    """An Entry from a Leipzig table row."""
    return make_entry(row.get("title", ""), row.get("authors", ""), row.get("venue", ""), row.get("year", ""),
                      row.get("id"))


def assign(proposals: list[Proposal]) -> dict[int, int]:
    """One-to-one: incoming index -> target index, from match recommendations, best score first."""
    claims = sorted(((p.best.score, k, p.best.index) for k, p in enumerate(proposals)
                     if p.recommendation == "match" and p.best is not None), key=lambda c: (-c[0], c[1]))
    taken: set[int] = set()
    out: dict[int, int] = {}
    for _, k, target in claims:
        if target not in taken:
            taken.add(target)
            out[k] = target
    return out


def figures(tp: int, fp: int, fn: int, review: float, seconds: float) -> str:
    """The one result line; ``review`` is the share of pairs (or proposals) sent to a person."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"precision={precision:.4f} recall={recall:.4f} f1={f1:.4f} review={review:.4f} seconds={seconds:.2f}"


def run_tables(left: Path, right: Path, mapping: Path, show_errors: bool, settings: MatchSettings) -> str:
    """Match two tables and compare with the mapping."""
    left_rows, right_rows, map_rows = read_rows(left), read_rows(right), read_rows(mapping)
    start = time.perf_counter()
    targets = [entry_from_row(r) for r in left_rows]
    incoming = [entry_from_row(r) for r in right_rows]
    proposals = Matcher(targets, settings).propose_all(incoming)
    assigned = assign(proposals)
    seconds = time.perf_counter() - start
    left_ids = {r["id"] for r in left_rows}
    truth = set()
    for row in map_rows:
        a, b = list(row.values())[:2]
        truth.add((a, b) if a in left_ids else (b, a))
    found = {(targets[t].key, incoming[k].key) for k, t in assigned.items()}
    if show_errors:
        _print_errors(truth, found, targets, incoming, proposals)
    review = sum(1 for p in proposals if p.recommendation == "review") / max(len(proposals), 1)
    return figures(len(found & truth), len(found - truth), len(truth - found), review, seconds)


def _print_errors(truth, found, targets, incoming, proposals) -> None:
    by_left = {e.key: e for e in targets}
    by_right = {e.key: k for k, e in enumerate(incoming)}
    for kind, pairs in (("false match", found - truth), ("miss", truth - found)):
        for left_id, right_id in sorted(pairs):
            if left_id not in by_left or right_id not in by_right:
                print(f"{kind}: {left_id} / {right_id} (not in the tables)")
                continue
            k = by_right[right_id]
            proposal = proposals[k]
            print(f"{kind}: {by_left[left_id].title!r} {by_left[left_id].year} [{left_id}]")
            print(f"   right: {incoming[k].title!r} [{right_id}] -> {proposal.recommendation}")
            for c in proposal.candidates[:3]:
                print(f"     {targets[c.index].key}: {c.explanation}")


def run_pairs(path: Path, settings: MatchSettings, show_errors: bool = False) -> str:
    """Compare each labelled pair on its own."""
    rows = read_rows(path)
    start = time.perf_counter()
    matcher = Matcher([], settings)
    tp = fp = fn = reviews = 0
    errors = []
    for row in rows:
        left = make_entry(row["left_title"], row["left_authors"], row["left_venue"], row["left_year"])
        right = make_entry(row["right_title"], row["right_authors"], row["right_venue"], row["right_year"])
        found = matcher.compare(left, right)
        predicted = found.verdict == "match"
        actual = row["label"].strip().lower() in ("1", "true", "yes", "match")
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        reviews += found.verdict == "review"
        if show_errors and predicted != actual:
            errors.append((actual, found.verdict, row, found.explanation))
    seconds = time.perf_counter() - start
    for actual, kind, row, explanation in errors:
        print(f"{'miss' if actual else 'false match'} ({kind}): {row['left_title']!r} / {row['right_title']!r}")
        print(f"   {row['left_authors']!r} {row['left_venue']!r} {row['left_year']!r}")
        print(f"   {row['right_authors']!r} {row['right_venue']!r} {row['right_year']!r}")
        print(f"   {explanation}")
    return figures(tp, fp, fn, reviews / max(len(rows), 1), seconds)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the figures as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--left", type=Path)
    parser.add_argument("--right", type=Path)
    parser.add_argument("--mapping", type=Path)
    parser.add_argument("--pairs", type=Path)
    parser.add_argument("--errors", action="store_true", help="list false matches and misses first")
    args = parser.parse_args(argv)
    settings = MatchSettings()
    if args.pairs:
        print(run_pairs(args.pairs, settings, args.errors))
    elif args.left and args.right and args.mapping:
        print(run_tables(args.left, args.right, args.mapping, args.errors, settings))
    else:
        parser.error("give --left, --right and --mapping, or --pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
