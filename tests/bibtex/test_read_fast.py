"""The fast paths added for reading large .bib files give exactly what the slow paths give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bibsync.bibtex.read import split_concatenation
from bibsync.names import _split_top
from bibsync.text import decode_markup, latex_to_unicode

PIECES = ["{", "}", "A", "b", " ", "-", "--", "~", "%", "&", "$", "`", "'", "!", "?", "\\'e", "{\\\"o}", "é",
          "MSRL", ":", "#", '"', ",", " and ", "AND", "x", "\\%", "\\&", "\\_", "\\#", "\\$", "_", "\n", "\n\n",
          " \\% of", "53\\%"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_latex_fast_paths_equal_the_full_decoding(value: str) -> None:
    expected = value if "\\" not in value and "{" not in value else decode_markup(value)
    assert latex_to_unicode(value) == expected


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.sampled_from([" and ", ",", " "]))
def test_split_top_fast_path_equals_the_loop(text: str, sep: str) -> None:
    # A trailing "{}" sends the same text down the character loop, and splits nothing.
    fast, slow = _split_top(text, sep), _split_top(text + "{}", sep)
    assert slow[:-1] == fast[:-1] and slow[-1] == fast[-1] + "{}"


def test_split_concatenation_without_hash_is_one_part() -> None:
    assert split_concatenation("  {A, B}  ") == ["{A, B}"]
    assert split_concatenation('acm # " Press"') == ["acm", '" Press"']


LONG_PIECES = PIECES + ["\\texttimes", "{\\texttimes}", "\\textit{ab c}", "\\emph{x}", "\\LaTeX", "\\ ", "\\,",
                        "\\'{e}", "\\c c", "\\v{s}", "\\\\", "words ", "more words here ", "---"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LONG_PIECES), min_size=60, max_size=120).map("".join))
def test_long_values_decoded_word_by_word_equal_the_full_decoding(value: str) -> None:
    assert latex_to_unicode(value) == decode_markup(value)


ACCENT_PIECES = PIECES + ["{\\'e}", "{\\`E}", "{\\\"{u}}", "{\\'\\i}", "{\\v s}", "{\\v{s}}", "{\\ss}", "{\\o}",
                          "\\'e", "\\\"{o}", "\\v{s}", "\\c{c}", "{\\c c}", "{\\H o}", "{\\aa}", "{\\L}", "\\cc",
                          "\\vs", "{\\'", "\\'", "{\\~n}", "\\~n", "\\=a", "\\.z", "{\\u g}", "\\ss", "\\o",
                          "{\\em x}", "{\\'{}}", "\\\\", "Syst", "me", "{T}he"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(ACCENT_PIECES), max_size=12).map("".join))
def test_accented_letters_decoded_one_by_one_equal_the_full_decoding(value: str) -> None:
    expected = value if "\\" not in value and "{" not in value else decode_markup(value)
    assert latex_to_unicode(value) == expected


def test_accented_title_takes_no_full_decoding(monkeypatch) -> None:
    import bibsync.text as text

    text._accented_letter.cache_clear()
    calls: list[str] = []
    real = text.decode_markup
    monkeypatch.setattr(text, "decode_markup", lambda value: calls.append(value) or real(value))
    title = "Etude de la Di-Syllabe comme Unit{\\'e} Acoustique pour le Syst{\\`e}me de Synth{\\`e}se Arabe"
    assert latex_to_unicode(title) == "Etude de la Di-Syllabe comme Unité Acoustique pour le Système de Synthèse Arabe"
    assert latex_to_unicode("{\\`e}t{\\'e}") == "èté"
    assert sorted(set(calls)) == ["{\\'e}", "{\\`e}"]  # each accent once, never the whole title
