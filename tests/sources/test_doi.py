"""The doi source and the polite fetcher, against recorded Crossref answers (never the network)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bibsync import __version__
from bibsync.config import Settings
from bibsync.model import Entry, Failure, Person
from bibsync.pipeline import parse_sources
from bibsync.registry import Registry
from bibsync.sources import ParseContext
from bibsync.sources.doi import DoiSource, crossref_url, doi_from_text, entry_from_crossref
from bibsync.sources.http_cache import Fetcher, RateLimiter, ResponseCache, user_agent
from source_golden import CROSSREF_RECORDED as RECORDED
from source_golden import CROSSREF_ROUTES as ROUTES
from source_golden import DATA, check_golden, recorded_transport



@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", contact_email="lab@example.ac.uk", requests_per_second=1000)


def parse(text: str, settings: Settings, transport: httpx.BaseTransport, name: str = "dois.txt"):
    return list(DoiSource(transport=transport).parse(text, ParseContext(filename=name, settings=settings)))


def failing_transport() -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"the network was used for {request.url}")
    return httpx.MockTransport(handle)


def test_golden(settings):
    case = DATA / "doi" / "dois.txt"
    check_golden(case, parse(case.read_text(), settings, recorded_transport(ROUTES)))


def test_request_is_polite_and_answers_are_cached(settings):
    calls: list[httpx.Request] = []
    first = parse("10.1038/NATURE14539\n", settings, recorded_transport(ROUTES, calls))
    assert [e.title for e in first] == ["Deep learning"]
    assert [str(c.url) for c in calls] == ["https://api.crossref.org/works/10.1038/nature14539"]
    assert calls[0].headers["User-Agent"] == f"bibsync/{__version__} (mailto:lab@example.ac.uk)"
    assert list((settings.cache_dir / "http").rglob("*.json"))
    # a second run is served from the cache: a transport that fails on any request is never used
    again = parse("https://doi.org/10.1038/nature14539\n", settings, failing_transport())
    assert again == first


def test_not_found_is_reported_and_not_cached(settings):
    calls: list[httpx.Request] = []
    items = parse("10.1145/9999999.9999999\n10.1038/nature14539\n", settings, recorded_transport(ROUTES, calls))
    assert isinstance(items[0], Failure)
    assert items[0].message == "DOI 10.1145/9999999.9999999 not found at Crossref (HTTP 404)"
    assert items[0].line == 1 and isinstance(items[1], Entry)
    assert ResponseCache(settings.cache_dir).get(crossref_url("10.1145/9999999.9999999")) is None


def test_no_network_is_a_failure_per_doi_asked_once_and_cached_ones_still_come(settings):
    parse("10.1038/nature14539\n", settings, recorded_transport(ROUTES))  # now in the cache
    calls: list[str] = []

    def offline(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)
    items = parse("10.1145/3698038.3698515\n10.1038/nature14539\n10.1145/9999999.9999999\n", settings,
                  httpx.MockTransport(offline))
    assert [type(i).__name__ for i in items] == ["Failure", "Entry", "Failure"]
    assert items[0].message == ("DOI 10.1145/3698038.3698515 not looked up: cannot reach Crossref (api.crossref.org) "
                                "(network: ConnectError); are you offline?")
    assert "network connection" in items[0].hint and str(settings.cache_dir) in items[0].hint
    assert items[2].message.startswith("DOI 10.1145/9999999.9999999 not looked up: cannot reach Crossref")
    assert len(calls) == 1  # the host is down: the third DOI is not sent to wait for another timeout


def test_offline_option_uses_the_cache_only(settings):
    parse("10.1038/nature14539\n", settings, recorded_transport(ROUTES))
    offline = Settings(cache_dir=settings.cache_dir, offline=True)
    items = parse("10.1038/nature14539\n10.1145/3698038.3698515\n", offline, failing_transport())
    assert items[0].title == "Deep learning"
    assert items[1].message == ("DOI 10.1145/3698038.3698515 not looked up: not in the cache, and --offline asks "
                                "Crossref (api.crossref.org) nothing")


@pytest.mark.parametrize("text, why", [
    ("10.1145", "a DOI has a suffix after the '/'"),
    ("10.12/abc", "a DOI starts with 10. and a registrant code of 4 to 9 digits"),
    ("doi:10.x/abc", "a DOI starts with 10. and a registrant code of 4 to 9 digits"),
])
def test_malformed_dois_are_named_and_never_sent(settings, text, why):
    items = parse(f"{text}\n10.1038/nature14539\n", settings, recorded_transport(ROUTES))
    assert items[0].message.startswith(f"malformed DOI {text!r}: {why}") and items[0].line == 1
    assert items[1].title == "Deep learning"
    assert DoiSource().claims_argument(text)


def test_server_error_is_a_failure_for_that_doi(settings):
    transport = httpx.MockTransport(lambda request: httpx.Response(500, text="Internal Server Error"))
    items = parse("10.1038/nature14539\n", settings, transport)
    assert items[0].message == "Crossref answered HTTP 500 for DOI 10.1038/nature14539"


def test_command_line_doi_through_the_pipeline(settings):
    registry = Registry(load_entry_points=False)
    registry.register(DoiSource(transport=recorded_transport(ROUTES)))
    result = parse_sources(["https://doi.org/10.1145/3698038.3698515", "10.1145/9999999.9999999"],
                           settings=settings, registry=registry)
    assert [e.get("booktitle") for e in result.entries] == ["Proceedings of the 2024 ACM Symposium on Cloud Computing"]
    assert result.entries[0].type == "inproceedings"
    assert [f.where() for f in result.failures] == ["10.1145/9999999.9999999"]  # no line number for an argument


@pytest.mark.parametrize("text, doi", [
    ("10.1145/3698038.3698515", "10.1145/3698038.3698515"),
    ("doi:10.1038/nature14539", "10.1038/nature14539"),
    ("https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0",
     "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"),
    ("https://dx.doi.org/10.1101/2022.07.20.500902.", "10.1101/2022.07.20.500902"),
    ("nature14539", ""),
])
def test_doi_forms(text, doi):
    assert doi_from_text(text) == doi


def test_claims_and_sniff():
    source = DoiSource()
    assert source.claims_argument("10.1145/3698038.3698515") and source.claims_argument("doi:10.1038/nature14539")
    assert not source.claims_argument("10.48550/arXiv.2305.10601")  # the arxiv source takes these
    assert not source.claims_argument("refs.bib") and not source.claims_argument("2401.01234")
    assert source.sniff("# list\n10.1038/nature14539\nhttps://doi.org/10.1145/3698038.3698515\n")
    assert not source.sniff("10.1038/nature14539\nsome words\n")
    assert not source.sniff("")


def test_publisher_url_in_a_file_counts_as_doi(settings):
    items = parse("https://dl.acm.org/doi/10.1145/3698038.3698515\n", settings, recorded_transport(ROUTES))
    assert [e.get("doi") for e in items] == ["10.1145/3698038.3698515"]


def test_crossref_mapping_details():
    work = json.loads((RECORDED / "crossref-10.1101-2022.07.20.500902.json").read_text())["message"]
    preprint = entry_from_crossref(work)
    assert (preprint.type, preprint.get("howpublished"), preprint.year) == ("misc", "bioRxiv", "2022")
    assert preprint.authors[6] == Person("dos Santos Costa", "Allan")
    assert preprint.get("abstract").startswith("Artificial intelligence has the potential")  # no "Abstract" heading
    organisation = entry_from_crossref({"type": "report", "title": ["T"], "subtitle": ["A Subtitle"],
                                        "author": [{"name": "The ATLAS Collaboration", "sequence": "first"}]})
    assert organisation.authors == (Person("The ATLAS Collaboration", literal=True),)
    assert (organisation.type, organisation.title) == ("techreport", "T: A Subtitle")
    chapter = entry_from_crossref({"type": "book-chapter", "title": ["C"], "container-title": ["The Book"],
                                   "published-print": {"date-parts": [[2019, 3]]}, "issued": {"date-parts": [[2018]]}})
    assert (chapter.type, chapter.get("booktitle"), chapter.year, chapter.get("month")) == (
        "incollection", "The Book", "2019", "mar")
    assert entry_from_crossref({"type": "proceedings", "title": ["Proc"]}).type == "proceedings"
    thesis = entry_from_crossref({"type": "dissertation", "title": ["Th"], "institution": [{"name": "MIT"}]})
    assert (thesis.type, thesis.get("school")) == ("phdthesis", "MIT")


# --- the fetcher -----------------------------------------------------------------------

class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_rate_limit_spaces_requests_to_one_host(tmp_path):
    clock = FakeClock()
    settings = Settings(cache_dir=tmp_path, requests_per_second=4)
    ok = httpx.MockTransport(lambda request: httpx.Response(200, text="{}"))
    with Fetcher(settings, transport=ok, clock=clock.time, sleep=clock.sleep) as fetcher:
        fetcher.get("https://api.crossref.org/works/10.1/a")
        fetcher.get("https://api.crossref.org/works/10.1/b")
        fetcher.get("https://api.crossref.org/works/10.1/a")  # cached: no request, no wait
    assert clock.sleeps == [0.25]
    # a new fetcher (a later parse call, or another run) still keeps the spacing
    with Fetcher(settings, transport=ok, clock=clock.time, sleep=clock.sleep) as fetcher:
        fetcher.get("https://api.crossref.org/works/10.1/c")
    assert clock.sleeps == [0.25, 0.25]


def test_rate_limiter_never_waits_longer_than_its_interval(tmp_path):
    clock = FakeClock()
    stamp = tmp_path / "stamp"
    stamp.write_text(repr(clock.now + 3600))  # a stamp from the future (clock changed)
    RateLimiter(stamp, 0.5, clock=clock.time, sleep=clock.sleep).wait()
    assert clock.sleeps == [0.5]


def test_too_many_requests_waits_and_retries(tmp_path):
    clock = FakeClock()
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, text='{"ok": 1}')])
    transport = httpx.MockTransport(lambda request: next(answers))
    settings = Settings(cache_dir=tmp_path, requests_per_second=0)
    with Fetcher(settings, transport=transport, clock=clock.time, sleep=clock.sleep) as fetcher:
        response = fetcher.get("https://api.crossref.org/works/10.1/x")
    assert (response.status, response.text, clock.sleeps) == (200, '{"ok": 1}', [2.0])


def test_cache_files_are_plain_json(tmp_path):
    cache = ResponseCache(tmp_path)
    cache.put("https://example.org/a?b=1", "body text")
    stored = json.loads(cache.path_for("https://example.org/a?b=1").read_text())
    assert (stored["url"], stored["status"], stored["body"]) == ("https://example.org/a?b=1", 200, "body text")
    assert cache.get("https://example.org/a?b=1").from_cache
    cache.path_for("https://example.org/a?b=1").write_text("{broken")
    assert cache.get("https://example.org/a?b=1") is None
    assert user_agent("x@y.z") == f"bibsync/{__version__} (mailto:x@y.z)"


def test_unwritable_cache_still_works(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    ok = httpx.MockTransport(lambda request: httpx.Response(200, text="{}"))
    with Fetcher(Settings(cache_dir=Path(blocker), requests_per_second=0), transport=ok) as fetcher:
        assert fetcher.get("https://api.crossref.org/works/10.1/a").ok
