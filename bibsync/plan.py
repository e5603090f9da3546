"""The plan: what a sync will do, one Change per incoming entry.

CONTRACT (targets, the CLI and the review rely on these names):

- ``FieldChange(name, old, new)``: ``old`` is None for a field the target lacks; the name
  ``ENTRY_TYPE`` (``"@type"``) means the entry type changes (only a review's merges do that);
  ``type`` is the BibTeX field of that name.
- ``Change(kind, entry, key, target_index, target_key, score, explanation,
  field_changes, candidates, result)``; ``kind`` is ``add``, ``update``, ``same``, ``review``
  or ``declined`` (a person said never to add this entry; nothing is written).
  ``entry`` is the incoming entry; ``key`` the key it will have in the target (new key for
  add, the existing key for update/same); ``result`` the target entry after the change
  (None for review); ``candidates`` the matcher's ranked candidates (for review).
- ``Plan(changes)`` with ``counts()``, ``by_kind(kind)``.
- ``make_plan(incoming, target_entries, policy="fill", settings=..., decisions=None,
  key_pattern=..., pinned=None)`` is pure: no I/O. ``pinned`` maps incoming indices to the
  target entries they are known to be (``pull``: an item's own citation key).
- ``DecisionLookup`` is what make_plan asks about earlier human decisions; a lookup may also
  offer ``field_choices(entry, candidate) -> {field: "incoming" | "target"}`` (the field
  choices of a remembered merge), found with getattr so that simple lookups still work.

Planning, in order: an incoming entry identical to a target entry is ``same`` at once (so
syncing a file into itself plans nothing, duplicates included); the other incoming entries
that the matcher calls duplicates of each other (recommendation ``match``) are merged into
one (``Plan.merged`` records which); each remaining entry is matched against the target,
earlier decisions first (an entry a person declined is ``declined``, whatever matches it);
a candidate that an earlier change of the same plan writes is compared as that change leaves
it, so that the plan is the one the next identical run would make on the written file.
The automatic assignment is one-to-one between works: a second incoming entry that the matcher
pairs with a target entry already matched goes to review, unless the matcher also calls it the
same work as the incoming entry that matched first (then both are that target entry, as they
would have been merged into one had the target lacked the work: a second identical sync is
``same`` throughout). A person's merge is not part of that assignment:
it always holds, whatever else matches the same target entry. Every target entry gets at most
one writing change: when several incoming entries are the same target entry (a person's merge
beside an automatic match, say), the first that writes holds all their field changes, each
planned against the entry as the earlier ones leave it, and the others are ``same``
(see :func:`join_change`). Policies for a matched entry: ``fill`` adds the fields the target
lacks; ``source`` also replaces values that differ (beyond case and spacing); ``target``
changes nothing that exists (matched entries are ``same``, only new entries are added).
A field a person kept on the target's side when merging the pair (field choice ``target``)
is never filled or replaced by a later sync, whatever the policy.
The existing key is never changed; a new entry keeps its own key when it has one and that
key is free, else gets one from the key pattern, unique in the file case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping, Protocol, Sequence

from .bibtex.write import FIELD_RANK
from .errors import UsageError
from .keys import DEFAULT_PATTERN, clean_key, compile_pattern, unique_key
from .match import Candidate, MatchSettings
from .model import Entry, Person
from .names import format_people
from .text import fold_ascii, normalize_pages

KINDS = ("add", "update", "same", "review", "declined")
# Counted even when there are none (``declined`` only when the plan has some).
_ALWAYS_COUNTED = ("add", "update", "same", "review")
# The name under which a FieldChange (or a review's field choice) means the ENTRY type
# (article, inproceedings...): not a valid BibTeX field name, so it never clashes with the
# real ``type`` field (``type = {Technical Report}``), which keeps the name ``type``.
ENTRY_TYPE = "@type"
# The name under which a FieldChange renames the entry's citation key (a review's merge that
# keeps the other side's key; the old key goes to ``ids``). Never made by make_plan.
ENTRY_KEY = "@key"
POLICIES = ("fill", "source", "target")


@dataclass(frozen=True)
class FieldChange:
    """One field that a change sets: old value (None if absent) and new value."""

    name: str
    old: str | None
    new: str


@dataclass(frozen=True)
class Change:
    """What happens to one incoming entry."""

    kind: str
    entry: Entry
    key: str | None = None
    target_index: int | None = None
    target_key: str | None = None
    score: float | None = None
    explanation: str = ""
    field_changes: tuple[FieldChange, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    result: Entry | None = None


@dataclass
class Plan:
    """An ordered list of changes."""

    changes: list[Change] = field(default_factory=list)
    merged: list[tuple[int, ...]] = field(default_factory=list)  # incoming indices merged into one
    # Keys (lower-cased) no new or renamed entry may take though no target entry has them
    # (a .bib file's %-commented entries, which BibTeX reads: see bibsync.bibtex.keys_in_text).
    reserved: frozenset[str] = frozenset()

    def to_apply(self) -> list[Change]:
        """The changes that write something: adds and updates."""
        return [c for c in self.changes if c.kind in ("add", "update")]

    def by_kind(self, kind: str) -> list[Change]:
        """The changes of one kind, in order."""
        return [c for c in self.changes if c.kind == kind]

    def counts(self) -> dict[str, int]:
        """Number of changes per kind: add, update, same and review always (possibly 0),
        ``declined`` when there are some."""
        return {k: n for k in KINDS if (n := len(self.by_kind(k))) or k in _ALWAYS_COUNTED}


class DecisionLookup(Protocol):
    """Earlier human decisions, consulted while planning."""

    def decision_for(self, entry: Entry, candidate: Entry | None) -> str | None:
        """Return ``"merge"``, ``"different"`` or ``"add"`` if a person decided this pair, else None.

        ``candidate`` None asks whether the entry was decided on its own ("add").
        """
        ...

    # Optional (looked up with getattr, see the module docstring):
    # def field_choices(self, entry: Entry, candidate: Entry) -> dict[str, str]: ...


def remembered_field_choices(decisions: DecisionLookup | None, entry: Entry, candidate: Entry) -> dict[str, str]:
    """The field choices (field -> ``incoming``/``target``) a person made when merging
    ``entry`` into ``candidate``, or {} when the lookup has none (or does not offer them)."""
    lookup = getattr(decisions, "field_choices", None)
    return dict(lookup(entry, candidate) or {}) if callable(lookup) else {}


# --- planning -----------------------------------------------------------------------------

# A venue field the target already has in another form: never add the other one.
VENUES = ("booktitle", "journal")


def fingerprint(entry: Entry) -> tuple:
    """The whole content of an entry except its key: equal fingerprints mean identical entries."""
    return (entry.type, frozenset(entry.fields.items()), entry.authors, entry.editors, entry.authors_truncated)


def normalized_value(name: str, value: str) -> str:
    """A value as compared for "differs": case, spacing and a final full stop do not count."""
    if name == "pages":
        value = normalize_pages(value.replace("\u2013", "--"))
    return " ".join(value.casefold().split()).rstrip(".")


def _same_people(a: tuple[Person, ...], b: tuple[Person, ...]) -> bool:
    """Same surnames (accents folded) and compatible first initials, in order."""
    if len(a) != len(b):
        return False
    for p, q in zip(a, b):
        if fold_ascii(p.last).casefold() != fold_ascii(q.last).casefold():
            return False
        fp, fq = fold_ascii(p.first)[:1].casefold(), fold_ascii(q.first)[:1].casefold()
        if fp and fq and fp != fq:
            return False
    return True


def field_changes(incoming: Entry, target: Entry, policy: str = "fill",
                  choices: Mapping[str, str] | None = None) -> tuple[FieldChange, ...]:
    """What ``policy`` changes in ``target`` given ``incoming`` (people as ``author``/``editor``).

    ``choices`` are remembered field choices of a merge: a field chosen ``target`` is left
    as the target has it (absent included); the other fields follow the policy.
    """
    if policy == "target":
        return ()
    kept = {name for name, side in (choices or {}).items() if side == "target"}
    out: list[FieldChange] = []
    for role, theirs, truncated, ours, our_trunc in (
        ("author", incoming.authors, incoming.authors_truncated, target.authors, target.authors_truncated),
        ("editor", incoming.editors, False, target.editors, False),
    ):
        if not theirs:
            continue
        new = format_people(theirs, truncated)
        if not ours and not our_trunc:
            out.append(FieldChange(role, None, new))
        # The same people with only "and others" differing is no news: Zotero, for one,
        # cannot say "and others", so a list read from it is not known to be complete.
        elif policy == "source" and not (truncated and not our_trunc) and not _same_people(theirs, ours):
            out.append(FieldChange(role, format_people(ours, our_trunc), new))
    for name, value in incoming.fields.items():
        if not value:
            continue
        old = target.fields.get(name)
        if old is None:
            if name in VENUES and any(v in target.fields for v in VENUES):
                continue
            out.append(FieldChange(name, None, value))
        elif policy == "source" and normalized_value(name, old) != normalized_value(name, value):
            out.append(FieldChange(name, old, value))
    out = [c for c in out if c.name not in kept]
    return tuple(sorted(out, key=lambda c: (FIELD_RANK.get(c.name, len(FIELD_RANK)), c.name)))


def apply_field_changes(target: Entry, changes: Sequence[FieldChange], source: Entry) -> Entry:
    """The target entry after ``changes`` (people are taken from ``source``)."""
    result = target.with_fields(**{c.name: c.new for c in changes if c.name not in ("author", "editor")})
    names = {c.name for c in changes}
    if "author" in names:
        result = replace(result, authors=source.authors, authors_truncated=source.authors_truncated)
    if "editor" in names:
        result = replace(result, editors=source.editors)
    return result


def merge_entries(entries: Sequence[Entry]) -> Entry:
    """One entry from several incoming duplicates: the first, completed by the others."""
    merged = entries[0]
    for other in entries[1:]:
        fills = {k: v for k, v in other.fields.items() if k not in merged.fields and v}
        if any(v in merged.fields for v in VENUES):
            fills = {k: v for k, v in fills.items() if k not in VENUES}
        merged = merged.with_fields(**fills)
        if (not merged.authors and other.authors) or (merged.authors_truncated and other.authors
                                                     and not other.authors_truncated):
            merged = replace(merged, authors=other.authors, authors_truncated=other.authors_truncated)
        if not merged.editors and other.editors:
            merged = replace(merged, editors=other.editors)
    return merged


def _merge_incoming(entries: list[Entry], settings: MatchSettings) -> tuple[list[Entry], list[list[int]]]:
    """Merge incoming entries the matcher calls duplicates; return entries and member indices."""
    if len(entries) < 2:
        return entries, [[i] for i in range(len(entries))]
    from .match import find_duplicates  # numpy and rapidfuzz load when there is something to compare

    groups = [g for g in find_duplicates(entries, settings) if g.recommendation == "match"]
    member_of: dict[int, list[int]] = {}
    for group in groups:
        indices = sorted(set(group.indices))
        if any(i in member_of for i in indices):  # overlapping groups: keep the first
            continue
        for i in indices:
            member_of[i] = indices
    out, members = [], []
    for i, entry in enumerate(entries):
        group = member_of.get(i)
        if group is None:
            out.append(entry)
            members.append([i])
        elif group[0] == i:
            out.append(merge_entries([entries[j] for j in group]))
            members.append(group)
    return out, members


def _kept_apart_in_target(propose: Callable[[list[Entry]], list], works: list[Entry], merged: list[Entry],
                          members: list[list[int]]) -> tuple[list[Entry], list[list[int]]]:
    """``merged`` and ``members`` with each group of incoming duplicates split into its members
    when every member, on its own, looks most like a different target entry (a paper's
    conference and journal versions, both in the target as entries of their own): the target
    keeps them apart, so the plan does too, and a member that is not clearly its own entry goes
    to review on its own.

    Merged, the group would update one of them and drop what the others bring to theirs; and
    the next run, finding that one identical, would plan the others on their own anyway.
    """
    grouped = [m for group in members if len(group) > 1 for m in group]
    if not grouped:
        return merged, members
    alone = dict(zip(grouped, propose([works[m] for m in grouped])))

    def own_entry(m: int) -> int | None:
        proposal = alone[m]
        likely = proposal is not None and proposal.recommendation in ("match", "review") and proposal.candidates
        return proposal.candidates[0].index if likely else None

    out_works: list[Entry] = []
    out_members: list[list[int]] = []
    for entry, group in zip(merged, members):
        own = [own_entry(m) for m in group] if len(group) > 1 else []
        if own and None not in own and len(set(own)) == len(own):
            out_works += [works[m] for m in group]
            out_members += [[m] for m in group]
        else:
            out_works.append(entry)
            out_members.append(group)
    return out_works, out_members


# The recommendation _decide gives when a person merged the entry into its first candidate.
PERSON_MERGE = "merged by a person"


def _decide(entry: Entry, proposal_candidates: Sequence[Candidate], recommendation: str,
            targets: Sequence[Entry], decisions: DecisionLookup | None) -> tuple[str, list[Candidate], str]:
    """Apply earlier human decisions to a proposal: (recommendation, candidates, note); the
    recommendation is ``PERSON_MERGE`` when a person said the entry is its first candidate:
    by a remembered merge, or by the candidate's ``ids`` (see :func:`_alias_answers`)."""
    recommendation, candidates, note = _remembered(entry, proposal_candidates, recommendation, targets, decisions)
    if recommendation == "review" and _alias_answers(entry, candidates, targets):
        best = targets[candidates[0].index]
        return PERSON_MERGE, candidates, _join(note, f"{entry.key} is an alias of {best.key} (ids)")
    return recommendation, candidates, note


def _alias_answers(entry: Entry, candidates: Sequence[Candidate], targets: Sequence[Entry]) -> bool:
    """True when the question the matcher leaves (is the entry its first candidate?) was
    answered in the target: the entry's key is one of that candidate's aliases (``ids``),
    which a person gave it, or a review's merge of a record with that key into it (a preprint
    into its published version). A key alone is no identity (two works may share one); with
    the matcher's own doubt about this very candidate it settles the question."""
    if not entry.key or not candidates:
        return False
    key = entry.key.casefold()
    return any(alias.casefold() == key for alias in targets[candidates[0].index].aliases)


def _remembered(entry: Entry, proposal_candidates: Sequence[Candidate], recommendation: str,
                targets: Sequence[Entry], decisions: DecisionLookup | None) -> tuple[str, list[Candidate], str]:
    """The remembered decisions about the entry and its candidates applied to a proposal (see _decide)."""
    candidates = list(proposal_candidates)
    if decisions is None:
        return recommendation, candidates, ""
    alone = decisions.decision_for(entry, None)
    if alone == "decline":
        return "declined", candidates, "declined earlier: never add this entry"
    if alone == "add":
        return "new", candidates, "decided earlier: add as new"
    excluded = set()
    for candidate in candidates:
        decision = decisions.decision_for(entry, targets[candidate.index])
        if decision == "merge":
            rest = [c for c in candidates if c is not candidate]
            return PERSON_MERGE, [candidate, *rest], f"decided earlier: same as {targets[candidate.index].key}"
        if decision == "different":
            excluded.add(candidate.index)
        elif decision == "add":
            return "new", candidates, "decided earlier: add as new"
    if not excluded:
        return recommendation, candidates, ""
    remaining = [c for c in candidates if c.index not in excluded]
    if not remaining or recommendation == "new":
        return "new", remaining, "decided earlier: not the same as the candidates"
    if remaining[0] is candidates[0]:
        return recommendation, remaining, ""
    return "review", remaining, "a candidate was ruled out earlier"


def _proposer(targets: list[Entry], settings: MatchSettings) -> Callable[[list[Entry]], list]:
    """A function giving the matcher's proposal for each of some entries (None for all when
    there is no target); one matcher, and its index of the targets, serves every call."""
    matcher = None

    def propose(entries: list[Entry]) -> list:
        nonlocal matcher
        if not targets or not entries:
            return [None] * len(entries)
        if matcher is None:
            from .match import Matcher  # numpy and rapidfuzz load when there is something to compare

            matcher = Matcher(targets, settings)
        batch = getattr(matcher, "propose_all", None)  # one batched lookup when the matcher offers it
        return list(batch(entries)) if batch is not None else [matcher.propose(e) for e in entries]

    return propose


def new_key(entry: Entry, make_key, taken: set[str]) -> str:
    """The key of an entry added to a target: its own key if that is free, else one from
    ``make_key`` (a compiled key pattern), unique case-insensitively; noted in ``taken``
    (lower-case keys)."""
    key = unique_key(clean_key(entry.key or "") or clean_key(make_key(entry)) or "anon", taken)
    taken.add(key.lower())
    return key


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def combined_field_changes(first: Sequence[FieldChange], then: Sequence[FieldChange]) -> tuple[FieldChange, ...]:
    """``first`` followed by ``then`` (planned against the entry ``first`` leaves) as one set of
    changes against the entry ``first`` started from: a field both touch keeps ``first``'s old
    value and ``then``'s new one; a field that ends as it started is left out."""
    by_name = {c.name: c for c in first}
    for c in then:
        before = by_name.get(c.name)
        by_name[c.name] = c if before is None else FieldChange(c.name, before.old, c.new)
    kept = [c for c in by_name.values() if not (c.old == c.new or (c.old is None and c.new == ""))]
    return tuple(sorted(kept, key=lambda c: (c.name != ENTRY_KEY, c.name != ENTRY_TYPE,
                                             FIELD_RANK.get(c.name, len(FIELD_RANK)), c.name)))


def writers_of(changes: Sequence[Change | None]) -> dict[int, int]:
    """Target index -> position of the change that updates that target entry."""
    return {c.target_index: p for p, c in enumerate(changes)
            if c is not None and c.kind == "update" and c.target_index is not None}


def join_change(changes: list[Change | None], position: int, change: Change, writers: dict[int, int]) -> None:
    """Put ``change`` at ``position``, keeping at most one ``update`` per target entry.

    ``change`` must be planned against its target entry as the plan's other changes leave it
    (the result of the update already there, if any: see ``writers``, target index ->
    position of its update, kept up to date here). When another position already updates the
    same entry, that update takes this change's field changes after its own and its result,
    and this change becomes ``same``, its explanation naming the other. So no target entry
    is edited twice in one write (a .bib splice would overlap, a Zotero item be patched twice).
    """
    j = change.target_index
    holder = writers.get(j) if j is not None else None
    if change.kind == "update" and holder is not None and holder != position:
        first = changes[holder]
        assert first is not None
        combined = combined_field_changes(first.field_changes, change.field_changes)
        changes[holder] = replace(first, kind="update" if combined else "same", field_changes=combined,
                                  result=change.result)
        if not combined:
            writers.pop(j, None)
        change = replace(change, kind="same", field_changes=(),
                         explanation=_join(change.explanation, f"written together with incoming entry {holder + 1}"))
    elif change.kind == "update" and j is not None:
        writers[j] = position
    changes[position] = change


class _Planner:
    """The state of one planning run: targets, which of them are matched, which keys are taken,
    and the plan so far (one slot per incoming entry)."""

    def __init__(self, targets: list[Entry], policy: str, decisions: DecisionLookup | None, key_pattern: str,
                 size: int, settings: MatchSettings | None = None, share: bool = True) -> None:
        self.targets = targets
        self.settings = settings or MatchSettings()
        self.share = share  # incoming entries that are one work may share a target entry
        self.policy = policy
        self.decisions = decisions
        self.make_key = compile_pattern(key_pattern)
        # target index -> incoming index that matched it automatically (by the matcher, by
        # key, or identically): the one-to-one assignment. A person's merge claims nothing.
        self.claimed: dict[int, int] = {}
        self.claimers: dict[int, Entry] = {}  # target index -> the (merged) incoming entry that claimed it
        self.slots: list[Change | None] = [None] * size
        self.writers: dict[int, int] = {}  # target index -> slot of the update that writes it
        self.taken = {t.key.lower() for t in targets if t.key}
        self.by_title: dict[str, list[int]] = {}
        for i, target in enumerate(targets):
            self.by_title.setdefault(target.fields.get("title", ""), []).append(i)

    def place(self, i: int, change: Change) -> None:
        """The change of incoming entry ``i``, one writing change per target entry (see join_change)."""
        join_change(self.slots, i, change, self.writers)

    def current(self, j: int) -> Entry:
        """Target entry ``j`` as the changes planned so far leave it."""
        holder = self.writers.get(j)
        result = self.slots[holder].result if holder is not None else None  # type: ignore[union-attr]
        return result or self.targets[j]

    def identical(self, entry: Entry) -> int | None:
        """The index of a target entry identical to ``entry`` (key aside), or None."""
        mark = fingerprint(entry)
        return next((i for i in self.by_title.get(entry.fields.get("title", ""), ())
                     if fingerprint(self.targets[i]) == mark), None)

    def claim(self, j: int, i: int, entry: Entry) -> None:
        """Target ``j`` is matched automatically by incoming entry ``i`` (``entry``), unless it
        already was by an earlier one."""
        if j not in self.claimed:
            self.claimed[j], self.claimers[j] = i, entry

    def same_work(self, entry: Entry, j: int) -> bool:
        """True when the matcher calls ``entry`` and the incoming entry that claimed target ``j``
        the same work, as it does when it merges incoming duplicates (a ``match`` of the pair)."""
        from .match import Matcher  # numpy and rapidfuzz load only when two claim one entry

        return Matcher([], self.settings).compare(entry, self.claimers[j]).verdict == "match"

    def as_planned(self, entry: Entry, candidates: Sequence[Candidate]) -> tuple[list[Candidate], str]:
        """``entry``'s candidates, those that the changes planned so far write scored again
        against the entry as those changes leave it, best first, and the matcher's
        recommendation among them.

        So a sync plans what it would plan on the file it writes: an earlier incoming entry
        that fills pages into one of two copies of a work makes that copy another work for an
        incoming entry with other pages, now and in the next identical run alike.
        """
        from .match import Matcher  # loaded already: there were candidates
        from .match.recommend import rank, recommend

        matcher = Matcher([], self.settings)
        ranked = rank([matcher.compare(entry, self.current(c.index), c.index) if c.index in self.writers else c
                       for c in candidates])
        return ranked, recommend(ranked, self.settings)

    def same(self, entry: Entry, i: int, j: int) -> Change:
        """Incoming entry ``i`` is identical to target ``j``."""
        self.claim(j, i, entry)
        target = self.targets[j]
        return Change("same", entry, key=target.key, target_index=j, target_key=target.key, score=1.0,
                      explanation=f"identical to {target.key}", result=target)

    def matched(self, entry: Entry, j: int, **details) -> Change:
        """Incoming ``entry`` is target ``j``: update or same, planned against the entry as the
        changes so far leave it (remembered field choices of a merge respected)."""
        target, now = self.targets[j], self.current(j)
        changes = field_changes(entry, now, self.policy, remembered_field_choices(self.decisions, entry, target))
        return Change("update" if changes else "same", entry, key=target.key, target_index=j,
                      target_key=target.key, field_changes=changes,
                      result=apply_field_changes(now, changes, entry) if changes else now, **details)

    def pinned(self, entry: Entry, i: int, j: int) -> Change:
        """Incoming entry ``i`` is known to be target ``j`` (no matching): update or same."""
        self.claim(j, i, entry)
        return self.matched(entry, j, score=1.0, explanation=f"same citation key as {self.targets[j].key}")

    def change(self, entry: Entry, first: int, proposal, note: str) -> Change:
        """The change for one (merged) incoming entry, whose first member is incoming ``first``."""
        found, recommendation = (proposal.candidates, proposal.recommendation) if proposal else ((), "new")
        if any(c.index in self.writers for c in found):
            rescored, now = self.as_planned(entry, found)
            # Two works that both looked like one target entry stay a question for a person
            # (which of them is it?) unless, as planned, another target entry is clearly this one.
            if now == "match" or not (recommendation == "match" and found[0].index in self.claimed):
                found, recommendation = rescored, now
        recommendation, candidates, decided = _decide(entry, found, recommendation, self.targets, self.decisions)
        note = _join(note, decided)
        if recommendation == "match" and candidates and candidates[0].index in self.claimed:
            j = candidates[0].index
            other = f"incoming entry {self.claimed[j] + 1}"
            if self.share and self.same_work(entry, j):  # one work read twice: both are that target entry
                note = _join(note, f"the same work as {other}, also {self.targets[j].key}")
            else:
                recommendation = "review"
                note = _join(note, f"{self.targets[j].key} is already matched by {other}")
        if recommendation in ("match", PERSON_MERGE) and candidates:
            best = candidates[0]
            if recommendation == "match":
                self.claim(best.index, first, entry)
            return self.matched(entry, best.index, score=best.score, explanation=_join(best.explanation, note),
                                candidates=tuple(candidates))
        if recommendation == "declined":
            return Change("declined", entry, explanation=note, candidates=tuple(candidates))
        if recommendation == "review" and candidates:
            best = candidates[0]
            return Change("review", entry, target_index=best.index, target_key=self.targets[best.index].key,
                          score=best.score, explanation=_join(best.explanation, note), candidates=tuple(candidates))
        key = new_key(entry, self.make_key, self.taken)
        return Change("add", entry, key=key, explanation=note or "no counterpart in the target",
                      candidates=tuple(candidates), result=entry.with_key(key))


def without_omitted(plan: Plan, omit: Iterable[str], targets: Sequence[Entry] = ()) -> Plan:
    """The plan with the fields ``omit`` never written: dropped from new entries and from the
    field changes of updates, whose results keep those fields as the target has them (absent
    included); an update left with nothing to change becomes ``same``. ``targets`` are the
    target's entries (needed only when ``author`` or ``editor`` is omitted). Matching is not
    affected: it saw the whole entries."""
    omit = frozenset(omit)
    if not omit:
        return plan
    changes = []
    for change in plan.changes:
        if change.kind == "add":
            change = replace(change, result=(change.result or change.entry.with_key(change.key)).without_fields(omit))
        elif change.kind == "update" and any(c.name in omit for c in change.field_changes):
            kept = tuple(c for c in change.field_changes if c.name not in omit)
            target = targets[change.target_index] if change.target_index is not None and \
                change.target_index < len(targets) else None
            result = _as_target(change.result, [c for c in change.field_changes if c.name in omit], target)
            change = replace(change, kind="update" if kept else "same", field_changes=kept, result=result)
        changes.append(change)
    return replace(plan, changes=changes)


def _as_target(result: Entry | None, dropped: Sequence[FieldChange], target: Entry | None) -> Entry | None:
    """``result`` with the ``dropped`` changes undone: each field as it was before (``old``)."""
    if result is None:
        return None
    result = result.with_fields(**{c.name: c.old for c in dropped if c.name not in ("author", "editor")})
    names = {c.name for c in dropped}
    if "author" in names:
        result = replace(result, authors=target.authors if target else (),
                         authors_truncated=target.authors_truncated if target else False)
    if "editor" in names:
        result = replace(result, editors=target.editors if target else ())
    return result


def make_plan(
    incoming: Sequence[Entry],
    target_entries: Sequence[Entry],
    policy: str = "fill",
    settings: MatchSettings | None = None,
    decisions: DecisionLookup | None = None,
    key_pattern: str = DEFAULT_PATTERN,
    merge_duplicates: bool = True,
    pinned: Mapping[int, int] | None = None,
    omit: Iterable[str] = (),
    reserved_keys: Iterable[str] = (),
) -> Plan:
    """Plan a sync of ``incoming`` entries into ``target_entries`` (see the module docstring). Pure.

    ``pinned`` maps incoming indices to target indices known to be the same entry: those
    pairs are planned first (update or same), without the matcher. ``omit`` names fields
    never written (see :func:`without_omitted`). ``reserved_keys`` count as taken when new
    entries get keys (see :attr:`Plan.reserved`). ``merge_duplicates=False`` keeps incoming
    duplicates apart: neither merged nor sharing one target entry (a second goes to review).
    """
    if policy not in POLICIES:
        raise UsageError(f"unknown policy {policy!r}", hint="use fill, source or target")
    settings = settings or MatchSettings()
    planner = _Planner(list(target_entries), policy, decisions, key_pattern, len(incoming), settings,
                       share=merge_duplicates)
    reserved = frozenset(k.lower() for k in reserved_keys)
    planner.taken |= reserved
    slots = planner.slots
    rest: list[int] = []
    for i, j in (pinned or {}).items():
        planner.place(i, planner.pinned(incoming[i], i, j))
    for i, entry in enumerate(incoming):
        if slots[i] is not None:
            continue
        j = planner.identical(entry)
        if j is None:
            rest.append(i)
        else:
            planner.place(i, planner.same(entry, i, j))

    works = [incoming[i] for i in rest]
    merged_works, members = (_merge_incoming(works, settings) if merge_duplicates
                             else (works, [[i] for i in range(len(works))]))
    propose = _proposer(planner.targets, settings)
    merged_works, members = _kept_apart_in_target(propose, works, merged_works, members)
    proposals = propose(merged_works)
    works_planned = [(entry, rest[group[0]], proposal,
                      f"merged {len(group)} incoming duplicates" if len(group) > 1 else "")
                     for entry, group, proposal in zip(merged_works, members, proposals)]
    for entry, i, proposal, note in works_planned:
        planner.place(i, planner.change(entry, i, proposal, note))
    # A second look at what was held for review because of a candidate that a later change
    # of this plan writes: compared as that change leaves it (as the next identical run will
    # compare it), it may be clear, whatever the order of the incoming entries.
    for entry, i, proposal, note in works_planned:
        held = slots[i]
        if (held is not None and held.kind == "review" and proposal is not None
                and any(planner.writers.get(c.index, i) != i for c in proposal.candidates)):
            again = planner.change(entry, i, proposal, note)
            if again.kind != "review":
                planner.place(i, again)
    merged = [tuple(rest[m] for m in group) for group in members if len(group) > 1]
    return without_omitted(Plan([c for c in slots if c is not None], merged, reserved), omit, planner.targets)
