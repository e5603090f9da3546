"""Text normalisation: repair, LaTeX <-> Unicode, escaping, protection, identifiers."""

import pytest

from bibsync.text import (
    escape_specials, fold_ascii, latex_to_unicode, normalize_doi, normalize_month,
    normalize_pages, protect_title, repair_text, unicode_to_latex,
)


def test_repair_mojibake_beside_real_unicode_and_entities():
    assert repair_text("JimÃ©nez &amp; LiudÅ¾iÅ«tÄ— &beta; &rsquo;s") == "Jiménez & Liudžiūtė β ’s"


def test_repair_keeps_paragraphs_and_folds_spaces():
    assert repair_text("  a\u00a0 b \n\n c  ") == "a b\n\nc"


@pytest.mark.parametrize("latex, text", [
    (r"{\"O}zcan", "Özcan"),
    (r"K{\"o}psell", "Köpsell"),
    (r"{MSRL}: fast \& safe", "MSRL: fast & safe"),
    (r"{\LaTeX} tricks", "LaTeX tricks"),
    (r"50\% of $\alpha$", r"50% of $\alpha$"),
    ("plain text", "plain text"),
])
def test_latex_to_unicode(latex, text):
    assert latex_to_unicode(latex) == text


def test_unicode_to_latex_only_non_ascii():
    assert unicode_to_latex("Özcan and Zoë") == r'{\"O}zcan and Zo{\"e}'
    assert unicode_to_latex("plain") == "plain"


def test_escape_specials_leaves_math_alone():
    assert escape_specials(r"R&D 50% $5 #1 a_b $\alpha$") == r"R\&D 50\% \$5 \#1 a\_b $\alpha$"


@pytest.mark.parametrize("title, protected", [
    ("MSRL: Distributed RL", "{MSRL}: Distributed {RL}"),
    ("FAASM on CXL-SSD with uIO", "{FAASM} on {CXL-SSD} with {uIO}"),
    ("Deep learning for the Cloud", "Deep learning for the Cloud"),
    ("GPUs", "{GPUs}"),
])
def test_protect_title(title, protected):
    assert protect_title(title) == protected


@pytest.mark.parametrize("value, doi", [
    ("https://doi.org/10.1145/3698038.3698515", "10.1145/3698038.3698515"),
    ("http://dx.doi.org/10.1145/ABC.1", "10.1145/ABC.1"),
    ("doi:10.1000/xyz123.", "10.1000/xyz123"),
    ("10.48550/arXiv.2401.01234", "10.48550/arXiv.2401.01234"),
    ("not a doi", ""),
])
def test_normalize_doi(value, doi):
    assert normalize_doi(value) == doi


@pytest.mark.parametrize("value, pages", [
    ("977-993", "977--993"), ("977 – 993", "977--993"), ("2505–2521-2505–2521", "2505--2521"),
    ("v-vi", "v--vi"), ("19-20", "19--20"), ("42", "42"), ("e1234", "e1234"), ("12--12", "12"),
])
def test_normalize_pages(value, pages):
    assert normalize_pages(value) == pages


def test_fold_ascii_and_months():
    assert fold_ascii("Wagenländer Ørsted Łukasz straße") == "Wagenlander Orsted Lukasz strasse"
    assert [normalize_month(m) for m in ("3", "March", "dec.", "Sommer")] == ["mar", "mar", "dec", "Sommer"]


def test_url_commands_unwrap():
    assert latex_to_unicode(r"at \url{https://x.org/a_b} or \href{https://y}{the {MSRL} site}") == \
        "at https://x.org/a_b or the MSRL site"


def test_a_long_value_without_spaces_outside_braces_is_decoded_whole_not_forever():
    """A value over 200 characters that does not cut into words (one long braced word, as a
    damaged entry's value can be) is decoded whole; it once recursed until RecursionError."""
    value = "{" + "\\\"o" * 300 + "} tail"
    assert latex_to_unicode(value) == "ö" * 300 + " tail"
    assert latex_to_unicode("x" * 250 + "\\alpha{}") == "x" * 250 + "α"
