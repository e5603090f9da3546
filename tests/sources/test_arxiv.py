"""The arxiv source against recorded arXiv API (Atom) answers, never the network."""

from __future__ import annotations

import httpx
import pytest

from bibsync.config import Settings
from bibsync.model import Entry
from bibsync.pipeline import parse_sources
from bibsync.registry import Registry
from bibsync.sources import ParseContext
from bibsync.sources.arxiv import ARXIV_MIN_INTERVAL, ArxivSource, arxiv_id_from_text, arxiv_query_url, decode_tex
from bibsync.sources.http_cache import Fetcher
from source_golden import ARXIV_RECORDED as RECORDED
from source_golden import ARXIV_ROUTES as ROUTES
from source_golden import DATA, check_golden, recorded_transport



@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", contact_email="lab@example.ac.uk", requests_per_second=1000)


def parse(text: str, settings: Settings, transport: httpx.BaseTransport, name: str = "ids.txt"):
    return list(ArxivSource(transport=transport).parse(text, ParseContext(filename=name, settings=settings)))


def test_golden_one_batched_request(settings):
    calls: list[httpx.Request] = []
    case = DATA / "arxiv" / "ids.txt"
    check_golden(case, parse(case.read_text(), settings, recorded_transport(ROUTES, calls)))
    assert len(calls) == 1  # four ids, one request
    assert calls[0].url.host == "export.arxiv.org" and calls[0].url.params["max_results"] == "4"
    assert calls[0].headers["User-Agent"].endswith("(mailto:lab@example.ac.uk)")


def test_entry_fields(settings):
    [entry] = parse("arXiv:2305.10601v2", settings, recorded_transport(ROUTES), name="arXiv:2305.10601v2")
    assert entry.type == "misc"
    assert dict(entry.fields) | {"abstract": ""} == {
        "title": "Tree of Thoughts: Deliberate Problem Solving with Large Language Models",
        "year": "2023", "month": "may", "eprint": "2305.10601", "archiveprefix": "arXiv",
        "primaryclass": "cs.CL", "url": "https://arxiv.org/abs/2305.10601v2", "abstract": ""}
    assert [p.last for p in entry.authors][:2] == ["Yao", "Yu"] and entry.authors[4].first == "Thomas L."


def failing_transport() -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"the network was used for {request.url}")
    return httpx.MockTransport(handle)


def test_malformed_ids_are_named_and_never_sent(settings):
    items = parse("1234.12345\n1234.5678\n0612.0001\n2401.0123\ncs/9913001\n", settings, failing_transport())
    assert [i.message for i in items] == [
        "malformed arXiv id '1234.12345': month 34 does not exist (new-style ids are YYMM.NNNNN)",
        "malformed arXiv id '1234.5678': month 34 does not exist (new-style ids are YYMM.NNNNN)",
        "malformed arXiv id '0612.0001': new-style ids start in April 2007 (0704.NNNN)",
        "malformed arXiv id '2401.0123': ids of 2015 on have 5 digits after the dot",
        "malformed arXiv id 'cs/9913001': month 13 does not exist (old-style ids are archive/YYMMNNN)",
    ]
    assert [i.line for i in items] == [1, 2, 3, 4, 5]


def test_http_error_and_garbage_answers(tmp_path):
    # two cache folders: the second request would otherwise wait out arXiv's three seconds
    first, second = (Settings(cache_dir=tmp_path / name, requests_per_second=1000) for name in ("a", "b"))
    busy = httpx.MockTransport(lambda request: httpx.Response(500, text="oops"))
    assert parse("1706.03762", first, busy, name="1706.03762")[0].message == "arXiv answered HTTP 500 for 1706.03762"
    garbage = httpx.MockTransport(lambda request: httpx.Response(200, text="<html><body>maintenance"))
    assert "not Atom XML" in parse("1706.03762", second, garbage, name="1706.03762")[0].message


def test_no_network_is_a_failure_per_id(settings):
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)
    [item] = parse("1706.03762", settings, httpx.MockTransport(offline), name="1706.03762")
    assert item.message == ("arXiv id 1706.03762 not looked up: cannot reach arXiv (export.arxiv.org) "
                            "(network: ConnectError); are you offline?")
    assert item.hint


def test_arxiv_asks_for_three_seconds_between_requests(settings):
    with Fetcher(settings, min_interval=ARXIV_MIN_INTERVAL) as fetcher:
        assert fetcher.interval == 3.0


@pytest.mark.parametrize("text, found", [
    ("2401.01234", ("2401.01234", "")),
    ("arXiv:2401.01234v2", ("2401.01234", "v2")),
    ("ARXIV: 0704.0001", ("0704.0001", "")),
    ("cs/0601001", ("cs/0601001", "")),
    ("math.gt/0309136v3", ("math.GT/0309136", "v3")),
    ("https://arxiv.org/pdf/2305.10601v2.pdf", ("2305.10601", "v2")),
    ("https://doi.org/10.48550/arXiv.2305.10601", ("2305.10601", "")),
    ("10.1145/3698038.3698515", None),
    ("paper.bib", None),
    ("2401.1", None),
])
def test_id_forms(text, found):
    assert arxiv_id_from_text(text) == found


def test_claims_and_sniff():
    source = ArxivSource()
    assert source.claims_argument("arXiv:2401.01234v2") and source.claims_argument("10.48550/arXiv.2401.01234")
    assert not source.claims_argument("10.1038/nature14539")
    assert source.sniff("# to read\n2401.01234\ncs/0601001\n")
    assert not source.sniff("2401.01234\n10.1038/nature14539\n")


def test_command_line_id_through_the_pipeline(settings):
    registry = Registry(load_entry_points=False)
    registry.register(ArxivSource(transport=recorded_transport(ROUTES)))
    result = parse_sources(["https://arxiv.org/abs/2305.10601v2"], settings=settings, registry=registry)
    assert [(e.get("eprint"), e.origin.where()) for e in result.entries] == [
        ("2305.10601", "https://arxiv.org/abs/2305.10601v2")]


def test_decode_tex_keeps_percent_and_math():
    assert decode_tex("Schr\\\"odinger   cats\n  at 50% and $\\alpha$") == "Schrödinger cats at 50% and $\\alpha$"
    assert decode_tex("Plain  title") == "Plain title"


def test_entries_are_entries(settings):
    items = parse("1706.03762\nhep-th/9711200\n", settings, recorded_transport({
        arxiv_query_url(["1706.03762", "hep-th/9711200"]): (200, RECORDED / "arxiv-batch.xml")}))
    assert all(isinstance(i, Entry) for i in items)
    assert [i.get("eprint") for i in items] == ["1706.03762", "hep-th/9711200"]
