"""A Zotero-compatible web API server for tests: real HTTP on 127.0.0.1, one thread per connection.

It implements the part of the Zotero web API v3 bibsync uses, with the documented semantics:

- libraries ``/users/<id>`` and ``/groups/<id>``; keys (``Zotero-API-Key``, ``Authorization:
  Bearer``), ``/keys/current`` with read/write access; 403 for a bad key or no access;
- library and object versions; ``Last-Modified-Version``; ``If-Modified-Since-Version`` -> 304;
  ``If-Unmodified-Since-Version`` -> 412 when stale; 428 when a write that modifies an
  existing object carries no version (per object in a multi-object POST);
- ``Zotero-Write-Token``: a token reused after a successful write -> 412 "Write token already used";
- ``POST /items`` with per-object ``successful``/``success``/``unchanged``/``failed``; more than
  50 objects -> 413; field and creator-type validation against a small schema;
- paging (``limit`` 1..100, default 25, ``start``), ``Total-Results``, ``Link`` rel="next"/"last";
  ``since``, ``itemKey``, ``format=versions|keys|json``, ``includeTrashed``; ``/deleted?since=``;
- ``/itemFields`` with or without ``citationKey``; ``/collections`` (read, create, items in one);
- injected faults (:class:`Fault`): a status (429/503, with or without ``Retry-After``), a
  ``Backoff`` header on a success, a dropped connection before or after the write commits,
  a slow response, or a callable run just before the request (a concurrent edit).

Tests inspect and change the library directly through :class:`ZoteroTestServer` methods.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
MAX_WRITE_OBJECTS = 50

COMMON = ["title", "abstractNote", "date", "shortTitle", "language", "url", "accessDate", "archive",
          "archiveLocation", "libraryCatalog", "callNumber", "rights", "extra", "DOI"]
SCHEMA: dict[str, tuple[list[str], list[str]]] = {
    # item type: (fields besides COMMON, creator types; the first is the primary one)
    "conferencePaper": (["proceedingsTitle", "conferenceName", "place", "publisher", "volume", "pages",
                         "series", "ISBN", "ISSN"], ["author", "editor", "contributor", "seriesEditor", "translator"]),
    "journalArticle": (["publicationTitle", "volume", "issue", "pages", "series", "seriesTitle", "seriesText",
                        "journalAbbreviation", "ISSN"], ["author", "editor", "contributor", "reviewedAuthor", "translator"]),
    "computerProgram": (["seriesTitle", "versionNumber", "system", "place", "company", "programmingLanguage", "ISBN"],
                        ["programmer", "contributor"]),
    "bookSection": (["bookTitle", "series", "seriesNumber", "volume", "numberOfVolumes", "edition", "place",
                     "publisher", "pages", "ISBN"], ["author", "bookAuthor", "editor", "seriesEditor", "contributor",
                                                     "translator"]),
    "book": (["series", "seriesNumber", "volume", "numberOfVolumes", "edition", "place", "publisher", "numPages",
              "ISBN"], ["author", "editor", "seriesEditor", "contributor", "translator"]),
    "report": (["reportNumber", "reportType", "seriesTitle", "place", "institution", "pages"],
               ["author", "seriesEditor", "contributor", "translator"]),
    "thesis": (["thesisType", "university", "place", "numPages"], ["author", "contributor"]),
    "preprint": (["genre", "repository", "archiveID", "place", "series", "seriesNumber"],
                 ["author", "editor", "contributor", "reviewedAuthor", "translator"]),
    "document": (["publisher"], ["author", "editor", "contributor", "reviewedAuthor", "translator"]),
    "webpage": (["websiteTitle", "websiteType"], ["author", "contributor", "translator"]),
    "note": ([], []),
}
META_FIELDS = {"key", "version", "itemType", "creators", "tags", "collections", "relations", "deleted",
               "parentItem", "dateAdded", "dateModified", "note"}


def type_fields(item_type: str, citation_key: bool) -> list[str]:
    """The fields an item of ``item_type`` has (notes have only ``note``)."""
    if item_type == "note":
        return []
    return COMMON + SCHEMA[item_type][0] + (["citationKey"] if citation_key else [])


@dataclass
class Fault:
    """One injected fault, applied to the requests that match ``method`` and the ``path`` regex.

    ``kind``: ``status`` (answer ``status`` with optional ``retry_after`` and ``body``; nothing is done),
    ``backoff`` (handle normally, add ``Backoff: seconds`` to the answer),
    ``drop_before`` (close the connection before doing anything),
    ``drop_after`` (do the request, commit it, close without answering),
    ``slow_after`` (do the request, then wait ``seconds`` before answering),
    ``before`` (call ``action(server)`` first, then handle normally: a concurrent edit).
    The first ``skip`` matching requests pass untouched; then ``times`` are hit.
    """

    kind: str
    method: str = "GET"
    path: str = ".*"
    status: int = 0
    retry_after: str | None = None
    body: str | None = None
    seconds: float = 0.0
    action: Callable[[ZoteroTestServer], None] | None = None
    skip: int = 0
    times: int = 1
    hits: int = 0

    def take(self, method: str, path: str) -> bool:
        """Count a request; True if this fault applies to it."""
        if method != self.method or not re.search(self.path, path):
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        if self.hits >= self.times:
            return False
        self.hits += 1
        return True


@dataclass
class Library:
    """One user or group library: versioned items and collections, deletions, used write tokens."""

    kind: str  # "users" or "groups"
    id: int
    name: str = "Test library"
    version: int = 0
    items: dict[str, dict] = field(default_factory=dict)  # key -> {"version", "data"}
    collections: dict[str, dict] = field(default_factory=dict)
    deleted_items: dict[str, int] = field(default_factory=dict)
    deleted_collections: dict[str, int] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)


@dataclass
class ApiKey:
    """An API key: whose it is and what it may do (``access`` as /keys/current returns it)."""

    user_id: int
    access: dict


@dataclass
class Logged:
    """One request as the server saw it (status 0: the connection was dropped)."""

    method: str
    path: str
    query: dict
    status: int
    headers: dict


class _Drop(Exception):
    """Close the connection without an answer."""


class _Response:
    def __init__(self, status: int, body: Any = None, headers: dict | None = None, content_type="application/json"):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type


class ZoteroTestServer:
    """The server: start(), stop(), ``endpoint``; state and faults for tests to drive."""

    def __init__(self, *, citation_key_field: bool = True, seed: int = 1) -> None:
        self.citation_key_field = citation_key_field
        self.libraries: dict[tuple[str, int], Library] = {}
        self.keys: dict[str, ApiKey] = {}
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.lock = threading.RLock()
        self._random = random.Random(seed)
        self._clock = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle --------------------------------------------------------------------------

    def start(self) -> ZoteroTestServer:
        """Listen on 127.0.0.1 at an ephemeral port, serving from a daemon thread."""
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # keep-alive connections must not hold up stop()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def endpoint(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT``."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # --- set-up and inspection ---------------------------------------------------------------

    def add_library(self, kind: str, library_id: int, name: str = "Test library") -> Library:
        """Create an empty library (``kind`` is ``users`` or ``groups``)."""
        with self.lock:
            library = Library(kind, library_id, name)
            self.libraries[(kind, library_id)] = library
            return library

    def add_key(self, key: str, user_id: int, *, user_write: bool = True, groups: dict | None = None) -> None:
        """Register an API key; ``groups`` maps a group id (or ``"all"``) to ``{"library": .., "write": ..}``."""
        access = {"user": {"library": True, "files": True, "notes": True, "write": user_write}}
        if groups:
            access["groups"] = {str(k): v for k, v in groups.items()}
        self.keys[key] = ApiKey(user_id, access)

    def library(self, spec: str) -> Library:
        """The library named ``group:ID`` or ``user:ID``."""
        kind, _, ident = spec.partition(":")
        return self.libraries[(kind + "s", int(ident))]

    def items(self, spec: str, *, include_trashed: bool = False) -> list[dict]:
        """Copies of the item data in a library, sorted by item key."""
        with self.lock:
            lib = self.library(spec)
            return [json.loads(json.dumps(o["data"])) for k, o in sorted(lib.items.items())
                    if include_trashed or not o["data"].get("deleted")]

    def put_item(self, spec: str, data: dict) -> str:
        """Store an item directly (a write by another client); returns its key."""
        with self.lock:
            lib = self.library(spec)
            lib.version += 1
            key = data.get("key") or self.new_key()
            stored = self._blank(data["itemType"], key, lib.version)
            stored.update({k: v for k, v in data.items() if k not in ("key", "version")})
            lib.items[key] = {"version": lib.version, "data": stored}
            return key

    def edit_item(self, spec: str, key: str, changes: dict) -> None:
        """Change an item directly (a concurrent edit by another client): new object and library version."""
        with self.lock:
            lib = self.library(spec)
            lib.version += 1
            obj = lib.items[key]
            obj["data"].update(changes)
            obj["data"]["dateModified"] = self._now()
            obj["version"] = obj["data"]["version"] = lib.version

    def delete_item(self, spec: str, key: str) -> None:
        """Delete an item directly (by another client)."""
        with self.lock:
            lib = self.library(spec)
            lib.version += 1
            del lib.items[key]
            lib.deleted_items[key] = lib.version

    def requests(self, *, writes: bool | None = None) -> list[Logged]:
        """The logged requests (``writes=True``: only POST/PUT/PATCH/DELETE)."""
        with self.lock:
            rows = list(self.log)
        if writes is None:
            return rows
        return [r for r in rows if (r.method != "GET") == writes]

    def reset_log(self) -> None:
        """Forget the logged requests."""
        with self.lock:
            self.log.clear()

    def new_key(self) -> str:
        """A fresh 8-character object key from the Zotero alphabet."""
        return "".join(self._random.choice(KEY_ALPHABET) for _ in range(8))

    # --- internals ------------------------------------------------------------------------------

    def _now(self) -> str:
        self._clock += 1
        base = _dt.datetime(2025, 1, 1, tzinfo=_dt.UTC) + _dt.timedelta(seconds=self._clock)
        return base.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _blank(self, item_type: str, key: str, version: int) -> dict:
        data = {"key": key, "version": version, "itemType": item_type}
        if item_type == "note":
            data["note"] = ""
        else:
            data.update({name: "" for name in type_fields(item_type, self.citation_key_field)})
            data["creators"] = []
        data.update({"tags": [], "collections": [], "relations": {}, "dateAdded": self._now()})
        data["dateModified"] = data["dateAdded"]
        return data

    def item_fields(self) -> list[dict]:
        """The /itemFields answer."""
        names: list[str] = []
        for item_type in SCHEMA:
            for name in type_fields(item_type, self.citation_key_field):
                if name not in names:
                    names.append(name)
        return [{"field": n, "localized": n} for n in names]


class _Handler(BaseHTTPRequestHandler):
    """Routes one request to the server state. ``owner`` is set by ZoteroTestServer.start."""

    owner: ZoteroTestServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # --- plumbing -----------------------------------------------------------------------------

    def _serve(self, method: str) -> None:
        server = self.owner
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with server.lock:
            faults = [f for f in server.faults if f.take(method, path)]
        response: _Response | None = None
        try:
            for fault in faults:
                if fault.kind == "before" and fault.action is not None:
                    fault.action(server)
                elif fault.kind == "drop_before":
                    raise _Drop
                elif fault.kind == "status":
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                    body = fault.body if fault.body is not None else (
                        "Too many requests" if fault.status == 429 else "Service unavailable")
                    response = _Response(fault.status, body, headers, "text/plain")
            if response is None:
                with server.lock:
                    try:
                        response = Api(server, method, path, query, self.headers, body).handle()
                    except Exception:  # noqa: BLE001 - a bug in the test server: say so in the answer
                        import traceback
                        response = _Response(500, traceback.format_exc(), content_type="text/plain")
            for fault in faults:
                if fault.kind == "drop_after":
                    raise _Drop
                if fault.kind == "slow_after":
                    time.sleep(fault.seconds)
                if fault.kind == "backoff":
                    response.headers["Backoff"] = str(fault.seconds)
        except _Drop:
            self._log(method, path, query, 0)
            self.close_connection = True
            return
        self._log(method, path, query, response.status)
        try:
            self._send(response)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
            self.close_connection = True

    def _log(self, method: str, path: str, query: dict, status: int) -> None:
        with self.owner.lock:
            self.owner.log.append(Logged(method, path, query, status, dict(self.headers)))

    def _send(self, response: _Response) -> None:
        if response.body is None:
            data = b""
        elif isinstance(response.body, (bytes, str)):
            data = response.body.encode() if isinstance(response.body, str) else response.body
        else:
            data = json.dumps(response.body).encode()
        self.send_response(response.status)
        if response.status != 304 and response.status != 204:
            self.send_header("Content-Type", response.content_type + "; charset=utf-8"
                             if response.content_type.startswith("text/") else response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Api:
    """The API semantics for one request (called with the server lock held)."""

    def __init__(self, server: ZoteroTestServer, method: str, path: str, query: dict, headers, body: bytes):
        self.server = server
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    # --- routing ---------------------------------------------------------------------------------

    def handle(self) -> _Response:
        """Answer the request."""
        if self.path in ("/itemFields",):
            return _Response(200, self.server.item_fields())
        if self.path == "/itemTypes":
            return _Response(200, [{"itemType": t, "localized": t} for t in SCHEMA])
        key = self._api_key()
        if self.path.startswith("/keys/"):
            wanted = self.path.split("/", 2)[2]
            info = self.server.keys.get(key if wanted == "current" else wanted)
            if info is None:
                return _Response(403, "Invalid key", content_type="text/plain")
            return _Response(200, {"key": key if wanted == "current" else wanted, "userID": info.user_id,
                                   "username": f"user{info.user_id}", "access": info.access})
        match = re.fullmatch(r"/(users|groups)/(\d+)(/.*)?", self.path)
        if not match:
            return _Response(404, "Not found", content_type="text/plain")
        library = self.server.libraries.get((match.group(1), int(match.group(2))))
        if library is None:
            return _Response(404, "Not found", content_type="text/plain")
        denied = self._check_access(library, key, write=self.method != "GET")
        if denied is not None:
            return denied
        self.library = library
        rest = match.group(3) or "/"
        routes: list[tuple[str, str, Callable[..., _Response]]] = [
            ("GET", r"/items(/top)?", self.get_items),
            ("GET", r"/items/trash", self.get_trash),
            ("GET", r"/items/([A-Z0-9]{8})", self.get_item),
            ("POST", r"/items", self.post_items),
            ("PATCH", r"/items/([A-Z0-9]{8})", self.patch_item),
            ("PUT", r"/items/([A-Z0-9]{8})", self.put_item),
            ("DELETE", r"/items/([A-Z0-9]{8})", self.delete_item),
            ("DELETE", r"/items", self.delete_items),
            ("GET", r"/deleted", self.get_deleted),
            ("GET", r"/collections(/top)?", self.get_collections),
            ("GET", r"/collections/([A-Z0-9]{8})/items(/top)?", self.get_collection_items),
            ("POST", r"/collections", self.post_collections),
        ]
        for method, pattern, handler in routes:
            m = re.fullmatch(pattern, rest)
            if m and method == self.method:
                return handler(*m.groups())
        return _Response(405 if any(re.fullmatch(p, rest) for _, p, _ in routes) else 404,
                         "Not found", content_type="text/plain")

    def _api_key(self) -> str | None:
        key = self.headers.get("Zotero-API-Key") or self.query.get("key")
        auth = self.headers.get("Authorization", "")
        if not key and auth.startswith("Bearer "):
            key = auth[len("Bearer "):].strip()
        return key

    def _check_access(self, library: Library, key: str | None, write: bool) -> _Response | None:
        info = self.server.keys.get(key) if key else None
        if key and info is None:
            return _Response(403, "Invalid key", content_type="text/plain")
        if info is None:
            return _Response(403, "Forbidden", content_type="text/plain")
        if library.kind == "users":
            allowed = info.user_id == library.id and info.access.get("user", {})
        else:
            groups = info.access.get("groups", {})
            allowed = groups.get(str(library.id)) or groups.get("all")
        if not allowed or not allowed.get("library"):
            return _Response(403, "Forbidden", content_type="text/plain")
        if write and not allowed.get("write"):
            return _Response(403, "Write access denied", content_type="text/plain")
        return None

    # --- helpers ---------------------------------------------------------------------------------

    def _version_headers(self) -> dict:
        return {"Last-Modified-Version": str(self.library.version)}

    def _json_object(self, key: str, obj: dict, kind: str = "item") -> dict:
        lib = self.library
        library = {"type": lib.kind[:-1], "id": lib.id, "name": lib.name, "links": {}}
        base = f"{self.server.endpoint}/{lib.kind}/{lib.id}/{kind}s/{key}"
        out = {"key": key, "version": obj["version"], "library": library,
               "links": {"self": {"href": base, "type": "application/json"}},
               "meta": {}, "data": json.loads(json.dumps(obj["data"]))}
        if kind == "item":
            out["meta"]["numChildren"] = sum(1 for o in lib.items.values() if o["data"].get("parentItem") == key)
        else:
            out["meta"]["numItems"] = sum(1 for o in lib.items.values() if key in o["data"].get("collections", []))
            out["meta"]["numCollections"] = sum(1 for o in lib.collections.values()
                                                if o["data"].get("parentCollection") == key)
        return out

    def _int(self, name: str, default: int | None = None) -> int | None:
        value = self.query.get(name)
        if value is None or value == "":
            return default
        if not re.fullmatch(r"\d+", value):
            raise ValueError(name)
        return int(value)

    def _not_modified(self) -> bool:
        header = self.headers.get("If-Modified-Since-Version")
        return header is not None and header.isdigit() and self.library.version <= int(header)

    def _listing(self, rows: list[tuple[str, dict]], kind: str = "item") -> _Response:
        """Answer a multi-object GET: 304, format, paging, headers."""
        if self._not_modified():
            return _Response(304, None, self._version_headers())
        try:
            since = self._int("since")
            limit = self._int("limit")
            start = self._int("start", 0) or 0
        except ValueError as exc:
            return _Response(400, f"Invalid '{exc}' value", content_type="text/plain")
        if since is not None:
            rows = [(k, o) for k, o in rows if o["version"] > since]
        keys = self.query.get("itemKey" if kind == "item" else "collectionKey")
        if keys:
            wanted = set(keys.split(","))
            if len(wanted) > 50:
                return _Response(400, "Cannot specify more than 50 object keys", content_type="text/plain")
            rows = [(k, o) for k, o in rows if k in wanted]
        rows.sort(key=lambda row: (-row[1]["version"], row[0]))
        fmt = self.query.get("format", "json")
        headers = self._version_headers()
        headers["Total-Results"] = str(len(rows))
        if fmt == "versions":
            return _Response(200, {k: o["version"] for k, o in rows}, headers)
        if fmt == "keys":
            return _Response(200, "".join(k + "\n" for k, _ in rows), headers, "text/plain")
        if fmt != "json":
            return _Response(400, f"Invalid 'format' value '{fmt}'", content_type="text/plain")
        limit = 25 if limit is None else max(1, min(limit, 100))
        page = rows[start:start + limit]
        links = []
        base_query = {k: v for k, v in self.query.items() if k not in ("start", "limit")}
        url = f"{self.server.endpoint}/{self.library.kind}/{self.library.id}{self._route_path()}"
        if start + limit < len(rows):
            links.append(f'<{url}?{urlencode({**base_query, "start": start + limit, "limit": limit})}>; rel="next"')
            last = ((len(rows) - 1) // limit) * limit
            links.append(f'<{url}?{urlencode({**base_query, "start": last, "limit": limit})}>; rel="last"')
        links.append(f'<{url}>; rel="alternate"')
        headers["Link"] = ", ".join(links)
        return _Response(200, [self._json_object(k, o, kind) for k, o in page], headers)

    def _route_path(self) -> str:
        return re.sub(r"^/(users|groups)/\d+", "", self.path)

    # --- items: reading --------------------------------------------------------------------------

    def get_items(self, top: str | None) -> _Response:
        trashed = self.query.get("includeTrashed") == "1"
        rows = [(k, o) for k, o in self.library.items.items()
                if (trashed or not o["data"].get("deleted")) and not (top and o["data"].get("parentItem"))]
        return self._listing(rows)

    def get_trash(self) -> _Response:
        return self._listing([(k, o) for k, o in self.library.items.items() if o["data"].get("deleted")])

    def get_item(self, key: str) -> _Response:
        obj = self.library.items.get(key)
        if obj is None:
            return _Response(404, "Item not found", content_type="text/plain")
        header = self.headers.get("If-Modified-Since-Version")
        if header and header.isdigit() and obj["version"] <= int(header):
            return _Response(304, None, {"Last-Modified-Version": str(obj["version"])})
        return _Response(200, self._json_object(key, obj), {"Last-Modified-Version": str(obj["version"])})

    def get_deleted(self) -> _Response:
        try:
            since = self._int("since")
        except ValueError:
            return _Response(400, "Invalid 'since' value", content_type="text/plain")
        if since is None:
            return _Response(400, "'since' parameter must be provided", content_type="text/plain")
        if self._not_modified():
            return _Response(304, None, self._version_headers())
        lib = self.library
        body = {"collections": [k for k, v in lib.deleted_collections.items() if v > since],
                "items": [k for k, v in lib.deleted_items.items() if v > since],
                "searches": [], "tags": [], "settings": []}
        return _Response(200, body, self._version_headers())

    # --- items: writing --------------------------------------------------------------------------

    def _payload(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    def _library_precondition(self) -> _Response | None:
        header = self.headers.get("If-Unmodified-Since-Version")
        if header is not None:
            if not header.isdigit():
                return _Response(400, "Invalid If-Unmodified-Since-Version value", content_type="text/plain")
            if self.library.version > int(header):
                return _Response(412, f"Library has been modified since specified version "
                                      f"(expected {header}, found {self.library.version})", content_type="text/plain")
        return None

    def _token_check(self) -> _Response | None:
        token = self.headers.get("Zotero-Write-Token")
        if token is not None:
            if not re.fullmatch(r"[0-9A-Za-z]{32}", token):
                return _Response(400, "Invalid Zotero-Write-Token", content_type="text/plain")
            if token in self.library.tokens:
                return _Response(412, "Write token already used", content_type="text/plain")
        return None

    def _validate(self, data: dict) -> tuple[int, str] | None:
        item_type = data.get("itemType")
        if item_type not in SCHEMA:
            return 400, f"'{item_type}' is not a valid itemType"
        allowed = set(type_fields(item_type, self.server.citation_key_field)) | META_FIELDS
        for name, value in data.items():
            if name not in allowed:
                return 400, f"'{name}' is not a valid field for type '{item_type}'"
            if name in allowed - META_FIELDS and not isinstance(value, str):
                return 400, f"'{name}' must be a string"
        creator_types = SCHEMA[item_type][1]
        for creator in data.get("creators", []):
            if creator.get("creatorType") not in creator_types:
                return 400, f"'{creator.get('creatorType')}' is not a valid creator type for item type '{item_type}'"
            if not (creator.get("name") or creator.get("lastName") or creator.get("firstName")):
                return 400, "Creator must have a name"
            if "name" in creator and ("firstName" in creator or "lastName" in creator):
                return 400, "Creator must not have both 'name' and 'firstName'/'lastName'"
        for collection in data.get("collections", []):
            if collection not in self.library.collections:
                return 409, f"Collection {collection} doesn't exist"
        return None

    def post_items(self) -> _Response:
        payload = self._payload()
        if not isinstance(payload, list):
            return _Response(400, "Uploaded data must be a JSON array", content_type="text/plain")
        if len(payload) > MAX_WRITE_OBJECTS:
            return _Response(413, f"Only {MAX_WRITE_OBJECTS} objects can be submitted at a time",
                             content_type="text/plain")
        refused = self._library_precondition() or self._token_check()
        if refused is not None:
            return refused
        lib = self.library
        header_version = self.headers.get("If-Unmodified-Since-Version")
        new_version = lib.version + 1
        result: dict[str, dict] = {"successful": {}, "success": {}, "unchanged": {}, "failed": {}}
        changed = False
        for index, obj in enumerate(payload):
            i = str(index)
            if not isinstance(obj, dict):
                result["failed"][i] = {"key": None, "code": 400, "message": "Object must be a JSON object"}
                continue
            key = obj.get("key")
            existing = lib.items.get(key) if key else None
            if existing is not None:
                given = obj.get("version")
                if given is None and header_version is None:
                    result["failed"][i] = {"key": key, "code": 428, "message":
                                           "Either If-Unmodified-Since-Version or object version property must be provided"}
                    continue
                if given is not None and int(given) != existing["version"]:
                    result["failed"][i] = {"key": key, "code": 412, "message":
                                           f"Item has been modified since specified version "
                                           f"(expected {given}, found {existing['version']})"}
                    continue
                kept = existing["data"]
                if obj.get("itemType") in SCHEMA and obj["itemType"] != kept["itemType"]:
                    # A new item type: Zotero drops the fields the new type does not have.
                    allowed = set(type_fields(obj["itemType"], self.server.citation_key_field)) | META_FIELDS
                    kept = {**{n: "" for n in type_fields(obj["itemType"], self.server.citation_key_field)},
                            **{k: v for k, v in kept.items() if k in allowed}}
                merged = {**kept, **{k: v for k, v in obj.items() if k not in ("version",)}}
                merged.setdefault("itemType", existing["data"]["itemType"])
                problem = self._validate({k: v for k, v in merged.items()})
                if problem:
                    result["failed"][i] = {"key": key, "code": problem[0], "message": problem[1]}
                    continue
                if all(existing["data"].get(k) == v for k, v in obj.items() if k not in ("version", "key")):
                    result["unchanged"][i] = key
                    continue
                merged["version"] = new_version
                merged["dateModified"] = self.server._now()
                existing["data"] = merged
                existing["version"] = new_version
                changed = True
                result["successful"][i] = self._json_object(key, existing)
                result["success"][i] = key
                continue
            if key and (not re.fullmatch(f"[{KEY_ALPHABET}]{{8}}", key)):
                result["failed"][i] = {"key": key, "code": 400, "message": f"'{key}' is not a valid item key"}
                continue
            if key and obj.get("version"):
                result["failed"][i] = {"key": key, "code": 404, "message": f"Item {key} doesn't exist"}
                continue
            problem = self._validate(obj)
            if problem:
                result["failed"][i] = {"key": key, "code": problem[0], "message": problem[1]}
                continue
            key = key or self.server.new_key()
            data = self.server._blank(obj["itemType"], key, new_version)
            data.update({k: v for k, v in obj.items() if k not in ("key", "version")})
            data["version"] = new_version
            lib.items[key] = {"version": new_version, "data": data}
            lib.deleted_items.pop(key, None)
            changed = True
            result["successful"][i] = self._json_object(key, lib.items[key])
            result["success"][i] = key
        if changed:
            lib.version = new_version
        token = self.headers.get("Zotero-Write-Token")
        if token:
            lib.tokens.add(token)
        return _Response(200, result, self._version_headers())

    def _single_write(self, key: str, replace: bool) -> _Response:
        obj = self.library.items.get(key)
        payload = self._payload()
        if not isinstance(payload, dict):
            return _Response(400, "Uploaded data must be a JSON object", content_type="text/plain")
        header = self.headers.get("If-Unmodified-Since-Version")
        given = header if header is not None else payload.get("version")
        if obj is None:
            return _Response(404, "Item not found", content_type="text/plain")
        if given is None:
            return _Response(428, "If-Unmodified-Since-Version not provided", content_type="text/plain")
        if int(given) != obj["version"]:
            return _Response(412, f"Item has been modified since specified version "
                                  f"(expected {given}, found {obj['version']})", content_type="text/plain")
        body = {k: v for k, v in payload.items() if k not in ("key", "version")}
        if replace:
            data = self.server._blank(body.get("itemType", obj["data"]["itemType"]), key, obj["version"])
            data["dateAdded"] = obj["data"]["dateAdded"]
            data.update(body)
        else:
            data = {**obj["data"], **body}
        problem = self._validate(data)
        if problem:
            return _Response(problem[0], problem[1], content_type="text/plain")
        self.library.version += 1
        data["version"] = self.library.version
        data["dateModified"] = self.server._now()
        obj["data"] = data
        obj["version"] = self.library.version
        return _Response(204, None, self._version_headers())

    def patch_item(self, key: str) -> _Response:
        return self._single_write(key, replace=False)

    def put_item(self, key: str) -> _Response:
        return self._single_write(key, replace=True)

    def delete_item(self, key: str) -> _Response:
        obj = self.library.items.get(key)
        if obj is None:
            return _Response(404, "Item not found", content_type="text/plain")
        header = self.headers.get("If-Unmodified-Since-Version")
        if header is None:
            return _Response(428, "If-Unmodified-Since-Version not provided", content_type="text/plain")
        if int(header) != obj["version"]:
            return _Response(412, "Item has been modified since specified version", content_type="text/plain")
        self.library.version += 1
        del self.library.items[key]
        self.library.deleted_items[key] = self.library.version
        return _Response(204, None, self._version_headers())

    def delete_items(self) -> _Response:
        if self.headers.get("If-Unmodified-Since-Version") is None:
            return _Response(428, "If-Unmodified-Since-Version not provided", content_type="text/plain")
        refused = self._library_precondition()
        if refused is not None:
            return refused
        keys = [k for k in self.query.get("itemKey", "").split(",") if k]
        if len(keys) > 50:
            return _Response(413, "Too many keys", content_type="text/plain")
        self.library.version += 1
        for key in keys:
            if self.library.items.pop(key, None) is not None:
                self.library.deleted_items[key] = self.library.version
        return _Response(204, None, self._version_headers())

    # --- collections -----------------------------------------------------------------------------

    def get_collections(self, top: str | None) -> _Response:
        rows = [(k, o) for k, o in self.library.collections.items()
                if not (top and o["data"].get("parentCollection"))]
        return self._listing(rows, kind="collection")

    def get_collection_items(self, key: str, top: str | None) -> _Response:
        if key not in self.library.collections:
            return _Response(404, "Collection not found", content_type="text/plain")
        rows = [(k, o) for k, o in self.library.items.items()
                if key in o["data"].get("collections", []) and not o["data"].get("deleted")]
        return self._listing(rows)

    def post_collections(self) -> _Response:
        payload = self._payload()
        if not isinstance(payload, list):
            return _Response(400, "Uploaded data must be a JSON array", content_type="text/plain")
        if len(payload) > MAX_WRITE_OBJECTS:
            return _Response(413, "Too many collections", content_type="text/plain")
        refused = self._library_precondition() or self._token_check()
        if refused is not None:
            return refused
        lib = self.library
        new_version = lib.version + 1
        result: dict[str, dict] = {"successful": {}, "success": {}, "unchanged": {}, "failed": {}}
        for index, obj in enumerate(payload):
            i = str(index)
            if not isinstance(obj, dict) or not obj.get("name"):
                result["failed"][i] = {"key": None, "code": 400, "message": "Collection name cannot be empty"}
                continue
            parent = obj.get("parentCollection") or False
            if parent and parent not in lib.collections:
                result["failed"][i] = {"key": None, "code": 409, "message": f"Parent collection {parent} doesn't exist"}
                continue
            key = obj.get("key") or self.server.new_key()
            data = {"key": key, "version": new_version, "name": obj["name"], "parentCollection": parent,
                    "relations": {}}
            lib.collections[key] = {"version": new_version, "data": data}
            result["successful"][i] = self._json_object(key, lib.collections[key], "collection")
            result["success"][i] = key
        if result["success"]:
            lib.version = new_version
        token = self.headers.get("Zotero-Write-Token")
        if token:
            lib.tokens.add(token)
        return _Response(200, result, self._version_headers())
