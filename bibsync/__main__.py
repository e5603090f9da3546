"""``python -m bibsync``."""

from .cli import main

main()
