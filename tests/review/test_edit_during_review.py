"""An editor saves the .bib while the person answers: the review writes nothing, but the
answers are kept (as after Ctrl-C) and the next review applies them to the file as it is."""

from __future__ import annotations

import json

import pytest

from bibsync.errors import ConflictError
from bibsync.review.cases import Action
from bibsync.review.session import review_bib
from bibsync.review.walk import QueuedReviewer

TWICE = """@inproceedings{vaswani2017attention,
  title = {Attention is all you need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2017}
}

@inproceedings{vaswani2017attn,
  title = {Attention Is All You Need},
  author = {Vaswani, A. and Shazeer, N.},
  booktitle = {Advances in Neural Information Processing Systems},
  pages = {5998--6008},
  year = {2017}
}
"""


class EditingMeanwhile(QueuedReviewer):
    """Answers from its queue; while the person reads the screen, an editor saves the file."""

    def __init__(self, actions, bib) -> None:
        super().__init__(actions)
        self.bib = bib

    def choose(self, case, position, total):
        self.bib.write_text(self.bib.read_text() + "% a hand edit\n")
        return super().choose(case, position, total)


def test_answers_survive_a_file_saved_during_the_review(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(TWICE)
    with pytest.raises(ConflictError) as stopped:
        review_bib(bib, EditingMeanwhile([Action("merge")], bib))
    assert "changed on disk" in stopped.value.message and "bibsync review" in stopped.value.hint
    assert bib.read_text() == TWICE + "% a hand edit\n"  # nothing written over the edit
    saved = json.loads(bib.with_name("refs.bib.bibsync.json").read_text())["decisions"]
    assert saved and {d["decision"] for d in saved} == {"merge"}
    again = review_bib(bib, None)  # nobody asked: the remembered answer is applied
    assert again.removed == 1 and again.open_cases == []
    text = bib.read_text()
    assert text.count("@inproceedings{") == 1 and "  pages = {5998--6008},\n" in text
    assert "ids = {vaswani2017attn}" in text and text.endswith("% a hand edit\n")
