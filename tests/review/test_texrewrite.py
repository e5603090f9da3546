"""--rewrite-tex: cite commands of every kind, keys in lists, comments left alone, a dry-run diff."""

import pytest

from bibsync.errors import InputError
from bibsync.model import Entry
from bibsync.review.texrewrite import aliases_of, apply_tex_rewrites, plan_tex_rewrites, rewrite_citations

RENAMES = {"Koliousis19": "koliousis2019stream", "dup": "koliousis2019stream", "old:key": "new-key"}


@pytest.mark.parametrize("before, after", [
    (r"\cite{Koliousis19}", r"\cite{koliousis2019stream}"),
    (r"\citep[p.~3]{Koliousis19}", r"\citep[p.~3]{koliousis2019stream}"),
    (r"\citet*[see][ch.~2]{a, Koliousis19 ,b}", r"\citet*[see][ch.~2]{a, koliousis2019stream ,b}"),
    (r"\parencite{old:key}", r"\parencite{new-key}"),
    (r"\textcite{old:key}", r"\textcite{new-key}"),
    (r"\autocite[{a]b}]{old:key}", r"\autocite[{a]b}]{new-key}"),
    (r"\footcite{old:key}", r"\footcite{new-key}"),
    (r"\nocite{old:key,other}", r"\nocite{new-key,other}"),
    (r"\Textcite{old:key}", r"\Textcite{new-key}"),
    (r"\citeauthor{old:key}", r"\citeauthor{new-key}"),
    (r"\cites[pre][post]{Koliousis19}[x]{old:key}", r"\cites[pre][post]{koliousis2019stream}[x]{new-key}"),
    (r"\cite {old:key}", r"\cite {new-key}"),
    # the same work cited twice in one list after the rewrite appears once
    (r"\cite{koliousis2019stream,Koliousis19, dup}", r"\cite{koliousis2019stream}"),
    (r"\cite{Koliousis19,dup}", r"\cite{koliousis2019stream}"),
    # not citations, or not these keys: unchanged
    (r"\ref{Koliousis19} \label{old:key} \cite{Koliousis190}", r"\ref{Koliousis19} \label{old:key} \cite{Koliousis190}"),
    ("% \\cite{old:key} in a comment\n\\cite{old:key}", "% \\cite{old:key} in a comment\n\\cite{new-key}"),
    ("50\\% \\cite{old:key}", "50\\% \\cite{new-key}"),
    (r"\cite", r"\cite"),
    (r"\cite[unclosed{old:key}", r"\cite[unclosed{old:key}"),
])
def test_rewrite_citations(before, after):
    assert rewrite_citations(before, RENAMES)[0] == after


def test_counts_and_no_renames():
    assert rewrite_citations(r"\cite{dup} and \citep{a,Koliousis19}", RENAMES)[1] == 2
    assert rewrite_citations(r"\cite{dup}", {}) == (r"\cite{dup}", 0)


def test_plan_shows_a_diff_and_writes_only_when_applied(tmp_path):
    (tmp_path / "ch").mkdir()
    intro = tmp_path / "intro.tex"
    intro.write_bytes(b"As shown~\\cite{dup}.\r\nNothing else.\r\n")
    latin = tmp_path / "ch" / "related.tex"
    latin.write_bytes("Caf\xe9 \\citep[see][]{other, old:key}\n".encode("latin-1"))
    (tmp_path / "ch" / "untouched.tex").write_text("\\cite{other}\n")
    (tmp_path / "notes.txt").write_text("\\cite{dup}\n")
    rewrites = plan_tex_rewrites(tmp_path, RENAMES)
    assert [str(r.path.relative_to(tmp_path)) for r in rewrites] == ["ch/related.tex", "intro.tex"]
    by_name = {r.path.name: r for r in rewrites}
    assert by_name["intro.tex"].diff(tmp_path) == (
        "--- a/intro.tex\n+++ b/intro.tex\n@@ -1,2 +1,2 @@\n"
        "-As shown~\\cite{dup}.\r\n+As shown~\\cite{koliousis2019stream}.\r\n Nothing else.\r\n")
    assert intro.read_bytes() == b"As shown~\\cite{dup}.\r\nNothing else.\r\n"  # planning writes nothing
    apply_tex_rewrites(rewrites)
    assert intro.read_bytes() == b"As shown~\\cite{koliousis2019stream}.\r\nNothing else.\r\n"
    assert latin.read_bytes() == "Caf\xe9 \\citep[see][]{other, new-key}\n".encode("latin-1")
    assert (tmp_path / "notes.txt").read_text() == "\\cite{dup}\n"
    assert plan_tex_rewrites(tmp_path, RENAMES) == []  # idempotent


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        plan_tex_rewrites(tmp_path / "nope", RENAMES)


def test_aliases_come_from_ids_fields():
    entries = [Entry("article", {"ids": "Koliousis19, dup,still-here"}, key="k2019"),
               Entry("misc", {}, key="still-here")]
    assert aliases_of(entries) == {"Koliousis19": "k2019", "dup": "k2019"}
