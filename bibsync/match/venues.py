"""Comparing venues: word overlap, abbreviations and acronyms, and the kind (journal or proceedings)."""

from __future__ import annotations

from .normalize import VenueKey
from .settings import MatchSettings


def _shared_venue_words(a: VenueKey, b: VenueKey) -> int:
    short, long_ = (a, b) if len(a.words) <= len(b.words) else (b, a)
    pool = set(long_.words)
    count = 0
    for w in short.words:
        if w in pool or w.rstrip("s") in pool or w + "s" in pool:
            count += 1
        elif len(w) >= 3 and w in short.abbreviated and any(x.startswith(w) for x in pool):
            count += 1  # "syst." against "systems"
        elif any(w.startswith(x) for x in long_.abbreviated if len(x) >= 3):
            count += 1
    return count


def _acronym_of(a: VenueKey, b: VenueKey) -> bool:
    """True when a word of ``a`` spells the initials of consecutive words of ``b`` (VLDB, TODS).

    ACM's special interest groups count without their "SIG": SIGMOD = Management Of Data.
    """
    for w in a.words:
        spelled = (w, w[3:]) if w.startswith("sig") and len(w) >= 5 else (w,)
        if any(len(x) >= 3 and x in initials for x in spelled for initials in b.initials):
            return True
    return False


UNRELATED_VENUE = 0.5  # both name a venue, but the names cannot be related: half evidence


def venue_similarity(a: VenueKey, b: VenueKey, s: MatchSettings) -> tuple[float | None, str, bool]:
    """(agreement in 0..1 or None when a side has no venue, explanation item, known).

    ``known`` is False where the names cannot be related (an unknown acronym against a
    full name): the part is then ``UNRELATED_VENUE``, neither agreement nor conflict.
    """
    if not a.words or not b.words:
        return None, "", False
    if a.kind and b.kind and a.kind != b.kind:
        return 0.0, f"venue ≠ ({a.kind}/{b.kind})", True
    overlap = _shared_venue_words(a, b) / min(len(a.words), len(b.words))
    value = 1.0 if _acronym_of(a, b) or _acronym_of(b, a) else overlap
    # Venues are written in too many ways for a low overlap between short names to count against.
    if value >= s.venue_agree_min or (len(a.words) >= 3 and len(b.words) >= 3):
        return value, f"venue {value:.2f}", True
    return UNRELATED_VENUE, "venue ?", False
