"""The ACM Digital Library table-of-contents source: the SoCC '24 seed and the page variants."""

from __future__ import annotations

import re
from collections import Counter

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bibsync.bibtex.write import Style, format_entries
from source_golden import assert_parse_matches_golden
from bibsync.cli import app
from bibsync.keys import assign_keys
from bibsync.model import Entry, Failure, Person
from bibsync.pipeline import parse_text
from bibsync.registry import default_registry
from bibsync.sources import ParseContext
from bibsync.sources.acm_toc import link_fields, person, proceedings_fields, source
import locations
from locations import SAMPLES

DATA = locations.DATA / "acm"
SEED = DATA / "socc24.txt"
runner = CliRunner()


def _read(name: str) -> str:
    # newline="" keeps CRLF line ends as they are in the file
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return handle.read()


def _items(text: str, name: str = "toc.html") -> list[Entry | Failure]:
    return list(source.parse(text, ParseContext(filename=name)))


def _flat(text: str) -> str:
    """Undo rich's line wrapping in messages."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seed_text() -> str:
    return _read("socc24.txt")


@pytest.fixture(scope="module")
def seed(seed_text) -> list[Entry]:
    result = parse_text(seed_text, "socc24.txt")
    assert result.failures == []
    return assign_keys(result.entries)


# --- golden files ------------------------------------------------------------------------

GOLDEN = ["socc24.txt", "socc24-cut.html", "sessions.html", "authorize.html", "mathml.html"]


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_output_of_bibsync_parse(name):
    assert_parse_matches_golden(DATA / name, exit_code=1 if name == "socc24-cut.html" else 0)


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_is_valid_bibtex_that_reads_back_equal(name):
    text = (DATA / (name.rsplit(".", 1)[0] + ".expected.bib")).read_text(encoding="utf-8")
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    keys = [e.key for e in library.entries]
    assert len(keys) == len(set(keys)) == text.count("\n@") + 1
    parsed = assign_keys(parse_text(_read(name), name).entries)
    back = parse_text(text, "x.bib", "bibtex")
    assert back.failures == []
    assert back.entries == parsed  # type, key, fields and people, field by field


def test_golden_cut_page_is_the_seed_golden_up_to_the_cut():
    whole = (DATA / "socc24.expected.bib").read_text(encoding="utf-8")
    cut = (DATA / "socc24-cut.expected.bib").read_text(encoding="utf-8")
    assert cut.count("\n@") + 1 == 9
    assert whole.startswith(cut)


# --- the SoCC '24 seed ---------------------------------------------------------------------

def test_seed_counts_and_types(seed, seed_text):
    links = re.findall(r'<a class="DLtitleLink"[^>]*>([^<]*)</a>', seed_text)
    session_details = [t for t in links if t.startswith("Session details")]
    assert (len(links), len(session_details)) == (63, 0)
    assert Counter(e.type for e in seed) == {"inproceedings": 63}
    assert len({e.key for e in seed}) == 63


def test_seed_first_entry_every_field(seed):
    first = seed[0]
    assert first.key == "wang2024hops"
    assert first.authors == (Person("Wang", "Qinghe"), Person("Wang", "Futian"), Person("Zheng", "Xinwei"))
    abstract = first.get("abstract")
    assert {k: v for k, v in first.fields.items() if k != "abstract"} == {
        "title": "Hops: Fine-grained heterogeneous sensing, efficient and fair Deep Learning cluster scheduling system",
        "booktitle": "Proceedings of the ACM Symposium on Cloud Computing",
        "series": "SoCC '24",
        "year": "2024",
        "publisher": "Association for Computing Machinery",
        "address": "New York, NY, USA",
        "doi": "10.1145/3698038.3698515",
        "url": "https://dl.acm.org/doi/10.1145/3698038.3698515",
    }
    paragraphs = abstract.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("In recent years, the number of clusters")
    assert paragraphs[0].endswith("the phenomenon of cluster fragmentation and job starvation.")
    assert paragraphs[1].startswith("In this paper, we propose a new scheduling architecture: Hops")
    assert paragraphs[1].endswith("less than 1 GPU per round on average.")
    assert first.origin.line == 481  # line 70 of the page, after 411 lines of GitHub chrome


def test_seed_every_entry_against_the_page(seed, seed_text):
    """Each entry's title, people, link and abstract paragraphs, read again with plain regexes."""
    blocks = re.split(r'(?=<h3><a class="DLtitleLink")', seed_text)[1:]
    assert len(blocks) == len(seed) == 63
    for entry, block in zip(seed, blocks):
        href = re.search(r'href="([^"]+)"', block).group(1)
        title = re.search(r'">([^<]*)</a></h3>', block).group(1)
        names = re.findall(r'<li class="nameList[^"]*">([^<]*)</li>', block)
        paragraphs = [" ".join(p.split()) for p in re.findall(r"<p>(.*?)</p>", block, re.S)]
        assert entry.title == title
        assert [p.display() for p in entry.authors] == names
        assert entry.get("url") == href and entry.get("doi") == href.removeprefix("https://dl.acm.org/doi/")
        assert entry.get("abstract").split("\n\n") == paragraphs


def test_seed_names_with_accents_hyphens_and_unknowable_surnames(seed):
    people = {p.display(): p for e in seed for p in e.authors}
    assert people["Roman Böhringer"] == Person("Böhringer", "Roman")
    assert people["Pedro Las-Casas"] == Person("Las-Casas", "Pedro")
    assert people["P. C. Sruthi"] == Person("Sruthi", "P. C.")
    assert people["Richard T. B. Ma"] == Person("Ma", "Richard T. B.")
    # Only the page's "Given Surname" order is known: known compound-surname starts join the
    # surname (bibsync.names.COMPOUND_SURNAME_STARTS); other middle words stay given names.
    assert people["Kevin Alarcón Negy"] == Person("Alarcón Negy", "Kevin")
    assert people["Rohan Basu Roy"] == Person("Basu Roy", "Rohan")
    assert people["Mohsen Amini Salehi"] == Person("Amini Salehi", "Mohsen")
    assert people["Mahmut Taylan Kandemir"] == Person("Kandemir", "Mahmut Taylan")


def test_seed_text_kept_as_written(seed):
    by_key = {e.key: e for e in seed}
    assert by_key["misono2024uio"].title == "uIO: Lightweight and Extensible Unikernels"
    assert "reliable/trusted computing base---at the same time" in by_key["misono2024uio"].get("abstract")
    assert "(e.g., 4--16 KiB page)" in by_key["dong2024h2c"].get("abstract")
    assert "up to ~38.8x reduction" in by_key["tripathi2024pclive"].get("abstract")
    assert "achieves <100ms startup latency" in by_key["yang2024demand"].get("abstract")
    assert "MITRE ATT&CK framework" in by_key["kim2024zero"].get("abstract")
    assert "Intel® Optane™ DC" in by_key["song2024data"].get("abstract")
    assert len(by_key["gupta2024dynamic"].get("abstract").split("\n\n")) == 4


def test_raw_page_and_github_view_give_the_same_entries(seed, seed_text):
    raw = seed_text[seed_text.index("<html"):]
    entries = assign_keys(parse_text(raw, "toc.html").entries)
    assert entries == seed
    assert [e.origin.line + 411 for e in entries] == [e.origin.line for e in seed]


# --- sniffing ------------------------------------------------------------------------------

def test_sniff_recognises_the_page_in_both_forms_and_nothing_else(seed_text):
    raw = seed_text[seed_text.index("<html"):]
    for text in (seed_text, raw, _read("sessions.html"), _read("authorize.html"), _read("empty.html"),
                 '<div id="DLcontent"><h3><a class="DLtitleLink" href="x">T</a></h3></div>'):
        assert source.sniff(text)
    respub = (SAMPLES / "imperial-respub-pietzuch.txt").read_text(encoding="utf-8")
    for text in ("", "<html><head><title>Home</title></head><body><h3><a href='x'>A paper</a></h3></body></html>",
                 "<p>The ACM export puts papers in DLtoc; links have the DLtitleLink class.</p>",
                 "@inproceedings{a, title={DLtoc}}\n", respub):
        assert not source.sniff(text)
    assert default_registry().detect(seed_text, "socc24.txt").name == "acm-toc"


# --- page variants -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sessions():
    return _items(_read("sessions.html"), "sessions.html")


def test_headings_of_every_kind_and_session_details_skipped(sessions):
    assert all(isinstance(i, Entry) for i in sessions)
    assert [e.title for e in sessions] == [
        "Twenty Years of Elastic Computing",
        "Elastic Caches for Serverless Workflows",
        "Tiered Storage—A Measurement Study",
        "Kite: A Demo of Cross-Cloud Replay",
        "Scheduling with H2O: Hydration-Aware Placement’s Limits",
    ]
    chair = "Tomáš Novák"  # the chair of the skipped "Session details: Storage"
    assert chair in _read("sessions.html").replace("Tom&aacute;&scaron; Nov&aacute;k", chair)
    assert all(chair not in p.display() for e in sessions for p in e.authors)
    assert {e.get("series") for e in sessions} == {"CloudDemo '23"}
    assert {e.get("booktitle") for e in sessions} == {"Proceedings of the 4th Workshop on Cloud Demonstrations"}
    assert {e.year for e in sessions} == {"2023"}


def test_line_breaks_entities_markup_and_empty_abstract_blocks(sessions):
    caches, tiered, kite = sessions[1], sessions[2], sessions[3]
    assert caches.authors == (Person("García-López", "María"), Person("van der Berg", "Jan"), Person("Chen", "Wei-Lun"))
    assert "abstract" not in caches.fields  # its abstract block is empty
    assert tiered.authors == (Person("Yılmaz", "Ayşe"), Person("Smith", "John", "Jr."))
    assert tiered.get("abstract") == ("We measure tiered storage in three clouds.\n\n"
                                      "Tiering saves 30% of cost & keeps p99 latency within 5% of SSD-only.")
    assert kite.get("abstract") == "Kite replays traces across clouds. It runs in the browser."


def test_crlf_line_ends_give_the_same_entries_and_lines():
    crlf = _read("sessions.html")
    assert "\r\n" in crlf
    lf_items = _items(crlf.replace("\r\n", "\n"))
    crlf_items = _items(crlf)
    assert crlf_items == lf_items
    assert [e.origin.line for e in crlf_items] == [e.origin.line for e in lf_items] == [73, 78, 86, 91, 96]
    lines = crlf.split("\r\n")
    assert all("DLtitleLink" in lines[e.origin.line - 1] for e in crlf_items)


def test_older_export_with_authorize_links_and_no_abstracts():
    items = _items(_read("authorize.html"), "authorize.html")
    assert all(isinstance(i, Entry) for i in items)
    assert [(e.title, e.get("url"), e.get("doi")) for e in items] == [
        ("Phone Barometers as Floor Detectors", "https://dl.acm.org/authorize?N12346", ""),
        ("Counting Steps with Earbuds", "https://dl.acm.org/authorize?N12347", ""),
        ("LTE Handover Traces from a Moving Train", "https://doi.org/10.1145/3300000.3300010", "10.1145/3300000.3300010"),
    ]
    assert all("abstract" not in e.fields for e in items)
    assert items[0].authors == (Person("Souza", "Ana"), Person("Watanabe", "Kenji"))
    assert items[2].authors == (Person("de Jong", "Dirk"), Person("Na", "Li"))
    assert items[0].get("series") == "MobiTest '19" and items[0].year == "2019"


def test_mathml_in_abstracts_and_titles_is_readable_text():
    first, second = _items(_read("mathml.html"), "mathml.html")
    assert first.title == "Sorting in O(n) Space"
    assert first.get("abstract") == ("We sort n keys in O(n log n) time using n^(1/2) buckets.\n\n"
                                     "The error is at most 1/k when k ≥ 2.")
    # mml: prefixed MathML with a TeX annotation, and an empty element with only alttext
    assert second.get("abstract") == "Reads are stale by at most Δt seconds, and the log grows by ϵ per write."


def test_proceedings_heading_forms():
    def short(heading):
        fields = proceedings_fields(heading)
        return fields.get("series"), fields.get("booktitle"), fields.get("year")

    assert short("SoCC '24: Proceedings of the ACM Symposium on Cloud Computing") == (
        "SoCC '24", "Proceedings of the ACM Symposium on Cloud Computing", "2024")
    assert short("DeFi'22: Proceedings of the 2022 ACM CCS Workshop on Decentralized Finance and Security") == (
        "DeFi'22", "Proceedings of the 2022 ACM CCS Workshop on Decentralized Finance and Security", "2022")
    assert short("ICFP '98- Proceedings of the Third ACM SIGPLAN Conference") == (
        "ICFP '98", "Proceedings of the Third ACM SIGPLAN Conference", "1998")
    assert short("UIST '24 Adjunct: Adjunct Proceedings of the 37th Annual ACM Symposium") == (
        "UIST '24 Adjunct", "Adjunct Proceedings of the 37th Annual ACM Symposium", "2024")
    assert short("Proceedings of the ACM on Programming Languages: Vol 2") == (
        None, "Proceedings of the ACM on Programming Languages: Vol 2", None)
    assert proceedings_fields("")["publisher"] == "Association for Computing Machinery"


def test_links_and_names():
    assert link_fields("//dl.acm.org/authorize?N12345") == {"url": "https://dl.acm.org/authorize?N12345"}
    assert link_fields("https://dl.acm.org/doi/abs/10.1145/3698038.3698515?download=true") == {
        "url": "https://dl.acm.org/doi/abs/10.1145/3698038.3698515?download=true", "doi": "10.1145/3698038.3698515"}
    assert link_fields("") == {}
    assert person("John Smith, Jr.") == Person("Smith", "John", "Jr.")
    assert person("Ludwig van Beethoven") == Person("van Beethoven", "Ludwig")


# --- bad input -----------------------------------------------------------------------------

def _entry_lines(text: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<h3>", text)]


@pytest.mark.parametrize("marker, entries_before", [
    ("Snapipeline reduces memory", 9),          # inside an abstract paragraph
    ("Elastic GPU Scheduling", 2),              # inside a title
    ("Futian Wang", 0),                         # inside an author's name
    ('" href="https://dl.acm.org/doi/10.1145/3698038.3698532"', 2),  # inside the title link's tag
    ('<a class="DLtitleLink" title="Full Citation in the ACM Digital Library" '
     'referrerpolicy="no-referrer-when-downgrade" href="https://dl.acm.org/doi/10.1145/3698038.3698559"', 3),
    ('<ul class="DLauthors"><li class="nameList">Xin Liu', 4),   # after the title, before the authors
])
def test_page_cut_inside_an_entry(seed, seed_text, marker, entries_before):
    cut = seed_text[:seed_text.index(marker) + 3]
    items = _items(cut, "cut.txt")
    entries = [i for i in items if isinstance(i, Entry)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert assign_keys(entries) == seed[:entries_before]
    assert len(failures) == 1
    failure = failures[0]
    assert failure.line == _entry_lines(cut)[entries_before] and failure.file == "cut.txt"
    assert "ends inside this entry" in failure.message and "cut off" in failure.hint


def test_page_cut_anywhere_never_raises_and_loses_nothing_silently(seed, seed_text):
    starts = [m.start() for m in re.finditer("<h3>", seed_text)]
    for cut in range(0, len(seed_text), 2203):
        items = _items(seed_text[:cut])
        entries = [i for i in items if isinstance(i, Entry)]
        failures = [i for i in items if isinstance(i, Failure)]
        begun = sum(1 for s in starts if s + 3 <= cut)
        assert assign_keys(entries) == seed[:len(entries)]
        assert len(entries) + len(failures) == max(begun, 1), cut


def test_cut_page_on_the_command_line(tmp_path, seed_text):
    path = tmp_path / "toc.txt"
    path.write_text(seed_text[:seed_text.index("Snapipeline reduces memory")], encoding="utf-8")
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 1
    assert result.stdout.count("@inproceedings{") == 9
    assert f"{path}:510: the page ends inside this entry" in _flat(result.stderr)
    assert "hint: the file looks cut off" in _flat(result.stderr)
    assert "Traceback" not in result.stderr


def test_page_without_papers(tmp_path):
    (failure,) = _items(_read("empty.html"), "empty.html")
    assert isinstance(failure, Failure)
    assert failure.message == "no papers found in this ACM table of contents"
    assert "DLtitleLink" in failure.hint
    result = runner.invoke(app, ["parse", str(DATA / "empty.html")])
    assert result.exit_code == 1 and result.stdout == ""
    assert "empty.html: no papers found in this ACM table of contents" in _flat(result.stderr)


def test_page_with_only_session_details_and_page_cut_before_its_first_paper(seed_text):
    only_chairs = ('<html><body><div id="DLtoc"><div id="DLcontent"><h2>SESSION: Keynote</h2>'
                   '<h3><a class="DLtitleLink" href="https://dl.acm.org/doi/10.1145/1.2">Session details: Keynote</a></h3>'
                   '<ul class="DLauthors"><li class="nameList Last">Ada Chair</li></ul></div></div></body></html>')
    (failure,) = _items(only_chairs)
    assert "only \"Session details\" entries" in failure.message
    (failure,) = _items(seed_text[:seed_text.index("<h2>SESSION")])
    assert failure.message == "no papers found in this ACM table of contents" and "cut off" in failure.hint


def test_entry_without_title_is_reported_and_the_others_kept():
    page = ('<div id="DLcontent"><h3><a class="DLtitleLink" href="https://dl.acm.org/doi/10.1145/1.1"></a></h3>'
            '<ul class="DLauthors"><li class="nameList Last">A B</li></ul>'
            '<h3><a class="DLtitleLink" href="https://dl.acm.org/doi/10.1145/1.2">Kept</a></h3>'
            '<ul class="DLauthors"><li class="nameList Last">C D</li></ul></div>')
    failure, entry = _items(page, "t.html")
    assert isinstance(failure, Failure) and failure.message == "an entry without a title" and failure.line == 1
    assert entry.title == "Kept" and entry.get("doi") == "10.1145/1.2"


_PIECES = st.sampled_from([
    "<h2>SESSION: X</h2>", "<h3>", "</h3>", '<a class="DLtitleLink" href="//dl.acm.org/authorize?N1">', "</a>",
    '<ul class="DLauthors">', '<li class="nameList">', "Ann Lee", "</li>", "</ul>", '<div class="DLabstract">',
    "<p>", "text &amp; more", "</p>", "</div>", "<math><mi>x</mi>", "</math>", "\r\n", "<", ">", "Session details: ",
    '<div id="DLtoc">', "</body></html>",
])


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40))
def test_any_markup_soup_gives_entries_or_failures_never_an_exception(pieces):
    items = _items("".join(pieces))
    assert items and all(isinstance(i, (Entry, Failure)) for i in items)


# --- round trip details the seed needs -------------------------------------------------------

def test_dashes_tilde_and_quotes_survive_writing_and_reading_back():
    entry = Entry("inproceedings", {"title": "GPU-free Scheduling -- a Study", "abstract": "50% --- or 4--16 KiB, ~2x, ``quoted'' & 5_000"},
                  (Person("Alarcón Negy", "Kevin"),), key="a")
    for style in (Style(), Style(ascii=True)):
        (back,) = parse_text(format_entries([entry], style), "x.bib", "bibtex").entries
        assert back == entry
