"""Which hearing a statement is about: sources name one committee several ways.

The bulk table gives a location code (``CS44``), the calendars a name ("Senate Health", often
without its house: "Public Safety"), history text a shorthand ("APPR.") or nothing. A statement
is placed by content, never by the order rows came in, so an unordered bulk table re-imports
as nothing; one that could be either of two hearings is left out (telling the wrong hearing is
worse than telling none). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from tracker.committees import committee_house, committee_key
from tracker.ingest.changes import KnownHearing
from tracker.items import HearingRecord

_HOUSE = re.compile(r"\b(senate|assembly)\b", re.IGNORECASE)


@dataclass(slots=True)
class Said:
    """One statement about a hearing (a record or a sentence of action text), while merging: a
    slotted dataclass, as a session builds tens of thousands (a pydantic model costs ~10×)."""

    hearing_date: date
    status: str
    committee_code: str | None = None
    committee_name: str | None = None
    hearing_time: str | None = None
    room: str | None = None
    note: str | None = None
    #: Said by history action text: its committee ("APPR.") only fills a gap, never replaces a name.
    from_text: bool = False
    target: str | None = None  # the stored hearing an undated "Hearing canceled." speaks of


def said_of(r: HearingRecord) -> Said:
    return Said(r.hearing_date, r.status, r.committee_code, r.committee_name, r.hearing_time, r.room, r.note)


Identity = tuple[str | None, str, str]  # committee code, name key, house


def identity(code: str | None, name: str | None, shorthand: bool = False) -> Identity:
    """What a statement says about its committee, in comparable form; action text's shorthand
    ("APPR.") is no name to compare ("appr" is not "appropriations")."""
    code = code.strip().upper() if code else None
    house = committee_house(code)
    if not house and name:
        found = _HOUSE.search(name)
        house = found.group(1).capitalize() if found else ""
    return code, committee_key(name) if name and not shorthand else "", house


def relation(a: Identity, b: Identity) -> bool | None:
    """One committee (True), two (False), or cannot tell (None): codes when both have one,
    else the house when both know it, else names."""
    if a[0] and b[0]:
        return a[0] == b[0]
    if a[2] and b[2] and a[2] != b[2]:
        return False
    if a[1] and b[1]:
        return a[1] == b[1]
    return None


def _abbreviates(short: str, name: str) -> bool:
    """'APPR.' for 'Appropriations', 'PUB. S.' for 'Public Safety': each word a prefix."""
    s, n = committee_key(short).split(), committee_key(name).split()
    return bool(s) and len(s) == len(n) and all(b.startswith(a) for a, b in zip(s, n))


def hearing_house(code: str | None, name: str | None) -> str:
    """'Senate' or 'Assembly' when the code or the name tells, else ''."""
    return identity(code, name)[2]


@dataclass
class HearingGroup:
    """One hearing while statements are sorted to hearings: a stored one, or one found now."""

    day: date
    key: str | None = None  # the stored hearing's fingerprint; None for one found now
    ident: Identity = (None, "", "")
    names: list[str] = field(default_factory=list)
    said: list[tuple[int, Said]] = field(default_factory=list)

    def learn(self, ident: Identity, name: str | None) -> None:
        self.ident = (self.ident[0] or ident[0], self.ident[1] or ident[1], self.ident[2] or ident[2])
        self.names += [name] if name else []


def grouped(records: list[Said], stored: dict[str, KnownHearing]) -> list[HearingGroup]:
    """Statements sorted to hearings (stored ones first), independent of the order rows came in.

    Statements that name their committee are placed first (codes, then names), so which one
    comes first in an unordered bulk table never decides where another goes. A statement that
    cannot tell its committee joins the day's only hearing it could be; action text that could
    be either of two is left out (telling the wrong hearing is worse than telling none), and a
    listing that cannot be placed is a hearing of its own.
    """
    hearings: list[HearingGroup] = []
    by_key: dict[str, HearingGroup] = {}
    days = {r.hearing_date for r in records}
    for k in sorted(k for k, h in stored.items() if h.hearing_date in days):
        h = stored[k]
        g = HearingGroup(h.hearing_date, k)
        g.learn(identity(h.committee_code, h.committee_name), h.committee_name)
        hearings.append(g)
        by_key[k] = g
    idents = [identity(r.committee_code, r.committee_name, r.from_text) for r in records]

    def rank(i: int) -> tuple[Any, ...]:
        r, ident = records[i], idents[i]
        return (r.hearing_date, r.from_text, r.target is None, not ident[0], not ident[1],
                ident[0] or "", ident[1], i)

    for i in sorted(range(len(records)), key=rank):
        r, ident = records[i], idents[i]
        g = by_key.get(r.target) if r.target else None
        if g is None:
            day = [h for h in hearings if h.day == r.hearing_date]
            same = [h for h in day if relation(h.ident, ident) is True]
            unsure = [h for h in day if relation(h.ident, ident) is None]
            if not same and len(unsure) > 1 and r.from_text and r.committee_name:
                named = [h for h in unsure if any(_abbreviates(r.committee_name, n) for n in h.names)]
                unsure = named if len(named) == 1 else unsure
            g = same[0] if same else unsure[0] if len(unsure) == 1 else None
            if g is None and unsure and r.from_text:
                continue
            if g is None:
                g = HearingGroup(r.hearing_date)
                hearings.append(g)
        g.learn(ident, None if r.from_text else r.committee_name)
        g.said.append((i, r))
    return [g for g in hearings if g.said]


def merged(said: list[tuple[int, Said]]) -> Said:
    """Later statements about the same hearing win, details accumulate; "scheduled" never
    overrides another status said in the same run (the history's "postponed" beats a listing)."""
    said = sorted(said, key=lambda p: p[0])
    out = replace(said[0][1])
    for _, r in said[1:]:
        for f in ("committee_code", "committee_name", "hearing_time", "room", "note"):
            value = getattr(r, f)
            if value and not (r.from_text and f == "committee_name" and (out.committee_name or out.committee_code)):
                setattr(out, f, value)
        out.from_text = out.from_text and r.from_text
        if r.status != "scheduled" or out.status == "scheduled":
            out.status = r.status
    return out
