"""What the review says: the merge screen names the key kept, a merge into the published version
takes its title (braces and all), and the review counts what `bibsync dedupe` counts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.match import DuplicateGroup
from bibsync.model import Entry, Person
from bibsync.review.merge import default_choices, merge_entries
from review_helpers import REVIEW

KEYS = {"BIBSYNC_INTERACTIVE": "1", "COLUMNS": "150", "NO_COLOR": "1"}
AUTHORS = (Person("Devlin", "Jacob"), Person("Chang", "Ming-Wei"), Person("Lee", "Kenton"),
           Person("Toutanova", "Kristina"))
PREPRINT = Entry("article", {"title": "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
                             "journal": "arXiv preprint arXiv:1810.04805", "year": "2018"}, AUTHORS,
                 key="devlin2018bert")
PUBLISHED = Entry("inproceedings", {"title": "{BERT}: Pre-training of Deep Bidirectional Transformers for Language "
                                             "Understanding", "booktitle": "Proceedings of NAACL-HLT",
                                    "pages": "4171--4186", "year": "2019", "doi": "10.18653/v1/N19-1423"},
                  AUTHORS, key="devlin2019bert")
PAIR = """\
@article{vaswani2017attention,
  author = {Vaswani, Ashish and Shazeer, Noam},
  title = {Attention Is All You Need},
  journal = {arXiv preprint arXiv:1706.03762},
  year = {2017},
}

@inproceedings{vaswani2017attn,
  author = {Vaswani, Ashish and Shazeer, Noam},
  title = {{Attention} is All you Need},
  booktitle = {Advances in Neural Information Processing Systems},
  pages = {5998--6008},
  year = {2017},
}
"""


def _review(bib: Path, keys: str):
    return CliRunner().invoke(app, ["review", "--into", str(bib)], input=keys, env=KEYS)


def test_the_published_title_wins_either_way_round() -> None:
    for incoming, target in ((PREPRINT, PUBLISHED), (PUBLISHED, PREPRINT)):
        merged = merge_entries(incoming, target)
        assert merged.get("title").startswith("{BERT}: Pre-training"), (incoming.key, merged.get("title"))
        assert merged.type == "inproceedings" and merged.get("booktitle") == "Proceedings of NAACL-HLT"
        assert default_choices(incoming, target)["title"] == ("incoming" if incoming is PUBLISHED else "target")


def test_a_published_record_without_a_title_does_not_remove_the_preprint_one() -> None:
    untitled = PUBLISHED.with_fields(title=None)
    assert merge_entries(untitled, PREPRINT).get("title") == PREPRINT.get("title")


def test_merge_screen_names_the_kept_key_and_the_file_gets_the_published_title(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(PAIR)
    result = _review(bib, "m\n\n")  # the published entry comes second: it is the case, the preprint the candidate
    assert result.exit_code == 0, result.output
    assert "merging into vaswani2017attn: differing fields" in result.output
    assert "merging into vaswani2017attention" not in result.output
    assert "the merged entry keeps the key vaswani2017attn" in result.output
    text = bib.read_text()
    assert "@inproceedings{vaswani2017attn," in text and "@article{vaswani2017attention" not in text
    assert "title = {{Attention} is All you Need}," in text
    assert "ids = {vaswani2017attention}" in text


def test_the_heading_follows_the_key_picked_with_k(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(PAIR)
    result = _review(bib, "m\nk\n2\n\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("merging into vaswani2017attn: differing fields") == 1
    assert "merging into vaswani2017attention: differing fields" in result.output
    assert "@inproceedings{vaswani2017attention," in bib.read_text()


def _dedupe_counts(bib: Path) -> tuple[int, int]:
    out = CliRunner().invoke(app, ["dedupe", str(bib)], env={"COLUMNS": "200"}).stdout
    found = re.match(r"(\d+) duplicate group\(s\) among \d+ entries in [^;\s]+(?:; bibsync review asks (\d+) question)?",
                     out)
    assert found, out
    groups = int(found.group(1))
    return groups, int(found.group(2) or groups)


def test_the_review_counts_what_dedupe_counts(tmp_path: Path) -> None:
    bib = tmp_path / "groups.bib"
    shutil.copy(REVIEW / "groups.bib", bib)
    groups, questions = _dedupe_counts(bib)
    assert (groups, questions) == (4, 5)  # a group around lee2020clock holds two questions
    result = _review(bib, "s\n" * 10)
    assert result.exit_code == 3
    headings = re.findall(r"possible duplicate (\d+)/(\d+) \(dedupe group (\d+)/(\d+)\)", result.output)
    assert [(int(a), int(b)) for a, b, _, _ in headings] == [(n, questions) for n in range(1, questions + 1)]
    assert {int(g) for _, _, g, _ in headings} == set(range(1, groups + 1))
    assert {int(t) for _, _, _, t in headings} == {groups}
    assert f"{questions} open ({questions} of them in {groups} duplicate groups)" in result.output


def test_a_pair_is_asked_about_once_across_groups() -> None:
    from bibsync.review.cases import duplicate_questions

    groups = [DuplicateGroup((3, 4, 5), "review", 0.76, "", centre=3), DuplicateGroup((4, 5), "review", 0.62, "")]
    # around a centre only its links are asked; the pair (4, 5) is asked in the second group
    assert duplicate_questions(groups) == [(4, (3,), 0), (5, (3,), 0), (5, (4,), 1)]
    matched = [DuplicateGroup((0, 2, 3), "match", 1.0, ""), DuplicateGroup((2, 3), "review", 0.8, "")]
    assert duplicate_questions(matched) == [(2, (0, 3), 0), (3, (0, 2), 0)]  # (2, 3) asked already
