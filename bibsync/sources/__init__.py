"""Sources: one module per format, each registered in the ``bibsync.sources`` entry-point group,
and the helpers they share: ``inputs`` (a SOURCE argument read as text, within bounds),
``http_cache`` (polite, cached look-ups of DOIs and arXiv ids), ``identifiers`` (one per line).

A source implements :class:`bibsync.registry.Source`; the contract, and how a third-party
package adds a source, are in :mod:`bibsync.registry`. ``ParseContext`` and ``Source`` are
importable from here too, where plugins import them from.
"""

from ..registry import ParseContext, Source

__all__ = ["ParseContext", "Source"]
