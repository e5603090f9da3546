"""Any block, any file: every block kind bibtexparser 2.1 produces, repeated keys and macro
names, broken entries, odd encodings; reading never fails and syncing never loses a byte."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark_modules import load_benchmark
from bibsync.bibtex.read import read_bibtex
from bibsync.model import Entry, Person
from bibsync.pipeline import parse_sources
from bibsync.sync import run_sync
from bibsync.targets.bibfile.filebytes import decode_bib, encode_bib
from bibsync.targets.bibfile.target import BibFileTarget
from locations import DATA, SAMPLES

STRINGS = DATA / "targets" / "bibdesk-strings.bib"
SOCC = SAMPLES / "acm-toc-socc24.txt"
# BIBSYNC_PROPERTY_EXAMPLES=400 for a longer search (25 keeps the suite fast).
PROPS = settings(max_examples=int(os.environ.get("BIBSYNC_PROPERTY_EXAMPLES", "25")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def test_a_bibdesk_strings_file_is_a_target_like_any_other(tmp_path: Path) -> None:
    path = tmp_path / "strings.bib"
    shutil.copy(STRINGS, path)
    before = path.read_bytes()
    target = BibFileTarget(path)
    assert target.load() == []
    repeated = [f for f in target.failures if "is defined again" in f.message]
    assert len(repeated) == 16 and all(f.is_warning for f in repeated) and len(target.failures) == 16
    doc = read_bibtex(before.decode())
    assert len(doc.macros) == 636 and doc.macros["socc"] == "ACM Symposium on Cloud Computing"

    incoming = parse_sources([str(SOCC)]).entries
    result = run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
    assert result.report.added == len(incoming) and result.report.failed == []
    after = path.read_bytes()
    assert after.startswith(before)  # every byte of the strings file, in place
    assert after.count(b"  address = newyork,\n") == len(incoming)  # the file's own macro for the place
    again = run_sync(None, BibFileTarget(path), incoming=incoming, decisions=None)
    assert again.plan.to_apply() == [] and path.read_bytes() == after


def test_a_repeated_string_applies_from_its_new_definition() -> None:
    doc = read_bibtex('@string{j = "Old"}\n@article{a, title = {A}, journal = j}\n'
                      '@STRING{J = {New}}\n@article{b, title = {B}, journal = j}\n@string{j = {New}}\n')
    assert [e.get("journal") for e in doc.entries] == ["Old", "New"]
    assert [f.line for f in doc.failures] == [3, 5]


# --- generated files ---------------------------------------------------------------------------

WORDS = ["Clocks", "Gossip", "Enclaves", "Leases", "Quorum", "Tensors", "Müller", "Éric", "naïve", "{GPU}", "\\&"]
KEYS = ["lamport78", "lamport78", "Lamport78", "roe01", "doe20", "smith99"]
MACROS = ["acm", "ACM", "ieee", "jan", "vldb"]


@st.composite
def value(draw) -> str:
    text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
    form = draw(st.sampled_from(["brace", "quote", "macro", "concat", "empty"]))
    if form == "quote":
        return '"' + text + '"'
    if form == "macro":
        return draw(st.sampled_from(MACROS))
    if form == "concat":
        return draw(st.sampled_from(MACROS)) + ' # " " # {' + text + "}"
    return "{}" if form == "empty" else "{" + text + "}"


@st.composite
def entry(draw, index: int) -> str:
    kind = draw(st.sampled_from(["article", "InProceedings", "misc", "book"]))
    fields = [("title", "{" + f"{WORDS[index % 6]} number {index}" + "}"), ("author", "{Roe, Jane and Müller, Ann}")]
    fields += [(name, draw(value())) for name in draw(st.lists(st.sampled_from(["journal", "note", "year", "doi",
                                                                                   "publisher", "note"]), max_size=4))]
    lines = [f"  {name} = {val}" for name, val in fields]
    joins = [draw(st.sampled_from([",\n", ",\n", ",\n", "\n"])) for _ in lines[1:]]  # now and then no comma
    body = lines[0] + "".join(j + line for j, line in zip(joins, lines[1:]))
    if draw(st.booleans()):
        body += ","
    key = draw(st.sampled_from(KEYS))
    if draw(st.integers(0, 9)) == 0:
        return f"@{kind}({key},\n{body}\n)"
    return f"@{kind}{{{key},\n{body}\n}}"


@st.composite
def block(draw, index: int) -> str:
    kind = draw(st.sampled_from(["entry", "entry", "entry", "string", "preamble", "comment", "text", "percent",
                                 "commented-entry", "broken", "nokeycomma", "stray"]))
    if kind == "entry":
        return draw(entry(index))
    if kind == "string":
        name = draw(st.sampled_from(MACROS + ["acm"]))
        return f"@string{{{name} = {draw(value())}}}"
    if kind == "preamble":
        return '@preamble{ "\\newcommand{\\noop}[1]{}" }'
    if kind == "comment":
        return draw(st.sampled_from(["@comment{jabref-meta: saveOrderConfig:specified;}",
                                     "@comment{BibDesk Static Groups{\n<plist>\n<string>a@b</string>\n</plist>\n}}",
                                     "@Comment{ unbalanced { here }"]))
    if kind == "text":
        return draw(st.sampled_from(["Free text, mail me at roe@example.org", "Ünïcode prose between entries", "}"]))
    if kind == "percent":
        return draw(st.sampled_from(["% a comment", "%% BibDesk header", "% @misc{ghost, title = {Ghost}}"]))
    if kind == "commented-entry":
        return "\n".join("% " + line for line in draw(entry(index + 100)).split("\n"))
    if kind == "broken":
        return f"@misc{{broken{index},\n  title = {{never closed,\n  year = 2001\n"
    if kind == "nokeycomma":
        return "@article{nokey title = {X}, year = 2000}"
    return "@misc{stray, title = {T}}}"


@st.composite
def bib_bytes(draw) -> bytes:
    blocks = [draw(block(i)) for i in range(draw(st.integers(1, 8)))]
    gaps = [draw(st.sampled_from(["\n", "\n\n", " \n", "\n\n\n"])) for _ in blocks]
    text = "".join(b + g for b, g in zip(blocks, gaps))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-bom", "latin-1", "cp1252", "utf-16-le"]))
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding == "utf-16-le":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(encoding)


NEW = Entry("article", {"title": "Zyxwv qwerty unmatched paper", "journal": "Letters on Rings", "year": "2031"},
            (Person("Ünique", "Ann"),))


@PROPS
@given(bib_bytes())
def test_any_file_reads_and_a_no_op_sync_keeps_every_byte(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(data)
    target = BibFileTarget(path)
    entries = target.load()
    assert all(span is not None for span in target.entry_spans)
    result = run_sync(None, BibFileTarget(path), incoming=[], decisions=None)
    assert result.plan.changes == [] and path.read_bytes() == data
    # The file's own entries (as the bibtex source reads them) synced back: nothing to write.
    own = [e for e in entries if e.title]
    again = run_sync(None, BibFileTarget(path), incoming=own, decisions=None)
    if not again.plan.to_apply():
        assert path.read_bytes() == data


@PROPS
@given(bib_bytes())
def test_any_file_takes_an_addition_without_losing_a_byte(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(data)
    old = decode_bib(data, "x")
    result = run_sync(None, BibFileTarget(path), incoming=[NEW], decisions=None)
    assert result.report.added == 1
    after = path.read_bytes()
    mark = encode_bib("", old.encoding, old.bom)
    new = after[len(mark):].decode(old.encoding)
    fuzz = load_benchmark("fuzz_bib")
    assert after.startswith(mark) and fuzz.fidelity_problem(old.text, new, [], 1) is None
    again = run_sync(None, BibFileTarget(path), incoming=[NEW], decisions=None)
    assert again.plan.to_apply() == [] and path.read_bytes() == after
