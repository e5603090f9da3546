"""Mutation fuzzer: damaged real .bib files as sync targets, each synced three times.

Every .bib-like file under tests/data/ and samples/ is a seed. A mutant is a seed with one
to three mutations of its bytes: byte (insert, delete, replace, a NUL now and then), line
(delete, duplicate, swap, join, comment out with ``%``), brace, comma, quote, encoding
(Latin-1, Windows-1252, UTF-16 with or without BOM, UTF-8 BOM, CRLF, a stray invalid byte),
duplication (an entry, a field line, an ``@string``; a value emptied) and truncation.
Into each mutant a listing is synced three times: a few SoCC '24 papers (adds), entries of
the seed itself with a field more or a value changed (updates), and now and then a name
outside Latin-1 (a clear stop is fine in a Latin-1 file). Counted:

* tracebacks: anything but a BibsyncError (a clear message) escaping a sync;
* fidelity_failures: a byte outside the spliced entries changed (or a clean error that
  still changed the file, or an entry lost, or a spliced entry that no longer scans);
* not_idempotent: the second or third sync changes a byte, or plans an add or an update it
  then writes (an update that cannot be spliced into a damaged entry is reported as not
  written on every run, and the file is left alone: that is not counted).

Run: python benchmarks/fuzz_bib.py --seed 1 --mutants 2000 [--show 5] [--keep DIR]
The last line is ``mutants=... tracebacks=... fidelity_failures=... not_idempotent=...``.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from typing import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bibsync.bibtex.canonical import canonical_entry
from bibsync.bibtex.read import read_bibtex, resolve_crossrefs  # noqa: E402
from bibsync.bibtex.splice import LayoutError, scan_entry  # noqa: E402
from bibsync.errors import BibsyncError  # noqa: E402
from bibsync.model import Entry, Person  # noqa: E402
from bibsync.pipeline import parse_sources  # noqa: E402
from bibsync.sources.bibtex import BibtexSource  # noqa: E402
from bibsync.sync import run_sync  # noqa: E402
from bibsync.targets.bibfile.filebytes import decode_bib, encode_bib  # noqa: E402
from bibsync.targets.bibfile.target import BibFileTarget  # noqa: E402

SOCC = ROOT / "samples" / "acm-toc-socc24.txt"
_ENTRY_START_RE = re.compile(rb"(?m)^[ \t]*@[A-Za-z]+[ \t]*[{(]")
_FIELD_LINE_RE = re.compile(rb"(?m)^[ \t]*[A-Za-z][\w-]*[ \t]*=.*$")


def seed_files(roots: list[Path]) -> list[Path]:
    """Every .bib-like file under ``roots``: a .bib/.bibtex suffix, or text the bibtex source would take."""
    sniff = BibtexSource().sniff
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.stat().st_size > 2_000_000:
                continue
            if path.suffix in (".bib", ".bibtex"):
                found.append(path)
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if sniff(text) and "@" in text[:200]:
                found.append(path)
    return found


# --- mutations -------------------------------------------------------------------------------

def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def _near(rng: random.Random, data: bytes, chars: bytes) -> int:
    """A random offset of one of ``chars`` in ``data`` (or anywhere)."""
    spots = [i for i, b in enumerate(data) if b in chars]
    return rng.choice(spots) if spots else _pos(rng, data)


def mutate_byte(rng, data):
    i = _pos(rng, data)
    new = bytes([rng.choice([0, 0x80, 0x93, 0xe9, 0xff, 0xc3, ord("@"), ord("\\"), ord("#"), ord("%"),
                             rng.randrange(256)] if rng.random() > 0.03 else [0])])
    kind = rng.choice(["insert", "delete", "replace"])
    if kind == "insert":
        return data[:i] + new + data[i:], f"byte insert {new!r} at {i}"
    if kind == "delete":
        return data[:i] + data[i + 1:], f"byte delete at {i}"
    return data[:i] + new + data[i + 1:], f"byte replace {new!r} at {i}"


def mutate_line(rng, data):
    lines = _lines(data)
    i = rng.randrange(len(lines))
    kind = rng.choice(["delete", "duplicate", "swap", "join", "comment", "blank"])
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i] if lines[i].endswith(b"\n") else lines[i] + b"\n")
    elif kind == "swap" and i + 1 < len(lines):
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif kind == "join":
        lines[i] = lines[i].rstrip(b"\r\n") + b" "
    elif kind == "comment":
        lines[i] = b"% " + lines[i]
    else:
        lines.insert(i, b"\n")
    return b"".join(lines), f"line {kind} {i + 1}"


def mutate_brace(rng, data):
    i = _near(rng, data, b"{}")
    kind = rng.choice(["insert {", "insert }", "delete"])
    if kind == "delete":
        return data[:i] + data[i + 1:], f"brace delete at {i}"
    return data[:i] + kind[-1].encode() + data[i:], f"brace {kind} at {i}"


def mutate_comma(rng, data):
    i = _near(rng, data, b",")
    if rng.random() < 0.6 and data[i:i + 1] == b",":
        return data[:i] + data[i + 1:], f"comma delete at {i}"
    return data[:i] + b"," + data[i:], f"comma insert at {i}"


def mutate_quote(rng, data):
    i = _near(rng, data, b'"{')
    if data[i:i + 1] == b'"' and rng.random() < 0.5:
        return data[:i] + data[i + 1:], f"quote delete at {i}"
    return data[:i] + b'"' + data[i:], f"quote insert at {i}"


def mutate_encoding(rng, data):
    text = data.decode("utf-8", "replace")
    kind = rng.choice(["latin-1", "cp1252", "utf-16-le+bom", "utf-16-be+bom", "utf-16-le", "utf-8-bom", "crlf",
                       "mixed-eol", "stray-byte"])
    if kind in ("latin-1", "cp1252"):
        return text.encode(kind, "replace"), f"encoding {kind}"
    if kind.startswith("utf-16"):
        codec = kind[:9]
        bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec] if kind.endswith("+bom") else b""
        return bom + text.encode(codec, "replace"), f"encoding {kind}"
    if kind == "utf-8-bom":
        return b"\xef\xbb\xbf" + data, "encoding utf-8 BOM"
    if kind == "crlf":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), "encoding CRLF"
    if kind == "mixed-eol":
        lines = _lines(data)
        i = rng.randrange(len(lines))
        lines[i] = lines[i].rstrip(b"\r\n") + b"\r\n"
        return b"".join(lines), f"encoding CRLF on line {i + 1}"
    i = _pos(rng, data)
    return data[:i] + bytes([rng.choice([0x81, 0x8d, 0xc3, 0xe2, 0xf0])]) + data[i:], f"encoding stray byte at {i}"


def mutate_duplication(rng, data):
    kind = rng.choice(["entry", "field", "string", "empty"])
    starts = [m.start() for m in _ENTRY_START_RE.finditer(data)]
    if kind == "entry" and starts:
        k = rng.randrange(len(starts))
        end = starts[k + 1] if k + 1 < len(starts) else len(data)
        return data[:end] + b"\n" + data[starts[k]:end] + data[end:], f"duplicate entry at {starts[k]}"
    fields = list(_FIELD_LINE_RE.finditer(data))
    if kind == "field" and fields:
        m = rng.choice(fields)
        line = m.group(0)
        line = line if rng.random() < 0.5 else line.rstrip(b",")  # now and then without its comma
        return data[:m.end()] + b"\n" + line + data[m.end():], f"duplicate field line at {m.start()}"
    if kind == "string":
        return b'@string{acm = "Association for Computing Machinery"}\n@STRING{acm = {ACM}}\n' + data, \
            "repeated @string"
    if fields:
        m = rng.choice(fields)
        line = m.group(0)
        eq = line.index(b"=")
        comma = b"," if line.rstrip().endswith(b",") else b""
        return data[:m.start()] + line[:eq + 1] + b" {}" + comma + data[m.end():], f"empty value at {m.start()}"
    return data, "nothing to duplicate"


def mutate_truncate(rng, data):
    i = _pos(rng, data)
    return data[:i], f"truncate at {i}"


MUTATIONS = [mutate_byte, mutate_line, mutate_brace, mutate_comma, mutate_quote, mutate_encoding,
             mutate_duplication, mutate_truncate]
WEIGHTS = [3, 3, 2, 2, 1, 2, 3, 1]


def mutate(rng: random.Random, data: bytes) -> tuple[bytes, list[str]]:
    """One to three mutations of ``data`` (the encoding one at most once, and last)."""
    done = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        fn = rng.choices(MUTATIONS, WEIGHTS)[0]
        if fn is mutate_encoding and any(d.startswith("encoding") for d in done):
            continue
        data, what = fn(rng, data)
        done.append(what)
    return data, done


# --- the listing -----------------------------------------------------------------------------

def listing_for(rng: random.Random, seed_text: str, socc: list[Entry]) -> list[Entry]:
    """A few SoCC '24 papers, and entries of the seed with a field more or a value changed."""
    entries, _ = resolve_crossrefs(read_bibtex(seed_text).entries)
    own = [canonical_entry(e) for e in entries if e.title]  # as the bibtex source reads them
    out = rng.sample(socc, k=min(3, len(socc)))
    for entry in rng.sample(own, k=min(3, len(own))):
        # No invented DOI: a paper of the seed may also be a SoCC paper, and two DOIs make two papers.
        change = rng.choice(["pages", "note", "volume", "same"])
        if change == "pages" and "pages" not in entry.fields:
            entry = entry.with_fields(pages=f"{rng.randrange(1, 99)}--{rng.randrange(100, 200)}")
        elif change == "note":
            entry = entry.with_fields(note="Extended version")
        elif change == "volume" and "volume" not in entry.fields:
            entry = entry.with_fields(volume=str(rng.randrange(1, 60)))
        out.append(entry.with_key(None))
    if rng.random() < 0.1:  # a name outside Latin-1: escaped, or a clear stop in a Latin-1 file
        out.append(Entry("article", {"title": "Gossip protocols for sensor rings", "journal": "Letters on Rings",
                                     "year": "2011"}, (Person(rng.choice(["王", "Łukasiewicz", "Erdős 🚀"]), "Ana"),)))
    return out


# --- checks ----------------------------------------------------------------------------------

def entry_end(text: str, pos: int) -> int | None:
    """Where the entry starting at ``pos`` (after white space) ends, or None if it does not scan."""
    start = pos + len(text[pos:]) - len(text[pos:].lstrip())
    try:
        layout = scan_entry(text[start:])
    except LayoutError:
        return None
    return start + layout.close + 1


def fidelity_problem(old: str, new: str, spans: list[tuple[int, int]], adds: int) -> str | None:
    """Why ``new`` is not ``old`` with only the entries at ``spans`` respliced and ``adds``
    entries added, at the end or together at one place before it (before a block BibTeX
    would read them into); None when it is."""
    spans = sorted(spans)
    keep = []
    pos = 0
    for start, end in spans:
        keep.append(old[pos:start])
        pos = end
    keep.append(old[pos:])
    updates = [old[start:end] for start, end in spans]
    problems: list[str] = []  # the first is the one reported

    def walk(i: int, at: int, pending: int) -> bool:  # does keep[i] (and all after it) follow from ``at``?
        places = list(_kept(new, at, keep[i], pending))
        if not places:
            problems.append("the text before the first spliced entry changed" if i == 0 else
                            f"the text after the spliced entry at {at} changed")
        for after, left in places:
            if i == len(updates):
                if _added_at_end(new, after, left, problems):
                    return True
                continue
            if new.startswith(updates[i], after) and walk(i + 1, after + len(updates[i]), left):
                return True  # this update was left as it was
            finish = entry_end(new, after)
            if finish is None:
                problems.append(f"the spliced entry at {after} does not scan")
            elif walk(i + 1, finish, left):
                return True
        return False

    return None if walk(0, 0, adds) else problems[0]


def _kept(new: str, at: int, segment: str, adds: int) -> Iterator[tuple[int, int]]:
    """The places where ``segment`` (old text that stays) can end in ``new`` from ``at``, with
    how many of the ``adds`` added entries are still to come: as it is, or with all of them
    inserted at a line or block start inside it (entries, then newlines)."""
    if new.startswith(segment, at):
        yield at + len(segment), adds
    if not adds:
        return
    common = 0
    while common < len(segment) and at + common < len(new) and new[at + common] == segment[common]:
        common += 1
    for cut in range(common, -1, -1):
        if cut and segment[cut - 1] != "\n" and segment[cut:cut + 1] != "@":
            continue
        finish: int | None = at + cut
        for _ in range(adds):
            finish = entry_end(new, finish) if finish is not None else None
        if finish is None:
            continue
        newlines = len(new[finish:]) - len(new[finish:].lstrip("\r\n"))
        for skip in range(newlines + 1):
            if new.startswith(segment[cut:], finish + skip):
                yield finish + skip + len(segment) - cut, 0


def _added_at_end(new: str, at: int, adds: int, problems: list[str]) -> bool:
    for n in range(adds):
        finish = entry_end(new, at)
        if finish is None:
            problems.append(f"added entry {n + 1} does not scan")
            return False
        at = finish
    if new[at:].strip():
        problems.append("unexpected text at the end")
        return False
    return True


@dataclass
class Outcome:
    """What happened to one mutant."""

    traceback: str = ""
    fidelity: str = ""
    idempotent: str = ""
    notes: list[str] = field(default_factory=list)


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def fuzz_one(path: Path, incoming: list[Entry]) -> Outcome:
    """Sync ``incoming`` into the mutant at ``path`` three times and check each run."""
    outcome = Outcome()
    before = _bytes(path)
    target = BibFileTarget(path)
    try:
        result = run_sync(None, target, incoming=incoming, decisions=None)
    except BibsyncError as exc:
        outcome.notes.append(f"clean error: {exc.message}")
        if _bytes(path) != before:
            outcome.fidelity = f"a clean error ({exc.message}) but the file changed"
        return outcome
    except Exception:  # noqa: BLE001 - what the fuzzer counts
        outcome.traceback = traceback.format_exc()
        return outcome
    after = _bytes(path)
    written = after != before
    if written and before is not None:
        old = decode_bib(before, str(path))
        mark = encode_bib("", old.encoding, old.bom)  # the byte-order mark, if the file had one
        new = after[len(mark):].decode(old.encoding) if after.startswith(mark) else ""
        spans = [target.entry_spans[c.target_index] for c in result.plan.by_kind("update")
                 if c.target_index is not None and target.entry_spans[c.target_index] is not None]
        problem = fidelity_problem(old.text, new, spans, result.report.added if result.report else 0)
        if problem:
            outcome.fidelity = problem
        try:
            lost = len(BibFileTarget(path, read_only=True).load()) < len(result.target_entries)
        except BibsyncError as exc:
            lost, outcome.fidelity = False, f"the written file cannot be read: {exc.message}"
        if lost:
            outcome.fidelity = outcome.fidelity or "an entry was lost"
    for run in (2, 3):
        try:
            again = run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
        except BibsyncError as exc:
            if written:
                outcome.idempotent = f"run {run}: {exc.message}"
            break
        except Exception:  # noqa: BLE001
            outcome.traceback = traceback.format_exc()
            break
        unwritten = len(again.report.failed) if again.report else 0  # reported each time, never written
        planned = len(again.plan.by_kind("add")) + len(again.plan.by_kind("update")) - unwritten
        if planned or _bytes(path) != after:
            outcome.idempotent = (f"run {run} planned {again.plan.counts()} ({unwritten} not spliceable) "
                                  f"and {'changed' if _bytes(path) != after else 'kept'} the bytes")
            break
    return outcome


def explain(folder: Path, data: bytes, incoming: list[Entry], what: list[str], seed: Path) -> None:
    """Sync one mutant three times, printing each plan's changes and the diff of each write."""
    import difflib

    print(f"mutant of {seed.relative_to(ROOT)}: {'; '.join(what)}")
    path = folder / "refs.bib"
    path.write_bytes(data)
    for run in (1, 2, 3):
        before = path.read_bytes()
        try:
            result = run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
        except BibsyncError as exc:
            print(f"run {run}: {exc}")
            continue
        for change in result.plan.changes:
            if change.kind in ("add", "update"):
                print(f"run {run}: {change.kind} {change.key or change.target_key} {change.field_changes}")
        old, new = before.decode("utf-8", "replace"), path.read_bytes().decode("utf-8", "replace")
        print("".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "before", "after")))


def main() -> None:
    """Make the mutants, sync into each, print the failures and the summary line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mutants", type=int, default=200)
    parser.add_argument("--show", type=int, default=5, help="print this many failures of each kind")
    parser.add_argument("--keep", type=Path, help="copy failing mutants into this folder")
    parser.add_argument("--roots", type=Path, nargs="*", default=[ROOT / "tests" / "data", ROOT / "samples"])
    parser.add_argument("--only", type=int, help="sync only mutant N (same seed) and print each run's plan and diff")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    seeds = seed_files(args.roots)
    socc = parse_sources([str(SOCC)]).entries
    texts = {path: path.read_bytes() for path in seeds}
    counts = {"traceback": 0, "fidelity": 0, "idempotent": 0}
    shown = {kind: 0 for kind in counts}
    folder = Path(tempfile.mkdtemp(prefix="bibsync-fuzz-"))
    t0 = time.perf_counter()
    try:
        for n in range(args.mutants):
            seed = seeds[n % len(seeds)]
            data, what = mutate(rng, texts[seed])
            incoming = listing_for(rng, texts[seed].decode("utf-8", "replace"), socc)
            if args.only is not None:
                if n == args.only:
                    explain(folder, data, incoming, what, seed)
                continue
            path = folder / f"m{n}" / "refs.bib"
            path.parent.mkdir()
            path.write_bytes(data)
            outcome = fuzz_one(path, incoming)
            for kind in counts:
                problem = getattr(outcome, kind)
                if not problem:
                    continue
                counts[kind] += 1
                if shown[kind] < args.show:
                    shown[kind] += 1
                    print(f"--- {kind}: mutant {n} of {seed.relative_to(ROOT)} ({'; '.join(what)})\n{problem}")
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"m{n}-{seed.name}").write_bytes(data)
            shutil.rmtree(path.parent, ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{len(seeds)} seed files, {args.mutants} mutants, 3 syncs each, {time.perf_counter() - t0:.1f} s")
    print(f"mutants={args.mutants} tracebacks={counts['traceback']} fidelity_failures={counts['fidelity']} "
          f"not_idempotent={counts['idempotent']}")


if __name__ == "__main__":
    main()
