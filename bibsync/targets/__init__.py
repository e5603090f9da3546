"""Targets: where entries are written (a .bib file, a Zotero library)."""
