"""A cache of what reading a .bib produced, so that syncing into an unchanged file costs less than a parse.

One file per target in the user cache folder (``Settings.cache_dir`` / ``BIBSYNC_CACHE_DIR``,
under ``bib-reads/``), named by a hash of the target's real path. A cache file is used only
if it is for that path, for exactly the bytes on disk now (size, modification time and
SHA-256 of the content, which bibsync computes anyway for its last check before a write),
and for this reader: its version and a SHA-256 of the source of every module a read runs
(:func:`reader_fingerprint`), so that an upgraded or edited bibsync never trusts a cache
another reader wrote; anything else (stale, corrupt, foreign, from another reader) is
ignored and replaced.

The cache holds the user's bibliography: its folder is made 0700 (tightened if it is looser)
and each cache file 0600, whatever the umask.

Why JSON and a MAC, not pickle: the cache decides where bibsync splices (the spans of the
entries), so it must never be trusted blindly. JSON cannot run code when it is loaded; an
HMAC-SHA256 over it, keyed by a random per-user key kept in the cache folder (mode 0600),
shows that this user's bibsync wrote it, so a file copied from elsewhere or edited is
ignored rather than believed. Checking the MAC costs a few milliseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from itertools import chain
from pathlib import Path

import bibtexparser

from ... import __version__
from ...bibtex.read import EntryState, entry_of_state
from ...files.atomic import write_atomic
from ...model import Failure, Origin, Person
from .filebytes import FileState
from .state import ReadResult, long_lived

FORMAT = 3  # 2: values and people kept as read until used (bibtex.read.ReadEntry); 3: decoded names
READER = f"bibsync-bib-read/{FORMAT} bibsync/{__version__} bibtexparser/{getattr(bibtexparser, '__version__', '?')}"
# The code a read runs: by the layer contract (pyproject.toml), bibtex/ and targets/bibfile/
# import only from the bottom layer, whose modules are listed here; any edit to one of these
# files (or a new version) makes earlier caches foreign.
READER_SOURCES = ("__init__.py", "bibtex", "targets/bibfile", "config.py", "errors.py", "files", "keys.py",
                  "model.py", "names.py", "progress.py", "registry.py", "tex_letters.py", "text.py")
MIN_BYTES = 100_000  # smaller files parse in a few milliseconds: not worth a cache file
_KEY_BYTES = 32


class ReadCache:
    """Read results of .bib files, kept in ``folder/bib-reads`` (see the module docstring)."""

    def __init__(self, folder: Path | str, min_bytes: int = MIN_BYTES) -> None:
        self.folder = Path(folder) / "bib-reads"
        self.min_bytes = min_bytes
        self._reader: str | None = None

    @property
    def reader(self) -> str:
        """What a cache file must name as its reader: versions and the reader's code hash."""
        if self._reader is None:
            self._reader = f"{READER} code/{reader_fingerprint()}"
        return self._reader

    def file_for(self, path: Path | str) -> Path:
        """The cache file of the .bib at ``path`` (by its real path)."""
        real = os.path.realpath(path)
        return self.folder / (hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:40] + ".json")

    def load(self, path: Path | str, state: FileState | None, text: str, where: str,
             freeze: bool = False) -> ReadResult | None:
        """The cached read of ``path`` if it is for exactly this state of the file, else None
        (``freeze``: see ``state.long_lived``)."""
        if state is None or state.size < self.min_bytes:
            return None
        key = self._key(create=False)
        if key is None:
            return None
        try:
            blob = self.file_for(path).read_bytes()
        except OSError:
            return None
        mac, _, payload = blob.partition(b"\n")
        if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).hexdigest().encode()):
            return None
        try:
            with long_lived(freeze):
                data = json.loads(payload)
                if (data.get("reader") != self.reader or data.get("path") != os.path.realpath(path)
                        or data.get("state") != [state.size, state.mtime_ns, state.sha256]):
                    return None
                return _decode(data, text, where)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None

    def store(self, path: Path | str, state: FileState | None, result: ReadResult) -> None:
        """Keep ``result`` as the read of ``path`` in ``state``; a failure to write is ignored."""
        if state is None or state.size < self.min_bytes:
            return
        try:
            key = self._key(create=True)
            if key is None or not private_folder(self.folder):
                return
            data = _encode(result)
            data.update(reader=self.reader, path=os.path.realpath(path), state=[state.size, state.mtime_ns, state.sha256])
            payload = json.dumps(data, separators=(",", ":"), check_circular=False).encode("ascii")
            mac = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
            write_atomic(self.file_for(path), mac + b"\n" + payload, durable=False, mode=0o600)
        except (OSError, ValueError):
            pass

    def _key(self, create: bool) -> bytes | None:
        """This user's MAC key (made on first use); None if it cannot be read or is not private."""
        path = self.folder / ".key"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            if not create:
                return None
            return self._new_key(path)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
                return None
            key = os.read(fd, _KEY_BYTES + 1)
        finally:
            os.close(fd)
        return key if len(key) == _KEY_BYTES else None

    def _new_key(self, path: Path) -> bytes | None:
        if not private_folder(self.folder):
            return None
        key = os.urandom(_KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:  # another run made it first
            return self._key(create=False)
        try:
            os.write(fd, key)
        finally:
            os.close(fd)
        return key


def private_folder(folder: Path) -> bool:
    """Make ``folder`` (and any missing parent) with mode 0700, or tighten it to 0700 if it is
    this user's and looser; False (no cache) if it is a link, not a folder, or another user's."""
    missing = []
    for level in [folder, *folder.parents]:
        if os.path.lexists(level):
            break
        missing.append(level)
    try:
        for level in reversed(missing):
            try:
                os.mkdir(level, 0o700)
            except FileExistsError:
                pass
            os.chmod(level, 0o700)  # mkdir's mode is cut by the umask
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
        if stat.S_IMODE(info.st_mode) != 0o700:
            os.chmod(folder, 0o700)
    except OSError:
        return False
    return True


def reader_fingerprint(root: Path | None = None) -> str:
    """SHA-256 (hex, 16 digits) of the reader's source files under ``root`` (the installed
    bibsync package): :data:`READER_SOURCES`, by relative path and content. A missing file or
    folder counts as missing; a few milliseconds for the whole set."""
    root = root or Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for name in READER_SOURCES:
        place = root / name
        files = sorted(place.rglob("*.py")) if place.is_dir() else [place]
        for file in files:
            try:
                data = file.read_bytes()
            except OSError:
                data = b"<missing>"
            digest.update(f"{file.relative_to(root).as_posix()}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
            digest.update(data)
    return digest.hexdigest()[:16]


# --- (de)serialising ---------------------------------------------------------------------------

def _encode(result: ReadResult) -> dict:
    people: dict[int, int] = {}  # id(person) -> number: a read shares one Person object per name
    persons: list[Person] = []

    def ids(of: tuple[Person, ...] | str) -> list[int] | str:
        if type(of) is str:  # people not parsed yet: the value as read
            return of
        out = []
        for person in of:
            number = people.get(id(person))
            if number is None:
                number = people[id(person)] = len(persons)
                persons.append(person)
            out.append(number)
        return out

    entries = []
    append = entries.append
    flatten = chain.from_iterable
    for e in result.entries:
        state = EntryState.of(e)
        values, pending = state.values, state.pending
        append([state.type, state.key, list(flatten(values.items())),
                list(values.keys() - pending) if pending else None,  # the decoded names
                ids(state.authors), ids(state.editors), state.authors_truncated, e.origin.line if e.origin else None])
    return {
        "people": [[p.last, p.first, p.suffix, p.literal] for p in persons],
        "entries": entries,
        "spans": [list(span) if span else None for span in result.spans],
        "failures": [[f.message, f.line, f.record, f.hint, f.severity, f.kind] for f in result.failures],
        "macros": [list(pair) for pair in result.macros.items()],
        "macro_names": [list(pair) for pair in result.macro_names],
    }


def _decode(data: dict, text: str, where: str) -> ReadResult | None:
    people = [Person(str(last), str(first), str(suffix), bool(literal)) for last, first, suffix, literal in data["people"]]

    def persons(of: list[int] | str) -> list[Person] | str:
        return of if type(of) is str else [people[i] for i in of]

    entries = []
    append = entries.append
    for kind, key, flat, decoded, authors, editors, truncated, line in data["entries"]:
        pairs = iter(flat)
        values = dict(zip(pairs, pairs))
        pending = set() if decoded is None else values.keys() - set(decoded)
        append(entry_of_state(kind, key, values, pending, persons(authors), persons(editors), bool(truncated),
                              Origin("bibtex", where, line)))
    spans = [tuple(span) if span else None for span in data["spans"]]
    if len(spans) != len(entries) or any(span and not text.startswith("@", span[0]) for span in spans):
        return None  # the spans must point at entries of this very text
    failures = [Failure(message, where, line, record, hint, severity=severity, kind=kind)
                for message, line, record, hint, severity, kind in data["failures"]]
    macros = {str(name): str(value) for name, value in data["macros"]}
    macro_names = tuple((str(value), str(name), int(start), int(end)) for value, name, start, end in data["macro_names"])
    return ReadResult(entries, spans, failures, macros, macro_names)
