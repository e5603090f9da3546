"""A polite HTTP fetcher for metadata APIs (Crossref, arXiv): cache, rate limit, User-Agent.

* Every successful (HTTP 200) answer is stored on disk under ``<cache_dir>/http/`` keyed by
  the request URL, and served from there on later runs without touching the network. A
  cached answer never expires: bibliographic metadata rarely changes; delete the folder to
  refresh. Tests and offline runs may pre-seed the cache with :meth:`ResponseCache.put`.
* Requests to one host are spaced at least ``1 / requests_per_second`` apart (or a longer
  interval a service asks for). The time of the last request is kept in the cache folder,
  so the spacing also holds across the many small parse calls of one run and across runs.
* The User-Agent names bibsync and the contact address from the settings, as Crossref's
  "polite pool" asks.
* No connection is an :class:`Unreachable` error (an InputError) with a hint; after one,
  the fetcher asks that host nothing more in the run (each later request fails at once, so
  a list of identifiers is reported without waiting for every timeout). With ``offline``
  (``--offline``) only the cache answers: a request it does not hold is :class:`NotCached`.
  Any HTTP answer (404, 500, ...) is returned to the caller, which decides what it means.

The transport is injectable (``httpx.MockTransport`` in tests), so the real code path runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from .. import __version__
from ..config import Settings
from ..errors import InputError
from ..files.jsonload import load_json

if TYPE_CHECKING:  # httpx loads when a Fetcher is made, not when a command starts
    import httpx

# Answers worth waiting for and asking again (with the server's Retry-After, capped).
_RETRY_STATUSES = frozenset({429, 503})
_MAX_RETRIES = 2
_MAX_RETRY_WAIT = 30.0


class Unreachable(InputError):
    """The service could not be reached (network down, DNS, timeout): nothing is known about the request."""


class NotCached(Unreachable):
    """Offline (``--offline``) and the cache holds no answer for the request."""


def user_agent(contact_email: str) -> str:
    """Return ``bibsync/<version> (mailto:<contact_email>)``."""
    return f"bibsync/{__version__} (mailto:{contact_email})"


@dataclass(frozen=True)
class Response:
    """An HTTP answer reduced to what sources need."""

    url: str
    status: int
    text: str
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        """True for HTTP 200."""
        return self.status == 200


class ResponseCache:
    """Successful answers on disk, one JSON file per URL: ``<cache_dir>/http/<h[:2]>/<h>.json``."""

    def __init__(self, cache_dir: Path) -> None:
        self.root = Path(cache_dir) / "http"

    def path_for(self, url: str) -> Path:
        """Return the file that holds the answer for ``url``."""
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.root / digest[:2] / f"{digest}.json"

    def get(self, url: str) -> Response | None:
        """Return the cached answer for ``url``, or None (also for an unreadable cache file)."""
        path = self.path_for(url)
        try:
            data = load_json(path.read_text(encoding="utf-8"))
            return Response(url=url, status=int(data["status"]), text=str(data["body"]), from_cache=True)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, url: str, text: str, status: int = 200) -> None:
        """Store an answer (written atomically; a cache that cannot be written is skipped)."""
        path = self.path_for(url)
        record = {"url": url, "status": status, "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "body": text}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs a repeated request next time


class RateLimiter:
    """Spaces requests to one host; the last request time lives in a small file."""

    def __init__(self, stamp: Path, interval: float, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.stamp = stamp
        self.interval = max(0.0, interval)
        self.clock = clock
        self.sleep = sleep

    def wait(self) -> None:
        """Sleep until ``interval`` has passed since the last request, then record this one."""
        try:
            last = float(self.stamp.read_text(encoding="ascii"))
        except (OSError, ValueError):
            last = None
        now = self.clock()
        if last is not None:
            # A clock that went backwards (or a stamp from the future) never blocks for long.
            delay = min(self.interval, last + self.interval - now)
            if delay > 0:
                self.sleep(delay)
                now = self.clock()
        try:
            self.stamp.parent.mkdir(parents=True, exist_ok=True)
            self.stamp.write_text(repr(now), encoding="ascii")
        except OSError:
            pass


class Fetcher:
    """GET with cache, rate limit and a polite User-Agent. Use as a context manager."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        min_interval: float = 0.0,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        offline: bool | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.offline = self.settings.offline if offline is None else offline
        self._down: dict[str, Unreachable] = {}  # host -> why it could not be reached
        self.cache = ResponseCache(self.settings.cache_dir)
        rps = self.settings.requests_per_second
        self.interval = max(min_interval, 1.0 / rps if rps > 0 else 0.0)
        self.clock = clock
        self.sleep = sleep
        import httpx

        self.client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": user_agent(self.settings.contact_email)},
        )

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    def _limiter(self, host: str) -> RateLimiter:
        stamp = self.cache.root / "last-request" / host
        return RateLimiter(stamp, self.interval, clock=self.clock, sleep=self.sleep)

    def get(self, url: str, *, accept: str = "application/json", service: str = "") -> Response:
        """Return the answer for ``url``: from the cache, else from the network (then cached).

        ``service`` names the remote side in messages (default: the host name). Raises
        :class:`Unreachable` when the host cannot be reached (or could not be earlier in
        this run), :class:`NotCached` when offline and the cache holds no answer.
        """
        cached = self.cache.get(url)
        if cached is not None:
            return cached
        import httpx

        host = urlsplit(url).hostname or "unknown-host"
        service = service or host
        if self.offline:
            raise NotCached(f"not in the cache, and --offline asks {service} nothing", where=url,
                            hint="run once without --offline to fetch it; answers are cached for later")
        if host in self._down:
            raise self._down[host]
        limiter = self._limiter(host)
        for attempt in range(_MAX_RETRIES + 1):
            limiter.wait()
            try:
                answer = self.client.get(url, headers={"Accept": accept})
            except httpx.TimeoutException:
                self._down[host] = Unreachable(
                    f"{service} did not answer in time (network)", where=url,
                    hint="try again later; answers fetched before are cached and used with --offline")
                raise self._down[host] from None
            except httpx.TransportError as exc:
                self._down[host] = Unreachable(
                    f"cannot reach {service} (network: {type(exc).__name__}); are you offline?", where=url,
                    hint=f"check the network connection; answers fetched before are cached in "
                         f"{self.cache.root} and used with --offline")
                raise self._down[host] from None
            if answer.status_code in _RETRY_STATUSES and attempt < _MAX_RETRIES:
                self.sleep(_retry_after(answer, self.interval))
                continue
            break
        response = Response(url=url, status=answer.status_code, text=answer.text)
        if response.ok:
            self.cache.put(url, response.text, response.status)
        return response


def _retry_after(answer: httpx.Response, default: float) -> float:
    """Seconds a 429/503 answer asks us to wait (Retry-After in seconds), capped."""
    try:
        wait = float(answer.headers.get("Retry-After", ""))
    except ValueError:
        wait = max(default, 1.0)
    return min(max(wait, 0.0), _MAX_RETRY_WAIT)
