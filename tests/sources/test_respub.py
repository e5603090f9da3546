"""The Imperial College respub sources: page text, profile widget text, JSON/JSONP."""

from __future__ import annotations

import json
from collections import Counter

import bibtexparser
import pytest
from typer.testing import CliRunner

from bibsync.bibtex.write import Style, entry_type_for, format_entries
from source_golden import assert_parse_matches_golden
from bibsync.cli import app
from bibsync.errors import InputError
from bibsync.keys import assign_keys
from bibsync.model import Entry, Person
from bibsync.model import Origin
from bibsync.pipeline import parse_text
from bibsync.registry import default_registry
from bibsync.sources import ParseContext
from bibsync.sources.respub import source as text_source
from bibsync.sources.respub_common import (build_entry, names_a_meeting, parse_citation, parse_people, parse_person,
                                           split_header, split_title_venue)
from bibsync.sources.respub_json import source as json_source
import locations

DATA = locations.DATA / "respub"
SEED = DATA / "pietzuch.txt"
runner = CliRunner()


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _parse(name: str, fmt: str | None = None):
    return parse_text(_read(name), name, fmt)


def _flat(text: str) -> str:
    """Undo rich's line wrapping in messages."""
    return " ".join(text.split())


def _by_key(entries: list[Entry]) -> dict[str, Entry]:
    return {e.key: e for e in assign_keys(entries)}


@pytest.fixture(scope="module")
def seed():
    result = parse_text(SEED.read_text(encoding="utf-8"), "pietzuch.txt")
    return assign_keys(result.entries), result.failures


# --- golden files ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["pietzuch.txt", "widget.txt", "search.jsonp", "page-variants.txt", "selected.txt"])
def test_golden_output_of_bibsync_parse(name):
    assert_parse_matches_golden(DATA / name, exit_code=1 if name == "page-variants.txt" else 0)


def test_seed_counts_and_types(seed):
    entries, failures = seed
    assert failures == []
    assert len(entries) == 30
    # 4 records labelled "Journal article" appeared in conference proceedings (SoCC, SAC, ICDCS).
    assert Counter(e.type for e in entries) == {"inproceedings": 25, "article": 4, "software": 1}


def test_seed_output_is_valid_bibtex_with_unique_keys(seed):
    entries, _ = seed
    text = format_entries(entries)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert len(library.entries) == 30
    keys = [e.key for e in entries]
    assert len(set(k.lower() for k in keys)) == 30
    assert keys[:3] == ["ozcan2023welcome", "zhu2023msrl", "sartakov2023orc"]


def test_seed_reads_back_through_bibtex_source(seed):
    entries, _ = seed
    back = parse_text(format_entries(entries), "x.bib", "bibtex")
    assert back.failures == []
    # Plain BibTeX has no @software: the writer writes it as @misc, which is what comes back.
    assert back.entries == [e if entry_type_for(e, False) == e.type else Entry(
        entry_type_for(e, False), e.fields, e.authors, e.editors, e.authors_truncated, e.key) for e in entries]
    biblatex = parse_text(format_entries(entries, Style(biblatex=True)), "x.bib", "bibtex")
    assert biblatex.entries == entries


# Every seed record: (title, venue) as split by the heuristic, checked against the page.
SEED_SPLITS = [
    ("Welcome from the Chairs", "SoCC 2023 - Proceedings of the 2023 ACM Symposium on Cloud Computing"),
    ("MSRL: Distributed reinforcement learning with dataflow fragments",
     "USENIX Annual Technical Conference (USENIX ATC)"),
    ("ORC: Increasing cloud memory density via object reuse with capabilities",
     "17th USENIX Symposium on Operating Systems Design and Implementation (OSDI)"),
    ("Translation Pass-Through for Near-Native Paging Performance in VMs", ""),
    ("SCABBARD: single-node fault-tolerant stream processing",
     "48th International Conference on Very Large Data Bases (VLDB)"),
    ("CAP-VMs: Capability-based isolation and sharing in the cloud",
     "16th USENIX Symposium on Operating Systems Design and Implementation"),
    ("IA-CCF: Individual accountability for permissioned ledgers",
     "19th USENIX Symposium on Networked Systems Design and Implementation (NSDI)"),
    ("Rkt-io: A direct I/O stack for shielded execution", ""),
    ("CubicleOS: A library OS with software componentisation for practical isolation",
     "Conference on Architectural Support for Programming Languages and Operating Systems (ASPLOS ’21)"),
    ("Spons & shields: practical isolation for trusted execution",
     "ACM SIGPLAN/SIGOPS International Conference on Virtual Execution Environments (VEE ’21)"),
    ("CubicleOS: A Library OS with Software Componentisation for Practical Isolation", ""),
    ("KungFu: making training in distributed machine learning adaptive",
     "USENIX Symposium on Operating Systems Design and Implementation (OSDI)"),
    ("Editorial message: Special track on dependable, adaptive and trustworthy distributed systems",
     "Proceedings of the ACM Symposium on Applied Computing"),
    ("SlideSide: a fast incremental stream processing algorithm for multiple queries",
     "23rd International Conference on Extending Database Technology (EDBT)"),
    ("Spotnik: Designing distributed machine learning for transient cloud resources", ""),
    ("FAASM: Lightweight isolation for efficient stateful serverless computing", ""),
    ("LightSaber: Efficient Window Aggregation on Multi-Core Processors", ""),
    ("Secure end-to-end processing of smart metering data", "Journal of Cloud Computing"),
    ("Neptune: Scheduling Suspendable Tasks for Unified Stream/Batch Applications", ""),
    ("Teechain: a secure payment network with asynchronous blockchain access",
     "27th ACM Symposium on Operating Systems Principles (SOSP)"),
    ("Taming hyper-parameters in deep learning systems", "Operating Systems Review (ACM)"),
    ("Crossbow: scaling deep learning with small batch sizes on multi-GPU servers",
     "Proceedings of the VLDB Endowment"),
    ("Faces in the clouds: long-duration, multi-user, cloud-assisted video conferencing",
     "IEEE Transactions on Cloud Computing"),
    ("Thriving in the No Man's Land between compilers and databases",
     "Conference on Innovative Data Systems Research"),
    ("Special track on dependable, adaptive and trustworthy distributed systems",
     "Proceedings of the ACM Symposium on Applied Computing"),
    ("Using trusted execution environments for secure stream processing of medical data: (Case study paper)", ""),
    ("Hammer Slide: Work- and CPU-efficient Streaming Window Aggregation",
     "International Workshop on Accelerating Analytics and Data Management Systems Using Modern Processor and "
     "Storage Architectures, ADMS@VLDB 2018, Rio de Janeiro, Brazil, August 27, 2018"),
    ("ENDBOX: scalable middlebox functions using client-side trusted execution",
     "48th Annual IEEE/IFIP International Conference on Dependable Systems and Networks Workshops (DSN-W)"),
    ("Message from the ICDCS 2018 program chair", "Proceedings - International Conference on Distributed Computing Systems"),
    ("Cloud challenge: Secure end-To-end processing of smart metering data", ""),
]


def test_every_seed_record_title_and_venue(seed):
    entries, _ = seed
    got = [(e.title, e.get("booktitle") or e.get("journal")) for e in entries]
    assert got == SEED_SPLITS


def test_seed_abstracts_are_the_page_paragraphs(seed):
    entries, _ = seed
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for entry in entries:
        start = entry.origin.line  # 1-based line of the citation
        body = []
        for line in lines[start:]:
            if line.strip() in ("Conference paper", "Journal article", "Software"):
                break
            if line.strip():
                body.append(line.strip())
        assert entry.get("abstract") == "\n\n".join(body), entry.key
    assert sum(1 for e in entries if not e.get("abstract")) == 4  # Özcan, two Goeschka, ICDCS


def test_seed_names(seed):
    by_key = {e.key: e for e in seed[0]}
    msrl = by_key["zhu2023msrl"]
    assert msrl.authors[-1] == Person("Chen", "L.") and msrl.authors_truncated and len(msrl.authors) == 9
    assert not by_key["sartakov2021cubicleos"].authors_truncated
    assert Person("Da Costa Carmo", "L. F. R.") in by_key["brito2018cloud"].authors
    assert Person("Brabete", "A.-O.") in by_key["mai2020kungfu"].authors  # page: Brabete A-O
    assert Person("Brabete", "A. O.") in by_key["mai2019taming"].authors  # page: Brabete AO
    assert Person("Aublin", "P.-L.") in by_key["goltzsche2018endbox"].authors
    assert Person("Aublin", "P. L.") in by_key["segarra2019using"].authors
    assert by_key["theodorakis2018hammer"].authors[2] == Person("Pietzuch", "P. R.")
    assert by_key["ozcan2023welcome"].authors[0] == Person("Özcan", "F.")
    assert by_key["sartakov2021spons"].authors[1] == Person("O’Keeffe", "D.")


def test_seed_labelled_parts(seed):
    by_key = {e.key: e for e in seed[0]}
    light = by_key["theodorakis2020lightsaber"]
    assert (light.type, light.get("pages"), light.get("address"), light.get("publisher")) == (
        "inproceedings", "2505--2521", "New York, NY, USA", "Association for Computing Machinery")
    assert "booktitle" not in light.fields
    assert by_key["ozcan2023welcome"].get("pages") == "v--vi"
    taming = by_key["mai2019taming"]
    assert (taming.get("volume"), taming.get("pages"), taming.get("issn")) == ("53", "52--58", "0163-5980")
    assert by_key["goeschka2019special"].get("volume") == "Part F147772"
    assert by_key["pietzuch2018message"].get("volume") == "2018-July"
    assert by_key["lind2019teechain"].get("publisher") == "ACM Press"
    assert by_key["sartakov2020cubicleos"].type == "software"
    assert dict(by_key["wagenlander2020spotnik"].fields).keys() == {"title", "year", "abstract"}


def test_software_is_misc_by_default_and_software_with_biblatex():
    plain = runner.invoke(app, ["parse", str(SEED)])
    biblatex = runner.invoke(app, ["parse", str(SEED), "--biblatex"])
    assert "@misc{sartakov2020cubicleos," in plain.stdout
    assert "@software{sartakov2020cubicleos," in biblatex.stdout


# --- the page: variants -----------------------------------------------------------------

def test_page_variants_types_and_failure():
    result = _parse("page-variants.txt")
    by_key = _by_key(result.entries)
    assert [(e.key, e.type) for e in by_key.values()] == [
        ("doe2017stream", "incollection"), ("roe2015distributed", "book"),
        ("koliousis2017benchmarking", "techreport"), ("lee2012elastic", "phdthesis"),
        ("jimenezperis2016elastic", "misc"), ("doe2021record", "misc"), ("roe2021record", "misc"),
        ("smith2022last", "inproceedings")]
    assert by_key["doe2017stream"].get("booktitle") == "Encyclopedia of Big Data Technologies"
    assert by_key["doe2017stream"].get("isbn") == "978-3-319-63962-8"
    assert by_key["koliousis2017benchmarking"].get("institution") == "Imperial College London"
    assert by_key["lee2012elastic"].get("school") == "University of London"
    jimenez = by_key["jimenezperis2016elastic"]
    assert jimenez.authors[0] == Person("Jiménez-Peris", "R.")
    assert jimenez.title == "Elastic & scalable stream processing"
    assert jimenez.get("abstract") == "A first paragraph with an entity: “elastic” scaling.\n\nA second paragraph."
    assert by_key["doe2021record"].get("howpublished") == "Proceedings of the 1st Workshop on Examples"
    assert "abstract" not in by_key["roe2021record"].fields  # "Exhibition catalogue" is its type line
    assert "abstract" not in by_key["smith2022last"].fields  # the Web of Science note is page chrome
    [failure] = result.failures
    assert (failure.file, failure.line) == ("page-variants.txt", 43)
    assert "authors and year" in failure.message and failure.hint
    assert failure.raw.startswith("The ATLAS Collaboration, 2020,")


def test_crlf_gives_the_same_entries(seed):
    crlf = SEED.read_text(encoding="utf-8").replace("\n", "\r\n")
    assert assign_keys(parse_text(crlf, "p.txt").entries) == seed[0]


def test_page_cut_off_inside_an_abstract():
    text = SEED.read_text(encoding="utf-8")
    cut = text[:text.index("Cloud computing considerably reduces the costs of deploying applications through on-demand, "
                           "automated, and") + 60]
    result = parse_text(cut, "cut.txt")
    assert result.failures == [] and len(result.entries) == 30
    last = result.entries[-1]
    assert last.type == "misc" and last.title.startswith("Cloud challenge") and "abstract" not in last.fields
    assert last.get("pages") == "19--20"


def test_page_cut_off_after_a_complete_sentence_keeps_the_abstract():
    text = SEED.read_text(encoding="utf-8")
    end = text.index("such as fraud alerts.") + len("such as fraud alerts.")
    last = parse_text(text[:end], "cut.txt").entries[-1]
    assert last.type == "misc" and last.get("abstract").endswith("such as fraud alerts.")


def test_page_cut_off_inside_a_citation_line():
    text = SEED.read_text(encoding="utf-8")
    cut = text[:text.index("Brito A, Fetzer C, Kopsell S") + len("Brito A, Fetzer C, Kopsell S, Piet")]
    result = parse_text(cut, "cut.txt")
    assert len(result.entries) == 29
    [failure] = result.failures
    assert failure.line == 209 and "year and title" in failure.message and failure.hint


def test_page_cut_off_after_one_author():
    text = SEED.read_text(encoding="utf-8")
    cut = text[:text.index("Brito A, Fetzer C, Kopsell S") + len("Brito A, Fe")]
    result = parse_text(cut, "cut.txt")
    assert len(result.entries) == 29 and [f.line for f in result.failures] == [209]


def test_record_without_title_is_a_failure_and_others_go_on():
    text = "Smith J, Doe A, 2020\n\nJournal article\n\nRoe R, 2021, A title, Journal of Tests, Vol: 1\n\nJournal article\n"
    result = parse_text(text, "t.txt", "respub")
    assert [e.title for e in result.entries] == ["A title"]
    assert [(f.line, f.message) for f in result.failures] == [(1, "this record has no title")]


def test_text_without_records_is_an_input_error():
    with pytest.raises(InputError) as info:
        list(text_source.parse("Imperial College London\n\n0 results found\n", ParseContext("empty.txt")))
    assert info.value.where == "empty.txt" and info.value.hint


# --- the widget -----------------------------------------------------------------------------

def test_widget():
    result = _parse("widget.txt")
    assert result.failures == []
    by_key = _by_key(result.entries)
    assert [(k, e.type) for k, e in by_key.items()] == [
        ("mai2019taming", "article"), ("koliousis2019crossbow", "article"), ("clegg2019faces", "article"),
        ("lind2019teechain", "inproceedings"), ("mai2020kungfu", "inproceedings"),
        ("theodorakis2020lightsaber", "inproceedings"), ("sartakov2020cubicleos", "software")]
    taming = by_key["mai2019taming"]
    assert taming.authors == (Person("Mai", "L."), Person("Koliousis", "A."), Person("Li", "G."))
    assert taming.authors_truncated
    assert (taming.get("journal"), taming.get("volume"), taming.get("issn"), taming.get("pages")) == (
        "Operating Systems Review (ACM)", "53", "0163-5980", "52--58")
    teechain = by_key["lind2019teechain"]
    assert teechain.get("booktitle") == "27th ACM Symposium on Operating Systems Principles (SOSP 2019)"
    assert teechain.get("publisher") == "ACM" and teechain.year == "2019"
    assert by_key["mai2020kungfu"].get("publisher") == "Usenix"
    light = by_key["theodorakis2020lightsaber"]
    assert (light.get("booktitle"), light.get("address"), light.get("publisher"), light.get("pages")) == (
        "SIGMOD 2020", "New York, NY, USA", "Association for Computing Machinery", "2505--2521")
    assert by_key["clegg2019faces"].title == "Faces in the clouds: long-duration, multi-user, cloud-assisted video conferencing"


def test_widget_record_that_cannot_be_read_is_reported():
    text = ("Journal articles\n\nThe ATLAS Collaboration, 2020, Measurement of things, Physics Letters B, Vol:812\n\n"
            "Mai L, Li G, et al., 2019, Taming, Operating Systems Review (ACM), Vol:53\n\nMore publications\n")
    result = parse_text(text, "w.txt", "respub")
    assert [(e.type, e.title, e.get("volume")) for e in result.entries] == [("article", "Taming", "53")]
    assert [(f.line, f.message) for f in result.failures] == [(3, "cannot find the authors and year of this record")]


def test_selected_publications_widget():
    """The profile page's "Selected Publications": a bare surname among initialled names,
    conference papers under "Journal Articles", the year repeated after the venue."""
    result = _parse("selected.txt")
    assert result.failures == []
    by_key = _by_key(result.entries)
    assert [(k, e.type) for k, e in by_key.items()] == [
        ("ogden2016gis", "inproceedings"), ("koliousis2016saber", "inproceedings"), ("mai2019taming", "article"),
        ("koliousis2019crossbow", "article"), ("arnautov2016scone", "inproceedings"),
        ("watcharapichat2016ako", "inproceedings")]
    gis = by_key["ogden2016gis"]
    assert gis.authors == (Person("Ogden"), Person("Thomas", "D."), Person("Pietzuch", "P."))
    assert (gis.get("booktitle"), gis.get("pages"), gis.get("publisher")) == (
        "ACM SIGMOD International Conference on Management of Data 2016", "1041--1054", "ACM")
    saber = by_key["koliousis2016saber"]
    assert saber.get("booktitle") == "2016 ACM SIGMOD/PODS Conference" and "journal" not in saber.fields
    assert by_key["arnautov2016scone"].get("booktitle") == (
        "12th USENIX Symposium on Operating Systems Design and Implementation (OSDI)")
    assert by_key["watcharapichat2016ako"].get("booktitle") == "7th ACM Symposium on Cloud Computing (SoCC)"
    assert by_key["watcharapichat2016ako"].authors[-1] == Person("Pietzuch")
    assert by_key["koliousis2019crossbow"].get("journal") == "Proceedings of the VLDB Endowment"


def test_bare_surnames_only_among_initialled_names():
    assert parse_people("Ogden, Thomas D, Pietzuch P") == (
        (Person("Ogden"), Person("Thomas", "D."), Person("Pietzuch", "P.")), False)
    assert parse_people("Smith J, van Renesse") == ((Person("Smith", "J."), Person("van Renesse")), False)
    assert parse_people("Ogden, Thomas") is None  # no initialled name: not an author list
    assert parse_people("Ogden, Thomas, Pietzuch P") is None  # more bare words than names
    assert parse_people("Security, Privacy J") is not None  # one of each: read as names
    assert parse_people("ACM, Pietzuch P") is None  # an acronym is no surname
    assert split_header("Ogden, Thomas D, Pietzuch P, 2016, AT-GIS, Venue")[:3] == (
        (Person("Ogden"), Person("Thomas", "D."), Person("Pietzuch", "P.")), False, "2016")


@pytest.mark.parametrize("venue,meeting", [
    ("2016 ACM SIGMOD/PODS Conference", True),
    ("SoCC 2023 - Proceedings of the 2023 ACM Symposium on Cloud Computing", True),
    ("Proceedings - International Conference on Distributed Computing Systems", True),
    ("Workshop on Hot Topics in Operating Systems (HotOS)", True),
    ("Proceedings of the VLDB Endowment", False),
    ("Proceedings of the ACM on Programming Languages", False),
    ("Proceedings of the IEEE", False),
    ("IEEE Transactions on Cloud Computing", False),
    ("Operating Systems Review (ACM)", False),
    ("Journal of Cloud Computing", False),
])
def test_venues_that_name_a_meeting(venue, meeting):
    assert names_a_meeting(venue) is meeting
    entry = build_entry("article", (Person("Doe", "J."),), False, {"title": "T", "year": "2020"}, venue,
                        Origin("respub"))
    assert entry.type == ("inproceedings" if meeting else "article")
    assert entry.get("booktitle" if meeting else "journal") == venue


def test_a_year_repeated_after_the_venue_is_dropped_but_a_date_is_kept():
    fields, venue, _ = parse_citation("Title, 12th Symposium on X (OSDI), 2016, USENIX, Pages:1-2", "inproceedings",
                                      "2016")
    assert (fields["title"], venue, fields["publisher"]) == ("Title", "12th Symposium on X (OSDI)", "USENIX")
    _, venue, _ = parse_citation("Title, Workshop on Y, Rio de Janeiro, Brazil, August 27, 2018", "inproceedings",
                                 "2018")
    assert venue.endswith("August 27, 2018")


# --- JSON / JSONP ---------------------------------------------------------------------------

def test_jsonp_records():
    result = _parse("search.jsonp")
    assert result.failures == []
    by_key = _by_key(result.entries)
    assert list(by_key) == ["zhu2023msrl", "theodorakis2020lightsaber", "brito2019secure", "sartakov2021spons",
                            "sartakov2020cubicleos"]
    msrl = by_key["zhu2023msrl"]
    assert msrl.authors_truncated and msrl.authors[-1] == Person("Chen", "L.")
    assert msrl.get("booktitle") == "USENIX Annual Technical Conference (USENIX ATC)" and msrl.get("month") == "jul"
    assert msrl.get("abstract") == ("A wide range of reinforcement learning (RL) algorithms have been proposed."
                                    "\n\nWe describe MSRL, a distributed RL training system.")
    light = by_key["theodorakis2020lightsaber"]
    assert light.get("doi") == "10.1145/3318464.3389753" and light.get("pages") == "2505--2521"
    assert light.get("booktitle").startswith("Proceedings of the 2020 ACM SIGMOD")  # parentTitle wins
    assert light.get("address") == "New York, NY, USA" and not light.authors_truncated
    brito = by_key["brito2019secure"]
    assert brito.authors[2] == Person("Köpsell", "S.") and brito.authors[-1] == Person("Fehér", "M.")
    assert brito.authors_truncated and brito.get("doi") == "10.1186/s13677-019-0137-4"
    assert brito.get("journal") == "Journal of Cloud Computing" and brito.get("volume") == "8"
    spons = by_key["sartakov2021spons"]
    assert spons.title == "Spons & shields: practical isolation for trusted execution"
    assert spons.authors[1] == Person("O’Keeffe", "D.") and "“lift-and-shift”" in spons.get("abstract")
    software = by_key["sartakov2020cubicleos"]
    assert (software.type, software.year, software.get("month")) == ("software", "2020", "nov")


def test_json_without_wrapper_gives_the_same_entries():
    text = _read("search.jsonp")
    bare = text[text.index("(") + 1:text.rindex(")")]
    assert parse_text(bare, "s.json").entries == _parse("search.jsonp").entries
    records = json.loads(bare)["records"]
    assert parse_text(json.dumps(records), "s.json").entries == _parse("search.jsonp").entries


def test_json_variations_and_failures():
    result = _parse("search-plain.json")
    by_key = _by_key(result.entries)
    chapter = by_key["jimenezperis2018elastic"]
    assert chapter.type == "incollection"
    assert chapter.authors == (Person("Jiménez-Peris", "R."), Person("Pietzuch", "P. R."),
                               Person("Brabete", "A.-O."), Person("Da Costa Carmo", "L. F. R."))
    assert chapter.title == "Elastic & scalable stream processing"
    assert (chapter.year, chapter.get("month"), chapter.get("doi")) == ("2018", "sep", "10.1007/978-3-319-63962-8_1")
    assert chapter.get("booktitle") == "Encyclopedia of Big Data Technologies" and chapter.get("address") == "Cham"
    assert chapter.get("abstract") == "First paragraph.\n\nSecond β paragraph."
    taming = by_key["mai2019taming"]
    assert taming.type == "article" and taming.authors_truncated and taming.get("month") == "jul"
    poster = by_key["ozcan2023welcome"]
    assert poster.type == "misc" and poster.get("howpublished") == "SoCC 2023" and poster.get("pages") == "v--vi"
    assert [(f.line, f.record, f.message) for f in result.failures] == [
        (45, "1101003", "this record has no title"), (53, "4", "record 4 is not an object")]
    assert all(f.file == "search-plain.json" and f.hint for f in result.failures)


def test_bad_json_is_an_input_error_with_its_line():
    with pytest.raises(InputError) as info:
        list(json_source.parse('callback({"records": [\n{"objectid": 1,\n "title": }]})', ParseContext("b.jsonp")))
    assert info.value.where == "b.jsonp:3" and info.value.hint
    with pytest.raises(InputError, match="no respub records"):
        list(json_source.parse('{"count": 0, "records": []}', ParseContext("e.json")))


# --- detection and the command line ---------------------------------------------------------

NOT_RESPUB = {
    "bibtex": "@inproceedings{zhu2023msrl,\n  author = {Zhu, H. and Chen, L.},\n  title = {MSRL},\n  year = {2023},\n}\n",
    "ris": "TY  - CONF\nAU  - Zhu, H.\nTI  - MSRL\nPY  - 2023\nER  - \n",
    "html": "<html><head><title>SoCC '24</title></head><body><h3>Zhu H, Chen L, 2023, MSRL, ATC</h3></body></html>",
    "csl": '[{"id": "a", "type": "paper-conference", "title": "MSRL", "issued": {"date-parts": [[2023]]}}]',
    "prose": "In 2019, we met. Smith said so, 2020, and it was fine.\n",
}


@pytest.mark.parametrize("kind", sorted(NOT_RESPUB))
def test_sniff_refuses_other_formats(kind):
    assert not text_source.sniff(NOT_RESPUB[kind])
    assert not json_source.sniff(NOT_RESPUB[kind])


@pytest.mark.parametrize("name,source", [("pietzuch.txt", "respub"), ("widget.txt", "respub"),
                                         ("page-variants.txt", "respub"), ("search.jsonp", "respub-json"),
                                         ("search-plain.json", "respub-json")])
def test_detection(name, source):
    assert default_registry().detect(_read(name), name).name == source
    assert text_source.sniff(_read(name)) == (source == "respub")
    assert json_source.sniff(_read(name)) == (source == "respub-json")


def test_cli_reports_failures_with_file_and_line():
    result = runner.invoke(app, ["parse", str(DATA / "search-plain.json")])
    assert result.exit_code == 1
    assert f"{DATA / 'search-plain.json'}:45: this record has no title" in _flat(result.stderr)
    assert "@incollection{jimenezperis2018elastic," in result.stdout
    assert "Traceback" not in result.output and "internal error" not in result.stderr


def test_cli_bad_input(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Imperial College London\n\nno publications here\n")
    bad = tmp_path / "bad.jsonp"
    bad.write_text('callback({"records": [{"objectid": 1, "title": "x"},]})')
    for path, fmt, words in [(notes, "respub", "no respub records found"), (bad, "respub-json", "not valid JSON")]:
        result = runner.invoke(app, ["parse", str(path), "--from", fmt])
        assert result.exit_code == 1
        assert words in _flat(result.stderr) and str(path) in _flat(result.stderr) and "hint:" in result.stderr
        assert "Traceback" not in result.output + result.stderr


# --- the pieces -------------------------------------------------------------------------------

def test_parse_person():
    assert parse_person("Da Costa Carmo LFR") == Person("Da Costa Carmo", "L. F. R.")
    assert parse_person("van der Berg J") == Person("van der Berg", "J.")
    assert parse_person("Brabete A-O") == Person("Brabete", "A.-O.")
    assert parse_person("In this paper we show X") is None
    assert parse_person("The ATLAS Collaboration") is None
    assert parse_person("2019") is None
    assert parse_people("Zhu H, Pietzuch Pet al.") == ((Person("Zhu", "H."), Person("Pietzuch", "P.")), True)
    assert parse_people("Zhu H, Pietzuch P, et al.") == ((Person("Zhu", "H."), Person("Pietzuch", "P.")), True)


@pytest.mark.parametrize("text,kind,title,venue", [
    ("A, b, and c, IEEE Transactions on X", "article", "A, b, and c", "IEEE Transactions on X"),
    ("Foo: a study, of IEEE networks, Journal of Bar", "article", "Foo: a study, of IEEE networks", "Journal of Bar"),
    ("Title, Middleware '18, Proceedings of the 19th Middleware Conference", "inproceedings", "Title",
     "Middleware '18, Proceedings of the 19th Middleware Conference"),
    ("Title with, a comma", "inproceedings", "Title with, a comma", ""),
    ("Deep learning, Nature", "article", "Deep learning", "Nature"),
])
def test_split_title_venue(text, kind, title, venue):
    assert split_title_venue(text, kind) == (title, venue)
