"""The command line: thin. Each command lives in bibsync/cli/commands/<module>.py with register(app).

Commands are loaded when they are needed: ``bibsync sync`` imports bibsync/cli/commands/sync.py
and nothing else, ``bibsync --version`` no command at all, and ``bibsync --help`` every
command module (which import their heavy dependencies inside the command, never at the top).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info

from .. import __version__
from ..errors import BibsyncError
from . import commands
from .help import BibsyncCommand, HelpContext, command_rows

# `bibsync --help` lists commands in the order of a working day. A command not named here
# is listed after these, by name. Each name maps to the module in bibsync/cli/commands that
# registers it, so that running one command imports only its module.
COMMAND_ORDER: dict[str, str] = {
    "parse": "parse",
    "sync": "sync",
    "review": "review",
    "dedupe": "match",
    "match": "match",
    "pull": "pull",
    "formats": "parse",
    "config": "config",
    "check": "check",
}


def error_console():
    """A console on standard error for messages (standard output carries data)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def report_error(exc: BibsyncError) -> None:
    """Print a BibsyncError as ``error: where: message`` plus its hint."""
    from rich.markup import escape

    console = error_console()
    where = f"{exc.where}: " if exc.where else ""
    console.print(f"[bold red]error:[/] {escape(where + exc.message)}", markup=True, highlight=False)
    if exc.hint:
        console.print(f"[dim]hint:[/] {escape(exc.hint)}", markup=True, highlight=False)


class BibsyncGroup(TyperGroup):
    """Loads command modules on demand, lists commands in :data:`COMMAND_ORDER`, and turns
    BibsyncError into a message and an exit code, never a traceback."""

    context_class = HelpContext

    def __init__(self, **attrs) -> None:
        super().__init__(**attrs)
        self._loaded: set[str] = set()  # command modules already imported and registered

    # --- commands, loaded on demand ----------------------------------------------------------

    def _load_module(self, module_name: str) -> None:
        """Import bibsync.cli.commands.<module_name> and add the commands its register(app) declares."""
        if module_name in self._loaded:
            return
        self._loaded.add(module_name)
        try:
            module = importlib.import_module(f"{commands.__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{commands.__name__}.{module_name}":
                return  # a name in COMMAND_ORDER whose module does not exist (yet)
            raise
        register = getattr(module, "register", None)
        if register is None:
            return
        collector = typer.Typer()
        register(collector)
        for info in collector.registered_commands:
            if info.cls in (None, TyperCommand):  # a command's own class, if it has one, stays
                info.cls = BibsyncCommand
            command = get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None)
            self.commands.setdefault(command.name, command)  # a command added to the app itself wins

    def _load_all(self) -> None:
        for info in pkgutil.iter_modules(commands.__path__):
            self._load_module(info.name)

    def get_command(self, ctx: typer.Context, cmd_name: str):  # noqa: D102 - click's method
        if cmd_name not in self.commands:
            self._load_module(COMMAND_ORDER.get(cmd_name, cmd_name))
        if cmd_name not in self.commands:
            self._load_all()
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        """Every command: those of COMMAND_ORDER in its order, then the others by name."""
        self._load_all()
        known = [name for name in COMMAND_ORDER if name in self.commands]
        return known + sorted(name for name in self.commands if name not in COMMAND_ORDER)

    def format_commands(self, ctx: typer.Context, formatter) -> None:
        """The command list, each with the whole first paragraph of its help."""
        rows = command_rows((name, self.get_command(ctx, name)) for name in self.list_commands(ctx))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    # --- errors ------------------------------------------------------------------------------

    def invoke(self, ctx: typer.Context):  # noqa: D102 - click's method
        try:
            return super().invoke(ctx)
        except BibsyncError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        # Ctrl-C: while working, or at a question (click turns it into Abort there, and would
        # print "Aborted!" and exit 1); commands ask before they write, so nothing was written.
        except (KeyboardInterrupt, typer.Abort):
            error_console().print("interrupted; nothing was written")
            raise typer.Exit(130) from None
        # typer >= 0.29 vendors click: its exits and usage errors are typer's own classes.
        except (typer.Exit, typer.TyperException):
            raise
        except BrokenPipeError:  # the reader went away (`bibsync parse x | head`): quietly, exit code 1
            from .commands.options import stdout_gone

            stdout_gone()
            raise typer.Exit(1) from None
        except Exception as exc:  # a bug in bibsync: say so plainly
            if os.environ.get("BIBSYNC_DEBUG"):
                raise
            from rich.markup import escape

            error_console().print(
                f"[bold red]internal error:[/] {escape(f'{type(exc).__name__}: {exc}')}\n"
                "hint: this is a bug in bibsync; run again with BIBSYNC_DEBUG=1 for details and report it",
                markup=True, highlight=False,
            )
            raise typer.Exit(1) from None


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"bibsync {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(False, "--version", is_eager=True, expose_value=False, callback=_print_version,
                                 help="Print the version of bibsync and exit."),
) -> None:
    """Keep a bibliography (.bib or Zotero) in step with the literature."""


def build_app() -> typer.Typer:
    """Create the typer app; its commands come from bibsync.cli.commands when they are asked for."""
    app = typer.Typer(
        cls=BibsyncGroup,
        help="Keep a bibliography (.bib or Zotero) in step with the literature.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    return app


app = build_app()


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
