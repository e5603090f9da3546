"""Command-line options shared by several commands, declared once, and the settings they make."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ...keys import DEFAULT_PATTERN

if TYPE_CHECKING:
    from ...config import Settings

API_KEY_FILE_OPTION = typer.Option(
    None, "--api-key-file", metavar="FILE", help="File holding the Zotero API key (else ZOTERO_API_KEY)."
)
ZOTERO_ENDPOINT_OPTION = typer.Option(
    None, "--zotero-endpoint", metavar="URL",
    help="Zotero API base URL (else BIBSYNC_ZOTERO_ENDPOINT, bibsync.toml, https://api.zotero.org).",
)
REFRESH_OPTION = typer.Option(False, "--refresh", help="Reload the Zotero library instead of using the cache.")
KEY_FORMAT_OPTION = typer.Option(DEFAULT_PATTERN, "--key-format", metavar="PATTERN",
                                 help="JabRef-style pattern for generated keys.")
OMIT_OPTION = typer.Option(None, "--omit", metavar="FIELD",
                           help="A field bibsync never writes (repeat for several; replaces bibsync.toml's omit).")
ASCII_OPTION = typer.Option(None, "--ascii/--utf8",
                            help="Write new text in ASCII with LaTeX escapes, or in UTF-8 "
                                 "(default: ASCII for BibTeX, UTF-8 for BibLaTeX).")
BIBLATEX_OPTION = typer.Option(None, "--biblatex/--bibtex", help="Use BibLaTeX entry types and fields where they fit.")
DECISIONS_OPTION = typer.Option(
    None, "--decisions", metavar="FILE",
    help="Keep review decisions in FILE (default: FILE.bib.bibsync.json, or the cache folder for Zotero).",
)
OFFLINE_OPTION = typer.Option(False, "--offline", help="Look DOIs and arXiv ids up in the cache only.")
VERBOSE_OPTION = typer.Option(False, "--verbose", help="List every problem found, not one line per kind.")

# Options whose values are settings: parameter name -> Settings field.
SETTING_PARAMETERS = {
    "into": "into", "zotero": "zotero", "collection": "collection", "key_format": "key_pattern",
    "biblatex": "biblatex", "ascii_": "ascii", "prefer": "prefer", "omit": "omit",
    "zotero_endpoint": "zotero_endpoint", "decisions": "decisions",
}


def typed_settings(ctx: typer.Context) -> dict[str, tuple[Any, str]]:
    """The setting options the person typed on this command line (not defaults, not environment
    variables): ``{Settings field: (value, "flag --name")}``."""
    from typer._click.core import ParameterSource  # typer vendors click

    from ...config import checked_flag_value

    typed: dict[str, tuple[Any, str]] = {}
    for param in ctx.command.params:
        name = SETTING_PARAMETERS.get(param.name or "")
        if name is None or ctx.get_parameter_source(param.name) != ParameterSource.COMMANDLINE:
            continue
        value = ctx.params.get(param.name)
        flag = max(param.opts, key=len) if param.opts else param.name
        value = checked_flag_value(name, value, flag)
        if isinstance(value, bool) and getattr(param, "secondary_opts", None) and not value:
            flag = max(param.secondary_opts, key=len)
        typed[name] = (value, f"flag {flag}")
    return typed


def run_settings(ctx: typer.Context):
    """The settings of this run: typed flags over environment variables over bibsync.toml over
    the defaults (see :func:`bibsync.config.load_settings`)."""
    from ...config import load_settings

    return load_settings(typed_settings(ctx))


def chosen_target(settings: "Settings") -> tuple[Path | None, str | None]:
    """(into, zotero): the target typed on the command line, else bibsync.toml's .bib file,
    else its Zotero library (both typed is a usage error, reported by :func:`open_target`)."""
    typed_into = settings.origin("into").startswith("flag")
    typed_zotero = settings.origin("zotero").startswith("flag")
    if typed_into or typed_zotero:
        return (settings.into if typed_into else None), (settings.zotero if typed_zotero else None)
    if settings.into is not None:
        return settings.into, None
    return None, settings.zotero


def stdout_gone() -> None:
    """The reader of standard output went away (``bibsync check refs.bib | head -1``): point
    standard output at the null device, so that nothing written later, Python's last flush
    included, fails or complains. The command then ends quietly with its own exit code."""
    import os
    import sys

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's stream)
        pass


def pipe_safe_console(**options):
    """A rich Console on standard output that, when its reader goes away (a closed pipe), stops
    printing and lets the command end with its own exit code (rich's default exits with 1)."""
    from rich.console import Console

    class PipeSafeConsole(Console):
        def on_broken_pipe(self) -> None:  # noqa: D102 - rich's hook
            self.quiet = True
            stdout_gone()

    return PipeSafeConsole(**options)


def lock_wait_notice(console, target_name: str):
    """The ``on_lock_wait(pid)`` callback of a .bib target: one line on ``console`` saying that
    this run waits for another bibsync run to finish with the file."""
    from rich.markup import escape

    def waiting(pid: int | None) -> None:
        who = f" (process {pid})" if pid else ""
        console.print(f"waiting for another bibsync run{who} to finish with {escape(target_name)}...", highlight=False)

    return waiting
