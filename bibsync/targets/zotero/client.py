"""The Zotero target: a user or group library behind the same plan as a .bib file.

Every pyzotero call lives in this module (so moving to a newer pyzotero is a local change).
pyzotero 1.6.11 alone is not safe under faults, so :class:`ZoteroClient` wraps it:

- its own backoff is switched off (it sleeps in real time and starts timer threads);
  ``Backoff`` and ``Retry-After`` are honoured here, with an injectable sleep and clock;
- 429 and 503 (and 409 "library locked", 500, 502, 504) are retried: ``Retry-After`` if
  given, else exponential backoff, giving up after a bounded time with a clear message
  (pyzotero fails decoding a 429's body and does not retry a 503);
- a write keeps one ``Zotero-Write-Token`` across its retries (pyzotero makes a fresh one on
  every call), and creates carry ``If-Unmodified-Since-Version``: a retry after a dropped
  connection, or a write racing another client, gets 412, and the target then reads what
  changed (``?since=``) and plans those entries again instead of writing duplicates;
- ``/keys/current`` is read through pyzotero's HTTP client (``key_info()`` puts the key in the
  URL) and ``/itemFields`` too (``item_fields()`` sends a second request on a client of its own);
- updates go through ``create_items`` with each object's version, because ``update_items``
  ignores per-object failures and fetches ``/itemFields`` twice per item.

The API key is held only by pyzotero's client and is scrubbed from every message.
"""

from __future__ import annotations

import email.utils
import ipaddress
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pyzotero import zotero as _pyzotero

from ...config import DEFAULT_ZOTERO_ENDPOINT, Settings, endpoint_problem
from ...errors import ConflictError, TargetError, UsageError
from ...keys import assign_keys
from ...model import Entry, Origin
from ...plan import Change, Plan, make_plan
from ...progress import ProgressCallback
from .cache import ZoteroCache, cache_path
from .items import (changed_fields, citation_key_of, entry_from_item, is_entry_item, item_from_entry,
                    patch_from_changes, with_citation_key)
from ..base import ApplyReport

ENV_API_KEY = "ZOTERO_API_KEY"
ENV_ENDPOINT = "BIBSYNC_ZOTERO_ENDPOINT"
DEFAULT_ENDPOINT = DEFAULT_ZOTERO_ENDPOINT
BATCH = 50  # objects per write request (the API's limit)
PAGE = 100  # items per read request (the API's limit)
RETRYABLE = frozenset({409, 429, 500, 502, 503, 504})
ITEM_FIELDS_MAX_AGE = 24 * 3600.0
MAX_ROUNDS = 5  # re-plan rounds after 412 before giving up on an entry


# --- options ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibrarySpec:
    """``user:ID`` or ``group:ID``."""

    kind: str  # "user" or "group"
    id: str

    @property
    def path(self) -> str:
        """The API prefix without slashes, e.g. ``groups/123``."""
        return f"{self.kind}s/{self.id}"

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_library_spec(spec: str) -> LibrarySpec:
    """Read ``user:ID`` or ``group:ID`` (UsageError otherwise)."""
    kind, _, ident = (spec or "").strip().partition(":")
    if kind.lower() not in ("user", "group") or not ident.isdigit():
        raise UsageError(f"--zotero {spec!r} names no library", hint="write user:ID or group:ID, e.g. group:4711")
    return LibrarySpec(kind.lower(), ident)


def read_api_key(api_key_file: Path | str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The API key from ``--api-key-file`` (if given) or ``ZOTERO_API_KEY``; None if neither.

    A key that cannot be one (a line break, a NUL, a non-ASCII character inside) is a
    TargetError naming where it came from, before any request is sent.
    """
    environ = os.environ if environ is None else environ
    if api_key_file is not None:
        try:
            key = Path(api_key_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise TargetError("cannot read the API key file", where=str(api_key_file),
                              hint="give a text file holding only the key") from None
        if not key:
            raise TargetError("the API key file is empty", where=str(api_key_file))
        check_api_key(key, str(api_key_file))
        return key
    key = (environ.get(ENV_API_KEY) or "").strip() or None
    if key is not None:
        check_api_key(key, ENV_API_KEY)
    return key


_KEY_CHARACTER_NAMES = {"\n": "a line break", "\r": "a carriage return", "\x00": "a NUL character",
                        " ": "a space", "\t": "a tab"}


def check_api_key(key: str, where: str) -> None:
    """TargetError unless ``key`` is printable ASCII without spaces, as Zotero keys (24 letters
    and digits) are. The message names the kind of character and its position, never the key."""
    for position, char in enumerate(key, start=1):
        if "\x21" <= char <= "\x7e":
            continue
        kind = _KEY_CHARACTER_NAMES.get(char) or ("a control character" if char.isascii() else "a non-ASCII character")
        raise TargetError(f"the Zotero API key holds {kind} (character {position} of {len(key)}), so it cannot be a key",
                          where=where, hint="Zotero keys are 24 letters and digits: copy the key again from "
                                            "https://www.zotero.org/settings/keys")


def resolve_endpoint(endpoint: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The server address: the argument, else ``BIBSYNC_ZOTERO_ENDPOINT``, else api.zotero.org.

    An address that is not one is a UsageError saying what is wrong with it, before any request.
    """
    environ = os.environ if environ is None else environ
    value = (endpoint or environ.get(ENV_ENDPOINT) or DEFAULT_ENDPOINT).strip().rstrip("/")
    problem = endpoint_problem(value)
    if problem:
        raise UsageError(f"{value!r} is not a server address: {problem}",
                         hint=f"write e.g. https://api.zotero.org (--zotero-endpoint or {ENV_ENDPOINT})")
    return value


def _is_loopback(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class RetryPolicy:
    """How long to wait and when to give up. ``sleep`` and ``clock`` are injectable for tests."""

    max_wait: float = 120.0  # total seconds of waiting for one call before giving up
    base_delay: float = 1.0  # first wait without a Retry-After header; doubles each time
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def delay(self, attempt: int) -> float:
        """The exponential backoff for the ``attempt``-th retry (0-based)."""
        return min(self.max_delay, self.base_delay * (2 ** attempt))


def _duration(seconds: float) -> str:
    """``45 s``, ``120 s (2 minutes)``, ``100000 s (27.8 hours)``: a wait as a person reads it."""
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds:.0f} s (" + f"{seconds / size:.1f}".rstrip("0").rstrip(".") + f" {unit})"
    return f"{seconds:.0f} s"


def _seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After``/``Backoff`` value (a number or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --- the client --------------------------------------------------------------------------------------


class _Status(Exception):
    """The server answered with an error status (raised from the response hook, before pyzotero)."""

    def __init__(self, status: int, text: str, headers: Mapping[str, str]) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.text = text
        self.headers = dict(headers)


class _NotModified(Exception):
    """304: nothing changed since the version we asked about."""


class _Zotero(_pyzotero.Zotero):
    """pyzotero's client with its own backoff off: it sleeps in real time from timer threads.

    ZoteroClient honours ``Backoff``/``Retry-After`` itself, before the next request.
    """

    def _set_backoff(self, duration: Any) -> None:
        return None

    def _check_backoff(self) -> None:
        return None


@dataclass
class WriteOutcome:
    """One write request's result: per-object data written, unchanged, failed; and the library version."""

    successful: dict[int, dict] = field(default_factory=dict)
    unchanged: dict[int, str] = field(default_factory=dict)
    failed: dict[int, tuple[int, str]] = field(default_factory=dict)
    version: int | None = None


class ZoteroClient:
    """pyzotero, wrapped: retries, backoff, write tokens, conditional reads; counts requests."""

    def __init__(self, library: LibrarySpec, api_key: str | None, endpoint: str, *,
                 retry: RetryPolicy | None = None, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.library = library
        self.endpoint = endpoint.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.requests = 0  # HTTP requests sent, retries included
        self.writes = 0  # of which POST/PUT/PATCH/DELETE
        if api_key:
            check_api_key(api_key, "the Zotero API key")
        self.has_key = bool(api_key)
        self._secret = api_key or ""
        self._not_before = 0.0
        self._token: str | None = None
        self._headers: dict[str, str] = {}
        self._connected = False
        self._zot = _Zotero(library.id, library.kind, api_key)
        self._zot.endpoint = self.endpoint
        self._zot.client.close()
        self._zot.client = httpx.Client(
            headers=self._zot.default_headers(), follow_redirects=True, timeout=timeout,
            trust_env=not _is_loopback(self.endpoint), transport=transport,
            event_hooks={"request": [self._on_request], "response": [self._on_response]},
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._zot.client.close()

    def scrub(self, text: str) -> str:
        """``text`` with the API key replaced by ``***`` (for any message that quotes the server)."""
        return text.replace(self._secret, "***") if self._secret else text

    # --- hooks: every request and response passes here --------------------------------------------

    def _on_request(self, request: httpx.Request) -> None:
        wait = self._not_before - self.retry.clock()
        if wait > 0:
            if wait > self.retry.max_wait:
                raise TargetError(f"the Zotero server asked bibsync to wait {_duration(wait)} before the next "
                                  f"request (Backoff), longer than bibsync waits ({_duration(self.retry.max_wait)})",
                                  hint="run the same command again after that time")
            self.retry.sleep(wait)
        if self._token is not None and request.method == "POST":
            request.headers["Zotero-Write-Token"] = self._token
        for name, value in self._headers.items():
            request.headers[name] = value
        self.requests += 1
        if request.method != "GET":
            self.writes += 1

    def _on_response(self, response: httpx.Response) -> None:
        self._connected = True
        backoff = _seconds(response.headers.get("Backoff"))
        if backoff:
            self._not_before = max(self._not_before, self.retry.clock() + backoff)
        if response.status_code == 304:
            response.read()
            raise _NotModified
        if response.status_code >= 400:
            response.read()
            raise _Status(response.status_code, self.scrub(response.text[:300]), response.headers)

    # --- the retry loop ---------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], Any], *, token: str | None = None,
              headers: Mapping[str, str] | None = None) -> Any:
        """Run ``fn`` (one pyzotero call), retrying transient failures within the time budget."""
        start = self.retry.clock()
        attempt = 0
        while True:
            self._token, self._headers = token, dict(headers or {})
            self._zot.url_params = None  # pyzotero keeps a failed call's parameters otherwise
            try:
                return fn()
            except _Status as exc:
                if exc.status not in RETRYABLE:
                    raise
                asked = exc.headers.get("Retry-After") or exc.headers.get("retry-after")
                wait = _seconds(asked)
                reason = f"HTTP {exc.status}"
                if wait is not None and wait > self.retry.max_wait:  # a wait bibsync will not sit through
                    raise TargetError(f"the Zotero server asked bibsync to wait {_duration(wait)} before "
                                      f"{what} (HTTP {exc.status}, Retry-After: {asked}), longer than bibsync "
                                      f"waits ({_duration(self.retry.max_wait)})",
                                      hint=f"run the same command again after that time; nothing more was sent "
                                           f"(what earlier requests wrote is kept)") from None
                if wait is None:
                    wait = self.retry.delay(attempt)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if not self._connected:
                    raise TargetError(f"cannot reach the Zotero server at {self.endpoint}",
                                      hint=f"check the address (--zotero-endpoint or {ENV_ENDPOINT}) "
                                           "and the network") from None
                wait, reason = self.retry.delay(attempt), type(exc).__name__
            except httpx.TransportError as exc:  # dropped connection, timeout: the write may have happened
                wait, reason = self.retry.delay(attempt), f"{type(exc).__name__} (connection lost)"
            finally:
                self._token, self._headers = None, {}
            attempt += 1
            elapsed = self.retry.clock() - start
            if elapsed + wait > self.retry.max_wait:
                raise TargetError(f"gave up {what} after {attempt} attempts in {elapsed:.0f} s: "
                                  f"the Zotero server kept answering {reason}",
                                  hint="what was written is kept; run the same command again later") from None
            self.retry.sleep(wait)

    @property
    def _headers_in(self) -> Mapping[str, str]:
        return self._zot.request.headers if self._zot.request is not None else {}

    def _version_in(self) -> int | None:
        value = self._headers_in.get("Last-Modified-Version")
        return int(value) if value and value.isdigit() else None

    def _get_json(self, path: str, what: str) -> Any:
        """GET ``path`` on pyzotero's HTTP client (for endpoints pyzotero gets wrong)."""
        return self._call(what, lambda: self._zot.client.get(self.endpoint + path).json())

    # --- reading ----------------------------------------------------------------------------------

    def key_access(self) -> dict:
        """The key's permissions (``/keys/current``)."""
        return self._get_json("/keys/current", "checking the API key")

    def item_fields(self) -> list[str]:
        """The item fields the server knows (``/itemFields``)."""
        return [f["field"] for f in self._get_json("/itemFields", "reading the item fields")]

    def fetch_items(self, *, since: int | None = None, if_modified_since: int | None = None,
                    include_trashed: bool = False,
                    on_page: Callable[[int, int], None] | None = None) -> tuple[list[dict], int] | None:
        """All top-level items (changed after ``since``), 100 a page; None on 304.

        Returns the items' data and the library version of the first page. If the library
        changed while paging, missing keys are fetched from a ``format=versions`` listing.
        """
        params: dict[str, Any] = {"limit": PAGE}
        if since is not None:
            params["since"] = since
        if include_trashed:
            params["includeTrashed"] = 1
        headers = {"If-Modified-Since-Version": str(if_modified_since)} if if_modified_since is not None else None
        try:
            page = self._call("reading the library", lambda: self._zot.top(**params), headers=headers)
        except _NotModified:
            return None
        version = self._version_in() or 0
        total = int(self._headers_in.get("Total-Results", len(page)) or 0)
        items = [o["data"] for o in page]
        versions = {version}
        if on_page:
            on_page(total, len(items))
        while self._zot.links and self._zot.links.get("next"):
            page = self._call("reading the library", self._zot.follow)
            items.extend(o["data"] for o in page)
            versions.add(self._version_in() or version)
            if on_page:
                on_page(total, len(items))
        if len(versions) > 1:
            items = self._fill_gaps(items, since, include_trashed)
        return items, version

    def _fill_gaps(self, items: list[dict], since: int | None, include_trashed: bool) -> list[dict]:
        """Fetch the items that moved between pages while the library changed."""
        params: dict[str, Any] = {"format": "versions", "limit": None}
        if since is not None:
            params["since"] = since
        if include_trashed:
            params["includeTrashed"] = 1
        listing = self._call("reading the library", lambda: self._zot.top(**params))
        have = {d["key"] for d in items}
        kept = [d for d in items if d["key"] in listing]  # the others were deleted meanwhile
        return kept + self.fetch_by_keys([k for k in listing if k not in have])

    def fetch_by_keys(self, keys: Iterable[str]) -> list[dict]:
        """The current data of the named items (50 keys a request); deleted ones are absent."""
        keys = list(keys)
        out: list[dict] = []
        for start in range(0, len(keys), BATCH):
            chunk = ",".join(keys[start:start + BATCH])
            page = self._call("reading items",
                              lambda chunk=chunk: self._zot.items(itemKey=chunk, limit=BATCH, includeTrashed=1))
            out.extend(o["data"] for o in page)
        return out

    def deleted_since(self, version: int) -> list[str]:
        """Keys of items deleted after library ``version``."""
        answer = self._call("reading deletions", lambda: self._zot.deleted(since=version))
        return list(answer.get("items", []))

    def collections(self) -> tuple[list[dict], int]:
        """All collections' data and the library version."""
        page = self._call("reading collections", lambda: self._zot.collections(limit=PAGE))
        version = self._version_in() or 0
        out = [o["data"] for o in page]
        while self._zot.links and self._zot.links.get("next"):
            out.extend(o["data"] for o in self._call("reading collections", self._zot.follow))
        return out, version

    # --- writing ----------------------------------------------------------------------------------

    def create_collection(self, name: str) -> tuple[dict, int | None]:
        """Create a collection; returns its data and the library version after the write."""
        token = uuid.uuid4().hex
        answer = self._call("creating a collection", lambda: self._zot.create_collections([{"name": name}]),
                            token=token)
        if answer.get("failed"):
            failure = next(iter(answer["failed"].values()))
            raise TargetError(f"cannot create the collection {name!r}: {self.scrub(str(failure.get('message')))}")
        created = next(iter(answer["successful"].values()))
        return created["data"], self._version_in()

    def write_items(self, objects: list[dict], *, if_unmodified_since: int | None = None) -> WriteOutcome:
        """POST up to 50 objects (new ones, or updates carrying their key and version).

        One write token for every attempt. A 412 (stale library version, or the token was
        used because an earlier attempt got through) is raised as :class:`ConflictError`.
        """
        if len(objects) > BATCH:
            raise ValueError(f"at most {BATCH} objects a request")
        token = uuid.uuid4().hex
        try:
            answer = self._call(
                "writing items", lambda: self._zot.create_items(objects, last_modified=if_unmodified_since),
                token=token)
        except _Status as exc:
            if exc.status == 412:
                raise ConflictError(f"the library changed: {exc.text}") from None
            raise
        outcome = WriteOutcome(version=self._version_in())
        for index, obj in (answer.get("successful") or {}).items():
            outcome.successful[int(index)] = obj["data"]
        for index, key in (answer.get("unchanged") or {}).items():
            outcome.unchanged[int(index)] = key
        for index, failure in (answer.get("failed") or {}).items():
            outcome.failed[int(index)] = (int(failure.get("code") or 0), self.scrub(str(failure.get("message", ""))))
        return outcome


# --- the target -----------------------------------------------------------------------------------------


def _new_report(**counts: int) -> ApplyReport:
    return ApplyReport(**counts, details={"item_keys": {}, "unchanged": 0, "replanned": 0})


def _describe(exc: _Status, library: LibrarySpec, endpoint: str, has_key: bool = True) -> TargetError:
    """One clear line for an error status the retry loop does not handle (``has_key`` False:
    the request went without an API key, as a dry run's may)."""
    first = exc.text.strip().splitlines()[0] if exc.text.strip() else ""
    if exc.status in (401, 403) and not has_key:
        return TargetError(f"{library} cannot be read without a Zotero API key (it is not public; "
                           f"HTTP {exc.status})", hint=f"set {ENV_API_KEY} or pass --api-key-file FILE; "
                                                      "a dry run needs a key that may read the library")
    if exc.status in (401, 403):
        return TargetError(f"the Zotero server refused access to {library} (HTTP {exc.status}: {first})",
                           hint=f"check the API key ({ENV_API_KEY} or --api-key-file) and its permissions "
                                "at https://www.zotero.org/settings/keys")
    if exc.status == 404:
        return TargetError(f"{library} does not exist on {endpoint} (HTTP 404)", hint="check the library ID")
    return TargetError(f"the Zotero server answered HTTP {exc.status}: {first}",
                       hint="if this repeats, report it with BIBSYNC_DEBUG=1 output")


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
        self.name = f"zotero {client.library}"
        self.native_key = False
        self.generated: dict[int, str] = {}  # load() index -> generated citation key
        self._items: list[dict | None] = []  # load() order; None once deleted
        self._entries: list[Entry | None] = []
        self._view_version: int | None = None  # the version our view of the library is complete up to
        self.failures: list = []
        self.decisions_path: Path | None = None  # --decisions FILE; None: the cache folder

    def close(self) -> None:
        """Close the cache and the HTTP client."""
        self.cache.close()
        self.client.close()

    def open_decisions(self):
        """The review decisions for this library: the file named with ``decisions_path``
        (``--decisions FILE``), else one in the cache folder."""
        from ...review.decisions import DecisionStore

        return DecisionStore.for_zotero(self.client.library.path, self.settings.cache_dir, self.decisions_path)

    def item_types(self) -> dict[str, str]:
        """The item type of each loaded entry, by citation key (for the review screen)."""
        return {e.key: d["itemType"] for d, e in zip(self._items, self._entries)
                if d is not None and e is not None and e.key}

    def _guard(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except _Status as exc:
            raise _describe(exc, self.client.library, self.client.endpoint, self.client.has_key) from None

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
            if self.require_write:
                raise TargetError(f"no Zotero API key to write to {library}",
                                  hint=f"set {ENV_API_KEY} or pass --api-key-file FILE")
            return
        try:
            info = self.client.key_access()
        except _Status as exc:
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
        if self.require_write and not rights.get("write"):
            raise TargetError(f"the API key may read {library} but not write to it",
                              hint="allow writing for this key at https://www.zotero.org/settings/keys")

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
