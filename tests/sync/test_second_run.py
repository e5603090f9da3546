"""A second identical sync does nothing and exits 0: incoming entries that are one work are
treated alike whether or not the target already has that work (bibsync.plan, ``same_work``).

Data: ``uio-acm.bib`` is a paper as parsed from its ACM listing, ``uio-thesis.bib`` the same
paper as a thesis cites it; ``tests/data/dedupe/theses.bib`` mixes three exporters.
"""

from __future__ import annotations

import pytest
from zotero_fixtures import *  # noqa: F401,F403 - fixtures

from bibsync.model import Entry, Person
from bibsync.plan import make_plan
from bibsync.sync import run_sync
from bibsync.targets.bibfile.target import BibFileTarget
from locations import DATA

UIO = [str(DATA / "sync" / "uio-acm.bib"), str(DATA / "sync" / "uio-thesis.bib")]
THESES = str(DATA / "dedupe" / "theses.bib")


def test_one_work_from_two_sources_synced_twice_is_same_the_second_time(tmp_path) -> None:
    bib = tmp_path / "e.bib"
    bib.write_text("")
    first = run_sync(UIO, BibFileTarget(bib))
    assert (first.plan.counts(), first.plan.merged, first.exit_code) == (
        {"add": 1, "update": 0, "same": 0, "review": 0}, [(0, 1)], 0)
    written = bib.read_bytes()
    second = run_sync(UIO, BibFileTarget(bib))
    assert second.plan.counts() == {"add": 0, "update": 0, "same": 2, "review": 0}
    assert [c.target_key for c in second.plan.changes] == ["misono2024uio", "misono2024uio"]
    assert "the same work as incoming entry 1" in second.plan.changes[1].explanation
    assert (second.exit_code, second.pending) == (0, 0)
    assert bib.read_bytes() == written


def test_a_bibliography_with_duplicates_synced_twice_into_a_bib_is_same_throughout(tmp_path) -> None:
    bib = tmp_path / "t.bib"
    bib.write_text("")
    assert run_sync([THESES], BibFileTarget(bib)).exit_code == 0
    written = bib.read_bytes()
    second = run_sync([THESES], BibFileTarget(bib))
    counts = second.plan.counts()
    assert (counts["add"], counts["update"], counts["review"], second.exit_code) == (0, 0, 0, 0)
    assert bib.read_bytes() == written


def test_a_bibliography_with_duplicates_synced_twice_into_zotero_is_same_throughout(tmp_path) -> None:
    server = make_server()  # noqa: F405
    try:
        target = open_target(server, tmp_path)  # noqa: F405
        assert run_sync([THESES], target).exit_code == 0
        target.close()
        items = len(server.items(f"group:{GROUP}"))  # noqa: F405
        target = open_target(server, tmp_path)  # noqa: F405
        second = run_sync([THESES], target)
        target.close()
        counts = second.plan.counts()
        assert (counts["add"], counts["update"], counts["review"], second.exit_code) == (0, 0, 0, 0)
        assert len(server.items(f"group:{GROUP}")) == items
    finally:
        server.stop()


def test_two_different_works_that_both_look_like_one_target_entry_still_go_to_review() -> None:
    title = "Faasm: Lightweight Isolation for Efficient Stateful Serverless Computing"
    people = (Person("Shillaker", "Simon"), Person("Pietzuch", "Peter"))

    def faasm(**fields: str) -> Entry:
        return Entry("inproceedings", {"title": title, "booktitle": "USENIX ATC", "year": "2020", **fields}, people)

    # the target lacks a DOI: each incoming entry alone is a match; their DOIs say two works
    plan = make_plan([faasm(doi="10.5555/3489146.1", pages="1--2"), faasm(doi="10.5555/3489146.2")], [faasm().with_key("k")])
    assert [c.kind for c in plan.changes] == ["update", "review"]
    assert "k is already matched by incoming entry 1" in plan.changes[1].explanation


CROSSBOW_COPIES = """@article{crossbowA,
  author    = {Koliousis, Alexandros and Watcharapichat, Pijika and Weidlich, Matthias and Pietzuch, Peter},
  title     = {Crossbow: Scaling Deep Learning with Small Batch Sizes on Multi-{GPU} Servers},
  journal   = {Proceedings of the VLDB Endowment},
  volume    = {12},
  year      = {2019},
}

@article{crossbowB,
  title     = {Crossbow: Scaling Deep Learning with Small Batch Sizes on Multi-GPU Servers},
  journal   = {Proc. VLDB Endow.},
  number    = {11},
  pages     = {1399--1412},
  year      = {2019},
}
"""


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["filling-entry-first", "filling-entry-last"])
def test_a_candidate_another_change_writes_is_compared_as_it_will_be(tmp_path, order) -> None:
    """Two copies of one paper in the target (one lost its authors, as a damaged file can).
    The first incoming entry fills pages 88--114 into copy A; the second, with pages
    1399--1412, is then another work than A as the plan leaves it, and is copy B: planned so
    in the first run, as the second run would plan it on the written file (which then writes
    nothing), whichever comes first in the listing. Before, the first run held it for review
    and the second filled B."""
    bib = tmp_path / "t.bib"
    bib.write_text(CROSSBOW_COPIES)
    people = tuple(Person(last, first) for last, first in (
        ("Koliousis", "Alexandros"), ("Watcharapichat", "Pijika"), ("Weidlich", "Matthias"), ("Pietzuch", "Peter")))
    title = "Crossbow: Scaling Deep Learning with Small Batch Sizes on Multi-GPU Servers"
    incoming = [
        Entry("article", {"title": title, "journal": "Proceedings of the VLDB Endowment", "volume": "12",
                          "pages": "88--114", "year": "2019"}, people),
        Entry("article", {"title": title, "journal": "Proc. VLDB Endow.", "pages": "1399--1412", "year": "2019"},
              people),
    ]
    incoming = [incoming[i] for i in order]
    first = run_sync(None, BibFileTarget(bib), incoming=incoming, decisions=None)
    planned = [(c.kind, c.target_key, tuple(f.name for f in c.field_changes)) for c in first.plan.changes]
    assert planned == [[("update", "crossbowA", ("pages",)), ("update", "crossbowB", ("author",))][i] for i in order]
    written = bib.read_bytes()
    second = run_sync(None, BibFileTarget(bib), incoming=incoming, decisions=None)
    assert [(c.kind, c.target_key) for c in second.plan.changes] == [[("same", "crossbowA"), ("same", "crossbowB")][i]
                                                                     for i in order]
    assert bib.read_bytes() == written


VERSIONS = """@article{smith2020journal,
  author = {Smith, John and Doe, Jane},
  title = {Learning to Rank Gardening Robots at Scale},
  journal = {Journal of Robots},
  year = {2020},
}

@inproceedings{smith2020conf,
  author = {Smith, J. and Doe, J.},
  title = {Learning to rank gardening robots at scale},
  booktitle = {Proc. RoboConf},
  pages = {1--10},
  year = {2020},
}
"""


def test_incoming_versions_the_target_keeps_apart_each_complete_their_own_entry(tmp_path) -> None:
    """The conference and journal versions of a paper, both in the target as entries of their
    own and both incoming: each completes its own entry. Merged as incoming duplicates (as
    before), the journal's pages were dropped, and the next run, finding the conference
    version identical, wrote them into the journal entry then (fuzzer seed 5)."""
    bib = tmp_path / "t.bib"
    bib.write_text(VERSIONS)
    people = (Person("Smith", "John"), Person("Doe", "Jane"))
    title = "Learning to Rank Gardening Robots at Scale"
    incoming = [
        Entry("inproceedings", {"title": title, "booktitle": "Proc. RoboConf", "pages": "1--10", "year": "2020",
                                "note": "Extended version"}, people),
        Entry("article", {"title": title, "journal": "Journal of Robots", "pages": "45--184", "year": "2020"}, people),
    ]
    first = run_sync(None, BibFileTarget(bib), incoming=incoming, decisions=None)
    assert first.plan.merged == []
    assert [(c.kind, c.target_key, tuple(f.name for f in c.field_changes)) for c in first.plan.changes] == [
        ("update", "smith2020conf", ("note",)), ("update", "smith2020journal", ("pages",))]
    written = bib.read_bytes()
    second = run_sync(None, BibFileTarget(bib), incoming=incoming, decisions=None)
    assert [c.kind for c in second.plan.changes] == ["same", "same"]
    assert bib.read_bytes() == written
