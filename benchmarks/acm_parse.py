"""Benchmark: ``bibsync parse`` of synthetic ACM DL tables of contents of growing size.

Builds, for each size, a seeded table of contents in the export's own markup (the header, session
headings every few papers, title links, author lists, abstracts of several paragraphs with some
inline markup and MathML), writes it to a temporary folder, and times ``bibsync parse FILE`` as a
whole process (best of ``--runs``): wall seconds, and the CPU seconds (user + system) the
process used, which a busy machine disturbs less. Prints one line:
``papers=2000,8000,20000 parse_s=... cpu_s=... cpu_us_per_paper=...``; a linear parser keeps
``cpu_us_per_paper`` about the same at every size.

Run: python benchmarks/acm_parse.py [--papers 2000 8000 20000] [--runs 1] [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<style type="text/css">#DLtoc { font: normal 12px/1.5em Arial; } .DLtitleLink { margin-left:20px; }</style>
<title>SYNTH '24: Proceedings of the Synthetic Symposium</title></head><body><div id="DLtoc">
<div id="DLheader"><h1>SYNTH '24: Proceedings of the 2024 Synthetic Symposium on Cloud Computing</h1></div>
<div id="DLcontent">
"""
TAIL = "</div></div></body></html>\n"
WORDS = ("scalable efficient distributed secure adaptive learning serverless storage memory stream processing "
         "graph consensus replication isolation scheduling caching cloud edge network query optimization "
         "compiler kernel virtualization containers fault tolerance energy inference training transactions "
         "indexing compression analytics privacy verification").split()
GIVEN = ["Qinghe", "Futian", "Archit", "Saurabh", "Haoran", "Christian", "Lena", "Peter", "Ines", "Kai"]
FAMILY = ["Wang", "Zheng", "Patke", "Jha", "Qiu", "Pinto", "Müller", "Pietzuch", "García", "O'Keeffe"]
MATH = ('<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><mi>O</mi><mo>(</mo><mi>n</mi>'
        '<mo>log</mo><mi>n</mi><mo>)</mo></mrow></math>')


def sentence(rng: random.Random) -> str:
    """A sentence of 12 to 25 words, sometimes with emphasis or a formula."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 25))]
    if rng.random() < 0.2:
        words[3] = f"<i>{words[3]}</i>"
    if rng.random() < 0.05:
        words[5] = MATH
    return " ".join(words).capitalize() + "."


def paper(rng: random.Random, number: int) -> str:
    """One paper: title link, authors, abstract of one to three paragraphs."""
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 10))).capitalize() + f" {number}"
    names = [f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}" for _ in range(rng.randint(1, 8))]
    items = "".join(f'<li class="nameList{" Last" if i == len(names) - 1 else ""}">{n}</li>'
                    for i, n in enumerate(names))
    paragraphs = " ".join("<p>" + " ".join(sentence(rng) for _ in range(rng.randint(3, 7))) + "</p>"
                          for _ in range(rng.randint(1, 3)))
    return (f'<h3><a class="DLtitleLink" title="Full Citation in the ACM Digital Library" '
            f'referrerpolicy="no-referrer-when-downgrade" href="https://dl.acm.org/doi/10.1145/3698038.{number}">'
            f'{title}</a></h3><ul class="DLauthors">{items}</ul><div class="DLabstract">'
            f'<div style="display:inline">\n{paragraphs}\n</div></div>\n')


def table_of_contents(papers: int, seed: int) -> str:
    """A whole export with ``papers`` papers, a session heading before every sixth."""
    rng = random.Random(seed)
    parts = [HEAD]
    for number in range(1, papers + 1):
        if number % 6 == 1:
            parts.append(f"<h2>SESSION: Session {number // 6 + 1}</h2>\n")
        parts.append(paper(rng, number))
    parts.append(TAIL)
    return "".join(parts)


def cpu_of_children() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_parse(path: Path, runs: int) -> tuple[float, float, int]:
    """Best wall and CPU seconds of ``bibsync parse path`` and the number of entries it printed."""
    best_wall = best_cpu = float("inf")
    entries = 0
    for _ in range(runs):
        start, cpu = time.perf_counter(), cpu_of_children()
        done = subprocess.run([sys.executable, "-m", "bibsync", "parse", str(path)], capture_output=True, text=True)
        best_wall = min(best_wall, time.perf_counter() - start)
        best_cpu = min(best_cpu, cpu_of_children() - cpu)
        if done.returncode != 0:
            sys.exit(f"bibsync parse {path} failed ({done.returncode}): {done.stderr[-500:]}")
        entries = done.stdout.count("@inproceedings{")
    return best_wall, best_cpu, entries


def main() -> None:
    """Generate, time, print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[2000, 8000, 20000], metavar="N")
    parser.add_argument("--runs", type=int, default=1, metavar="N")
    parser.add_argument("--seed", type=int, default=7, metavar="N")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the generated pages here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="acm-parse-"))
    folder.mkdir(parents=True, exist_ok=True)
    walls, cpus = [], []
    for count in args.papers:
        path = folder / f"toc-{count}.html"
        path.write_text(table_of_contents(count, args.seed), encoding="utf-8")
        wall, cpu, entries = time_parse(path, args.runs)
        if entries != count:
            sys.exit(f"{path}: {entries} entries parsed, {count} expected")
        walls.append(wall)
        cpus.append(cpu)
    if args.keep is None:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    print("papers=" + ",".join(map(str, args.papers)) + " parse_s=" + ",".join(f"{t:.2f}" for t in walls)
          + " cpu_s=" + ",".join(f"{t:.2f}" for t in cpus)
          + " cpu_us_per_paper=" + ",".join(f"{t / n * 1e6:.0f}" for t, n in zip(cpus, args.papers)))


if __name__ == "__main__":
    main()
