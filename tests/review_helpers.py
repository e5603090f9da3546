"""Shared by the review tests: the MSRL entries (a published paper, its preprint, an artefact),
a reviewer interrupted by Ctrl-C, and a .bib whose last sync left review cases pending
(tests/data/review)."""

from __future__ import annotations

import json
from pathlib import Path

from bibsync.match import Candidate
from bibsync.model import Entry, Person
from bibsync.plan import Change
from bibsync.review.decisions import DecisionStore
from bibsync.review.walk import QueuedReviewer
from locations import DATA

REVIEW = DATA / "review"

ZHU, PIETZUCH = Person("Zhu", "Huanzhou"), Person("Pietzuch", "Peter")
# The target: a published paper, an unrelated paper, and a software artefact.
PAPER = Entry("inproceedings", {"title": "MSRL: Distributed Reinforcement Learning with Dataflow Fragments",
                                "booktitle": "USENIX ATC", "year": "2023"}, (ZHU, PIETZUCH), key="zhu2023msrl")
OTHER = Entry("article", {"title": "Dataflow Fragments for Learning", "journal": "JMLR", "year": "2021"},
              (Person("Smith", "Ann"),), key="smith2021dataflow")
ARTEFACT = Entry("software", {"title": "MSRL", "url": "https://github.com/x/msrl", "year": "2023"}, (ZHU,),
                 key="zhu2023software")
TARGETS = [PAPER, OTHER, ARTEFACT]

# Incoming: the preprint of PAPER, and a paper like OTHER that is not OTHER.
PREPRINT = Entry("article", {"title": "MSRL: Distributed Reinforcement Learning with Dataflow Fragments",
                             "journal": "arXiv", "year": "2022", "pages": "1--14", "doi": "10.48550/arXiv.2210.00882"},
                 (ZHU, PIETZUCH), key="zhu2022msrl")
LOOKALIKE = Entry("article", {"title": "Dataflow Fragments for Learning Systems", "year": "2021"},
                  (Person("Smith", "Bob"),), key="smith2021dataflowa")


class Interrupting(QueuedReviewer):
    """Answers from its queue, then acts as if Ctrl-C was pressed."""

    def choose(self, case, position, total):
        if not self.actions:
            raise KeyboardInterrupt
        return super().choose(case, position, total)


# The incoming entries of the cases pending in tests/data/review/thesis.bib.
PENDING_PREPRINT = Entry("article", {"title": "MSRL: Distributed Reinforcement Learning with Dataflow Fragments",
                                     "journal": "arXiv", "year": "2022", "doi": "10.48550/arXiv.2210.00882",
                                     "eprint": "2210.00882"},
                         (Person("Zhu", "Huanzhou"), Person("Zhao", "Bo"), PIETZUCH), key="zhu2022msrl")
PENDING_LOOKALIKE = Entry("article", {"title": "Dataflow Fragments for Learning Systems", "journal": "JMLR",
                                      "year": "2021"},
                          (Person("Smith", "Bob"),), key="smith2021dataflowa")


def leave_pending(bib: Path) -> None:
    """What a sync that ended with exit code 3 leaves in the decision file."""
    store = DecisionStore.for_bib(bib)
    store.set_pending([
        Change("review", PENDING_PREPRINT, key="zhu2022msrl", target_index=0, target_key="zhu2023msrl", score=0.8,
               explanation="title 1.00 · year ≠ -> 0.80", candidates=(Candidate(0, 0.8, {}, "title 1.00 · year ≠"),)),
        Change("review", PENDING_LOOKALIKE, key="smith2021dataflowa", target_index=3, target_key="smith2021dataflow",
               score=0.74, explanation="title 0.89", candidates=(Candidate(2, 0.74, {}, "title 0.89"),)),
    ])
    store.save()


def decisions(bib: Path) -> dict:
    """The decision file of ``bib``, read."""
    return json.loads((bib.parent / (bib.name + ".bibsync.json")).read_text())


def triples(bib: Path) -> list[tuple]:
    """The remembered decisions as (entry, candidate, decision)."""
    return [(d["entry"], d["candidate"], d["decision"]) for d in decisions(bib)["decisions"]]
