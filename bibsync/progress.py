"""Progress on long work: a rich progress bar on standard error, shown only on a terminal.

Library code takes an optional ``progress`` callback, ``(done, total) -> None``, and calls it as
work advances; it never draws anything itself. The CLI opens a bar with :func:`progress_bar`
and passes the bar's ``update`` as that callback. When standard error is not a terminal (pipes,
CI, ``--json``), the bar is a no-op and prints nothing.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import IO, Callable, Iterator, Optional

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while long work advances."""


class Ticker:
    """What a progress bar offers to the code that does the work."""

    def __init__(self, bar=None, task=None) -> None:
        self._bar = bar
        self._task = task

    @property
    def shown(self) -> bool:
        """True when a bar is drawn (standard error is a terminal)."""
        return self._bar is not None

    def update(self, done: int, total: int) -> None:
        """Set the bar to ``done`` of ``total`` (usable as a :data:`ProgressCallback`)."""
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)

    def advance(self, steps: int = 1) -> None:
        """Move the bar on by ``steps``."""
        if self._bar is not None:
            self._bar.advance(self._task, steps)


@contextmanager
def progress_bar(description: str, total: Optional[int] = None, *, stream: Optional[IO[str]] = None,
                 enabled: Optional[bool] = None) -> Iterator[Ticker]:
    """Show a transient progress bar for ``description`` on ``stream`` (standard error).

    ``enabled`` defaults to whether the stream is a terminal; pass False to silence the bar
    (for ``--json``). The bar disappears when the work is done, so it never mixes with output.
    """
    stream = stream if stream is not None else sys.stderr
    if enabled is None:
        enabled = bool(getattr(stream, "isatty", lambda: False)())
    if not enabled:
        yield Ticker()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=stream, force_terminal=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield Ticker(bar, task)
