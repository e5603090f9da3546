"""Property tests on generated .bib texts: macros, comments, odd spacing, broken entries, duplicates.

- loading never fails and every entry's text is found in the file;
- a sync that plans nothing leaves the file byte-identical (a file synced into itself plans nothing);
- a sync that adds entries only adds lines, and a second run plans nothing;
- a sync that completes entries laid out one field per line only inserts lines.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibsync.bibtex.read import read_bibtex
from bibsync.model import Entry, Person
from bibsync.pipeline import parse_sources
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget

WORDS = ["Clocks", "Ordering", "Events", "Serverless", "Isolation", "Stream", "Graph", "Memory", "Cloud",
         "Consensus", "Kernel", "Cache", "Query", "Fault", "Energy", "Scheduling", "Privacy", "Storage"]
SURNAMES = ["Lamport", "Müller", "M{\\\"u}ller", "O'Keeffe", "van der Berg", "Garc{\\'\\i}a", "Smith", "Øster"]
MACROS = ["acm", "ieee", "jan", "feb"]
# BIBSYNC_PROPERTY_EXAMPLES=400 for a longer search (30 keeps the suite fast).
PROPS = settings(max_examples=int(os.environ.get("BIBSYNC_PROPERTY_EXAMPLES", "30")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@st.composite
def values(draw, kind: str) -> str:
    text = " ".join(draw(st.lists(st.sampled_from(WORDS + ["{GPU}", "\\&", "50\\%", "é", "{\\'e}"]), min_size=1,
                                  max_size=4)))
    form = draw(st.sampled_from(["brace", "quote", "macro", "concat"] + (["bare"] if kind == "year" else [])))
    if form == "bare":
        return str(draw(st.integers(1950, 2030)))
    if form == "quote":
        return '"' + text.replace('"', "") + '"'
    if form == "macro":
        return draw(st.sampled_from(MACROS))
    if form == "concat":
        return draw(st.sampled_from(MACROS)) + " # {" + text + "}"
    return "{" + text + "}"


@st.composite
def entries(draw, index: int, one_per_line: bool) -> str:
    etype = draw(st.sampled_from(["article", "ARTICLE", "InProceedings", "misc", "Book"]))
    key = draw(st.sampled_from([f"key{index}", f"key{index}", "dupkey", f"Key{index}"]))
    title = f"{{Title {WORDS[index % len(WORDS)]} {index} {draw(st.sampled_from(WORDS))}}}"
    author = "{" + " and ".join(f"{s}, {g}" for s, g in draw(st.lists(
        st.tuples(st.sampled_from(SURNAMES), st.sampled_from(["A.", "Bo", "C. D."])), min_size=1, max_size=3))) + "}"
    fields = [("author", author), ("title", title)]
    for name in draw(st.lists(st.sampled_from(["year", "journal", "note", "publisher", "month"]), max_size=3,
                              unique=True)):
        fields.append((name, draw(values(name))))
    if draw(st.booleans()) and draw(st.booleans()):
        fields.append(("note", "{repeated field}"))  # a duplicate field, now and then
    fields = [(draw(st.sampled_from([n, n.upper(), n.title()])), v) for n, v in fields]
    sep = draw(st.sampled_from([" = ", "=", "  =  ", " =\t"]))
    indent = draw(st.sampled_from(["  ", "\t", "    ", ""]))
    trailing = draw(st.booleans())
    inline = not one_per_line and draw(st.booleans())
    parts = [f"{n}{sep}{v}" for n, v in fields]
    if inline:
        body = " " + ", ".join(parts) + ("," if trailing else "") + " "
        return f"@{etype}{{{key},{body}}}"
    lines = [indent + p + "," for p in parts]
    if not trailing:
        lines[-1] = lines[-1][:-1]
    close = "\n}" if draw(st.booleans()) else "}"
    return f"@{etype}{{{key},\n" + "\n".join(lines) + close


@st.composite
def bib_texts(draw, one_per_line: bool = False) -> str:
    blocks = ['@string{acm = "ACM"}', "@STRING{ieee = {IEEE}}"]
    n = draw(st.integers(1, 6))
    for i in range(n):
        extra = draw(st.sampled_from(["", "comment", "explicit", "free", "preamble", "broken", "space"]))
        if extra == "comment":
            blocks.append("% a comment line " + draw(st.sampled_from(WORDS)))
        elif extra == "explicit":
            blocks.append("@comment{ jabref-meta: x; }")
        elif extra == "free":
            blocks.append("Free text between entries")
        elif extra == "preamble":
            blocks.append('@preamble{ "\\newcommand{\\x}{y}" }')
        elif extra == "broken" and not one_per_line:
            blocks.append("@misc{broken" + str(i) + ",\n  title = {never closed,\n  year = 2001\n")
        elif extra == "space":
            blocks.append("   ")
        blocks.append(draw(entries(i, one_per_line)))
    gaps = draw(st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n", " \n", "\n  \n"]), min_size=len(blocks),
                         max_size=len(blocks)))
    text = "".join(b + g for b, g in zip(blocks, gaps))
    if draw(st.booleans()):
        text = text.rstrip("\n ")  # no final newline
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


def _write(text: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bibsync-prop-"))
    path = folder / "refs.bib"
    path.write_bytes(text.encode("utf-8"))
    return path


def _only_inserted_lines(old: bytes, new: bytes) -> bool:
    a, b = old.decode("utf-8").splitlines(), new.decode("utf-8").splitlines()
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return all(tag in ("equal", "insert") for tag, *_ in ops)


@PROPS
@given(bib_texts())
def test_load_never_fails_and_finds_every_entry(text: str) -> None:
    path = _write(text)
    target = BibFileTarget(path)
    entries = target.load()
    assert len(entries) == len(read_bibtex(text).entries)
    for a, b in (span for span in target._spans if span is not None):
        assert text[a:b].lstrip().startswith("@")
    assert all(span is not None for span in target._spans)


@PROPS
@given(bib_texts())
def test_a_file_synced_into_itself_plans_nothing_and_keeps_its_bytes(text: str) -> None:
    path = _write(text)
    before = path.read_bytes()
    result = run_sync([str(path)], BibFileTarget(path), decisions=None)
    counts = result.plan.counts()
    assert counts["add"] == counts["update"] == counts["review"] == 0
    assert path.read_bytes() == before


@PROPS
@given(bib_texts(), st.data())
def test_a_sync_that_plans_nothing_leaves_the_file_byte_identical(text: str, data) -> None:
    path = _write(text)
    before = path.read_bytes()
    own = parse_sources([str(path)]).entries
    picked = data.draw(st.lists(st.sampled_from(own), max_size=4)) if own else []
    dropped = [e.with_fields(**{k: None for k in ("note", "publisher", "month") if k in e.fields}) for e in picked]
    result = run_sync(None, BibFileTarget(path), incoming=dropped, decisions=None)
    if not result.plan.to_apply():
        assert path.read_bytes() == before


@PROPS
@given(bib_texts(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), st.integers(1, 3))
def test_a_sync_that_adds_only_adds_lines(text: str, words: list[str], count: int) -> None:
    path = _write(text)
    before = path.read_bytes()
    old_entries = BibFileTarget(path).load()
    incoming = [Entry("article", {"title": f"Zyxwv {n} Qwerty {' '.join(words)} Unmatched", "year": "2031",
                                  "journal": "J & K"}, (Person("Ünique", f"N{n}"),)) for n in range(count)]
    result = run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
    assert result.plan.counts()["add"] == count
    after = path.read_bytes()
    assert _only_inserted_lines(before, after)
    reloaded = BibFileTarget(path).load()
    assert len(reloaded) == len(old_entries) + count
    again = run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
    assert again.plan.to_apply() == [] and path.read_bytes() == after


@PROPS
@given(bib_texts(one_per_line=True), st.data())
def test_completing_entries_only_inserts_lines(text: str, data) -> None:
    path = _write(text)
    before = path.read_bytes()
    own = parse_sources([str(path)]).entries
    picked = data.draw(st.sampled_from(own))
    richer = picked.with_fields(doi=f"10.9999/{abs(hash(picked.title)) % 10**6}", pages="1--10")
    result = run_sync(None, BibFileTarget(path), incoming=[richer], decisions=None)
    assert result.report is not None and result.report.failed == []
    assert _only_inserted_lines(before, path.read_bytes())
    if result.plan.by_kind("update"):
        reloaded = BibFileTarget(path).load()
        assert reloaded[result.plan.changes[0].target_index].get("pages") == "1--10"
