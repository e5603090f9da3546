"""Comparing author lists: people in common, whatever the spelling, order or damage of the names."""

from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

from rapidfuzz import fuzz

from .normalize import PersonKey

MAX_PEOPLE = 60  # longer author lists are compared on their first 60 names

def _people_match(p: PersonKey, q: PersonKey) -> bool:
    """Same person, allowing compound surnames, swapped name order, small spelling slips, and
    a surname glued to what follows it (``nguyenandv``, ``millerrj``, ``altinelâ``)."""
    if p.surname in q.words or q.surname in p.words:
        return True
    if len(p.surname) < 4 or len(q.surname) < 4 or (p.initial and q.initial and p.initial != q.initial):
        return False
    short, long_ = (p.surname, q.surname) if len(p.surname) <= len(q.surname) else (q.surname, p.surname)
    # With both initials there and equal, an OCR slip of one letter in two ("gfiting" for
    # "güting") is still the same person.
    alike = 75 if p.initial and q.initial else 80
    return fuzz.ratio(p.surname, q.surname) >= alike or long_.startswith(short)


def _initials_swapped(p: PersonKey, q: PersonKey) -> bool:
    """True when one record wrote the given name where the surname belongs, with the surname's
    initial in front ("n alexandros" for Alexandros Nanopoulos, "a nanopoulos")."""
    return (bool(p.initial) and bool(q.initial) and p.surname[:1] == q.initial and q.surname[:1] == p.initial
            and p.surname != q.surname)


def swapped_people(a: tuple[PersonKey, ...], b: tuple[PersonKey, ...]) -> int:
    """How many people of the shorter list pair, one to one, with people of the other by swapped initials."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return _pair_off(short[:MAX_PEOPLE], list(long_[:MAX_PEOPLE]), _initials_swapped)


def _pair_off(people: Sequence[PersonKey], rest: list[PersonKey],
              same: Callable[[PersonKey, PersonKey], bool]) -> int:
    """How many of ``people`` pair, one to one, with someone of ``rest`` by ``same`` (``rest`` is used up)."""
    count = 0
    for p in people:
        for k, q in enumerate(rest):
            if same(p, q):
                count += 1
                del rest[k]
                break
    return count


def shared_people(a: tuple[PersonKey, ...], b: tuple[PersonKey, ...]) -> int:
    """How many people the two lists share (each person counted once)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short, long_ = short[:MAX_PEOPLE], long_[:MAX_PEOPLE]
    pool = Counter(p.surname for p in long_)
    shared, unmatched = 0, []
    for p in short:
        if pool[p.surname] > 0:
            pool[p.surname] -= 1
            shared += 1
        else:
            unmatched.append(p)
    if unmatched:
        rest = []
        for q in long_:
            if pool[q.surname] > 0:
                pool[q.surname] -= 1
                rest.append(q)
        shared += _pair_off(unmatched, rest, _people_match)
    return shared
