"""Command-line options shared by several commands, declared once."""

from __future__ import annotations

import typer

from ..keys import DEFAULT_PATTERN

API_KEY_FILE_OPTION = typer.Option(
    None, "--api-key-file", help="File holding the Zotero API key (else ZOTERO_API_KEY)."
)
ZOTERO_ENDPOINT_OPTION = typer.Option(
    None, "--zotero-endpoint", envvar="BIBSYNC_ZOTERO_ENDPOINT",
    help="Zotero API base URL (default https://api.zotero.org).",
)
REFRESH_OPTION = typer.Option(False, "--refresh", help="Reload the Zotero library instead of using the cache.")
KEY_FORMAT_OPTION = typer.Option(DEFAULT_PATTERN, "--key-format", help="JabRef-style pattern for generated keys.")
DECISIONS_OPTION = typer.Option(
    None, "--decisions", metavar="FILE",
    help="Keep review decisions in FILE (default: FILE.bib.bibsync.json, or the cache folder for Zotero).",
)
OFFLINE_OPTION = typer.Option(False, "--offline", help="Look DOIs and arXiv ids up in the cache only.")
