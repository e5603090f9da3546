"""Names and citation keys."""

import pytest

from bibsync.errors import UsageError
from bibsync.keys import assign_keys, compile_pattern, unique_key
from bibsync.model import Entry, Person
from bibsync.names import format_initials, format_people, parse_bibtex_names, person_from_natural


@pytest.mark.parametrize("given, written", [
    ("LFR", "L. F. R."), ("A-O", "A.-O."), ("A.-O.", "A.-O."), ("P R", "P. R."), ("JA", "J. A."),
    ("J.A.", "J. A."), ("Peter R", "Peter R."), ("Jean-Paul", "Jean-Paul"),
])
def test_format_initials(given, written):
    assert format_initials(given) == written


def test_bibtex_names_all_forms():
    people, truncated = parse_bibtex_names(
        r"Alarcón Negy, Kevin and Peter R. Pietzuch and {OECD} and Ludwig van Beethoven and Doe, Jr, John and others")
    assert truncated
    assert people == (
        Person("Alarcón Negy", "Kevin"), Person("Pietzuch", "Peter R."), Person("OECD", literal=True),
        Person("van Beethoven", "Ludwig"), Person("Doe", "John", "Jr"),
    )
    assert format_people(people[:3], True) == "Alarcón Negy, Kevin and Pietzuch, Peter R. and {OECD} and others"


def test_natural_names_keep_particles():
    assert person_from_natural("Vincent van Gogh") == Person("van Gogh", "Vincent")
    assert person_from_natural("Qinghe  Wang") == Person("Wang", "Qinghe")


def _paper(title, year="2024", *surnames):
    return Entry("inproceedings", {"title": title, "year": year}, authors=tuple(Person(s, "A.") for s in surnames))


def test_default_keys_like_google_scholar():
    entries = [
        _paper("Is It Time To Put Cold Starts In The Deep Freeze?", "2024", "Segarra", "Pietzuch"),
        _paper("MSRL: Distributed reinforcement learning", "2023", "Zhu"),
        _paper("The {\\\"O}zcan effect", "2023", "Özcan"),
    ]
    assert [e.key for e in assign_keys(entries)] == ["segarra2024time", "zhu2023msrl", "ozcan2023ozcan"]


def test_collisions_get_letters_first_keeps_none_and_case_insensitive():
    e = _paper("Same title", "2020", "Doe")
    keys = [x.key for x in assign_keys([e, e, e], taken=["Doe2020same"])]
    assert keys == ["doe2020samea", "doe2020sameb", "doe2020samec"]
    assert [x.key for x in assign_keys([e, e])] == ["doe2020same", "doe2020samea"]
    assert unique_key("k", {f"k{c}" for c in "abcdefghijklmnopqrstuvwxyz"} | {"k"}) == "kaa"


def test_same_input_same_keys():
    entries = [_paper("A study", "2021", "Lee"), _paper("A study", "2021", "Lee")]
    assert assign_keys(entries) == assign_keys(entries)


@pytest.mark.parametrize("pattern, key", [
    ("[auth][year]", "Segarra2024"),
    ("[authors2]", "SegarraPietzuchEtAl"),
    ("[authEtAl:lower]", "segarraetal"),
    ("[shorttitle]", "TimePutCold"),
    ("[auth:upper]-[shortyear]", "SEGARRA-24"),
    ("[title:abbr]", "IITTPCSITDF"),
])
def test_patterns(pattern, key):
    e = _paper("Is It Time To Put Cold Starts In The Deep Freeze?", "2024", "Segarra", "Pietzuch", "Vilanova")
    assert compile_pattern(pattern)(e) == key


def test_keys_are_ascii_and_unknown_pattern_is_a_usage_error():
    e = Entry("article", {"title": "Über Straßen", "year": "2020"}, authors=(Person("Łukasiewicz", "J."),))
    assert assign_keys([e])[0].key == "lukasiewicz2020uber"
    with pytest.raises(UsageError):
        compile_pattern("[nosuchfield]")
    with pytest.raises(UsageError):
        compile_pattern("[auth:sideways]")


@pytest.mark.parametrize("name, last, first", [
    ("Kevin Alarcón Negy", "Alarcón Negy", "Kevin"),
    ("Rohan Basu Roy", "Basu Roy", "Rohan"),
    ("Luis Da Costa Carmo", "Da Costa Carmo", "Luis"),
    ("Jan Van Dijk", "Van Dijk", "Jan"),
    ("Mahmut Taylan Kandemir", "Kandemir", "Mahmut Taylan"),
    ("Binit R. Mishra", "Mishra", "Binit R."),
])
def test_compound_surnames_in_natural_order(name, last, first):
    assert person_from_natural(name) == Person(last, first)


@pytest.mark.parametrize("pattern", ["[bogus", "[auth][year", "auth]", "[auth]]"])
def test_unbalanced_pattern_is_a_usage_error(pattern):
    with pytest.raises(UsageError, match="unbalanced"):
        compile_pattern(pattern)
