"""The Zotero target: a user or group library behind the same plan as a .bib file.

``load()`` brings the local cache up to date (a full fetch, or only what changed since the
library version it holds) and returns the entries; ``apply(plan)`` writes the plan's adds and
updates in batches with versions, through :class:`~bibsync.targets.zotero.client.ZoteroClient`
(every pyzotero call). A write that raced another client (412) reads what changed and plans
those entries again instead of writing duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

from ...config import Settings
from ...errors import ConflictError, TargetError
from ...keys import assign_keys
from ...model import Entry, Origin
from ...plan import Change, Plan, make_plan
from ...progress import ProgressCallback
from ..base import ApplyReport
from .cache import ZoteroCache, cache_path
from .client import (BATCH, ENV_API_KEY, ITEM_FIELDS_MAX_AGE, RetryPolicy, StatusError, ZoteroClient, describe_status,
                     parse_library_spec, read_api_key, resolve_endpoint)
from .items import (changed_fields, citation_key_of, entry_from_item, is_entry_item, item_from_entry,
                    patch_from_changes, with_citation_key)

MAX_ROUNDS = 5  # re-plan rounds after 412 before giving up on an entry


def _new_report(**counts: int) -> ApplyReport:
    return ApplyReport(**counts, details={"item_keys": {}, "unchanged": 0, "replanned": 0})


class ZoteroTarget:
    """A Zotero library as a sync target: ``load()`` entries (cached), ``apply(plan)`` writes."""

    def __init__(self, client: ZoteroClient, cache: ZoteroCache, *, settings: Settings | None = None,
                 collection: str | None = None, refresh: bool = False, policy: str = "fill",
                 require_write: bool = True, read_progress: ProgressCallback | None = None,
                 write_progress: ProgressCallback | None = None) -> None:
        self.client = client
        self.cache = cache
        self.settings = settings or Settings()
        self.collection = collection
        self.refresh = refresh
        self.policy = policy
        self.require_write = require_write
        self.read_progress = read_progress  # (items read, items in the library) while fetching pages
        self.write_progress = write_progress  # (entries written, entries to write) while uploading
        self._to_write = self._written = 0
        self.library = client.library  # the library's review decisions are found by it
        self.name = f"zotero {client.library}"
        self.native_key = False
        self.generated: dict[int, str] = {}  # load() index -> generated citation key
        self._items: list[dict | None] = []  # load() order; None once deleted
        self._entries: list[Entry | None] = []
        self._view_version: int | None = None  # the version our view of the library is complete up to
        self._write_refusal: TargetError | None = None  # learnt from the key check in load()
        self.failures: list = []

    def close(self) -> None:
        """Close the cache and the HTTP client."""
        self.cache.close()
        self.client.close()

    def item_types(self) -> dict[str, str]:
        """The item type of each loaded entry, by citation key (for the review screen)."""
        return {e.key: d["itemType"] for d, e in zip(self._items, self._entries)
                if d is not None and e is not None and e.key}

    def _guard(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except StatusError as exc:
            raise describe_status(exc, self.client.library, self.client.endpoint, self.client.has_key) from None

    # --- load ------------------------------------------------------------------------------------

    def load(self) -> list[Entry]:
        """Bring the cache up to date (full fetch, or only what changed) and return the entries."""
        return self._guard(self._load)

    def _load(self) -> list[Entry]:
        self._check_access()
        fields = None if self.refresh else self.cache.item_fields(ITEM_FIELDS_MAX_AGE)
        if fields is None:
            fields = self.client.item_fields()
            self.cache.set_item_fields(fields)
        self.native_key = "citationKey" in fields
        if self.refresh:
            self.cache.clear()
            self.cache.set_item_fields(fields)
        self._sync_cache()
        items = sorted((d for d in self.cache.items() if is_entry_item(d)),
                       key=lambda d: (d.get("dateAdded", ""), citation_key_of(d) or "", d["key"]))
        entries = [self._entry(d) for d in items]
        keyed = assign_keys(entries, self.settings.key_pattern, taken=[e.key for e in entries if e.key],
                            keep_existing=True)
        self.generated = {i: e.key for i, (e, k) in enumerate(zip(keyed, entries)) if not k.key}
        self._items, self._entries = list(items), list(keyed)
        return list(keyed)

    def _entry(self, data: dict) -> Entry:
        entry = entry_from_item(data)
        return Entry(entry.type, entry.fields, entry.authors, entry.editors, entry.authors_truncated, entry.key,
                     Origin("zotero", str(self.client.library), record=data["key"]))

    def _check_access(self) -> None:
        library = self.client.library
        if not self.client.has_key:
            self._write_refusal = TargetError(f"no Zotero API key to write to {library}",
                                              hint=f"set {ENV_API_KEY} or pass --api-key-file FILE")
            if self.require_write:
                raise self._write_refusal
            return
        try:
            info = self.client.key_access()
        except StatusError as exc:
            if exc.status in (401, 403, 404):
                raise TargetError(f"the Zotero server rejected the API key (HTTP {exc.status})",
                                  hint=f"check {ENV_API_KEY} or --api-key-file; keys are made at "
                                       "https://www.zotero.org/settings/keys") from None
            raise
        access = info.get("access") or {}
        if library.kind == "user":
            rights = access.get("user") if str(info.get("userID")) == library.id else None
        else:
            groups = access.get("groups") or {}
            rights = groups.get(library.id) or groups.get("all")
        if not rights or not rights.get("library"):
            raise TargetError(f"the API key has no access to {library}",
                              hint="check the library ID, or give the key access at https://www.zotero.org/settings/keys")
        self._write_refusal = None if rights.get("write") else TargetError(
            f"the API key may read {library} but not write to it",
            hint="allow writing for this key at https://www.zotero.org/settings/keys")
        if self.require_write and self._write_refusal is not None:
            raise self._write_refusal

    def refused_write(self) -> TargetError | None:
        """What would stop this library's writes (no API key, or a key that may only read), as
        the error the write would meet, or None: learnt from the key check of :meth:`load`, so
        asking costs no request. A run asks only when its plan writes (see
        :func:`bibsync.sync.run_sync`); a target opened with ``require_write`` refuses in ``load``."""
        return self._write_refusal

    def _sync_cache(self) -> None:
        known = self.cache.library_version
        if known is None:
            items, version = self.client.fetch_items(on_page=self._on_page)
            self.cache.replace_all(items, version)
            self._view_version = version
            return
        self._catch_up(known)

    def _catch_up(self, known: int) -> list[dict]:
        """Fetch what changed after ``known`` into the cache; return the changed items."""
        changed = self.client.fetch_items(since=known, if_modified_since=known, include_trashed=True,
                                          on_page=self._on_page)
        if changed is None:
            self._view_version = known
            return []
        items, version = changed
        deleted = self.client.deleted_since(known)
        self.cache.apply_changes(items, deleted, version)
        self._view_version = version
        return items

    def _on_page(self, total: int, done: int) -> None:
        if self.read_progress is not None:
            self.read_progress(done, total)

    def _advance_writes(self, count: int) -> None:
        """Count ``count`` entries as sent (written or refused) for the upload's progress."""
        self._written = min(self._written + count, self._to_write)
        if self.write_progress is not None and self._to_write:
            self.write_progress(self._written, self._to_write)

    # --- apply -----------------------------------------------------------------------------------

    def apply(self, plan: Plan) -> ApplyReport:
        """Write the plan's adds (batches of 50) and updates (with versions); report per entry."""
        return self._guard(lambda: self._apply(plan))

    def _apply(self, plan: Plan) -> ApplyReport:
        if self._write_refusal is not None and plan.to_apply():
            raise self._write_refusal
        report = _new_report(skipped_review=len(plan.by_kind("review")))
        updates = {c.target_index: c for c in plan.by_kind("update") if c.target_index is not None}
        self._to_write, self._written = len(updates) + len(plan.by_kind("add")), 0
        if updates:
            self._update(updates, report)
        adds = [c.result or c.entry.with_key(c.key) for c in plan.by_kind("add")]
        if adds:
            self._add(adds, self._collection_key() if self.collection else None, report)
        return self._finish(report)

    def _finish(self, report: ApplyReport) -> ApplyReport:
        report.details["requests"] = self.client.requests
        report.details["writes"] = self.client.writes
        return report

    def _remember(self, written: Iterable[dict], version: int | None) -> None:
        """Store our own writes; move the cached version only if nobody else wrote in between."""
        written = list(written)
        contiguous = None
        if version is not None and self._view_version is not None and version in (
                self._view_version, self._view_version + 1):
            contiguous = self._view_version = version
        self.cache.store_written(written, contiguous)
        by_key = {d["key"]: i for i, d in enumerate(self._items) if d is not None}
        for data in written:
            index = by_key.get(data["key"])
            if index is None:
                self._items.append(data)
                self._entries.append(self._entry(data))
            else:
                self._items[index] = data
                self._entries[index] = self._entry(data)

    def _write_versioned(self, objects: dict[int, dict], names: Mapping[int, str], failure: str,
                         report: ApplyReport) -> list[int]:
        """POST changes to existing items (by load() index, each with key and version), 50 a request.

        Returns the indices refused with 412 (the item changed meanwhile); reports the rest.
        """
        conflicts: list[int] = []
        pending = list(objects.items())
        for start in range(0, len(pending), BATCH):
            batch = pending[start:start + BATCH]
            try:
                outcome = self.client.write_items([obj for _, obj in batch])
            except ConflictError:  # the write token was used: an earlier attempt got through
                conflicts.extend(i for i, _ in batch)
                continue
            self._remember(outcome.successful.values(), outcome.version)
            self._advance_writes(len(batch))
            for n, (index, obj) in enumerate(batch):
                if n in outcome.successful:
                    report.updated += 1
                    report.details["item_keys"][names[index]] = obj["key"]
                elif n in outcome.unchanged:
                    report.details["unchanged"] += 1
                elif outcome.failed.get(n, (0, ""))[0] == 412:
                    conflicts.append(index)
                else:
                    code, message = outcome.failed.get(n, (0, "no answer for this item"))
                    report.failed.append(f"{names[index]}: {failure} (HTTP {code}: {message})")
        return conflicts

    def _reread(self, indices: Iterable[int]) -> set[int]:
        """Read items again after a 412; return the indices of those still in the library."""
        indices = [i for i in indices if self._items[i] is not None]
        fresh = [d for d in self.client.fetch_by_keys(self._items[i]["key"] for i in indices) if is_entry_item(d)]
        there = {d["key"] for d in fresh}
        for i in indices:
            if self._items[i]["key"] not in there:
                self._items[i] = self._entries[i] = None
        self._remember(fresh, None)
        return {i for i in indices if self._items[i] is not None}

    def _replanned(self, change: Change, report: ApplyReport, why: str) -> bool:
        """Count an entry planned again; True if it still needs a write (add or update)."""
        report.details["replanned"] += 1
        if change.kind == "same":
            report.details["unchanged"] += 1
        elif change.kind == "review":
            report.skipped_review += 1
            report.failed.append(f"{change.entry.key}: {why}; run the sync again to review it")
        return change.kind in ("add", "update")

    # updates: each object carries its version; a per-object 412 means someone else changed it.

    def _update(self, changes: dict[int, Change], report: ApplyReport) -> None:
        for _ in range(MAX_ROUNDS):
            objects: dict[int, dict] = {}
            names: dict[int, str] = {}
            for index, change in changes.items():
                base = self._items[index]
                if base is None:
                    report.failed.append(f"{change.entry.key}: the Zotero item was deleted meanwhile; not updated")
                    continue
                # Exactly what the plan shows, in Zotero's conventions; the key stays where it is.
                patch = patch_from_changes(base, change.field_changes, change.result or change.entry,
                                           native_key=self.native_key)
                if not patch:
                    report.details["unchanged"] += 1
                    continue
                objects[index] = {"key": base["key"], "version": base["version"], **patch}
                names[index] = change.key or change.entry.key or base["key"]
            conflicts = self._write_versioned(objects, names, "not updated", report)
            if not conflicts:
                return
            live = self._reread(conflicts)
            previous, changes = changes, {}
            for index in conflicts:
                if index not in live:
                    report.failed.append(f"{names[index]}: the Zotero item was deleted meanwhile; not updated")
                    continue
                new = make_plan([previous[index].entry], [self._entries[index]], self.policy,
                                key_pattern=self.settings.key_pattern, merge_duplicates=False,
                                omit=self.settings.omit).changes[0]
                if self._replanned(new, report, "changed in Zotero meanwhile and no longer clearly the same"):
                    changes[index] = new
        for change in changes.values():
            report.failed.append(f"{change.entry.key}: kept changing in Zotero while bibsync wrote; not updated")

    # adds: batches of 50 with the library version; 412 means the library moved on.

    def _collection_key(self) -> str:
        cached = self.cache.collections()
        if cached is None:
            collections, version = self.client.collections()
            self.cache.replace_collections(collections, version)
            cached = collections
        for data in cached:
            if data.get("name") == self.collection:
                return data["key"]
        data, version = self.client.create_collection(self.collection or "")
        self._remember([], version)  # moves the cached collections along if nobody else wrote
        self.cache.add_collection(data, None)
        return data["key"]

    def _add(self, entries: list[Entry], collection: str | None, report: ApplyReport) -> None:
        rounds = 0
        while entries:
            batch, entries = entries[:BATCH], entries[BATCH:]
            objects = [item_from_entry(e, native_key=self.native_key) for e in batch]
            for data in objects if collection else ():
                data["collections"] = [collection]
            try:
                outcome = self.client.write_items(objects, if_unmodified_since=self._view_version)
            except ConflictError:
                rounds += 1
                if rounds > MAX_ROUNDS:
                    report.failed.extend(f"{e.key}: the library kept changing; not added" for e in batch + entries)
                    return
                entries = self._reconcile_adds(batch, report) + entries
                continue
            self._remember(outcome.successful.values(), outcome.version)
            self._advance_writes(len(batch))
            for n, entry in enumerate(batch):
                if n in outcome.successful:
                    report.added += 1
                    report.details["item_keys"][entry.key] = outcome.successful[n]["key"]
                else:
                    code, message = outcome.failed.get(n, (0, "no answer for this item"))
                    report.failed.append(f"{entry.key}: not added (HTTP {code}: {message})")

    def _reconcile_adds(self, batch: list[Entry], report: ApplyReport) -> list[Entry]:
        """After a 412: read what changed, count our own earlier attempt's items, plan the rest again."""
        changed = self._catch_up(self._view_version or 0)
        self._merge_view(changed)
        ours = {citation_key_of(d): d for d in changed if is_entry_item(d) and citation_key_of(d)}
        rest: list[Entry] = []
        for entry in batch:
            mine = ours.get(entry.key or "")
            if mine is not None and entry_from_item(mine).title == entry.title:
                report.added += 1  # our earlier attempt got through before the connection dropped
                report.details["item_keys"][entry.key] = mine["key"]
            else:
                rest.append(entry)
        if not rest:
            return []
        live = [(i, e) for i, e in enumerate(self._entries) if e is not None]
        plan = make_plan(rest, [e for _, e in live], self.policy, key_pattern=self.settings.key_pattern,
                         merge_duplicates=False, omit=self.settings.omit)
        again: list[Entry] = []
        updates: dict[int, Change] = {}
        for change in plan.changes:
            if not self._replanned(change, report, "a similar item appeared in Zotero meanwhile"):
                continue
            if change.kind == "add":
                again.append(change.result or change.entry.with_key(change.key))
            else:
                updates[live[change.target_index][0]] = change
        if updates:
            self._update(updates, report)
        return again

    def _merge_view(self, changed: list[dict]) -> None:
        """Fold items others changed into the load() view (indices stay; deleted or trashed ones become None)."""
        live_keys = set(self.cache.versions())
        gone = {d["key"] for d in changed if not is_entry_item(d)}
        for i, data in enumerate(self._items):
            if data is not None and (data["key"] not in live_keys or data["key"] in gone):
                self._items[i] = None
                self._entries[i] = None
        self._remember([d for d in changed if is_entry_item(d)], None)

    # --- pull helpers ------------------------------------------------------------------------------

    def item_data(self) -> list[dict | None]:
        """The item data behind load()'s entries, in the same order."""
        return list(self._items)

    def collection_indices(self, name: str) -> list[int]:
        """load() indices of the items in the collection ``name`` (TargetError if there is none)."""
        def find() -> list[int]:
            cached = self.cache.collections()
            if cached is None:
                collections, version = self.client.collections()
                self.cache.replace_collections(collections, version)
                cached = collections
            keys = {c["key"] for c in cached if c.get("name") == name}
            if not keys:
                raise TargetError(f"{self.client.library} has no collection named {name!r}",
                                  hint="check the name (it is case-sensitive)")
            return [i for i, d in enumerate(self._items) if d is not None and keys & set(d.get("collections", []))]
        return self._guard(find)

    def pin_keys(self, keys: Mapping[int, str] | None = None) -> ApplyReport:
        """Write citation keys to items that have none (``{load() index: key}``; default: the generated ones)."""
        return self._guard(lambda: self._pin_keys(dict(self.generated if keys is None else keys)))

    def _pin_keys(self, keys: dict[int, str]) -> ApplyReport:
        report = _new_report()
        wanted = {i: k for i, k in keys.items() if self._items[i] is not None and not citation_key_of(self._items[i])}
        self._to_write, self._written = len(wanted), 0
        for _ in range(MAX_ROUNDS):
            objects = {}
            for index, key in wanted.items():
                base = self._items[index]
                data = with_citation_key(base, key, native_key=self.native_key)
                objects[index] = {"key": base["key"], "version": base["version"], **changed_fields(base, data)}
            conflicts = self._write_versioned(objects, wanted, "key not written", report)
            if not conflicts:
                break
            live = self._reread(conflicts)
            # Someone gave the item a key meanwhile: theirs stands.
            wanted = {i: wanted[i] for i in conflicts if i in live and not citation_key_of(self._items[i])}
        return self._finish(report)


def open_zotero_target(
    spec: str,
    api_key_file: Path | str | None = None,
    endpoint: str | None = None,
    collection: str | None = None,
    refresh: bool = False,
    settings: Settings | None = None,
    *,
    policy: str = "fill",
    require_write: bool = True,
    read_progress: ProgressCallback | None = None,
    write_progress: ProgressCallback | None = None,
    retry: RetryPolicy | None = None,
    timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ZoteroTarget:
    """Open ``user:ID`` or ``group:ID`` as a sync target (nothing is read until ``load()``).

    The key comes from ``api_key_file`` or ``ZOTERO_API_KEY``; the server from ``endpoint``,
    ``BIBSYNC_ZOTERO_ENDPOINT`` or api.zotero.org. ``policy`` is the merge policy used when an
    item changed while bibsync wrote and its entry is planned again. ``retry`` sets the waits
    (and lets tests inject sleep and clock). ``read_progress`` and ``write_progress`` hear
    ``(done, total)`` of page fetches (items) and uploads (entries).
    """
    settings = settings or Settings()
    library = parse_library_spec(spec)
    api_key = read_api_key(api_key_file, environ)
    url = resolve_endpoint(endpoint, environ)
    client = ZoteroClient(library, api_key, url, retry=retry, timeout=timeout, transport=transport)
    cache = ZoteroCache(cache_path(settings.cache_dir, url, f"{library.kind}s", library.id))
    return ZoteroTarget(client, cache, settings=settings, collection=collection, refresh=refresh, policy=policy,
                        require_write=require_write, read_progress=read_progress, write_progress=write_progress)
