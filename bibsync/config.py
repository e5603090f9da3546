"""Settings: one object built once per run and passed down (no global configuration).

A run's settings come, strongest first, from a command-line flag, an environment variable,
the nearest ``bibsync.toml`` (see :func:`find_config`), and bibsync's defaults. Each setting
that a project file may hold is one field of :class:`Settings` declared with :func:`setting`,
which names its kind (how a file value is checked and converted), its key in the file and
its environment variable; adding a key is adding that one line. :func:`load_settings` builds
the object and records where each value came from (``Settings.origins``), which
``bibsync config`` prints. Secrets (the Zotero API key) never live in the file.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import platformdirs

from .errors import UsageError
from .files.kinds import special_kind
from .keys import DEFAULT_PATTERN, compile_pattern

CONFIG_NAME = "bibsync.toml"
DEFAULT_ZOTERO_ENDPOINT = "https://api.zotero.org"
POLICY_NAMES = ("fill", "source", "target")
DEFAULT_ORIGIN = "default"


def default_cache_dir() -> Path:
    """The user cache folder for bibsync (override with ``BIBSYNC_CACHE_DIR``)."""
    return Path(os.environ.get("BIBSYNC_CACHE_DIR") or platformdirs.user_cache_dir("bibsync"))


# --- kinds of values: check a file value and convert it ------------------------------------

class ValueProblem(ValueError):
    """A file value of the wrong type or form; the message says what was expected."""


def _type_name(value: Any) -> str:
    return {bool: "true/false", str: "a string", int: "a number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _text(value: Any, base: Path) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"expected a string, not {_type_name(value)}")
    return value


def _path(value: Any, base: Path) -> Path:
    text = _text(value, base).strip()
    if not text:
        raise ValueProblem("expected a file name, not an empty string")
    path = Path(text).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def _boolean(value: Any, base: Path) -> bool:
    if not isinstance(value, bool):
        raise ValueProblem(f"expected true or false, not {_type_name(value)}")
    return value


def _policy(value: Any, base: Path) -> str:
    text = _text(value, base)
    if text not in POLICY_NAMES:
        raise ValueProblem(f"expected one of {', '.join(POLICY_NAMES)}, not {text!r}")
    return text


# A BibTeX field name: a letter, then letters, digits and - _ . : + (no spaces, no braces).
_FIELD_NAME_RE = re.compile(r"[a-z][a-z0-9_.:+-]*")


def _field_names(value: Any, base: Path) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueProblem(f'expected a list of field names such as ["abstract", "keywords"], not {_type_name(value)}')
    names = normalize_field_names(value)
    bad = [name for name in names if not _FIELD_NAME_RE.fullmatch(name)]
    if bad:
        raise ValueProblem(f"{bad[0]!r} is not a field name (a letter, then letters, digits, - or _)")
    if any(not v.strip() for v in value):
        raise ValueProblem("expected field names, not an empty one")
    return names


def _library(value: Any, base: Path) -> str:
    text = _text(value, base).strip()
    kind, _, ident = text.partition(":")
    if kind.lower() not in ("user", "group") or not ident.isdigit():
        raise ValueProblem(f"expected user:ID or group:ID (e.g. group:4711), not {text!r}")
    return f"{kind.lower()}:{ident}"


def _pattern(value: Any, base: Path) -> str:
    text = _text(value, base)
    try:
        compile_pattern(text)
    except UsageError as exc:
        raise ValueProblem(exc.message) from None
    return text


def endpoint_problem(value: str) -> str | None:
    """What is wrong with ``value`` as the base URL of a Zotero API server, or None."""
    if any(c.isspace() or not c.isprintable() for c in value):
        return "it holds a space or a control character"
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        return "the IPv6 address in [...] is not valid or not closed" if "IPv6" in str(exc) or "[" in value else \
            "the port is not a number from 1 to 65535"
    if parts.scheme not in ("http", "https"):
        return "it must start with https:// or http://"
    if not host:
        return "it names no host"
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host.split("%")[0])
            valid = bool(re.fullmatch(r"\[[^\]]+\](:\d*)?", parts.netloc.rpartition("@")[2]))
        except ValueError:
            valid = False
        if not valid:
            return "the IPv6 address in [...] is not valid"
    if port == 0:
        return "the port is not a number from 1 to 65535"
    if parts.username is not None or parts.password is not None:
        return "it holds a user name or password (bibsync sends the API key itself)"
    if parts.query or parts.fragment:
        return "it holds a query or fragment (?... or #...); give the base address only"
    return None


def _url(value: Any, base: Path) -> str:
    text = _text(value, base).strip().rstrip("/")
    if not text:
        raise ValueProblem("expected a server address such as https://api.zotero.org, not an empty string")
    problem = endpoint_problem(text)
    if problem:
        raise ValueProblem(f"{text!r} is not a server address: {problem}")
    return text


KINDS: dict[str, Callable[[Any, Path], Any]] = {
    "path": _path, "text": _text, "bool": _boolean, "policy": _policy, "fields": _field_names,
    "library": _library, "pattern": _pattern, "url": _url,
}

# BibLaTeX names of canonical fields: ``omit = ["journaltitle"]`` omits the journal too.
_FIELD_ALIASES = {"journaltitle": "journal", "location": "address"}


def normalize_field_names(names: Any) -> tuple[str, ...]:
    """Field names as bibsync compares them: lower case, canonical names, no blanks or repeats."""
    out: list[str] = []
    for name in names or ():
        low = _FIELD_ALIASES.get(name.strip().lower(), name.strip().lower())
        if low and low not in out:
            out.append(low)
    return tuple(out)


# Kinds whose values a flag gets checked as the file's are: a flag has no file line to blame,
# so it is named instead. (Paths, patterns and the rest are checked where they are used.)
_CHECKED_FLAG_KINDS = ("url", "fields")


def checked_flag_value(name: str, value: Any, flag: str) -> Any:
    """A value typed on the command line for the setting ``name``, checked with the same
    check as in ``bibsync.toml`` (a Zotero endpoint, field names); a UsageError names the flag."""
    spec = next((f for f in fields(Settings) if f.name == name), None)
    kind = spec.metadata.get("kind") if spec is not None else None
    if kind not in _CHECKED_FLAG_KINDS or value is None:
        return value
    try:
        return KINDS[kind](value, Path.cwd())
    except ValueProblem as exc:
        raise UsageError(f"{flag}: {exc}") from None


def setting(default: Any, kind: str, help: str, *, key: str | None = None, env: str | None = None) -> Any:
    """Declare a Settings field that a project file may set (``key``: its name in the file, by
    default the field's own; dotted for a table, ``zotero.endpoint``) and, optionally, an
    environment variable. ``kind`` is one of :data:`KINDS`."""
    if kind not in KINDS:
        raise ValueError(f"unknown setting kind {kind!r}")
    return field(default=default, metadata={"kind": kind, "key": key, "env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    """Everything a run may be configured with (see the module docstring)."""

    into: Path | None = setting(None, "path", "the .bib file that sync, pull and review use")
    zotero: str | None = setting(None, "library", "the Zotero library (user:ID or group:ID)")
    collection: str | None = setting(None, "text", "the Zotero collection new items go to (pull: read from)")
    key_pattern: str = setting(DEFAULT_PATTERN, "pattern", "the citation-key pattern", key="key_format")
    biblatex: bool = setting(False, "bool", "BibLaTeX entry types; new files in UTF-8")
    ascii: bool | None = setting(None, "bool", "LaTeX escapes instead of UTF-8 (unset: BibTeX ASCII, BibLaTeX UTF-8)")
    prefer: str | None = setting(None, "policy", "what wins in existing entries (sync: fill, pull: source)")
    omit: tuple[str, ...] = setting((), "fields", "fields bibsync never writes")
    decisions: Path | None = setting(None, "path", "the review decision file (unset: FILE.bib.bibsync.json, "
                                                   "or the cache folder for Zotero)")
    zotero_endpoint: str | None = setting(None, "url", "the Zotero API server", key="zotero.endpoint",
                                          env="BIBSYNC_ZOTERO_ENDPOINT")
    contact_email: str = "bibsync@example.org"  # sent in the Crossref/arXiv User-Agent
    cache_dir: Path = field(default_factory=default_cache_dir)
    requests_per_second: float = 3.0
    offline: bool = False  # DOI and arXiv look-ups from the cache only
    config_path: Path | None = field(default=None, compare=False)
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def writes_ascii(self) -> bool:
        """Whether new text is written in ASCII with LaTeX escapes: ``ascii`` if set, else
        Better BibTeX's convention (BibTeX in ASCII, BibLaTeX in UTF-8)."""
        return self.ascii if self.ascii is not None else not self.biblatex

    def policy(self, default: str) -> str:
        """The merge policy: ``prefer`` if set, else the command's ``default``."""
        return self.prefer or default

    def origin(self, name: str) -> str:
        """Where the setting ``name`` came from: ``default``, ``FILE:LINE``, ``flag --x``, ``env VAR``."""
        return self.origins.get(name, DEFAULT_ORIGIN)


@dataclass(frozen=True)
class FileKey:
    """One key a ``bibsync.toml`` may hold."""

    key: str  # as written in the file ("into", "zotero.endpoint")
    name: str  # the Settings field
    kind: str
    env: str | None
    help: str


def file_keys() -> list[FileKey]:
    """Every key a ``bibsync.toml`` may hold, in the order of the Settings fields."""
    return [FileKey(f.metadata["key"] or f.name, f.name, f.metadata["kind"], f.metadata["env"], f.metadata["help"])
            for f in fields(Settings) if "kind" in f.metadata]


# --- finding and reading bibsync.toml -------------------------------------------------------

def find_config(start: Path | None = None, home: Path | None = None) -> Path | None:
    """The nearest ``bibsync.toml`` in ``start`` (the current folder) or a parent folder.

    The search stops after the repository root (a folder holding ``.git``), the home folder
    or the file-system root, whichever comes first. A ``bibsync.toml`` that is a folder, a
    FIFO or a device is a UsageError, not silently passed over.
    """
    folder = (start or Path.cwd()).resolve()
    home = (home or Path.home()).resolve()
    while True:
        candidate = folder / CONFIG_NAME
        kind = special_kind(candidate)  # looked up, never opened: a FIFO cannot block the run
        if kind is not None:
            raise UsageError(f"is {kind}, not a settings file", where=str(candidate),
                             hint=f"bibsync reads its settings from a file named {CONFIG_NAME}; rename this one")
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists() or folder == home or folder.parent == folder:
            return None
        folder = folder.parent


# Key names that hold secrets, which a file meant to be committed must not hold.
_SECRET_RE = re.compile(r"(?:^|_|-)(?:api_?key|apikey|key|token|password|secret)$", re.IGNORECASE)
_TABLE_RE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KEY_RE = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _bare(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def key_lines(text: str) -> dict[str, int]:
    """Line numbers of the keys in a TOML text, by dotted name (``zotero.endpoint``)."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_RE.match(line)
        if header and not line.lstrip().startswith("[["):
            table = _bare(header.group(1))
            lines.setdefault(table, number)
            continue
        match = _KEY_RE.match(line)
        if match:
            name = _bare(match.group(1))
            lines.setdefault(f"{table}.{name}" if table else name, number)
    return lines


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"zotero": {"endpoint": x}}`` -> ``{"zotero.endpoint": x}``; a table's ``library`` is
    the table's own value (``[zotero] library = "group:1"`` means ``zotero = "group:1"``)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        elif key == "library" and prefix:
            flat[prefix[:-1]] = value
        else:
            flat[name] = value
    return flat


def _beyond_bounds(text: str) -> tuple[int, str]:
    """The line and kind of what made tomllib fail outside its syntax checks: a number of
    thousands of digits, or arrays and tables nested hundreds deep."""
    number = re.search(r"\d[\d_]{100,}", text)
    if number:
        return text.count("\n", 0, number.start()) + 1, "a number too long to read"
    depth = 0
    for line, content in enumerate(text.split("\n"), start=1):
        depth += content.count("[") + content.count("{") - content.count("]") - content.count("}")
        if depth > 100:
            return line, "values nested more than 100 levels deep"
    return 1, "values nested too deeply to read"


def read_config(path: Path) -> dict[str, tuple[Any, str]]:
    """Read a ``bibsync.toml``: ``{setting name: (value, "FILE:LINE")}``.

    A syntax error, an unknown key or a value of the wrong type is a UsageError (exit 2)
    naming the file and line.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror}", where=str(path)) from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # a byte-order mark, as some editors save UTF-8
    except UnicodeDecodeError:
        raise UsageError("the file is not UTF-8 text", where=str(path), hint="save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        where = f"{path}:{found.group(1)}" if found else str(path)
        message = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", message)
        raise UsageError(f"not valid TOML: {message}", where=where,
                         hint='write keys as key = "value" (see the README, section bibsync.toml)') from None
    except (RecursionError, ValueError):  # tomllib recurses per nesting level and int() refuses 4,300+ digits
        line, what = _beyond_bounds(text)
        raise UsageError(f"cannot read this TOML: {what}", where=f"{path}:{line}",
                         hint='write keys as key = "value" (see the README, section bibsync.toml)') from None
    lines = key_lines(text)
    known = {k.key: k for k in file_keys()}
    values: dict[str, tuple[Any, str]] = {}
    for key, value in _flatten(data).items():
        line = lines.get(key + ".library") or lines.get(key) or lines.get(key.split(".")[0])
        where = f"{path}:{line}" if line else str(path)
        spec = known.get(key)
        if spec is None and _SECRET_RE.search(key.rsplit(".", 1)[-1]):
            raise UsageError(f"{key!r}: secrets do not belong in {CONFIG_NAME}, which is meant to be committed "
                             "(the value was not read into any setting)", where=where,
                             hint="give the Zotero API key in ZOTERO_API_KEY or in a file named by --api-key-file, "
                                  f"and take the line out of {CONFIG_NAME}")
        if spec is None:
            raise UsageError(f"unknown key {key!r}", where=where,
                             hint="bibsync.toml may hold: " + ", ".join(k.key for k in file_keys()))
        try:
            values[spec.name] = (KINDS[spec.kind](value, path.parent), where)
        except ValueProblem as exc:
            raise UsageError(f"{key}: {exc}", where=where) from None
    return values


def load_settings(flags: Mapping[str, tuple[Any, str]] | None = None, *, config: Path | None | str = "auto",
                  cwd: Path | None = None, environ: Mapping[str, str] | None = None,
                  home: Path | None = None, base: Settings | None = None) -> Settings:
    """Build the run's settings: ``flags`` ({field: (value, origin)}, only those the person
    typed) over environment variables over the nearest ``bibsync.toml`` over ``base``
    (default: bibsync's defaults).

    ``config="auto"`` searches from ``cwd`` (see :func:`find_config`); a path reads that
    file; None reads none.
    """
    environ = os.environ if environ is None else environ
    path = find_config(cwd, home) if config == "auto" else (Path(config) if config else None)
    chosen: dict[str, tuple[Any, str]] = {}
    if path is not None:
        chosen.update(read_config(path))
    for spec in file_keys():
        value = environ.get(spec.env or "") if spec.env else None
        if value:
            try:
                chosen[spec.name] = (KINDS[spec.kind](value, Path.cwd()), f"env {spec.env}")
            except ValueProblem as exc:
                raise UsageError(f"{spec.env}: {exc}") from None
    if environ.get("BIBSYNC_CACHE_DIR"):
        chosen["cache_dir"] = (Path(environ["BIBSYNC_CACHE_DIR"]), "env BIBSYNC_CACHE_DIR")
    chosen.update(flags or {})
    settings = base or Settings()
    values = {name: value for name, (value, _) in chosen.items()}
    origins = {name: origin for name, (_, origin) in chosen.items()}
    return replace(settings, **values, config_path=path, origins=origins)


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(key, value, origin) for every file key and the cache folder, as ``bibsync config`` shows them."""
    rows = []
    for spec in file_keys():
        value = getattr(settings, spec.name)
        if spec.name == "ascii" and value is None:
            shown = f"(unset: {'false' if settings.biblatex else 'true'} for {'BibLaTeX' if settings.biblatex else 'BibTeX'})"
        elif spec.name == "zotero_endpoint" and value is None:
            shown = f"(unset: {DEFAULT_ZOTERO_ENDPOINT})"
        elif spec.name == "prefer" and value is None:
            shown = "(unset: fill for sync, source for pull)"
        elif value is None:
            shown = "(unset)"
        elif isinstance(value, bool):
            shown = "true" if value else "false"
        elif isinstance(value, tuple):
            shown = "[" + ", ".join(f'"{v}"' for v in value) + "]"
        else:
            shown = str(value)
        rows.append((spec.key, shown, settings.origin(spec.name)))
    rows.append(("cache_dir", str(settings.cache_dir), settings.origin("cache_dir")))
    return rows
