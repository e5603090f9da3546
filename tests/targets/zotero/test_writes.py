"""A Zotero write changes exactly what the plan shows, in Zotero's conventions (issue 11, problem 4).

Every item's JSON is read from the test server before and after an update, over real HTTP
with the real pyzotero client (tests/zotero_fixtures.py), and compared field by field with
the plan: an item the plan does not name is untouched; an updated item changes in exactly
the Zotero fields its field changes name, with the values Zotero
would store (pages with a hyphen, the year as ``date``); Extra keeps every line it had, in
place. Items are shaped as Zotero makes them: every field of the type present (empty ones
as ""), tags with types, relations, user lines and a Better BibTeX key line in Extra.
"""

from __future__ import annotations

import pytest
from zotero_fixtures import GROUP, make_server, open_target, socc_entries

from bibsync.model import Entry, Person
from bibsync.plan import make_plan

SPEC = f"group:{GROUP}"
CUBICLE = "CubicleOS: A Library OS with Software Componentisation for Practical Isolation"
CROSSBOW = "Crossbow: Scaling Deep Learning with Small Batch Sizes on Multi-GPU Servers"
PEOPLE = (Person("Sartakov", "Vasily A."), Person("Vilanova", "Lluís"), Person("Pietzuch", "Peter"))


@pytest.fixture(params=[True, False], ids=["citationKey-field", "key-in-extra"])
def server(request):
    server = make_server(citation_key_field=request.param)
    yield server
    server.stop()


def made_in_zotero(server) -> dict[str, str]:
    """Two items as a person made them in Zotero (with Better BibTeX): returns title -> item key."""
    cubicle = server.put_item(SPEC, {
        "itemType": "conferencePaper", "title": CUBICLE, "date": "2021-04", "pages": "546-558",
        "proceedingsTitle": "Proceedings of the 26th ACM International Conference on Architectural Support "
                            "for Programming Languages and Operating Systems",
        "creators": [{"creatorType": "author", "firstName": p.first, "lastName": p.last} for p in PEOPLE],
        "extra": "Citation Key: sartakov2021cubicleos",  # the only line: an update once left Extra empty
        "libraryCatalog": "ACM Digital Library", "accessDate": "2024-03-01T10:00:00Z",
    })
    crossbow = server.put_item(SPEC, {
        "itemType": "journalArticle", "title": CROSSBOW, "date": "July 2019", "pages": "1399–1412",
        "publicationTitle": "Proceedings of the VLDB Endowment", "issue": "11",
        "creators": [{"creatorType": "author", "firstName": "Alexandros", "lastName": "Koliousis"},
                     {"creatorType": "author", "firstName": "Peter", "lastName": "Pietzuch"},
                     {"creatorType": "contributor", "name": "LSDS group"}],
        "extra": "PMID: 31234567\n\nOriginal Date: 2018\ntex.howpublished:  print",
        "tags": [{"tag": "deep learning", "type": 1}, {"tag": "to read"}],
        "relations": {"dc:relation": ["http://zotero.org/groups/4711/items/ABCD2345"]},
    })
    return {CUBICLE: cubicle, CROSSBOW: crossbow}


def incoming() -> list[Entry]:
    """A listing that completes both items, and two new entries."""
    return [
        Entry("inproceedings", {"title": CUBICLE, "booktitle": "ASPLOS '21", "year": "2021", "pages": "546--558",
                                "publisher": "ACM", "abstract": "Library OSs componentised, isolated in practice."},
              PEOPLE),
        Entry("article", {"title": CROSSBOW, "journal": "Proc. VLDB Endow.", "year": "2019", "volume": "12",
                          "pages": "1399--1412", "note": "Extended version"},
              (Person("Koliousis", "Alexandros"), Person("Pietzuch", "Peter"))),
        Entry("article", {"title": "Time, Clocks, and the Ordering of Events in a Distributed System",
                          "journal": "Communications of the ACM", "year": "1978", "pages": "558--565"},
              (Person("Lamport", "Leslie"),), authors_truncated=True, key="lamport1978time"),
        Entry("inproceedings", {"title": "Holistic Configuration Management at Facebook", "year": "2015",
                                "booktitle": "SOSP", "pages": "328--343"}, (Person("Tang", "Chunqiang"),),
              key="tang2015holistic"),
    ]


# Where Zotero keeps each canonical field these items can change (zotero-schema; Extra for the
# fields its types lack, as Better BibTeX's tex. lines). Written out here, not taken from bibsync.
ZOTERO_FIELD = {
    ("conferencePaper", "publisher"): "publisher", ("conferencePaper", "abstract"): "abstractNote",
    ("conferencePaper", "pages"): "pages", ("conferencePaper", "booktitle"): "proceedingsTitle",
    ("journalArticle", "volume"): "volume", ("journalArticle", "note"): "extra",
    ("journalArticle", "number"): "issue", ("journalArticle", "journal"): "publicationTitle",
}


def json_field(name: str, item_type: str) -> str:
    """The JSON key of an item that holds a canonical field (a KeyError for one this test does not know)."""
    return ZOTERO_FIELD[(item_type, name)]


def changed(before: dict, after: dict) -> set[str]:
    """The JSON keys whose values differ (the server's own version bookkeeping aside)."""
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)} - {"version", "dateModified"}


def test_every_item_changes_exactly_as_the_plan_shows(server, tmp_path):
    seed = open_target(server, tmp_path / "seed")
    seed.apply(make_plan(list(socc_entries()[:6]), seed.load()))  # items bibsync added earlier
    seed.close()
    keys = made_in_zotero(server)
    before = {d["key"]: d for d in server.items(SPEC)}

    target = open_target(server, tmp_path / "sync", collection="Reading")
    plan = make_plan(incoming() + list(socc_entries()[:6]), target.load())
    items = target.item_data()
    report = target.apply(plan)
    target.close()
    assert (report.updated, report.added, report.failed) == (2, 2, [])
    assert plan.counts() == {"add": 2, "update": 2, "same": 6, "review": 0}
    after = {d["key"]: d for d in server.items(SPEC)}

    updated = {items[c.target_index]["key"]: c for c in plan.by_kind("update")}
    assert set(updated) == set(keys.values())
    for key, data in before.items():
        change = updated.get(key)
        if change is None:
            assert after[key] == data, f"{key} is not in the plan but changed: {changed(data, after[key])}"
            continue
        expected = {json_field(fc.name, data["itemType"]) for fc in change.field_changes}
        assert changed(data, after[key]) == expected, change.field_changes
        old_lines = data["extra"].split("\n") if data["extra"] else []
        assert after[key]["extra"].split("\n")[:len(old_lines)] == old_lines  # every line kept, in place

    cubicle, crossbow = after[keys[CUBICLE]], after[keys[CROSSBOW]]
    # the plan: publisher and abstract; pages stay as Zotero stores them, the key line stays in Extra
    assert [fc.name for fc in updated[keys[CUBICLE]].field_changes] == ["publisher", "abstract"]
    assert (cubicle["publisher"], cubicle["abstractNote"]) == ("ACM", "Library OSs componentised, isolated in practice.")
    assert (cubicle["pages"], cubicle["extra"]) == ("546-558", "Citation Key: sartakov2021cubicleos")
    assert cubicle.get("citationKey", "") == ""  # not moved out of Extra
    # volume and a note (no Zotero field: its tex. line is added after the user's lines)
    assert [fc.name for fc in updated[keys[CROSSBOW]].field_changes] == ["volume", "note"]
    assert crossbow["volume"] == "12" and crossbow["pages"] == "1399–1412"
    assert crossbow["extra"] == "PMID: 31234567\n\nOriginal Date: 2018\ntex.howpublished:  print\ntex.note: Extended version"
    assert crossbow["tags"] == [{"tag": "deep learning", "type": 1}, {"tag": "to read"}]
    assert crossbow["creators"][-1] == {"creatorType": "contributor", "name": "LSDS group"}

    new = {k: d for k, d in after.items() if k not in before}
    assert len(new) == 2
    for data in new.values():
        assert "--" not in data["pages"] and "-" in data["pages"]  # 558-565, 328-343
        assert "tex." not in data["extra"]  # nothing Zotero has a field for, no "and others" line
        assert [server.library(SPEC).collections[c]["data"]["name"] for c in data["collections"]] == ["Reading"]


def test_a_second_identical_run_writes_nothing(server, tmp_path):
    made_in_zotero(server)
    target = open_target(server, tmp_path)
    target.apply(make_plan(incoming(), target.load()))
    target.close()
    server.reset_log()
    again = open_target(server, tmp_path)
    plan = make_plan(incoming(), again.load())
    again.apply(plan)
    again.close()
    assert plan.counts() == {"add": 0, "update": 0, "same": 4, "review": 0}
    assert server.requests(writes=True) == []


def test_a_published_version_merged_in_review_turns_the_preprint_item_into_a_conference_paper(tmp_path):
    from bibsync.review.cases import Action
    from bibsync.review.decisions import store_for
    from bibsync.review.session import review_target
    from bibsync.review.walk import QueuedReviewer
    from bibsync.sync import run_sync

    server = make_server()
    try:
        key = server.put_item(SPEC, {
            "itemType": "preprint", "title": "MSRL: Distributed Reinforcement Learning with Dataflow Fragments",
            "date": "2022-10-03", "repository": "arXiv", "archiveID": "arXiv:2210.00882",
            "creators": [{"creatorType": "author", "firstName": "Huanzhou", "lastName": "Zhu"},
                         {"creatorType": "author", "firstName": "Peter", "lastName": "Pietzuch"}],
            "citationKey": "zhu2022msrl", "extra": "Read for the related-work chapter",
            "url": "https://arxiv.org/abs/2210.00882"})
        published = Entry("inproceedings", {
            "title": "MSRL: Distributed Reinforcement Learning with Dataflow Fragments", "year": "2023",
            "booktitle": "USENIX ATC 23", "pages": "977--993"},
            (Person("Zhu", "Huanzhou"), Person("Pietzuch", "Peter")))
        target = open_target(server, tmp_path)
        assert run_sync(None, target, incoming=[published]).exit_code == 3  # never merged blindly
        target.close()
        target = open_target(server, tmp_path)
        report = review_target(target, store_for(target), QueuedReviewer([Action("merge", 0)]))
        target.close()
        assert (report.merged, report.open_cases) == (1, [])
        item = next(d for d in server.items(SPEC) if d["key"] == key)
        assert item["itemType"] == "conferencePaper" and "repository" not in item and "archiveID" not in item
        assert (item["proceedingsTitle"], item["date"], item["pages"], item["citationKey"]) == (
            "USENIX ATC 23", "2023", "977-993", "zhu2022msrl")
        assert item["extra"] == "Read for the related-work chapter\ntex.archiveprefix: arXiv\ntex.eprint: 2210.00882"
        assert item["url"] == "https://arxiv.org/abs/2210.00882"  # a field both types have: kept
    finally:
        server.stop()
