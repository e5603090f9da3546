"""Human decisions about matches, remembered so that nobody is asked the same question twice.

A ``DecisionStore`` holds two things:

- decisions: "this incoming entry IS candidate K" (``merge``, with the field choices made),
  "is NOT candidate K" (``different``), "is new" (``add``, candidate None), or "never add
  it" (``decline``, candidate None: a later sync leaves the entry out);
- pending review cases that syncs left (incoming entry as canonical BibTeX text, candidate
  keys, scores and explanations, the Zotero collection of the sync), which ``bibsync
  review`` walks. A case stays until a person settles it or the entries it names are gone:
  a sync of other sources never drops it (:meth:`DecisionStore.update_pending`).

An incoming entry is identified by a stable fingerprint (its DOI, else normalised title +
year + first author surname); a candidate by its key (a citation key or a Zotero item key).
A declined entry is also remembered by its identifiers (DOI, arXiv id), so that the same
work read from another source (with or without a DOI) stays declined. Two entries of the
same target (duplicates, which share a fingerprint by nature) are both identified by key
(``by_key=True``: the entry becomes ``key:KEY``).

For a .bib file the store is ``FILE.bib.bibsync.json`` next to it, meant to be committed:
sorted, indented, no timestamps, so that its diffs are small and readable. For a Zotero
library it lives in the cache folder unless the user names a file (``--decisions FILE``),
which a group can commit next to its .bib. The store implements
``bibsync.plan.DecisionLookup``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..bibtex.write import Style, format_entry
from ..errors import TargetError
from ..files.atomic import write_atomic
from ..files.jsonload import JsonLimitError, json_error_message, load_json
from ..files.kinds import special_kind
from ..model import Entry
from ..text import fold_ascii, latex_to_unicode, normalize_doi

if TYPE_CHECKING:  # plan imports match; keep this module importable on its own
    from ..plan import Change

DECISIONS = ("merge", "different", "add", "decline")
# Format 3 adds ``decline`` decisions (with ``ids``) and a pending case's ``collection``.
# Format 2: the entry type's field choice is named ``@type`` (bibsync.plan.ENTRY_TYPE), the
# BibTeX field ``type`` is ``type``; in format 1, ``type`` meant the entry type.
FORMAT_VERSION = 3
ABOUT_SHARED = "decisions taken in `bibsync review`; commit this file with the bibliography"
ABOUT_CACHE = ("decisions taken in `bibsync review`, kept in this computer's cache folder; to share them, "
               "name a file next to the bibliography with --decisions FILE")
# Canonical text of stored entries: BibLaTeX types kept (software, online), UTF-8.
_STORE_STYLE = Style(biblatex=True)
_FIX_HINT = "fix or delete the file (it only holds review decisions)"
# For a file that is not a decision file: it is someone's, never advise deleting it.
_OTHER_FILE_HINT = ("bibsync keeps review decisions in a JSON file of its own; name one that does not exist yet "
                    "(e.g. refs.bib.bibsync.json) or one bibsync wrote")
_BIBTEX_RE = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


def _not_decisions(what: str, where: str) -> TargetError:
    return TargetError(f"{what}, not a bibsync decision file; it is left as it is",
                       where=where, hint=_OTHER_FILE_HINT)


def _words(text: str) -> str:
    folded = fold_ascii(latex_to_unicode(text)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def fingerprint(entry: Entry) -> str:
    """Return a stable identity for an entry: ``doi:...`` or ``t:title|year|surname``.

    The same work read again from the same source (or a slightly re-typeset one) gets the
    same fingerprint; the citation key plays no part since incoming keys are generated.
    """
    doi = normalize_doi(entry.get("doi")).lower()
    if doi:
        return f"doi:{doi}"
    people = entry.authors or entry.editors
    surname = _words(people[0].last) if people else ""
    return f"t:{_words(entry.title)}|{entry.year}|{surname}"


def identifiers(entry: Entry) -> tuple[str, ...]:
    """The entry's identifiers as ``doi:...`` and ``arxiv:...`` (folded for comparison)."""
    from ..match.normalize import entry_arxiv, entry_doi  # stdlib-only module, but under bibsync.match

    found = []
    doi = entry_doi(entry)
    if doi:
        found.append(f"doi:{doi}")
    arxiv = entry_arxiv(entry)
    if arxiv:
        found.append(f"arxiv:{arxiv}")
    return tuple(found)


def describe(entry: Entry) -> str:
    """A short human label for an entry, stored beside decisions so the file reads well."""
    people = entry.authors or entry.editors
    who = people[0].last if people else "?"
    title = " ".join(entry.title.split())
    if len(title) > 80:
        title = title[:77] + "..."
    return f"{who} {entry.year or 'n.d.'}: {title}"


@dataclass(frozen=True)
class Decision:
    """One remembered decision about an incoming entry and a candidate (None for ``add``)."""

    entry: str  # fingerprint of the incoming entry
    candidate: str | None  # key of the target entry, None for an entry-level decision
    decision: str  # merge | different | add | decline
    fields: dict[str, str] = field(default_factory=dict)  # field -> "incoming" | "target"
    label: str = ""
    ids: tuple[str, ...] = ()  # a declined entry's identifiers (doi:..., arxiv:...)

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to the file (empty parts left out)."""
        out: dict[str, Any] = {"entry": self.entry, "candidate": self.candidate, "decision": self.decision}
        if self.fields:
            out["fields"] = dict(sorted(self.fields.items()))
        if self.ids:
            out["ids"] = list(self.ids)
        if self.label:
            out["label"] = self.label
        return out


@dataclass(frozen=True)
class PendingCandidate:
    """One candidate shown for a pending case: its key (or index if unknown), score, explanation."""

    key: str | None
    index: int | None
    score: float
    explanation: str = ""
    decided_by: str | None = None


@dataclass(frozen=True)
class PendingCase:
    """A review case left by a sync: the incoming entry and its ranked candidates."""

    entry: Entry
    candidates: tuple[PendingCandidate, ...] = ()
    score: float | None = None
    explanation: str = ""
    collection: str | None = None  # the Zotero collection the sync added to (an add goes there)

    @property
    def fingerprint(self) -> str:
        """The incoming entry's fingerprint."""
        return fingerprint(self.entry)

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to the file."""
        out: dict[str, Any] = {
            "entry": self.fingerprint,
            "bibtex": format_entry(self.entry, _STORE_STYLE).split("\n"),
            "score": None if self.score is None else round(self.score, 4),
            "explanation": self.explanation,
            "candidates": [
                {"key": c.key, "index": c.index, "score": round(c.score, 4), "explanation": c.explanation,
                 **({"decided_by": c.decided_by} if c.decided_by else {})}
                for c in self.candidates
            ],
        }
        if self.collection:
            out["collection"] = self.collection
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> "PendingCase":
        """Read a case back; raises TargetError if it is unreadable."""
        from ..bibtex.read import read_bibtex  # bibtexparser loads only when a pending case is read

        text = data.get("bibtex", "")
        doc = read_bibtex("\n".join(map(str, text)) if isinstance(text, list) else str(text), where)
        if len(doc.entries) != 1:
            raise TargetError("a pending review case holds no readable entry", where=where, hint=_PENDING_HINT)
        try:
            candidates = tuple(
                PendingCandidate(_optional(c.get("key"), str), _optional(c.get("index"), int),
                                 float(c.get("score") or 0.0), str(c.get("explanation", "")),
                                 _optional(c.get("decided_by"), str))
                for c in data.get("candidates", [])
            )
            score = data.get("score")
            return cls(doc.entries[0], candidates, None if score is None else float(score),
                       str(data.get("explanation", "")), _optional(data.get("collection"), str))
        except (AttributeError, TypeError, ValueError):
            raise TargetError("a pending review case is malformed", where=where, hint=_PENDING_HINT) from None


_PENDING_HINT = "run the sync again (it replaces the pending cases), or delete the file"


def _upgrade_fields(fields: dict[str, str], version: int) -> dict[str, str]:
    """Field choices read from a file of format ``version``, with today's names: before
    format 2, ``type`` named the entry type (now ``ENTRY_TYPE``), never the ``type`` field."""
    if version >= 2:
        return dict(fields)
    from ..plan import ENTRY_TYPE  # here, not at the top: plan imports match (see above)

    return {ENTRY_TYPE if name == "type" else name: side for name, side in fields.items()}


def choices_seen_from(side: str, choices: dict[str, str]) -> dict[str, str]:
    """The field choices of a merge of two records of one target as a later sync of one of
    them sees them: a field taken from that record (``side``) is ``incoming``, one taken from
    the other record ``target`` (kept as the merged entry has it). The kept key is the merged
    entry's own, so its choice is left out."""
    from ..plan import ENTRY_KEY  # here, not at the top: plan imports match (see above)

    return {name: "incoming" if chosen == side else "target" for name, chosen in choices.items()
            if name != ENTRY_KEY}


def _line_of_key(text: str, key: str) -> int:
    """The line of the first ``"key":`` in a JSON text (1 if it is not there)."""
    match = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _optional(value: Any, kind: type) -> Any:
    """``value`` if it is None or of ``kind``, else TypeError (a malformed file)."""
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}")
    return value


def case_from_change(change: "Change", target_entries: Sequence[Entry] | None = None,
                     collection: str | None = None) -> PendingCase:
    """Turn a ``review`` Change into a PendingCase.

    Candidate keys come from ``target_entries[candidate.index]`` when the target entries are
    given, else from ``change.target_key`` for the candidate at ``change.target_index``.
    """
    entry = change.entry.with_key(change.key or change.entry.key)
    candidates = []
    for c in change.candidates:
        key = None
        if target_entries is not None and 0 <= c.index < len(target_entries):
            key = target_entries[c.index].key
        elif c.index == change.target_index:
            key = change.target_key
        candidates.append(PendingCandidate(key, c.index, c.score, c.explanation, c.decided_by))
    if not candidates and change.target_key is not None:
        candidates.append(PendingCandidate(change.target_key, change.target_index, change.score or 0.0,
                                           change.explanation))
    return PendingCase(entry, tuple(candidates), change.score, change.explanation, collection)


Slot = tuple[str, "str | None"]  # (entry identity, candidate key)


class DecisionStore:
    """Decisions and pending review cases for one target, read from and saved to a JSON file.

    Saving merges: the file is read again and only what this store changed (decisions set
    or dropped, the pending list replaced, a forget) is applied to it, so two stores open on
    the same file (a sync and the review it runs inline) never undo each other's work.
    """

    def __init__(self, path: Path, *, target: str = "", about: str = ABOUT_SHARED) -> None:
        """Open the store at ``path`` (an empty store if the file does not exist); ``about``
        is the sentence the file opens with (where it lives and what to do with it)."""
        self.path = Path(path)
        self.target = target
        self.about = about
        self._decisions: dict[Slot, Decision] = {}
        self._pending: list[dict[str, Any]] = []
        self._undo: list[list[tuple[Slot, Decision | None]]] = []
        self._touched: set[Slot] = set()  # slots this store set or dropped since it was read
        self._forgot = False
        self._declined_ids: dict[str, Decision] | None = None  # identifier -> decline, built when asked
        self._pending_set = False
        self._dirty = False
        kind = special_kind(self.path)
        if kind is not None:
            raise _not_decisions(f"this is {kind}", str(self.path))
        if self.path.exists():
            self._decisions, self._pending = self._read()

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def for_bib(cls, bib_path: Path) -> "DecisionStore":
        """The store for a .bib file: ``FILE.bib.bibsync.json`` next to it."""
        bib_path = Path(bib_path)
        return cls(bib_path.with_name(bib_path.name + ".bibsync.json"), target=bib_path.name)

    @classmethod
    def for_zotero(cls, library: str, cache_dir: Path, path: Path | None = None) -> "DecisionStore":
        """The store for a Zotero library (e.g. ``users/123``): the file ``path`` the user named
        (``--decisions FILE``, to commit next to a .bib), else one in the local cache folder."""
        if path is not None:
            return cls(Path(path), target=f"zotero:{library}")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", library).strip("-") or "library"
        return cls(Path(cache_dir) / "zotero" / f"{safe}.decisions.json", target=f"zotero:{library}",
                   about=ABOUT_CACHE)

    def _read(self) -> tuple[dict[Slot, Decision], list[dict[str, Any]]]:
        """The file's decisions and pending cases. An empty file is a new store; a file that
        is not a bibsync decision file (no ``"bibsync"`` format number, not JSON, BibTeX,
        binary data) is refused, so that it is never overwritten."""
        where = str(self.path)
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise TargetError(f"cannot read the decision file: {exc.strerror}", where=where) from None
        if not raw.strip():
            return {}, []
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _not_decisions("this file holds binary data", where) from None
        try:
            data = load_json(text)
        except json.JSONDecodeError as exc:
            if _BIBTEX_RE.search(text):
                raise _not_decisions("this is a BibTeX file", where) from None
            if '"bibsync"' not in text:
                what = f"this JSON {exc.msg}" if isinstance(exc, JsonLimitError) else f"this is not JSON ({exc.msg})"
                raise _not_decisions(what, f"{where}:{exc.lineno}") from None
            raise TargetError(f"cannot read the decision file: {json_error_message(exc)}",
                              where=f"{self.path}:{exc.lineno}", hint=_FIX_HINT) from None
        if not isinstance(data, dict) or "bibsync" not in data:
            what = "an object" if isinstance(data, dict) else "an array" if isinstance(data, list) else "a value"
            raise _not_decisions(f'this is JSON ({what} without the "bibsync" format number)', where)
        if (not isinstance(data.get("decisions", []), list)
                or not isinstance(data.get("pending", []), list)
                or not all(isinstance(item, dict) for item in data.get("pending", []))):
            raise TargetError('the decision file is malformed: "decisions" and "pending" must be lists of objects',
                              where=str(self.path), hint=_FIX_HINT)
        version = data["bibsync"]
        where = f"{self.path}:{_line_of_key(text, 'bibsync')}"
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise TargetError(f"the decision file has format {json.dumps(version)}, which is not a format "
                              f"number: bibsync writes a whole number from 1 to {FORMAT_VERSION} there",
                              where=where, hint=_FIX_HINT)
        if version > FORMAT_VERSION:
            # Saving would drop what a newer format holds: refuse rather than lose it.
            raise TargetError(f"the decision file has format {version}; this bibsync reads format "
                              f"{FORMAT_VERSION} and older", where=where,
                              hint="upgrade bibsync (the file was written by a newer version)")
        decisions: dict[Slot, Decision] = {}
        for item in data.get("decisions", []):
            if not isinstance(item, dict) or item.get("decision") not in DECISIONS or not item.get("entry"):
                raise TargetError(f"unknown decision {item!r}", where=str(self.path),
                                  hint="use merge, different, add or decline, or delete the line")
            fields, candidate, label = item.get("fields") or {}, item.get("candidate"), item.get("label", "")
            ids = item.get("ids") or []
            if (not isinstance(item["entry"], str) or not isinstance(candidate, (str, type(None)))
                    or not isinstance(label, str) or not isinstance(fields, dict)
                    or not all(isinstance(v, str) for v in fields.values())
                    or not isinstance(ids, list) or not all(isinstance(v, str) for v in ids)):
                raise TargetError(f"malformed decision {item!r}", where=str(self.path), hint=_FIX_HINT)
            d = Decision(item["entry"], candidate, item["decision"], _upgrade_fields(fields, version), label,
                         tuple(ids))
            decisions[(d.entry, d.candidate)] = d
        return decisions, list(data.get("pending", []))

    def _set(self, slot: Slot, decision: Decision | None) -> None:
        """Set (or with None drop) one decision, noting it for a merging save."""
        if decision is None:
            self._decisions.pop(slot, None)
        else:
            self._decisions[slot] = decision
        self._declined_ids = None
        self._touched.add(slot)
        self._dirty = True

    # --- DecisionLookup --------------------------------------------------------------------

    def _identity(self, entry: Entry, by_key: bool) -> str:
        if by_key:
            if not entry.key:
                raise ValueError("an entry needs a key to be remembered by key")
            return f"key:{entry.key}"
        return fingerprint(entry)

    def decision_for(self, entry: Entry, candidate: Entry | None) -> str | None:
        """Return ``merge``/``different``/``add`` if a person decided this pair, else None.

        With ``candidate`` None: ``add`` if the entry was decided to be new, ``decline`` if
        it is never to be added (found by fingerprint or by any of its identifiers).
        """
        found = self.lookup(entry, candidate)
        return found.decision if found else None

    def lookup(self, entry: Entry, candidate: Entry | None, *, by_key: bool = False) -> Decision | None:
        """The full remembered decision (with field choices) for this pair, or None."""
        key = candidate.key if candidate is not None else None
        if (candidate is not None and key is None) or (by_key and not entry.key):
            return None
        identity = self._identity(entry, by_key)
        found = self._decisions.get((identity, key))
        if found is None and candidate is not None and not by_key:
            # a decision about a key that is now the candidate's alias (an entry merged into it)
            found = next((d for alias in candidate.aliases if (d := self._decisions.get((identity, alias)))), None)
        if found is None and candidate is None and not by_key:
            found = self.declined(entry)
        return found

    def declined(self, entry: Entry) -> Decision | None:
        """The ``decline`` decision that covers ``entry`` (same fingerprint, or a shared
        DOI or arXiv id), or None."""
        found = self._decisions.get((fingerprint(entry), None))
        if found is not None and found.decision == "decline":
            return found
        if self._declined_ids is None:
            self._declined_ids = {i: d for d in self._decisions.values()
                                  if d.decision == "decline" and d.candidate is None for i in d.ids}
        if not self._declined_ids:
            return None
        return next((self._declined_ids[i] for i in identifiers(entry) if i in self._declined_ids), None)

    def pair_decision(self, a: Entry, b: Entry) -> Decision | None:
        """A decision about two entries of one target (duplicates, by key), in either direction."""
        return self.lookup(a, b, by_key=True) or self.lookup(b, a, by_key=True)

    def field_choices(self, entry: Entry, candidate: Entry) -> dict[str, str]:
        """The field choices of a remembered merge (field -> ``incoming``/``target``), or {}."""
        found = self.lookup(entry, candidate)
        return dict(found.fields) if found and found.decision == "merge" else {}

    def decisions(self) -> list[Decision]:
        """All remembered decisions, sorted."""
        return [self._decisions[k] for k in sorted(self._decisions, key=lambda k: (k[0], k[1] or ""))]

    # --- recording -------------------------------------------------------------------------

    def record(self, entry: Entry, candidate: Entry | None, decision: str,
               field_choices: dict[str, str] | None = None, *, different_from: Sequence[Entry] = (),
               by_key: bool = False) -> None:
        """Remember a decision (replacing an earlier one for the same pair); one undo step.

        ``add`` is recorded with candidate None; ``different_from`` lists candidates that
        were shown and rejected, recorded as ``different`` within the same undo step.
        ``by_key`` identifies ``entry`` by its key (for two entries of the same target).
        """
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        if candidate is not None and not candidate.key:
            raise ValueError("a candidate needs a key to be remembered")
        if decision in ("add", "decline") and candidate is not None:
            raise ValueError(f"{decision!r} is about the entry alone (candidate None)")
        fp, label = self._identity(entry, by_key), describe(entry)
        ids = identifiers(entry) if decision == "decline" else ()
        step: list[tuple[Slot, Decision | None]] = []
        self._put(step, Decision(fp, candidate.key if candidate is not None else None, decision,
                                 dict(field_choices or {}), label, ids))
        for other in different_from:
            if other.key and (candidate is None or other.key != candidate.key):
                self._put(step, Decision(fp, other.key, "different", {}, label))
        self._undo.append(step)

    def record_duplicate_merge(self, entry: Entry, candidate: Entry, field_choices: dict[str, str],
                               kept_key: str) -> None:
        """Remember that two entries of one target were merged into one, keyed ``kept_key``
        (``field_choices`` as for ``record``: ``incoming`` is ``entry``'s side); one undo step.

        The pair is remembered by key (as ``record(..., by_key=True)``); each of the two records
        also by its fingerprint as the entry kept, with the choices seen from its side
        (:func:`choices_seen_from`), so that a later sync of either record as it was is that
        entry, even where the matcher would ask (a preprint and its published version).
        """
        if not entry.key or not candidate.key:
            raise ValueError("two entries merged by key need their keys")
        step: list[tuple[Slot, Decision | None]] = []
        self._put(step, Decision(f"key:{entry.key}", candidate.key, "merge", dict(field_choices), describe(entry)))
        records: dict[str, tuple[Entry, dict[str, str]]] = {}
        for record, side in ((entry, "incoming"), (candidate, "target")):
            seen = choices_seen_from(side, field_choices)
            earlier = records.get(fingerprint(record))
            if earlier is not None:  # the two records look alike: a side both took stays theirs
                seen = {name: chosen if earlier[1].get(name) == chosen else "target" for name, chosen in seen.items()}
            records[fingerprint(record)] = (record, seen)
        for who, (record, seen) in records.items():
            self._put(step, Decision(who, kept_key, "merge", seen, describe(record)))
        self._undo.append(step)

    def _put(self, step: list[tuple[Slot, Decision | None]], decision: Decision) -> None:
        """Set one decision as part of an undo ``step`` (a decline keeps its identifiers)."""
        slot = (decision.entry, decision.candidate)
        step.append((slot, self._decisions.get(slot)))
        self._set(slot, decision if decision.candidate is None else replace(decision, ids=()))

    def settle_add(self, entry: Entry, added: Entry, rejected: Sequence[Entry] = ()) -> None:
        """After ``entry`` was added to the target as ``added`` (with its key): remember that
        the entry IS ``added`` from now on (so a later sync matches it instead of adding it
        again), and that ``added`` is not a duplicate of the ``rejected`` candidates."""
        if not added.key:
            raise ValueError("the added entry needs its key")
        fp, label = fingerprint(entry), describe(entry)
        self._set((fp, None), None)
        self._set((fp, added.key), Decision(fp, added.key, "merge", {}, label))
        for other in rejected:
            if other.key and other.key != added.key:
                slot = (f"key:{added.key}", other.key)
                self._set(slot, Decision(slot[0], other.key, "different", {}, describe(added)))

    def adopt(self, other: "DecisionStore", keys: Iterable[str]) -> int:
        """Take ``other``'s decisions about entries that carry the same citation keys here:
        each merge or "different" whose candidate key (and, for an entry known by key, its
        own key) is among ``keys``, unless this store decided the same pair itself. ``pull``
        does this, so that what a person settled in the library holds in the .bib pulled
        from it. Returns how many decisions were taken."""
        keys = set(keys)
        taken = 0
        for slot, decision in other._decisions.items():
            entry, candidate = slot
            if candidate is None or candidate not in keys or slot in self._decisions:
                continue
            if entry.startswith("key:") and entry[4:] not in keys:
                continue
            self._set(slot, decision)
            taken += 1
        return taken

    def undo_last(self) -> bool:
        """Undo the last ``record`` of this session; False if there is nothing to undo."""
        if not self._undo:
            return False
        for slot, before in reversed(self._undo.pop()):
            self._set(slot, before)
        return True

    def forget(self) -> int:
        """Clear every decision (pending cases stay); return how many were cleared."""
        count = len(self._decisions)
        self._declined_ids = None
        if count:
            self._decisions.clear()
            self._touched.clear()
            self._forgot = self._dirty = True
        self._undo.clear()
        return count

    # --- pending review cases ----------------------------------------------------------------

    def set_pending(self, changes: Sequence["Change"], target_entries: Sequence[Entry] | None = None) -> None:
        """Replace the pending review cases with the ``review`` changes of a sync."""
        cases = [case_from_change(c, target_entries) for c in changes if c.kind == "review"]
        self.set_pending_cases(cases)

    def pending_after(self, changes: Sequence["Change"], target_entries: Sequence[Entry],
                      collection: str | None = None) -> list[PendingCase]:
        """The pending cases once a sync planned ``changes`` against ``target_entries``.

        The sync's ``review`` changes are pending (replacing earlier cases of the same
        incoming entry). An earlier case stays unless this sync planned its incoming entry
        otherwise (added, matched, declined: settled), a person decided it, or none of the
        target entries it names is there any more. A sync of other sources keeps it.
        """
        planned = {fingerprint(c.entry) for c in changes}
        keys = {e.key for e in target_entries if e.key}
        kept = []
        for case in self.pending():
            if case.fingerprint in planned or self._settled(case):
                continue
            named = [c.key for c in case.candidates]
            if named and all(k is not None for k in named) and not keys.intersection(named):
                continue  # every entry it names is gone
            kept.append(case)
        new = [case_from_change(c, target_entries, collection) for c in changes if c.kind == "review"]
        return kept + new

    def update_pending(self, changes: Sequence["Change"], target_entries: Sequence[Entry],
                       collection: str | None = None) -> None:
        """Keep the pending cases as :meth:`pending_after` says (after a sync wrote its plan)."""
        self.set_pending_cases(self.pending_after(changes, target_entries, collection))

    def _settled(self, case: PendingCase) -> bool:
        """True if a person decided the case's entry: added, declined, or merged into a candidate."""
        if self.lookup(case.entry, None) is not None:
            return True
        return any(c.key and (case.fingerprint, c.key) in self._decisions
                   and self._decisions[(case.fingerprint, c.key)].decision == "merge" for c in case.candidates)

    def set_pending_cases(self, cases: Sequence[PendingCase]) -> None:
        """Replace the pending review cases."""
        new = [c.to_json() for c in cases]
        if new != self._pending:
            self._pending = new
            self._pending_set = self._dirty = True

    def pending(self) -> list[PendingCase]:
        """The pending review cases, in the order the sync found them."""
        return [PendingCase.from_json(item, f"{self.path} (pending case {i + 1})")
                for i, item in enumerate(self._pending)]

    def resolve_pending(self, entry: Entry) -> bool:
        """Drop the pending case of ``entry`` (after it was decided); True if there was one."""
        fp = fingerprint(entry)
        kept = [item for item in self._pending if item.get("entry") != fp]
        if len(kept) == len(self._pending):
            return False
        self._pending = kept
        self._pending_set = self._dirty = True
        return True

    # --- saving ------------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        """True if there is something to save."""
        return self._dirty

    def to_text(self) -> str:
        """The file's text: sorted, indented JSON ending in a newline."""
        data = {
            "bibsync": FORMAT_VERSION,
            "about": self.about,
            "decisions": [d.to_json() for d in self.decisions()],
            "pending": self._pending,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def save(self) -> bool:
        """Write the file atomically if anything changed; return True if it was written.

        What another store saved to the file meanwhile is kept, except where this store
        changed the same decision (or replaced the pending list, or forgot everything).
        """
        if not self._dirty:
            return False
        if self.path.exists():
            on_disk, disk_pending = self._read()
            merged = {} if self._forgot else on_disk
            for slot in self._touched:
                if slot in self._decisions:
                    merged[slot] = self._decisions[slot]
                else:
                    merged.pop(slot, None)
            self._decisions, self._declined_ids = merged, None
            if not self._pending_set:
                self._pending = disk_pending
        elif not self._decisions and not self._pending:
            self._dirty = False
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, self.to_text().encode("utf-8"))
        self._dirty, self._forgot, self._pending_set = False, False, False
        self._touched.clear()
        return True


def store_for(target: object, path: Path | None = None) -> DecisionStore | None:
    """The decision store of a sync target, in the file ``path`` when one is named
    (``--decisions FILE``): for a Zotero library (a target with a ``library``, see
    :class:`~bibsync.targets.zotero.target.ZoteroTarget`) otherwise one in the cache folder, for
    a .bib file (a target with a ``path``) ``FILE.bib.bibsync.json`` next to it; None for a
    target that has neither."""
    library = getattr(target, "library", None)
    if library is not None:
        return DecisionStore.for_zotero(library.path, target.settings.cache_dir, path)
    bib = getattr(target, "path", None)
    if path is not None:
        return DecisionStore(path, target=(bib if isinstance(bib, Path) else Path(path)).name)
    return DecisionStore.for_bib(bib) if isinstance(bib, Path) else None
