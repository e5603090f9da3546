"""The local copy of a Zotero library: SQLite, one database per library, under the user cache folder.

It holds every item's data and version, the library version it is complete up to
(``since`` for the next sync), the collections, the deletions seen, and small facts about
the server (its item fields). Each update is one transaction: an interrupted sync leaves the
cache as it was, never half-updated with a newer version number.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections (key TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deleted (key TEXT PRIMARY KEY, version INTEGER NOT NULL);
"""


def cache_path(cache_dir: Path, endpoint: str, library_type: str, library_id: str | int) -> Path:
    """The database file for one library on one server (the endpoint is part of the name)."""
    host = re.sub(r"[^A-Za-z0-9]+", "_", re.sub(r"^https?://", "", endpoint)).strip("_")[:40]
    digest = hashlib.sha1(endpoint.encode("utf-8")).hexdigest()[:8]
    return Path(cache_dir) / "zotero" / f"{host}-{digest}-{library_type}-{library_id}.sqlite3"


class ZoteroCache:
    """One library's cache. Use as a context manager or call ``close()``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            # A damaged cache is only a cache: start again.
            self.path.unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            with db:
                for table in ("meta", "items", "collections", "deleted"):
                    db.execute(f"DELETE FROM {table}")
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        return db

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> ZoteroCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- meta ------------------------------------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        """A stored fact, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        """Store a fact."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    @property
    def library_version(self) -> int | None:
        """The library version the items are complete up to; None before the first full fetch."""
        value = self.get_meta("library_version")
        return int(value) if value is not None else None

    def item_fields(self, max_age: float) -> list[str] | None:
        """The server's item fields if fetched less than ``max_age`` seconds ago, else None."""
        stamp = self.get_meta("item_fields_at")
        value = self.get_meta("item_fields")
        if stamp is None or value is None or time.time() - float(stamp) > max_age:
            return None
        return json.loads(value)

    def set_item_fields(self, fields: list[str]) -> None:
        """Remember the server's item fields (with the time)."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('item_fields', ?)", (json.dumps(fields),))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('item_fields_at', ?)", (str(time.time()),))

    # --- items -----------------------------------------------------------------------------------

    def items(self) -> list[dict]:
        """Every cached item's data, in key order."""
        rows = self._db.execute("SELECT data FROM items ORDER BY key").fetchall()
        return [json.loads(r[0]) for r in rows]

    def item(self, key: str) -> dict | None:
        """One item's data, or None."""
        row = self._db.execute("SELECT data FROM items WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def versions(self) -> dict[str, int]:
        """``{item key: version}`` for every cached item."""
        return dict(self._db.execute("SELECT key, version FROM items").fetchall())

    def replace_all(self, items: Iterable[dict], version: int) -> None:
        """Replace the whole cache with a full fetch made at library ``version``."""
        with self._db:
            self._db.execute("DELETE FROM items")
            self._db.execute("DELETE FROM deleted")
            self._upsert(items)
            self._set_version(version)

    def apply_changes(self, items: Iterable[dict], deleted: Iterable[str], version: int) -> None:
        """Apply an incremental fetch (changed items, deleted keys) and move to library ``version``."""
        with self._db:
            self._upsert(items)
            for key in deleted:
                self._db.execute("DELETE FROM items WHERE key = ?", (key,))
                self._db.execute("INSERT OR REPLACE INTO deleted VALUES (?, ?)", (key, version))
            self._set_version(version)

    def store_written(self, items: Iterable[dict], version: int | None) -> None:
        """Store objects bibsync just wrote; move the library version only when ``version`` is given.

        The caller passes a version only when no other client can have written in between
        (the write moved the library exactly one step from the cached version).
        """
        with self._db:
            self._upsert(items)
            if version is not None:
                # Our own item writes leave the collections as they were.
                if self.get_meta("collections_version") == self.get_meta("library_version"):
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('collections_version', ?)", (str(version),))
                self._set_version(version)

    def deleted_keys(self) -> list[str]:
        """Keys seen deleted since the last full fetch."""
        return [r[0] for r in self._db.execute("SELECT key FROM deleted ORDER BY key")]

    def clear(self) -> None:
        """Forget everything (``--refresh``)."""
        with self._db:
            for table in ("items", "collections", "deleted"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("DELETE FROM meta WHERE name != 'schema'")

    def _upsert(self, items: Iterable[dict]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?)",
            [(d["key"], int(d["version"]), json.dumps(d, ensure_ascii=False)) for d in items],
        )

    def _set_version(self, version: int) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('library_version', ?)", (str(version),))

    # --- collections -----------------------------------------------------------------------------

    def collections(self) -> list[dict] | None:
        """The cached collections' data, or None if they were never fetched at this library version."""
        if self.get_meta("collections_version") != self.get_meta("library_version"):
            return None
        return [json.loads(r[0]) for r in self._db.execute("SELECT data FROM collections ORDER BY key")]

    def replace_collections(self, collections: Iterable[dict], version: int) -> None:
        """Store all collections as fetched at library ``version``."""
        with self._db:
            self._db.execute("DELETE FROM collections")
            self._db.executemany("INSERT OR REPLACE INTO collections VALUES (?, ?, ?)",
                                 [(c["key"], int(c["version"]), json.dumps(c)) for c in collections])
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('collections_version', ?)", (str(version),))

    def add_collection(self, data: dict, library_version: int | None) -> None:
        """Store a collection bibsync just created (still valid at ``library_version`` if given)."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO collections VALUES (?, ?, ?)",
                             (data["key"], int(data["version"]), json.dumps(data)))
            if library_version is not None:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('collections_version', ?)",
                                 (str(library_version),))
