"""Entries that tests of several stages share: the CubicleOS paper (ASPLOS '21) and its software
artefact (2020), the pair bibsync must never merge blindly, as the respub listing gives them
(``samples/imperial-respub-pietzuch.txt``) and as BibTeX records."""

from __future__ import annotations

from bibsync.model import Entry, Person
from bibsync.names import format_initials


def respub(authors: str, year: int, title: str, kind: str, **fields: str) -> Entry:
    """An entry as the respub listing gives it: ``Surname Initials`` names, ``et al.`` truncation."""
    truncated = authors.endswith("et al.")  # "Russello Get al." is "Russello G" and others
    names = [n.strip() for n in authors.removesuffix("et al.").split(",")]
    people = []
    for name in names:
        *surname, initials = name.split()
        people.append(Person(" ".join(surname), format_initials(initials)))
    return Entry(kind, {"title": title, "year": str(year), **fields}, authors=tuple(people),
                 authors_truncated=truncated)


CUBICLE_PAPER = respub(
    "Sartakov V, Pietzuch P, Vilanova L", 2021,
    "CubicleOS: A library OS with software componentisation for practical isolation", "inproceedings",
    booktitle="Conference on Architectural Support for Programming Languages and Operating Systems (ASPLOS ’21)",
    publisher="ACM", pages="546--558")
CUBICLE_ARTEFACT = respub(
    "Sartakov V, Vilanova L, Pietzuch P", 2020,
    "CubicleOS: A Library OS with Software Componentisation for Practical Isolation", "misc",
    abstract="This artefact contains the library OS, two applications, isolation monitor, and scripts to "
             "reproduce experiments from the ASPLOS 2021 paper")
# The same pair as BibTeX records.
CUBICLE_ARTEFACT_BIB = """@software{sartakov2020cubicleos,
  author = {Sartakov, Vasily A. and Vilanova, Lluís and Pietzuch, Peter},
  title = {CubicleOS: A Library OS with Software Componentisation for Practical Isolation},
  year = {2020},
  howpublished = {Zenodo},
}
"""
CUBICLE_PAPER_BIB = """@inproceedings{sartakov2021cubicleos,
  author = {Sartakov, Vasily A. and Vilanova, Lluís and Pietzuch, Peter},
  title = {CubicleOS: A Library OS with Software Componentisation for Practical Isolation},
  booktitle = {ASPLOS '21},
  pages = {546--558},
  year = {2021},
}
"""
