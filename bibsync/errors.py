"""Errors a user can act on: a message, where it happened, and a hint.

The CLI prints these and exits non-zero; it never shows a traceback for them.
"""

from __future__ import annotations


class BibsyncError(Exception):
    """Base class: ``message`` says what, ``where`` says file and line, ``hint`` what to do."""

    exit_code = 1

    def __init__(self, message: str, *, where: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\nhint: {self.hint}" if self.hint else text


class InputError(BibsyncError):
    """An input file is unreadable, empty, binary, or of an unknown format."""


class UsageError(BibsyncError):
    """The command line asks for something impossible (exit code 2)."""

    exit_code = 2


class TargetError(BibsyncError):
    """The target (a .bib file or a Zotero library) cannot be read or written."""


class ConflictError(TargetError):
    """The target changed since it was read; nothing was written."""


class Interrupted(BibsyncError):
    """Ctrl-C came after something was written: the message says what (exit code 130)."""

    exit_code = 130
