"""Progress bars: drawn on a terminal, silent everywhere else."""

import io

from bibsync.progress import progress_bar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_a_terminal():
    stream = io.StringIO()
    with progress_bar("looking up DOIs", 3, stream=stream) as ticker:
        ticker.advance()
        ticker.update(3, 3)
    assert not ticker.shown
    assert stream.getvalue() == ""


def test_drawn_on_a_terminal():
    stream = FakeTerminal()
    with progress_bar("looking up DOIs", 4, stream=stream) as ticker:
        ticker.update(2, 4)
        ticker.advance(2)
    assert ticker.shown
    assert "looking up DOIs" in stream.getvalue()


def test_enabled_false_silences_a_terminal():
    stream = FakeTerminal()
    with progress_bar("pages", 2, stream=stream, enabled=False) as ticker:
        ticker.advance()
    assert stream.getvalue() == ""
