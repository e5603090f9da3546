"""Problems found while reading, summarised for a person: one line per kind, not per record.

A file with 3,000 repeated keys gets one line (how many, the first few places, ``file:line``)
and its hint once, instead of 6,000 lines; ``verbose`` lists every one. Problems without a
kind (a one-off message) are listed as they are, as are kinds that happened once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .model import Failure

FIRST_PLACES = 3


@dataclass
class FailureGroup:
    """Failures of one kind (or one-offs with the same message), in the order they were found."""

    kind: str
    severity: str
    hint: str
    failures: list[Failure] = field(default_factory=list)

    @property
    def is_warning(self) -> bool:
        """True when every record was kept (the group only deserves a look)."""
        return self.severity == "warning"


def group_failures(failures: Iterable[Failure]) -> list[FailureGroup]:
    """Group by kind and severity (a failure without a kind groups with identical messages)."""
    groups: dict[tuple[str, str], FailureGroup] = {}
    for failure in failures:
        kind = failure.kind or failure.message
        group = groups.setdefault((kind, failure.severity), FailureGroup(kind, failure.severity, failure.hint))
        group.failures.append(failure)
    return list(groups.values())


@dataclass(frozen=True)
class SummaryLine:
    """One line to print: the problem (with its place) and, once per kind, a hint."""

    warning: bool
    text: str
    hint: str = ""


def summarise(failures: Iterable[Failure], verbose: bool = False, first: int = FIRST_PLACES) -> list[SummaryLine]:
    """The lines that report ``failures``: each one-off in full; each kind seen more than once
    as one line with its count and first places (every place with ``verbose``), hint once."""
    lines: list[SummaryLine] = []
    for group in group_failures(failures):
        items = group.failures
        if len(items) == 1 or not items[0].kind:
            for n, failure in enumerate(items):
                lines.append(SummaryLine(group.is_warning, f"{failure.where()}: {failure.message}",
                                         failure.hint if n == 0 or failure.hint != items[0].hint else ""))
            continue
        if verbose:
            lines.append(SummaryLine(group.is_warning, f"{len(items)} {group.kind}:"))
            lines += [SummaryLine(group.is_warning, f"  {f.where()}: {f.message}") for f in items]
            lines[-1] = SummaryLine(group.is_warning, lines[-1].text, group.hint)
            continue
        places = ", ".join(f.where() for f in items[:first])
        more = f" and {len(items) - first} more (--verbose lists them)" if len(items) > first else ""
        lines.append(SummaryLine(group.is_warning, f"{len(items)} {group.kind}: {places}{more}", group.hint))
    return lines
