"""Problems found while reading, summarised for a person: one line per kind, not per record.

A file with 3,000 repeated keys gets one line (how many, the first few places, ``file:line``)
and its hint once, instead of 6,000 lines; ``verbose`` lists every one. Sources and targets
give each problem a kind; one without a kind groups with the same message. A problem that
happened once is listed as it is, up to ten of them (the rest are counted in one line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..model import Failure

FIRST_PLACES = 3
MAX_ONE_OFFS = 10  # problems of their own kind listed in full; the rest are counted


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


def summarise(failures: Iterable[Failure], verbose: bool = False, first: int = FIRST_PLACES,
              one_offs: int = MAX_ONE_OFFS) -> list[SummaryLine]:
    """The lines that report ``failures``: each kind seen more than once (or a message without
    a kind seen more than once) as one line with its count and first places (every place
    with ``verbose``), hint once; each one-off in full, up to ``one_offs`` of them, then one
    line counting the rest (all with ``verbose``)."""
    lines: list[SummaryLine] = []
    left: list[Failure] = []  # one-offs past the limit
    shown = 0
    for group in group_failures(failures):
        items = group.failures
        if len(items) == 1:
            failure = items[0]
            if verbose or shown < one_offs:
                lines.append(SummaryLine(group.is_warning, f"{failure.where()}: {failure.message}", failure.hint))
                shown += 1
            else:
                left.append(failure)
            continue
        label = group.kind if items[0].kind else f"times: {items[0].message}"
        if verbose:
            lines.append(SummaryLine(group.is_warning, f"{len(items)} {label}:"))
            lines += [SummaryLine(group.is_warning, f"  {f.where()}: {f.message}") for f in items]
            lines[-1] = SummaryLine(group.is_warning, lines[-1].text, group.hint)
            continue
        places = ", ".join(f.where() for f in items[:first])
        more = f" and {len(items) - first} more (--verbose lists them)" if len(items) > first else ""
        lines.append(SummaryLine(group.is_warning, f"{len(items)} {label}: {places}{more}", group.hint))
    if left:
        errors = [f for f in left if not f.is_warning]
        lines.append(SummaryLine(not errors, f"{len(left)} more problem{'s' if len(left) != 1 else ''}, each of its own "
                                             f"kind (first: {left[0].where()}; --verbose lists them)"))
    return lines
