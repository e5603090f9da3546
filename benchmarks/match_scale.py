"""Duplicate finding at scale: synthetic libraries of 10,000 and 100,000 entries with known duplicates.

    python benchmarks/match_scale.py [--sizes 10000,100000] [--seed 7]

Each library is built from a seeded generator: titles from a Zipf-weighted vocabulary
(common technical words and a long tail of system names), authors from research groups
with accented surnames, venues with long names and acronyms, years skewed to recent ones.
About one work in ten appears again with the variations real libraries show: LaTeX
accents or folded accents, initials instead of given names, shuffled or truncated author
lists, truncated subtitles, other casing and punctuation, a typo, a missing or differently
written DOI, a venue acronym, no pages. Some re-appear as arXiv preprints a year earlier:
the same work, to be offered for review, never merged. Hard negatives that must not be
merged: generic titles ("Welcome from the Chairs") of one venue across years, Part I/II
and CPU/GPU siblings, journal extensions of conference papers, software artefacts of papers.

Precision counts the pairs inside "match" groups that are true duplicates; recall counts
the true pairs (duplicates and preprints) found in any group (a "review" group puts each
member, with the match group it belongs to, against its centre). The last line printed is
``n=... seconds=... ratio_100k_10k=... precision=... recall=...``.

The small library's time is the median of ``--repeats`` runs (5): one run of about a second
is too short to time alone on a shared machine. Each is timed as the first run is, in a
process that has not yet loaded numpy nor filled the matcher's caches: the run in this
process, the others each in a fresh process; each gives the same figures (checked). The
large library is run once, after the small one, as before.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from itertools import combinations

from bibsync.match import MatchSettings, find_duplicates
from bibsync.model import Entry, Person

WORDS = """adaptive efficient scalable secure distributed parallel incremental approximate robust learned
fast lightweight practical verified transparent elastic consistent fault-tolerant energy-efficient
online streaming federated private decentralized serverless interactive automatic declarative
query processing storage memory index indexing transaction transactions scheduling caching replication
consensus learning inference training compilation optimization analysis verification isolation
graph graphs stream streams network networks system systems database databases cluster clusters
cloud edge data model models kernel kernels workload workloads cache partitioning sharding joins
aggregation compression encryption enclaves containers microservices functions pipelines operators
accelerators hardware software memory-disaggregation key-value stores logs ledgers blockchains
""".split()
NOUNS = """framework approach architecture engine runtime protocol abstraction algorithm benchmark study
evaluation design implementation service platform toolkit interface language compiler scheduler
allocator monitor planner optimizer estimator""".split()
SYLLABLES = "ka lo mi ra ten vor zel bri dus fen gar hol jin kor lum mar nex pol quin ros sil tor ux vin wex yal zor ab el".split()
GIVEN = """Peter Anna Lukas Maria Jonas Sofia Wei Li Hiroshi Yuki Ahmed Fatima Carlos Lucia Ivan Olga
Raj Priya Jean Claire Marco Giulia Erik Ingrid Tomasz Agnieszka Pavel Jana Chen Ming David Sarah
Michael Laura Daniel Elena Felix Nora Omar Leila Samuel Ruth""".split()
SURNAMES = """Müller Köpsell Wagenländer Özcan García Dvořák Łukasiewicz Núñez Schröder Gößling Brabete
Pietzuch Sartakov Vilanova Kounelis Theodorakis Koliousis Mai Li Chen Wang Zhang Liu Smith Jones
Brown Johnson Lee Kim Park Nguyen Rossi Russo Bianchi Dubois Lefèvre Martin Bernard Novak Horvat
Kowalski Nowak Jensen Hansen Nielsen Andersson Johansson Silva Santos Pereira Costa Oliveira
Fernández López Martínez Sánchez Pérez Gómez Yamamoto Tanaka Suzuki Watanabe Sato Ito Kobayashi""".split()
ACCENTS = {"ä": '{\\"a}', "ö": '{\\"o}', "ü": '{\\"u}', "é": "{\\'e}", "á": "{\\'a}", "í": "{\\'i}",
           "ú": "{\\'u}", "ñ": "{\\~n}", "ř": "{\\v{r}}", "ł": "{\\l}", "è": "{\\`e}", "ß": "{\\ss}", "Ö": '{\\"O}',
           "Ł": "{\\L}", "ó": "{\\'o}", "Ú": "{\\'U}"}
FOLD = {"ä": "a", "ö": "o", "ü": "u", "é": "e", "á": "a", "í": "i", "ú": "u", "ñ": "n", "ř": "r", "ł": "l",
        "è": "e", "ß": "ss", "Ö": "O", "Ł": "L", "ó": "o", "Ú": "U"}
GENERIC = ["Welcome from the Chairs", "Message from the Program Chairs", "Editorial", "Preface", "Keynote",
           "Message from the General Chair"]


class Generator:
    """A seeded generator of works, venues and people."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        names = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(30000)}
        self.tail = sorted(names)
        rng.shuffle(self.tail)
        vocab = WORDS + NOUNS + self.tail
        self.vocab = vocab
        self.weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(vocab))]
        surnames = SURNAMES + [w.capitalize() + rng.choice(["", "son", "er", "ová", "ski", "ez", "ani", "ç"])
                               for w in self.tail[:8000]]
        self.people = [Person(last=rng.choice(surnames), first=rng.choice(GIVEN)) for _ in range(30000)]
        self.groups = [rng.sample(range(len(self.people)), 12) for _ in range(4000)]
        self.venues = []
        for _ in range(400):
            topic = [w.capitalize() for w in rng.sample(WORDS, 2)]
            acronym = "".join(rng.choice("ABCDEFGHKLMNOPRSTUVW") for _ in range(rng.randint(3, 5)))
            if rng.random() < 0.55:
                self.venues.append(("inproceedings", f"Proceedings of the International Conference on {' '.join(topic)}",
                                    f"{acronym}"))
            else:
                self.venues.append(("article", f"Journal of {' '.join(topic)}", f"J. {topic[0][:4]}. {topic[1][:3]}."))

    def words(self, count: int) -> list[str]:
        """Title words, Zipf-weighted."""
        return self.rng.choices(self.vocab, self.weights, k=count)

    def title(self) -> str:
        """A title in one of several shapes, some with a subtitle."""
        rng = self.rng
        w = self.words(8)
        name = rng.choice(self.tail).capitalize()
        shapes = [
            f"{name}: {w[0]} {w[1]} for {w[2]} {w[3]}",
            f"{w[0].capitalize()} {w[1]} {w[2]} in {w[3]} {w[4]}",
            f"Towards {w[0]} {w[1]} of {w[2]} {w[3]} {w[4]}",
            f"On the {w[0]} of {w[1]} {w[2]} {w[3]}",
            f"{w[0].capitalize()} {w[1]} with {w[2]} {w[3]}: a {w[4]} {w[5]} {w[6]}",
            f"{name}: {w[0]} and {w[1]} {w[2]} {w[3]} at scale",
        ]
        return rng.choice(shapes)

    def year(self) -> int:
        """A year from 1985 to 2024, recent years more likely."""
        return min(2024, 1985 + int(40 * self.rng.random() ** 0.6))

    def authors(self) -> tuple[Person, ...]:
        """One to eight people from one research group."""
        group = self.rng.choice(self.groups)
        count = self.rng.choices(range(1, 9), [8, 14, 16, 14, 10, 6, 4, 3])[0]
        return tuple(self.people[i] for i in self.rng.sample(group, count))

    def work(self, uid: int) -> Entry:
        """A new work with its DOI, venue, pages."""
        rng = self.rng
        kind, venue, _ = rng.choice(self.venues)
        fields = {"title": self.title(), "year": str(self.year())}
        fields["journal" if kind == "article" else "booktitle"] = venue
        if rng.random() < 0.75:
            fields["doi"] = f"10.{rng.randint(1000, 9999)}/w{uid}"
        if rng.random() < 0.8:
            start = rng.randint(1, 900)
            fields["pages"] = f"{start}--{start + rng.randint(4, 20)}"
        return Entry(kind, fields, authors=self.authors(), key=f"w{uid}")


# --- variations of one work (a duplicate record) ----------------------------------------------

def _latex(text: str) -> str:
    return "".join(ACCENTS.get(c, c) for c in text)


def _fold(text: str) -> str:
    return "".join(FOLD.get(c, c) for c in text)


def duplicate(g: Generator, e: Entry, uid: int) -> Entry:
    """The same work as another source would record it."""
    rng = g.rng
    fields = dict(e.fields)
    title = fields["title"]
    if ":" in title and rng.random() < 0.3 and len(title.split(":")[0].split()) >= 2:
        title = title.split(":")[0]  # truncated subtitle
    roll = rng.random()
    title = title.upper() if roll < 0.05 else title.lower() if roll < 0.2 else title.title() if roll < 0.35 else title
    if rng.random() < 0.15:
        title = title.replace("-", " ")
    if rng.random() < 0.1:
        words = title.split()
        long_words = [i for i, w in enumerate(words) if len(w) >= 7]
        if long_words:
            i = rng.choice(long_words)
            w = words[i]
            k = rng.randint(1, len(w) - 3)
            words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
            title = " ".join(words)
    fields["title"] = title
    people = list(e.authors)
    if rng.random() < 0.4:
        people = [Person(p.last, " ".join(x[0] + "." for x in p.first.split())) for p in people]
    if rng.random() < 0.3:
        people = [Person(_latex(p.last), p.first) for p in people]
    elif rng.random() < 0.3:
        people = [Person(_fold(p.last), p.first) for p in people]
    truncated = False
    if len(people) > 3 and rng.random() < 0.3:
        people, truncated = people[:3], True  # "and others" keeps the first authors
    elif rng.random() < 0.2:
        rng.shuffle(people)
    if "doi" in fields:
        roll = rng.random()
        if roll < 0.4:
            del fields["doi"]
        elif roll < 0.55:
            fields["doi"] = "https://doi.org/" + fields["doi"].upper()
        elif roll < 0.65:
            fields["doi"] = "doi:" + fields["doi"]
    if rng.random() < 0.4:
        fields.pop("pages", None)
    venue_field = "journal" if "journal" in fields else "booktitle"
    if rng.random() < 0.3:
        short = next(s for k, v, s in g.venues if v == fields[venue_field])
        fields[venue_field] = short
    elif rng.random() < 0.1:
        del fields[venue_field]
    return Entry(e.type, fields, authors=tuple(people), authors_truncated=truncated, key=f"d{uid}")


def preprint(g: Generator, e: Entry, uid: int) -> Entry:
    """The arXiv preprint of a work: misc, an arXiv id, a year earlier, no DOI, no venue."""
    year = int(e.fields["year"])
    arxiv = f"{str(year - 1)[2:]}{g.rng.randint(1, 12):02d}.{g.rng.randint(10000, 99999)}"
    fields = {"title": e.fields["title"], "year": str(year - 1), "eprint": arxiv, "archiveprefix": "arXiv",
              "journal": f"arXiv preprint arXiv:{arxiv}"}
    return Entry("misc", fields, authors=e.authors, key=f"p{uid}")


# --- hard negatives -------------------------------------------------------------------------

def negatives(g: Generator, base: list[Entry], uid: int, count: int) -> list[Entry]:
    """Entries that look like others but are different items (none has a DOI to give it away)."""
    rng = g.rng
    out: list[Entry] = []
    while len(out) < count:
        uid += 1
        kind = rng.randrange(6)
        e = rng.choice(base)
        fields = {k: v for k, v in e.fields.items() if k not in ("doi", "pages")}
        if kind == 0:  # generic front matter of one venue by the same chairs, one per year
            kind_, venue, _ = rng.choice(g.venues)
            chairs, title = g.authors()[:2], rng.choice(GENERIC)
            field = "journal" if kind_ == "article" else "booktitle"
            for year in rng.sample(range(1995, 2025), 3):
                out.append(Entry(kind_, {"title": title, "year": str(year), field: venue}, authors=chairs,
                                 key=f"n{uid}_{year}"))
        elif kind in (1, 2):  # siblings: Part I / Part II, or the same study on CPUs / GPUs
            title = g.title()
            ends = [" (Part I)", " (Part II)"] if kind == 1 else rng.choice(
                [[" on CPUs", " on GPUs"], [" in 2D", " in 3D"], [" for IPv4", " for IPv6"]])
            for k, end in enumerate(ends):
                out.append(Entry(e.type, {**fields, "title": title + end}, authors=e.authors, key=f"n{uid}{k}"))
        elif kind == 3 and e.type == "inproceedings":  # journal extension, a year or two later
            journal = next(v for k, v, _ in g.venues if k == "article")
            extension = {"title": fields["title"], "year": str(int(fields["year"]) + rng.randint(1, 2)),
                         "journal": journal}
            if rng.random() < 0.5:
                extension["doi"] = f"10.{rng.randint(1000, 9999)}/x{uid}"
            out.append(Entry("article", extension, authors=e.authors, key=f"n{uid}"))
        elif kind == 4:  # the software artefact of a paper
            out.append(Entry("misc", {"title": fields["title"], "year": str(int(fields["year"]) - 1),
                                      "url": f"https://github.com/lab/{uid}", "howpublished": "Software"},
                             authors=e.authors, key=f"n{uid}"))
        elif kind == 5:  # the same title by another group
            out.append(Entry(e.type, fields, authors=g.authors(), key=f"n{uid}"))
    return out


def library(size: int, seed: int) -> tuple[list[Entry], set[tuple[str, str]]]:
    """A shuffled library of about ``size`` entries and the set of true pairs (by key)."""
    g = Generator(seed)
    rng = g.rng
    n_base = int(size * 0.82)
    base = [g.work(i) for i in range(n_base)]
    entries = list(base)
    truth: set[tuple[str, str]] = set()
    uid = 0
    extra_budget = size - n_base - int(size * 0.04)
    originals = iter(rng.sample(base, len(base)))  # each work is repeated at most once
    while extra_budget > 0:
        e = next(originals)
        copies = [e] + [duplicate(g, e, uid + k) for k in range(rng.choice([1, 1, 1, 2]))]
        if rng.random() < 0.12:
            copies.append(preprint(g, e, uid))
        uid += 3
        for a, b in combinations(copies, 2):
            truth.add(tuple(sorted((a.key, b.key))))
        entries.extend(copies[1:])
        extra_budget -= len(copies) - 1
    entries.extend(negatives(g, base, uid, size - len(entries)))
    rng.shuffle(entries)
    return entries[:size], truth


def evaluate(entries: list[Entry], truth: set[tuple[str, str]],
             settings: MatchSettings) -> tuple[float, float, float, float]:
    """Run find_duplicates; return (seconds, precision, recall, share of true pairs merged automatically)."""
    start = time.perf_counter()
    groups = find_duplicates(entries, settings)
    seconds = time.perf_counter() - start
    keys = {e.key for e in entries}
    truth = {p for p in truth if p[0] in keys and p[1] in keys}
    merged, found = set(), set()
    closure = {i: g.indices for g in groups if g.recommendation == "match" for i in g.indices}
    for group in groups:
        if group.recommendation == "match":
            pairs = {tuple(sorted((entries[i].key, entries[j].key))) for i, j in combinations(group.indices, 2)}
            merged |= pairs
        else:  # each member against the centre: the two match groups they stand for
            centre = group.centre if group.centre is not None else group.indices[0]
            pairs = {tuple(sorted((entries[a].key, entries[b].key))) for j in group.indices if j != centre
                     for a in closure.get(centre, (centre,)) for b in closure.get(j, (j,))}
        found |= pairs
    precision = len(merged & truth) / len(merged) if merged else 1.0
    recall = len(found & truth) / len(truth) if truth else 1.0
    mergeable = {p for p in truth if not (p[0].startswith("p") or p[1].startswith("p"))}  # not the preprints
    return seconds, precision, recall, len(merged & mergeable) / len(mergeable) if mergeable else 1.0


def _fresh_run(size: int, seed: int) -> tuple[float, ...]:
    """``evaluate`` of one library in a new Python process (nothing loaded, no cache filled)."""
    done = subprocess.run([sys.executable, __file__, "--one", str(size), "--seed", str(seed)],
                          capture_output=True, text=True, check=True)
    return tuple(float(x) for x in done.stdout.split())


def main(argv: list[str] | None = None) -> int:
    """Build the libraries, find duplicates, print the figures (last line: the summary)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="two library sizes, small first")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=5, help="runs of the small library, the median timed")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one run, its figures printed bare
    args = parser.parse_args(argv)
    if args.one:
        entries, truth = library(args.one, args.seed)
        print(*evaluate(entries, truth, MatchSettings()))
        return 0
    small, large = (int(x) for x in args.sizes.split(","))
    settings = MatchSettings()
    results = {}
    for size in (small, large):
        entries, truth = library(size, args.seed)
        runs = [evaluate(entries, truth, settings)]
        if size == small:
            runs += [_fresh_run(size, args.seed) for _ in range(args.repeats - 1)]
        if any(run[1:] != runs[0][1:] for run in runs):
            raise SystemExit(f"n={size}: the runs disagree: {runs}")
        results[size] = (statistics.median(run[0] for run in runs), *runs[0][1:])
        seconds, precision, recall, merged = results[size]
        print(f"n={size} seconds={seconds:.2f} precision={precision:.4f} recall={recall:.4f} "
              f"merged_automatically={merged:.4f}", flush=True)
    seconds, precision, recall, _ = results[large]
    ratio = seconds / results[small][0]
    print(f"n={large} seconds={seconds:.2f} ratio_100k_10k={ratio:.1f} precision={precision:.4f} recall={recall:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
