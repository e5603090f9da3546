"""The Zotero web API client: which library, which key, which server, and every pyzotero call.

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
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pyzotero import zotero as _pyzotero

from ...config import DEFAULT_ZOTERO_ENDPOINT, endpoint_problem
from ...errors import ConflictError, TargetError, UsageError

ENV_API_KEY = "ZOTERO_API_KEY"
ENV_ENDPOINT = "BIBSYNC_ZOTERO_ENDPOINT"
DEFAULT_ENDPOINT = DEFAULT_ZOTERO_ENDPOINT
BATCH = 50  # objects per write request (the API's limit)
PAGE = 100  # items per read request (the API's limit)
RETRYABLE = frozenset({409, 429, 500, 502, 503, 504})
ITEM_FIELDS_MAX_AGE = 24 * 3600.0


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


class StatusError(Exception):
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
            raise StatusError(response.status_code, self.scrub(response.text[:300]), response.headers)

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
            except StatusError as exc:
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
        except StatusError as exc:
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



def describe_status(exc: StatusError, library: LibrarySpec, endpoint: str, has_key: bool = True) -> TargetError:
    """One clear line for an error status the retry loop does not handle (``has_key`` False:
    the request went without an API key, as a dry run's may)."""
    first = exc.text.strip().splitlines()[0] if exc.text.strip() else ""
    if exc.status in (401, 403) and not has_key:
        return TargetError(f"{library} cannot be read without a Zotero API key (it is not public; "
                           f"HTTP {exc.status})", hint=f"set {ENV_API_KEY} or pass --api-key-file FILE; "
                                                      "a dry run, too, needs a key that may read the library")
    if exc.status in (401, 403):
        return TargetError(f"the Zotero server refused access to {library} (HTTP {exc.status}: {first})",
                           hint=f"check the API key ({ENV_API_KEY} or --api-key-file) and its permissions "
                                "at https://www.zotero.org/settings/keys")
    if exc.status == 404:
        return TargetError(f"{library} does not exist on {endpoint} (HTTP 404)", hint="check the library ID")
    return TargetError(f"the Zotero server answered HTTP {exc.status}: {first}",
                       hint="if this repeats, report it with BIBSYNC_DEBUG=1 output")
