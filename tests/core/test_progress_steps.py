"""Progress on long work: look-ups, Zotero page fetches and uploads report (done, total); the
command line draws a bar on a terminal only, never in pipes or with --json."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from zotero_fixtures import GROUP, WRITE_KEY, open_target, socc_entries, sync_into

from bibsync.config import Settings
from bibsync.plan import make_plan
from bibsync.progress import progress_tasks
from bibsync.sources import ParseContext
from bibsync.sources.arxiv import ArxivSource
from bibsync.sources.doi import DoiSource, crossref_url
from bibsync.sources.http_cache import ResponseCache
from source_golden import ARXIV_ROUTES, DATA, recorded_transport
from source_golden import CROSSREF_ROUTES as DOI_ROUTES
from locations import SAMPLES

FOUND = ["10.1038/nature14539", "10.1145/3698038.3698515", "10.1101/2022.07.20.500902"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_step_draws_only_on_a_terminal_and_only_for_several_items():
    terminal = FakeTerminal()
    with progress_tasks(stream=terminal) as tasks:
        one = tasks.callback("looking up")
        one(0, 1)
        one(1, 1)
        assert terminal.getvalue() == ""  # one item: no bar
        many = tasks.callback("writing to group:1")
        many(0, 120)
        many(50, 120)
        assert "writing to group:1" in terminal.getvalue()
        many(120, 120)  # done: the bar is taken down before anything else prints
        assert tasks._bar is None
    with progress_tasks(stream=io.StringIO()) as tasks:
        assert tasks.callback("looking up") is None
    with progress_tasks(stream=FakeTerminal(), enabled=False) as tasks:  # --json
        assert tasks.callback("looking up") is None


def test_doi_look_ups_report_each_answer(tmp_path):
    seen: list[tuple[int, int]] = []
    settings = Settings(cache_dir=tmp_path, requests_per_second=1000)
    context = ParseContext(filename="dois.txt", settings=settings, progress=lambda d, t: seen.append((d, t)))
    items = list(DoiSource(transport=recorded_transport(DOI_ROUTES)).parse(
        (DATA / "doi" / "dois.txt").read_text(), context))
    # Four DOIs are looked up; a line that is no DOI and an arXiv DOI are reported without one.
    assert len(items) == 6 and seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_arxiv_look_ups_report_each_batch(tmp_path):
    seen: list[tuple[int, int]] = []
    settings = Settings(cache_dir=tmp_path, requests_per_second=1000)
    context = ParseContext(filename="ids.txt", settings=settings, progress=lambda d, t: seen.append((d, t)))
    list(ArxivSource(transport=recorded_transport(ARXIV_ROUTES)).parse((DATA / "arxiv" / "ids.txt").read_text(),
                                                                         context))
    assert seen == [(0, 4), (4, 4)]


def test_zotero_uploads_and_page_fetches_report_progress(zotero_server, tmp_path):
    writes: list[tuple[int, int]] = []
    target = open_target(zotero_server, tmp_path / "a", write_progress=lambda d, t: writes.append((d, t)))
    target.apply(make_plan(list(socc_entries()), target.load()))
    target.close()
    assert writes == [(50, 63), (63, 63)]  # two batches of at most 50
    for n in range(140):  # more than one page of 100
        zotero_server.put_item("group:4711", {"itemType": "book", "title": f"Book {n}", "creators": []})
    reads: list[tuple[int, int]] = []
    fresh = open_target(zotero_server, tmp_path / "b", read_progress=lambda d, t: reads.append((d, t)))
    assert len(fresh.load()) == 203
    fresh.close()
    assert reads == [(100, 203), (200, 203), (203, 203)]


pexpect = pytest.importorskip("pexpect")


def _spawn(command: str, tmp_path: Path, **extra_env: str) -> str:
    """Run a shell command in a pseudo-terminal; return everything the terminal received."""
    env = {"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
           "HOME": str(tmp_path), "BIBSYNC_CACHE_DIR": str(tmp_path / "cache"), "PYTHONUTF8": "1",
           "PYTHONPATH": os.environ.get("PYTHONPATH", ""), **extra_env}
    child = pexpect.spawn("/bin/sh", ["-c", command], env=env, encoding="utf-8", dimensions=(30, 100), timeout=60,
                          cwd=str(tmp_path))
    child.expect(pexpect.EOF)
    child.close()
    return child.before


@pytest.fixture
def cached_dois(tmp_path) -> Path:
    """A DOI list whose answers are in the cache (no network), with more DOIs than one."""
    cache = ResponseCache(tmp_path / "cache")
    for doi in FOUND:
        status, body = DOI_ROUTES[crossref_url(doi)]
        cache.put(crossref_url(doi), body.read_text(encoding="utf-8"), status)
    listing = tmp_path / "dois.txt"
    listing.write_text("\n".join(FOUND) + "\n")
    (tmp_path / ".git").mkdir()
    return listing


def test_a_terminal_shows_the_bar_a_pipe_and_json_do_not(cached_dois, tmp_path):
    bibsync = f"{sys.executable} -m bibsync"
    shown = _spawn(f"{bibsync} parse {cached_dois} -o out.bib", tmp_path)
    assert "looking up" in shown and "/3" in shown
    assert "wrote 3 entries to out.bib" in shown
    piped = _spawn(f"{bibsync} parse {cached_dois} 2>&1 | cat", tmp_path)
    assert "looking up" not in piped and "@article{lecun2015deep," in piped
    as_json = _spawn(f"{bibsync} sync {cached_dois} --into x.bib --json --yes", tmp_path)
    assert "looking up" not in as_json and '"add": 3' in as_json


ESCAPE = "\x1b["


def test_sync_and_pull_draw_no_bar_into_a_pipe_or_a_file(cached_dois, tmp_path, zotero_server):
    bibsync = f"{sys.executable} -m bibsync"
    piped = _spawn(f"{bibsync} sync {cached_dois} --into p.bib --yes --offline 2>&1 | cat -v", tmp_path)
    assert "wrote p.bib: 3 added" in piped
    assert "looking up" not in piped and "^[[" not in piped  # cat -v shows an escape code as ^[[

    zotero = {"ZOTERO_API_KEY": WRITE_KEY, "BIBSYNC_ZOTERO_ENDPOINT": zotero_server.endpoint}
    listing = SAMPLES / "acm-toc-socc24.txt"
    shown = _spawn(f"{bibsync} sync {listing} --zotero group:{GROUP} --yes 2>err.txt", tmp_path, **zotero)
    log = (tmp_path / "err.txt").read_text()
    assert "wrote Zotero group:4711: 63 added" in log
    assert "writing to" not in log and ESCAPE not in log  # the uploads drew no bar into the file
    assert "writing to" not in shown
    pulled = _spawn(f"{bibsync} pull --zotero group:{GROUP} --into g.bib 2>&1 | cat -v", tmp_path, **zotero)
    assert "pulled 63 items" in pulled and "reading" not in pulled and "^[[" not in pulled
