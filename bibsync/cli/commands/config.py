"""``bibsync config``: the settings in effect and where each one comes from."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .options import ASCII_OPTION, BIBLATEX_OPTION, KEY_FORMAT_OPTION, OMIT_OPTION, ZOTERO_ENDPOINT_OPTION


def config(
    ctx: typer.Context,
    into: Optional[Path] = typer.Option(None, "--into", metavar="FILE.bib", help="Show the settings with this .bib file."),
    zotero: Optional[str] = typer.Option(None, "--zotero", metavar="user:ID|group:ID",
                                         help="Show the settings with this Zotero library."),
    collection: Optional[str] = typer.Option(None, "--collection", metavar="NAME",
                                             help="Show the settings with this Zotero collection."),
    zotero_endpoint: Optional[str] = ZOTERO_ENDPOINT_OPTION,
    key_format: str = KEY_FORMAT_OPTION,
    biblatex: Optional[bool] = BIBLATEX_OPTION,
    ascii_: Optional[bool] = ASCII_OPTION,
    prefer: Optional[str] = typer.Option(None, "--prefer", metavar="fill|source|target",
                                         help="Show the settings with this merge policy."),
    omit: Optional[List[str]] = OMIT_OPTION,
) -> None:
    """Show the settings in effect here and where each comes from (flag, environment, bibsync.toml, default).

    Flags given here show how they would combine with bibsync.toml; the Zotero API key is
    never shown, only whether one is set.
    """
    import os

    from rich.console import Console

    from ...config import CONFIG_NAME, describe
    from .options import run_settings

    settings = run_settings(ctx)
    out = Console(highlight=False, soft_wrap=True)
    found = settings.config_path
    out.print(f"# {CONFIG_NAME}: {found if found else 'none found (searched from ' + str(Path.cwd()) + ')'}",
              markup=False)
    rows = describe(settings)
    has_key = bool(os.environ.get("ZOTERO_API_KEY"))
    rows.append(("zotero api key", "(set, never shown)" if has_key else "(unset; ZOTERO_API_KEY or --api-key-file)",
                 "env ZOTERO_API_KEY" if has_key else "default"))
    width = max(len(k) for k, _, _ in rows)
    value_width = min(max(len(v) for _, v, _ in rows), 48)
    for name, value, origin in rows:
        out.print(f"{name.ljust(width)} = {value.ljust(value_width)}  {origin}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("config")(config)
