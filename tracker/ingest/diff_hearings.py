"""Hearings in the diff: what sources said about a bill's hearings versus what we knew.

Part of the pure diff (no I/O). Hearings come from the bulk hearing table (a location code), the
chamber calendars (a name, time and room) and history action text ("Set for hearing March 3.").
A hearing is a bill, a day and a committee (Health in the morning, Public Safety in the
afternoon: two reminders, two letter deadlines), found by content because sources spell one
committee several ways (``grouped``). A hearing the same committee set on another day, while
this source no longer says the old one, is a move: one ``hearing_changed``, the old day closed
as postponed; the source that made a move can make it back. A source that lists every hearing
in its scope (``tracker.ingest.service.HearingCoverage``) and no longer lists one still to come
takes it off; once no source lists it, it is closed and people are told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.committees import committee_key, same_committee
from tracker.hearing_text import extract_hearings
from tracker.ingest.changes import BillChanges, EventDraft, Known, KnownHearing
from tracker.ingest.hearing_match import HearingGroup, Said, grouped, identity, merged, relation, said_of
from tracker.ingest.keys import event_key, hearing_key
from tracker.items import ActionRecord, BillBundle

#: How far ahead an undated "Hearing canceled" / "postponed" action reaches. Committees set a
#: bill for a hearing days or a few weeks ahead (four days' notice in the Daily File), and the
#: cancellation is posted before that day; a hearing months after the action is a later one,
#: set again since, and must not be closed by it (a first import holds both at once). Sixty
#: days leaves room for a hearing set weeks ahead and canceled early.
UNDATED_REACH = timedelta(days=60)

#: Notes of hearings we closed by inference, not because a source said so: a day left by a move
#: ("moved to 2026-12-17") and a hearing no source lists any more. A source listing such a day
#: again reopens it; a day a source said was canceled or postponed stays closed.
MOVED_TO = "moved to "
UNLISTED = "no longer listed by "
#: How staff read a source that stopped listing a hearing.
LISTING_WORDS = {"pubinfo": "the bulk download's hearing table no longer lists it",
                 "hearings": "the committee calendars no longer list it"}

_CLOSED = ("postponed", "canceled")
_COMMITTEE_CODE = re.compile(r"C[SX]\d+")


@dataclass
class StoredHearing(KnownHearing):
    """A stored hearing with what the lifecycle needs beyond ``KnownHearing``.

    ``note`` tells a day we closed ourselves (see ``MOVED_TO``) from one a source closed;
    ``listed_by`` is the sources whose listing (a table row, a calendar entry, never action
    text) names it now, ``None`` for a hearing stored before listings were kept; ``complete``
    says the source running now lists every hearing in this one's scope, so its silence counts.
    """

    note: str | None = None
    listed_by: list[str] | None = None
    complete: bool = False


def _new_key(bill_id: str, g: HearingGroup, r: Said, taken: set[str]) -> str:
    """A new hearing's fingerprint: bill, day and committee (code, else name), never one in use."""
    ident = g.ident[0] or g.ident[1] or None
    key, n = hearing_key(bill_id, r.hearing_date, ident), 1
    while key in taken:
        key, n = hearing_key(bill_id, r.hearing_date, f"{ident}#{n}"), n + 1
    return key


_FROM_COMMITTEE = re.compile(r"\s*from\s+committee\b", re.IGNORECASE)


def _action_committee(a: ActionRecord) -> str | None:
    """The committee an action was taken in, by the location code its row carries (``CS56``).

    Not for a committee's report ("From committee: Do pass and re-refer to Com. on APPR. (Ayes
    5. Noes 0.) (March 26)."): its row is placed where the bill went next, not in the committee
    that heard it."""
    if _FROM_COMMITTEE.match(a.action):
        return None
    for place in (a.ternary_location, a.secondary_location, a.primary_location):
        if place and _COMMITTEE_CODE.fullmatch(place.strip().upper()):
            return place.strip().upper()
    return None


def _from_text(new_actions: list[tuple[Any, str]], known: Known, records: list[Said]) -> list[Said]:
    """Statements read from new history actions; one without a committee takes its row's code."""
    out: list[Said] = []
    for a, _stage in new_actions:
        said = extract_hearings(a.action, a.action_date)
        if not said:  # most actions name no hearing: skip reading their row's place
            continue
        code = _action_committee(a)
        ident = identity(code, None)
        for m in said:
            if m.deadline:  # "May be heard in committee March 24": earliest date, not a hearing
                continue
            if m.hearing_date is not None:
                status = "scheduled" if m.kind == "set" else m.kind
                out.append(Said(m.hearing_date, status, None if m.committee else code,
                                 committee_name=m.committee, note=m.text, from_text=True))
                continue
            if m.kind not in ("canceled", "postponed"):
                continue
            # "Hearing canceled at the request of author." / "In committee: Hearing postponed by
            # committee.": no date, so it is the next hearing still set in that committee.
            soon = a.action_date + UNDATED_REACH

            def fits(day: date, status: str, c: str | None, n: str | None) -> bool:
                return (status == "scheduled" and a.action_date <= day <= soon
                        and relation(identity(c, n), ident) is not False)

            upcoming = sorted((h.hearing_date, k) for k, h in known.hearings.items()
                              if fits(h.hearing_date, h.status, h.committee_code, h.committee_name))
            pending = sorted((r.hearing_date, i) for i, r in enumerate(records)
                             if fits(r.hearing_date, r.status, r.committee_code, r.committee_name))
            if upcoming and sum(d == upcoming[0][0] for d, _ in upcoming) == 1:
                day, key = upcoming[0]
                out.append(Said(day, m.kind, code, note=m.text, from_text=True, target=key))
            elif not upcoming and pending and sum(d == pending[0][0] for d, _ in pending) == 1:
                r = records[pending[0][1]]
                out.append(Said(r.hearing_date, m.kind, r.committee_code or code, r.committee_name,
                                 note=m.text, from_text=True))
    return out


@dataclass
class _Run:
    """One bundle's hearing diff: what every step reads and adds to."""

    bill_id: str
    measure: str
    src: str
    is_new: bool
    as_of: date | None
    known: Known
    changes: BillChanges
    stored: dict[str, KnownHearing]  # before this bundle: only these can have been moved or dropped
    matched: set[str] = field(default_factory=set)  # stored hearings this bundle speaks of

    def event(self, kind: str, summary: str, before: Any, after: Any, *discriminator: Any) -> None:
        self.changes.events.append(EventDraft(kind, f"{self.measure}: {summary}", before, after,
                                              event_key(self.bill_id, kind, *discriminator)))

    def went_to(self, have: KnownHearing) -> tuple[str, KnownHearing] | None:
        """For a day we closed as moved: the same committee's hearing it went to, if still
        scheduled and not spoken of by this bundle (this source no longer lists it)."""
        note = getattr(have, "note", None) or ""
        try:
            day = date.fromisoformat(note[len(MOVED_TO):len(MOVED_TO) + 10])
        except ValueError:
            return None
        mine = identity(have.committee_code, have.committee_name)
        return next(((k, h) for k, h in self.stored.items()
                     if h.hearing_date == day and h.status == "scheduled" and k not in self.matched
                     and relation(identity(h.committee_code, h.committee_name), mine) is not False), None)


def diff_hearings(bundle: BillBundle, known: Known, changes: BillChanges,
                  new_actions: list[tuple[Any, str]], measure: str, is_new: bool, src: str,
                  as_of: date | None = None) -> None:
    """Add this bundle's hearing rows, updates and events to ``changes``.

    ``as_of`` (the import's date) bounds move detection to hearings still to come: a past day
    that was never marked heard is not "moved" by the committee's next hearing, and a past day a
    complete source drops is history, not a cancellation.
    """
    records: list[Said] = [said_of(r) for r in bundle.hearings]
    records += _from_text(new_actions, known, records)
    if not records and not known.hearings:  # most bills of a session: nothing heard, nothing held
        return
    run = _Run(bundle.bill_id, measure, src, is_new, as_of, known, changes, dict(known.hearings))
    groups = grouped(records, run.stored)
    run.matched = {g.key for g in groups if g.key is not None}
    taken = set(run.stored)
    for g in groups:
        r, listed = merged(g.said), not all(said.from_text for _, said in g.said)
        if g.key is None:
            k = _new_key(bundle.bill_id, g, r, taken)
            taken.add(k)
            _insert(run, k, r, listed)
        else:
            _update(run, g.key, known.hearings[g.key], r, listed)
    _close_unlisted(run)


def _insert(run: _Run, k: str, r: Said, listed: bool) -> None:
    row = {"bill_id": run.bill_id, "fingerprint": k, "committee_code": r.committee_code,
           "committee_name": r.committee_name, "hearing_date": r.hearing_date,
           "hearing_time": r.hearing_time, "room": r.room, "status": r.status,
           "note": r.note, "sources": [run.src], "listed_by": [run.src] if listed else []}
    run.changes.hearing_inserts.append(row)
    run.known.hearings[k] = StoredHearing(-1, r.hearing_date, r.status, r.committee_code, r.committee_name,
                                          r.hearing_time, r.room, [run.src], note=r.note,
                                          listed_by=list(row["listed_by"]))
    moved = _moved_from(r, run) if not run.is_new else None
    if moved is not None:
        _close_moved(run, moved[0], moved[1], r, row)
    elif not run.is_new and r.status in ("scheduled",) + _CLOSED and (
            run.as_of is None or r.hearing_date >= run.as_of):  # a past day is record, not news
        kind = "hearing_set" if r.status == "scheduled" else "hearing_canceled"
        where = r.committee_name or r.committee_code
        run.event(kind, f"hearing {'set' if kind == 'hearing_set' else r.status} for {_day(r.hearing_date)}"
                  + (f" in {where}" if where else ""), None, _hearing_view(row), k, r.status)


def _update(run: _Run, k: str, have: KnownHearing, r: Said, listed: bool) -> None:
    update: dict[str, Any] = {}
    for f in ("committee_code", "committee_name", "hearing_time", "room"):
        val = getattr(r, f)
        if f == "committee_name" and (
                (r.from_text and (have.committee_name or have.committee_code))
                or (val and have.committee_name and committee_key(val) == committee_key(have.committee_name)
                    and len(val) <= len(have.committee_name))):
            # "APPR." from an action never replaces the committee's name we hold, and the
            # calendar's "Appropriations" does not undo the bulk data's "Senate
            # Appropriations Committee" (one committee: no flip-flop between sources)
            continue
        if val and val != getattr(have, f):
            update[f] = val
    # "scheduled" (a calendar or the hearings table still listing it) never undoes what a source
    # said happened to that day's hearing: heard, postponed or canceled. A day we closed
    # ourselves is another matter. Listed again after no source listed it: it is on again. Left
    # by a move: the source that made the move lists it instead of the day it went to (a move
    # back), or lists both days (two hearings); a calendar still showing the old day after the
    # bulk data moved it is not news.
    note = getattr(have, "note", None) or ""
    ours = have.status in _CLOSED and note.startswith((MOVED_TO, UNLISTED))
    target = run.went_to(have) if ours and note.startswith(MOVED_TO) else None
    back = target if target is not None and run.src in _listing(target[1]) else None
    status_change = r.status != have.status and not (
        r.status == "scheduled" and have.status in ("heard",) + _CLOSED
        and not (ours and listed and (target is None or back is not None)))
    if status_change:
        update["status"] = r.status
    if ours and (status_change or r.status != "scheduled"):
        # reopened: not ours any more; or a source says it is off now: no longer ours to undo
        update["note"] = None if r.status == "scheduled" else r.note or f"{r.status} ({run.src})"
    if run.src not in have.sources:
        update["sources"] = sorted(set(have.sources) | {run.src})
        if not run.is_new and r.status == "scheduled" and have.status == "scheduled" and listed:
            # Another source stored this day first (the bulk poll runs before the calendars):
            # the day this source listed before and lists no more is the move.
            moved = _moved_from(r, run, listed_by=run.src)
            if moved is not None:
                view = {"hearing_date": r.hearing_date, "status": "scheduled",
                        "committee_name": r.committee_name or have.committee_name,
                        "committee_code": r.committee_code or have.committee_code,
                        "hearing_time": r.hearing_time or have.hearing_time, "room": r.room or have.room}
                _close_moved(run, moved[0], moved[1], r, view)
    listing = getattr(have, "listed_by", None)
    if listed and run.src not in (listing or []):
        update["listed_by"] = sorted(set(listing or []) | {run.src})
    if not update:
        return
    run.changes.hearing_updates.append({"id": have.id, "fingerprint": k, **update})
    before = {"status": have.status, "time": have.hearing_time, "room": have.room,
              "committee": have.committee_name or have.committee_code}
    after = {"status": update.get("status", have.status), "time": update.get("hearing_time", have.hearing_time),
             "room": update.get("room", have.room),
             "committee": update.get("committee_name", have.committee_name) or update.get("committee_code", have.committee_code),
             "date": r.hearing_date.isoformat()}
    for f, v in update.items():
        if f != "sources":
            setattr(have, f, v)
    if status_change and back is not None:
        _move_back(run, k, have, back, after)
    elif status_change and r.status in _CLOSED:
        run.event("hearing_canceled", f"the {_day(r.hearing_date)} hearing was {r.status}", before, after,
                  k, r.status)
    elif status_change and r.status == "scheduled":  # on again: its own news, told each time
        run.event("hearing_changed", f"the {_day(r.hearing_date)} hearing {_what_changed(before, after)}",
                  before, after, k, after, "on_again", before["status"], str(run.as_of))
    elif {"hearing_time", "room"} & update.keys():
        run.event("hearing_changed", f"the {_day(r.hearing_date)} hearing {_what_changed(before, after)}",
                  before, after, k, after)


def _listing(h: KnownHearing) -> list[Any]:
    """Sources that list a hearing; for one stored before listings were kept, every source that
    said anything of it."""
    listed = getattr(h, "listed_by", None)
    return h.sources if listed is None else listed


def _move_back(run: _Run, k: str, have: KnownHearing, back: tuple[str, KnownHearing], after: dict[str, Any]) -> None:
    """The source that moved a hearing lists its first day again instead: one change, "moved
    back to …", and the day it had gone to is closed as moved."""
    tk, t = back
    before = _left(run, tk, t, have.hearing_date)
    # the day of the import tells a second trip back apart from the first
    run.event("hearing_changed", f"the {_day(t.hearing_date)} hearing moved back to {_day(have.hearing_date)}",
              before, after | {"moved_from": before["date"]}, k, {"moved_from": before["date"], "back": str(run.as_of)})


def _close_unlisted(run: _Run) -> None:
    """A complete source (``StoredHearing.complete``) that listed a hearing still to come and
    lists it no more takes its listing away; once no source lists it, it is closed as canceled,
    so no reminder or letter deadline is given for a hearing that will not happen.

    A day already past that drops off is history, not a cancellation; a hearing another source
    still lists stays (the calendars are fresher than the nightly table); a hearing only action
    text set was never listed, so a listing's silence says nothing of it.
    """
    if run.as_of is None:
        return
    for k, h in run.stored.items():
        if (k in run.matched or not isinstance(h, StoredHearing) or not h.complete or h.listed_by is None
                or run.src not in h.listed_by or h.status != "scheduled" or h.hearing_date < run.as_of):
            continue
        h.listed_by = [s for s in h.listed_by if s != run.src]
        update: dict[str, Any] = {"id": h.id, "fingerprint": k, "listed_by": h.listed_by}
        if not h.listed_by:
            before, where = _view(h), h.committee_name or h.committee_code
            h.status, h.note = "canceled", f"{UNLISTED}{run.src}"
            update |= {"status": h.status, "note": h.note}
            run.event("hearing_canceled", f"the {_day(h.hearing_date)} hearing" + (f" in {where}" if where else "")
                      + f" is no longer on the agenda ({LISTING_WORDS.get(run.src, run.src + ' no longer lists it')})",
                      before, before | {"status": "canceled"}, k, "unlisted", str(run.as_of))
        run.changes.hearing_updates.append(update)


def _what_changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Staff read event summaries in `tracker` output and digests: "the hearing changed" sends
    them to the bill page to find out what, so say it (the calendars usually fill in the time
    and room days after the bulk data set the day)."""
    said: list[str] = []
    if after["status"] == "scheduled" and before["status"] != "scheduled":
        said.append("is on again")
    for field_, word in (("time", "time"), ("room", "room")):
        if after[field_] and after[field_] != before[field_]:
            said.append(f"{word} {'set' if not before[field_] else 'changed'}: {after[field_]}")
    return "; ".join(said) if said else "changed"


def _moved_from(r: Said, run: _Run, listed_by: str | None = None) -> tuple[str, KnownHearing] | None:
    """The stored hearing a newly set one replaces, if exactly one fits.

    It must be the same committee's, still scheduled, still to come, on another day, and not
    said again by this source (a source that lists both days means two hearings); with
    ``listed_by``, it must also be a day that source listed before.
    """
    if run.as_of is None or r.status != "scheduled" or not (r.committee_code or r.committee_name):
        return None
    fits = [(k, h) for k, h in run.stored.items()
            if k not in run.matched and h.status == "scheduled" and h.hearing_date >= run.as_of
            and h.hearing_date != r.hearing_date and (listed_by is None or listed_by in _listing(h))
            and same_committee(h.committee_code, h.committee_name, r.committee_code, r.committee_name)]
    return fits[0] if len(fits) == 1 else None


def _left(run: _Run, key: str, old: KnownHearing, to: date) -> dict[str, Any]:
    """Close a day its hearing left (postponed, noting where it went); how it stood before."""
    before, note = _view(old), f"{MOVED_TO}{to.isoformat()}"
    run.changes.hearing_updates.append({"id": old.id, "fingerprint": key, "status": "postponed", "note": note})
    old.status = "postponed"
    if isinstance(old, StoredHearing):
        old.note = note
    return before


def _close_moved(run: _Run, old_key: str, old: KnownHearing, r: Said, row: dict[str, Any]) -> None:
    """Close the old day and tell one move, not a new hearing."""
    before = _left(run, old_key, old, r.hearing_date)
    after = _hearing_view(row) | {"moved_from": before["date"]}
    run.event("hearing_changed", f"the {_day(old.hearing_date)} hearing moved to {_day(r.hearing_date)}",
              before, after, hearing_key(run.bill_id, r.hearing_date), {"moved_from": before["date"]})


def _view(h: KnownHearing) -> dict[str, Any]:
    return {"status": h.status, "date": h.hearing_date.isoformat(), "time": h.hearing_time, "room": h.room,
            "committee": h.committee_name or h.committee_code}


def _day(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def _hearing_view(row: dict[str, Any]) -> dict[str, Any]:
    return {"date": row["hearing_date"].isoformat(), "committee": row["committee_name"] or row["committee_code"],
            "time": row["hearing_time"], "room": row["room"], "status": row["status"]}
