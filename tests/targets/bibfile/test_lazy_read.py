"""A .bib target's entries decode their values and parse their people when first asked for:
equal to the entries read at once, through the read cache too, and a sync of a few entries
into a large file leaves most of the file undecoded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bibsync.bibtex.read import EntryState, ReadEntry, entry_from_fields, read_bibtex
from bibsync.model import Entry, Origin, Person
from bibsync.pipeline import parse_sources
from bibsync.sync import run_sync
from bibsync.targets.bibfile.cache import ReadCache
from bibsync.targets.bibfile.target import BibFileTarget
from locations import SAMPLES

SOCC = SAMPLES / "acm-toc-socc24.txt"

NAMES = ["author", "editor", "title", "Title", "doi", "url", "month", "pages", "date", "year", "abstract",
         "journaltitle", "journal", "location", "address", "note", "eprint"]
PIECES = ["", " ", "\n", "{", "}", "{}", "A", "b", "others", " and ", "Others", "{\\'e}", "\\'e", "\\&", "%", "&",
          "$x$", "`", "!`", "--", "~", "2021", "2021-03", "10.1145/1", "Smith, J.", "{ACM}", "\\textit{x}", "#"]
VALUES = st.lists(st.sampled_from(PIECES), max_size=6).map("".join).map(lambda v: "{" + v + "}")


def _eager(pairs: list[tuple[str, str]]) -> Entry:
    return entry_from_fields("Article", "k", pairs, Origin("bibtex", "f.bib", 3), {})


def _lazy(pairs: list[tuple[str, str]]) -> Entry:
    return entry_from_fields("Article", "k", pairs, Origin("bibtex", "f.bib", 3), {}, lazy=True)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=8))
def test_a_lazy_entry_equals_the_entry_read_at_once(pairs: list[tuple[str, str]]) -> None:
    eager = _eager(pairs)
    lazy = _lazy(pairs)
    assert isinstance(lazy, ReadEntry)
    assert list(lazy.fields) == list(eager.fields)  # the same names in the same order, nothing decoded yet
    assert lazy == eager and eager == lazy
    assert list(lazy.fields.items()) == list(eager.fields.items())
    assert (lazy.authors, lazy.editors, lazy.authors_truncated) == \
        (eager.authors, eager.editors, eager.authors_truncated)
    again = EntryState.of(_lazy(pairs)).entry(Origin("bibtex", "f.bib", 3))  # the read cache's round trip
    assert again == eager and list(again.fields.items()) == list(eager.fields.items())


def test_people_and_values_wait_until_asked_for() -> None:
    lazy = _lazy([("author", "{M{\\\"u}ller, Bo and others}"), ("title", "{Deep {GPU} Work}"), ("url", "{http://x}")])
    state = lazy.as_read()
    assert state.authors == "M{\\\"u}ller, Bo and others" and state.pending == {"title", "url"}
    assert lazy.title == "Deep GPU Work" and lazy.as_read().pending == {"url"}
    assert lazy.authors == (Person("Müller", "Bo"),) and lazy.authors_truncated
    assert lazy.as_read().authors == (Person("Müller", "Bo"),)


def test_replacing_a_field_of_a_lazy_entry_keeps_the_rest() -> None:
    lazy = _lazy([("author", "{Smith, J.}"), ("title", "{A}"), ("year", "{2020}")])
    changed = replace(lazy, key="other").with_fields(year="2021")
    assert changed.key == "other" and changed.year == "2021" and changed.title == "A"
    assert changed.authors == (Person("Smith", "J."),)
    assert lazy.year == "2020"
    moved = lazy.moved(Origin("bibtex", "f.bib", 9))
    assert moved == lazy and moved.origin.line == 9 and lazy.origin.line == 3


def test_the_first_value_that_gives_something_wins_as_before() -> None:
    pairs = [("doi", "{ }"), ("doi", "{10.1/x}"), ("author", "{others}"), ("author", "{Li, K.}"), ("title", "{}"),
             ("title", "{T}")]
    eager, lazy = _eager(pairs), _lazy(pairs)
    assert lazy == eager
    assert (lazy.get("doi"), lazy.authors, lazy.title) == ("10.1/x", (Person("Li", "K."),), "T")


def _big_bib(path: Path, n: int) -> None:
    path.write_text("".join(
        f"@inproceedings{{k{i},\n  author = {{Writer{i}, Ann and M{{\\\"u}}ller, Bo}},\n"
        f"  title = {{Study {i} of {{GPU}} sharing number {i * 7}}},\n  booktitle = {{Proc. of Tests}},\n"
        f"  publisher = {{ACM}},\n  url = {{https://example.org/{i}}},\n  year = {{{1990 + i % 30}}},\n}}\n\n"
        for i in range(n)), encoding="utf-8")


def test_a_small_sync_into_a_large_file_leaves_most_of_it_undecoded(tmp_path: Path) -> None:
    path = tmp_path / "big.bib"
    _big_bib(path, 400)
    target = BibFileTarget(path, read_only=True)
    incoming = parse_sources([str(SOCC)]).entries[:20]
    result = run_sync(None, target, incoming=incoming, dry_run=True)
    assert result.plan.counts()["add"] == 20
    states = [e.as_read() for e in target.load()]  # a fresh read: only the url (read for a DOI) is decoded
    assert all(isinstance(s.authors, str) and s.pending == {"title", "booktitle", "publisher", "year"}
               for s in states)
    states = [e.as_read() for e in result.target_entries]
    unparsed = sum(isinstance(s.authors, str) for s in states)
    assert unparsed >= 390  # the matcher compared people only with the few candidates it found
    assert sum("publisher" in s.pending for s in states) >= 390


def test_the_cache_keeps_what_was_not_decoded(tmp_path: Path) -> None:
    path = tmp_path / "big.bib"
    _big_bib(path, 50)
    cache = ReadCache(tmp_path / "cache", min_bytes=0)
    first = BibFileTarget(path, read_only=True, cache=cache)
    with first.session():
        entries = first.load()
        assert entries[0].title == "Study 0 of GPU sharing number 0"  # decoded before the cache is written
    again = BibFileTarget(path, read_only=True, cache=cache)
    with again.session():
        cached = again.load()
    assert again.from_cache
    assert cached[0].as_read().pending == {"booktitle", "publisher", "year"}
    assert isinstance(cached[1].as_read().authors, str)
    fresh = read_bibtex(path.read_text(encoding="utf-8")).entries  # read at once, nothing lazy
    assert cached == fresh
