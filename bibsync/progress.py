"""Progress on long work: a rich progress bar on standard error, shown only on a terminal.

Library code takes an optional ``progress`` callback, ``(done, total) -> None``, and calls it as
work advances; it never draws anything itself. The CLI opens a bar with :func:`progress_bar`
and passes the bar's ``update`` as that callback, or, for a command with several slow steps
(look-ups, then Zotero page fetches, then uploads), opens :func:`progress_tasks` and passes
``tasks.callback("step")`` for each. When standard error is not a terminal (pipes, CI,
``--json``), nothing is drawn.
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
                 enabled: Optional[bool] = True) -> Iterator[Ticker]:
    """Show a transient progress bar for ``description`` on ``stream`` (standard error), when
    it is a terminal.

    ``enabled=False`` silences the bar (for ``--json``); nothing forces a bar onto a stream
    that is not a terminal. The bar disappears when the work is done, so it never mixes
    with output.
    """
    stream = _terminal(stream, enabled)
    if stream is None:
        yield Ticker()
        return
    with _new_progress(stream) as bar:
        task = bar.add_task(description, total=total)
        yield Ticker(bar, task)


def _terminal(stream: Optional[IO[str]], enabled: Optional[bool]) -> Optional[IO[str]]:
    """The stream to draw on (standard error by default), or None when nothing is drawn:
    the stream is not a terminal, or ``enabled`` is False. ``enabled`` can only switch bars
    off, so that no caller draws escape codes into a pipe or a log file by accident."""
    from .streams import is_terminal

    stream = stream if stream is not None else sys.stderr
    terminal = is_terminal(stream)
    return stream if enabled is not False and terminal else None  # None, as callers may pass, is the default


def _new_progress(stream: IO[str]):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=stream, force_terminal=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    return Progress(*columns, console=console, transient=True)


class ProgressTasks:
    """Bars for the successive steps of one command (look-ups, then page fetches, then uploads).

    :meth:`callback` gives a :data:`ProgressCallback` for one step, or None when nothing is
    drawn. A step's bar appears when it first reports work of at least ``minimum`` items and
    disappears when the step reports it is done (or another step reports), so that the
    command's own output (a plan, a question) never mixes with a bar.
    """

    def __init__(self, stream: Optional[IO[str]], minimum: int = 2) -> None:
        self._stream = stream
        self._minimum = minimum
        self._bar = None
        self._task = None
        self._step: Optional[str] = None

    def callback(self, description: str) -> Optional[ProgressCallback]:
        """The callback for the step ``description`` (None when bars are not drawn)."""
        if self._stream is None:
            return None

        def report(done: int, total: int) -> None:
            self._report(description, done, total)

        return report

    def _report(self, step: str, done: int, total: int) -> None:
        if self._step != step:
            self.close()
        if self._bar is None:
            if total < self._minimum or done >= total:
                return
            self._bar = _new_progress(self._stream)
            self._task = self._bar.add_task(step, total=total, completed=done)
            self._step = step
            self._bar.start()
        self._bar.update(self._task, completed=done, total=total)
        if done >= total:
            self.close()

    def close(self) -> None:
        """Take down the bar on screen, if any."""
        if self._bar is not None:
            self._bar.stop()
        self._bar = self._task = self._step = None


@contextmanager
def progress_tasks(*, stream: Optional[IO[str]] = None, enabled: Optional[bool] = True) -> Iterator[ProgressTasks]:
    """Bars for a command's steps (see :class:`ProgressTasks`) on ``stream`` (standard error),
    drawn only when it is a terminal and ``enabled`` is not False (pass False for ``--json``;
    True never forces a bar onto a pipe or a file)."""
    tasks = ProgressTasks(_terminal(stream, enabled))
    try:
        yield tasks
    finally:
        tasks.close()
