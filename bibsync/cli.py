"""The command line: thin. Each command lives in bibsync/commands/<name>.py with register(app)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from . import commands
from .errors import BibsyncError


def error_console() -> Console:
    """A console on standard error for messages (standard output carries data)."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def report_error(exc: BibsyncError) -> None:
    """Print a BibsyncError as ``error: where: message`` plus its hint."""
    console = error_console()
    where = f"{exc.where}: " if exc.where else ""
    console.print(f"[bold red]error:[/] {escape(where + exc.message)}", markup=True, highlight=False)
    if exc.hint:
        console.print(f"[dim]hint:[/] {escape(exc.hint)}", markup=True, highlight=False)


class BibsyncGroup(TyperGroup):
    """Turns BibsyncError into a message and an exit code, never a traceback."""

    def invoke(self, ctx: typer.Context):  # noqa: D102 - click's method
        try:
            return super().invoke(ctx)
        except BibsyncError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            error_console().print("interrupted; nothing was written")
            raise typer.Exit(130) from None
        # typer >= 0.29 vendors click: its exits and usage errors are typer's own classes.
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:  # the reader went away (`bibsync parse x | head`): click exits quietly
            raise
        except Exception as exc:  # a bug in bibsync: say so plainly
            if os.environ.get("BIBSYNC_DEBUG"):
                raise
            error_console().print(
                f"[bold red]internal error:[/] {escape(f'{type(exc).__name__}: {exc}')}\n"
                "hint: this is a bug in bibsync; run again with BIBSYNC_DEBUG=1 for details and report it",
                markup=True, highlight=False,
            )
            raise typer.Exit(1) from None


def build_app() -> typer.Typer:
    """Create the typer app with every command module in bibsync.commands registered."""
    app = typer.Typer(
        cls=BibsyncGroup,
        help="Keep a bibliography (.bib or Zotero) in step with the literature.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
    return app


app = build_app()


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
