"""Golden-file checks shared by the source tests: ``<case>.<ext>`` + ``<case>.expected.bib``.

The expected file is the parse result written as ``bibsync parse`` writes it by default (the
canonical style, BibTeX in ASCII with LaTeX escapes; keys generated where a source gives
none), followed by one ``% severity: where: message`` line per failure.
Golden files are written once, checked by hand, and committed: a missing one fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import httpx
import pytest

from bibsync.bibtex.write import default_style, format_entries
from bibsync.keys import DEFAULT_PATTERN, assign_keys
from bibsync.model import Entry, Failure
from bibsync.sources.arxiv import arxiv_query_url
from bibsync.sources.doi import crossref_url
from locations import DATA

# Recorded answers of the arXiv API and of Crossref, by the URL each answers.
ARXIV_RECORDED = DATA / "arxiv" / "recorded"
ARXIV_ROUTES = {
    arxiv_query_url(["1706.03762", "2305.10601v2", "hep-th/9711200", "2401.99999"]): (200, ARXIV_RECORDED / "arxiv-batch.xml"),
    arxiv_query_url(["2305.10601v2"]): (200, ARXIV_RECORDED / "arxiv-2305.10601v2.xml"),
    arxiv_query_url(["1234.12345"]): (200, ARXIV_RECORDED / "arxiv-error.xml"),
}
CROSSREF_RECORDED = DATA / "doi" / "recorded"
CROSSREF_ROUTES = {
    crossref_url("10.1038/nature14539"): (200, CROSSREF_RECORDED / "crossref-10.1038-nature14539.json"),
    crossref_url("10.1145/3698038.3698515"): (200, CROSSREF_RECORDED / "crossref-10.1145-3698038.3698515.json"),
    crossref_url("10.1101/2022.07.20.500902"): (200, CROSSREF_RECORDED / "crossref-10.1101-2022.07.20.500902.json"),
    crossref_url("10.1145/9999999.9999999"): (404, CROSSREF_RECORDED / "crossref-404.txt"),
}


def render(items: Iterable[Entry | Failure]) -> str:
    """Write entries (existing keys kept) and then the failures as comment lines."""
    items = list(items)
    entries = assign_keys([i for i in items if isinstance(i, Entry)], DEFAULT_PATTERN, keep_existing=True)
    text = format_entries(entries, default_style())
    for failure in (i for i in items if isinstance(i, Failure)):
        text += f"% {failure.severity}: {failure.where()}: {failure.message}\n"
    return text


def check_golden(case: Path, items: Iterable[Entry | Failure]) -> None:
    """Compare the rendered ``items`` with ``<case>.expected.bib`` next to ``case``."""
    expected = case.with_name(case.name.split(".")[0] + ".expected.bib")
    if not expected.exists():
        pytest.fail(f"missing golden file {expected}: write it by hand (see tests/source_golden.py)")
    assert render(items) == expected.read_text(encoding="utf-8")


def cases(source_dir: str, *suffixes: str) -> list[Path]:
    """The input files of one source's golden cases (every file that is not a golden file)."""
    folder = DATA / source_dir
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.endswith(".expected.bib") and p.name.endswith(suffixes))


def recorded_transport(routes: dict[str, tuple[int, Path]], calls: list[httpx.Request] | None = None) -> httpx.MockTransport:
    """An httpx transport answering each known URL with a recorded body; any other URL is a 599.

    ``calls`` (if given) collects every request that reached the transport.
    """
    def handle(request: httpx.Request) -> httpx.Response:
        if calls is not None:
            calls.append(request)
        status, body = routes.get(str(request.url), (599, None))
        if body is None:
            return httpx.Response(599, text=f"no recorded response for {request.url}")
        kind = "application/json" if body.suffix == ".json" else "application/atom+xml" if body.suffix == ".xml" else "text/plain"
        return httpx.Response(status, content=body.read_bytes(), headers={"Content-Type": kind})

    return httpx.MockTransport(handle)


def assert_parse_matches_golden(path: Path, exit_code: int = 0) -> None:
    """``bibsync parse PATH`` prints exactly ``<case>.expected.bib`` and exits with ``exit_code``."""
    from typer.testing import CliRunner

    from bibsync.cli import app

    expected = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.bib")
    assert expected.exists(), f"golden file {expected} is missing (write it once, check it by hand)"
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.stdout == expected.read_text(encoding="utf-8")
    assert result.exit_code == exit_code
    assert "Traceback" not in result.stderr
