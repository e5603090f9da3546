"""Benchmark: bare bibtexparser.parse_file vs a bibsync sync of the SoCC '24 TOC into a large .bib.

Synthetic mode (the default) generates a realistic, seeded .bib of N entries (default
10,000): @string macros, comments, LaTeX accents, protected words, abstracts, DOIs, mixed
quoting, a few SoCC '24 papers already present (some with missing fields). Then, in one
process, times
  parse_s: bibtexparser.parse_file(path) with its default parse stack (best of the rounds), and
  sync_s:  load (read + canonical entries) + plan (match + make_plan) + write (splice + atomic),
and prints a last line ``entries=N parse_s=... sync_s=... ratio=...``.

Real mode (``--real FILE``) times whole processes (median of the rounds, taken in turn):
  parse_s:   python -c "import bibtexparser; bibtexparser.parse_file(FILE)",
  dry_run_s: bibsync sync SOCC --into COPY --dry-run (a fresh copy, an empty cache folder),
  sync_s:    bibsync sync SOCC --into COPY --yes (the same, writing),
  repeat_s:  the same sync again into what it wrote (the read cache of the first is used),
and prints the peak memory of each (largest resident size), the lines the sync printed on
standard error, then a last line
``entries=... parse_s=... dry_run_s=... sync_s=... repeat_s=... ratio=... repeat_ratio=...``
where ratio is the larger of dry_run_s and sync_s over parse_s and repeat_ratio is
repeat_s over parse_s. ``--repeat-keys N`` first adds N entries that repeat a key of the
file (the same paper listed in a second volume, as large exports have them).

Run: python benchmarks/sync_bib.py [--entries 10000] [--seed 7] [--keep DIR]
     python benchmarks/sync_bib.py --real FILE.bib [--repeat-keys 3000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import compileall
import gc
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bibtexparser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bibsync import text as bibsync_text  # noqa: E402
from bibsync.bibtex import read as bibtex_read  # noqa: E402
from bibsync.config import Settings  # noqa: E402
from bibsync.names import person_from_bibtex  # noqa: E402
from bibsync.pipeline import parse_sources  # noqa: E402
from bibsync.plan import make_plan  # noqa: E402
from bibsync.targets.bibfile.target import BibFileTarget  # noqa: E402

SOCC = ROOT / "samples" / "acm-toc-socc24.txt"

SURNAMES = [
    "Smith", "Garc{\\'\\i}a", "M{\\\"u}ller", "Wang", "Li", "Zhang", "Kumar", "Rossi", "Dubois", "Nakamura",
    "Pietzuch", "Vilanova", "O'Keeffe", "van der Berg", "De Rosa", "Kowalski", "Sch{\\\"o}nberg", "Nguyen",
    "Brown", "Johnson", "Lee", "Kim", "Chen", "Liu", "Popescu", "Ivanov", "Andersen", "S{\\o}rensen",
    "Fern{\\'a}ndez", "Yilmaz", "Costa", "Silva", "Wagenl{\\\"a}nder", "Dvo{\\v{r}}{\\'a}k", "Ozturk",
]
GIVEN = ["A.", "B.", "Carlos", "Daniel", "E. F.", "Fatima", "G.", "Hiro", "Ines", "J.-P.", "Kai", "Lena",
         "M.", "Nora", "Olu", "Peter", "Qing", "Rui", "Sara", "T.", "Ulla", "Vera", "Wei", "Xin", "Yuki"]
WORDS = ("scalable efficient distributed secure adaptive learning serverless storage memory stream "
         "processing graph consensus replication isolation scheduling caching cloud edge network "
         "query optimization compiler kernel virtualization containers fault tolerance energy "
         "inference training transactions indexing compression analytics privacy verification").split()
ACRONYMS = ["MSRL", "FAASM", "KungFu", "CXL", "GPU", "RDMA", "SGX", "LLM", "DNN", "NVMe", "eBPF", "P4"]
VENUES = [("inproceedings", "booktitle", "Proceedings of the {ACM} Symposium on Operating Systems Principles"),
          ("inproceedings", "booktitle", "USENIX Annual Technical Conference"),
          ("inproceedings", "booktitle", "Proceedings of the VLDB Endowment"),
          ("article", "journal", "acmtocs"), ("article", "journal", "ieeetpds"),
          ("article", "journal", "Communications of the {ACM}")]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(4, 9))
    if rng.random() < 0.35:
        words.insert(0, "{" + rng.choice(ACRONYMS) + "}:")
    return " ".join(words).capitalize() if not words[0].startswith("{") else " ".join(words)


def _authors(rng: random.Random) -> str:
    people = [f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 7))]
    return " and ".join(people)


def generate_bib(n: int, seed: int, socc_entries: list) -> str:
    """Return a deterministic .bib text of ``n`` entries (some SoCC '24 papers included)."""
    rng = random.Random(seed)
    out = [f"% Generated bibliography for the bibsync benchmark (seed {seed})\n",
           '@string{acmtocs = "ACM Transactions on Computer Systems"}\n',
           '@string{ieeetpds = {IEEE Transactions on Parallel and Distributed Systems}}\n\n']
    present = socc_entries[:10]  # ten SoCC '24 papers are already cited, with fewer fields
    for i in range(n):
        if i % 1000 == 500:
            out.append(f"% ---- section {i // 1000} ----\n\n")
        if present and i % 997 == 3:
            e = present.pop()
            names = " and ".join(f"{p.last}, {p.first}" for p in e.authors)
            out.append(f"@inproceedings{{socc{i},\n  author = {{{names}}},\n  title = {{{e.title}}},\n"
                       f"  booktitle = {{SoCC '24}},\n  year = {{2024}}\n}}\n\n")
            continue
        etype, vfield, venue = rng.choice(VENUES)
        year = rng.randint(1975, 2024)
        key = re.sub(r"[^a-z]", "", rng.choice(SURNAMES).split()[-1].lower())[:8] + f"{year}{i}"
        fields = [("author", "{" + _authors(rng) + "}"), ("title", "{" + _title(rng) + "}")]
        fields.append((vfield, venue if venue in ("acmtocs", "ieeetpds") else "{" + venue + "}"))
        if rng.random() < 0.7:
            fields.append(("pages", f"{{{(p := rng.randint(1, 900))}--{p + rng.randint(5, 20)}}}"))
        fields.append(("year", str(year) if rng.random() < 0.5 else f"{{{year}}}"))
        if rng.random() < 0.3:
            fields.append(("month", rng.choice(MONTHS)))
        if rng.random() < 0.6:
            fields.append(("doi", f"{{10.{rng.randint(1000, 9999)}/{rng.randint(10**6, 10**7)}}}"))
        if rng.random() < 0.3:
            fields.append(("publisher", '"ACM"' if rng.random() < 0.5 else "{Springer}"))
        if rng.random() < 0.25:
            abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
            fields.append(("abstract", "{" + abstract.capitalize() + ".}"))
        if rng.random() < 0.2:
            fields.append(("keywords", "{" + ", ".join(rng.sample(WORDS, 3)) + "}"))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        out.append(f"@{etype}{{{key},\n{body}\n}}\n\n")
    return "".join(out)


def clear_caches() -> None:
    """Empty the memo caches bibsync keeps per process (names, accents), for a cold run."""
    person_from_bibtex.cache_clear()
    bibtex_read._decode_group.cache_clear()
    bibtex_read._decode_value.cache_clear()
    bibsync_text._accented_letter.cache_clear()


# --- real mode: whole processes ---------------------------------------------------------------

@dataclass
class Run:
    """One finished process: wall seconds, peak resident memory (MiB), exit code, standard error."""

    wall_s: float
    peak_mib: float
    code: int
    stderr: str


def run_process(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``args`` to the end; its own resource usage comes from wait4 (not the children's maximum)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return Run(wall, usage.ru_maxrss / 1024, child.returncode, err.read().decode("utf-8", "replace"))


def with_repeated_keys(source: Path, dest: Path, count: int, seed: int) -> int:
    """Copy ``source`` to ``dest`` with ``count`` entries listed again under the same key, in a
    second volume at the end (another booktitle); return how many were added."""
    text = source.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"(?m)^@\w+\s*[{(]", text)]
    entries = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)]) if not text[a:a + 9].lower() == "@comment{"]
    rng = random.Random(seed)
    picked = rng.sample(entries, min(count, len(entries)))
    again = [re.sub(r"(?i)(booktitle\s*=\s*[\"{])", r"\1Companion Volume of the ", e, count=1) for e in picked]
    dest.write_text(text.rstrip("\n") + "\n\n" + "".join(e.rstrip() + "\n\n" for e in again), encoding="utf-8")
    return len(again)


def count_entries(path: Path) -> int:
    """Entries in the file, a repeated key counted each time (bibtexparser's ``entries`` keeps the first)."""
    from bibtexparser import model

    blocks = bibtexparser.parse_file(str(path)).blocks
    return sum(isinstance(b, (model.Entry, model.DuplicateFieldKeyBlock))
               or (isinstance(b, model.DuplicateBlockKeyBlock) and isinstance(b.ignore_error_block, model.Entry))
               for b in blocks)


def real_mode(args: argparse.Namespace) -> None:
    """Time whole processes on a real file (see the module docstring) and print the figures."""
    python = sys.executable
    # bibsync's modules compiled, as an installed package has them (pip compiles on install):
    # under PYTHONDONTWRITEBYTECODE an editable checkout would compile ~85 modules in every run.
    compileall.compile_dir(str(ROOT / "bibsync"), quiet=1)
    folder = Path(tempfile.mkdtemp(prefix="bibsync-bench-real-"))
    try:
        original = folder / "real.bib"
        if args.repeat_keys:
            added = with_repeated_keys(args.real, original, args.repeat_keys, args.seed)
            print(f"{args.real.name}: {added} entries added that repeat a key")
        else:
            shutil.copy(args.real, original)
        original.chmod(0o644)
        n = count_entries(original)  # outside the timings
        parse_cmd = [python, "-c", f"import bibtexparser; bibtexparser.parse_file({str(original)!r})"]
        figures: dict[str, list[Run]] = {"parse": [], "dry_run": [], "sync": [], "repeat": []}
        for round_ in range(args.rounds):
            figures["parse"].append(run_process(parse_cmd))
            for kind in ("dry_run", "sync"):
                copy = folder / f"{kind}{round_}.bib"
                shutil.copy(original, copy)
                env = dict(os.environ, BIBSYNC_CACHE_DIR=str(folder / f"cache-{kind}{round_}"),
                           PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
                flag = "--dry-run" if kind == "dry_run" else "--yes"
                figures[kind].append(run_process([python, "-m", "bibsync", "sync", str(SOCC), "--into", str(copy),
                                                  flag], env))
                if kind == "sync":
                    figures["repeat"].append(run_process([python, "-m", "bibsync", "sync", str(SOCC), "--into",
                                                          str(copy), "--yes"], env))
        for kind, runs in figures.items():
            if any(r.code not in (0, 3) for r in runs):
                bad = next(r for r in runs if r.code not in (0, 3))
                sys.exit(f"{kind} failed (exit {bad.code}):\n{bad.stderr}")
        median = {kind: statistics.median(r.wall_s for r in runs) for kind, runs in figures.items()}
        peak = {kind: max(r.peak_mib for r in runs) for kind, runs in figures.items()}
        print(f"file: {original.stat().st_size / 1e6:.1f} MB, {n} entries; whole processes, median of {args.rounds}")
        print("peak_mib: " + " ".join(f"{kind}={value:.0f}" for kind, value in peak.items()))
        print("stderr_lines: " + " ".join(f"{kind}={len(figures[kind][-1].stderr.splitlines())}"
                                          for kind in ("dry_run", "sync", "repeat")))
        parse_s = median["parse"]
        ratio = max(median["dry_run"], median["sync"]) / parse_s
        print(f"entries={n} parse_s={parse_s:.3f} dry_run_s={median['dry_run']:.3f} sync_s={median['sync']:.3f} "
              f"repeat_s={median['repeat']:.3f} ratio={ratio:.2f} repeat_ratio={median['repeat'] / parse_s:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def time_sync(path: Path, incoming: list) -> tuple[float, float, float, object, object]:
    """One sync of ``incoming`` into ``path``: (load_s, plan_s, write_s, plan, report)."""
    t0 = time.perf_counter()
    target = BibFileTarget(path, settings=Settings(), freeze_read=True)  # as the command line reads
    existing = target.load()
    t1 = time.perf_counter()
    plan = make_plan(incoming, existing, policy="fill")
    t2 = time.perf_counter()
    report = target.apply(plan)
    t3 = time.perf_counter()
    target.close()
    return t1 - t0, t2 - t1, t3 - t2, plan, report


def main() -> None:
    """Generate the file, time the bare parse and the sync (best of 3 each), print the result line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5, help="best of this many runs of each")
    parser.add_argument("--keep", type=Path, help="keep the synced file in this folder")
    parser.add_argument("--real", type=Path, metavar="FILE.bib", help="time whole processes on this real file")
    parser.add_argument("--repeat-keys", type=int, default=0, metavar="N",
                        help="with --real: first add N entries that repeat a key of the file")
    args = parser.parse_args()
    if args.real is not None:
        real_mode(args)
        return

    t0 = time.perf_counter()
    incoming = parse_sources([str(SOCC)]).entries
    source_s = time.perf_counter() - t0
    folder = Path(tempfile.mkdtemp(prefix="bibsync-bench-"))
    try:
        original = folder / "big.bib"
        original.write_text(generate_bib(args.entries, args.seed, incoming), encoding="utf-8")
        size_mb = original.stat().st_size / 1e6

        # Rounds alternate the two measurements, so that load from other processes on the
        # machine weighs on both alike; caches that survive a run are emptied before the next.
        # Only figures are kept from round to round: each measurement starts from the same heap.
        parse_times, runs = [], []
        for i in range(args.rounds):
            gc.collect()
            t0 = time.perf_counter()
            n = len(bibtexparser.parse_file(str(original)).entries)
            parse_times.append(time.perf_counter() - t0)
            path = folder / f"sync{i}.bib"
            shutil.copy(original, path)
            clear_caches()
            gc.collect()
            load_s, plan_s, write_s, plan, report = time_sync(path, incoming)
            runs.append((load_s, plan_s, write_s))
            counts, added, updated = plan.counts(), report.added, report.updated
            del plan, report
        parse_s = min(parse_times)
        load_s, plan_s, write_s = min(runs, key=sum)
        sync_s = load_s + plan_s + write_s

        print(f"file: {size_mb:.1f} MB, {n} entries; incoming: {len(incoming)} SoCC '24 entries "
              f"(read from the TOC in {source_s:.3f} s, not counted)")
        print("plan: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; applied: added {added}, updated {updated}")
        print(f"parse_file (best of {args.rounds}): {parse_s:.3f} s")
        print(f"sync (best of {args.rounds}): load {load_s:.3f} s, plan {plan_s:.3f} s, write {write_s:.3f} s")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(folder / "sync0.bib", args.keep / "big-after-sync.bib")
        print(f"entries={n} parse_s={parse_s:.3f} sync_s={sync_s:.3f} ratio={sync_s / parse_s:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
