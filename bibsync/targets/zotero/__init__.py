"""The Zotero target: ``client`` (every pyzotero call), ``target`` (ZoteroTarget: a library
behind the same plan as a .bib file), ``items`` (entry <-> item mapping) and ``cache`` (the
local copy of a library)."""
