"""Hearings in the diff: what sources said about a bill's hearings versus what we knew.

Part of the pure diff (no I/O). Hearings come from three places that name them differently:
the bulk hearing table (a location code), the chamber calendars (a committee name with time
and room) and history action text ("Set for hearing March 3."). One hearing per bill and day
is the key so the three converge; a hearing the same committee has now set on another day,
while the day we knew is no longer said by this source, is a move: one ``hearing_changed``
("moved from … to …"), with the old day closed as postponed, so nobody is sent to a hearing
that will not happen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from tracker.committees import committee_key, same_committee
from tracker.hearing_text import extract_hearings
from tracker.ingest.changes import BillChanges, EventDraft, Known, KnownHearing
from tracker.ingest.keys import event_key, hearing_key
from tracker.items import BillBundle, HearingRecord


#: How far ahead an undated "Hearing canceled" / "postponed" action reaches. Committees set a
#: bill for a hearing days or a few weeks ahead (four days' notice in the Daily File), and the
#: cancellation is posted before that day; a hearing months after the action is a later one,
#: set again since, and must not be closed by it (a first import holds both at once). Sixty
#: days leaves room for a hearing set weeks ahead and canceled early.
UNDATED_REACH = timedelta(days=60)


@dataclass(slots=True)
class _Said:
    """One statement about a hearing (a record or a sentence of action text), while merging.

    The fields of ``HearingRecord`` without the bill, as a mutable slotted dataclass: merging
    builds tens of thousands of these per session, and a pydantic model costs ~10× more each."""

    hearing_date: date
    status: str
    committee_code: str | None = None
    committee_name: str | None = None
    hearing_time: str | None = None
    room: str | None = None
    note: str | None = None
    #: Said by history action text ("Placed on APPR. suspense file."): its committee is the
    #: legislature's shorthand, so it only fills a gap, never replaces a table's or calendar's name.
    from_text: bool = False


def _said(r: HearingRecord) -> _Said:
    return _Said(r.hearing_date, r.status, r.committee_code, r.committee_name, r.hearing_time, r.room, r.note)


def diff_hearings(bundle: BillBundle, known: Known, changes: BillChanges,
                  new_actions: list[tuple[Any, str]], measure: str, is_new: bool, src: str,
                  as_of: date | None = None) -> None:
    """Add this bundle's hearing rows, updates and events to ``changes``.

    ``as_of`` (the import's date) bounds move detection to hearings still to come: a past day
    that was never marked heard is not "moved" by the committee's next hearing.
    """
    stored = dict(known.hearings)  # before this bundle: only these can have been moved
    records: list[_Said] = [_said(r) for r in bundle.hearings]
    for a, _stage in new_actions:
        for m in extract_hearings(a.action, a.action_date):
            if m.deadline:  # "May be heard in committee March 24": earliest date, not a hearing
                continue
            if m.hearing_date is None:
                # "Hearing canceled at the request of author." / "In committee: Hearing postponed
                # by committee.": no date, so it is the next hearing still set.
                if m.kind in ("canceled", "postponed"):
                    soon = a.action_date + UNDATED_REACH
                    upcoming = sorted((h for h in known.hearings.values()
                                       if h.status == "scheduled" and a.action_date <= h.hearing_date <= soon),
                                      key=lambda h: h.hearing_date)
                    pending = sorted((r for r in records if r.status == "scheduled"
                                      and a.action_date <= r.hearing_date <= soon), key=lambda r: r.hearing_date)
                    if upcoming:
                        records.append(_Said(upcoming[0].hearing_date, m.kind, note=m.text, from_text=True))
                    elif pending:
                        records.append(_Said(pending[0].hearing_date, m.kind, note=m.text, from_text=True))
                continue
            status = {"set": "scheduled", "canceled": "canceled", "postponed": "postponed",
                      "heard": "heard"}[m.kind]
            records.append(_Said(m.hearing_date, status, committee_name=m.committee, note=m.text, from_text=True))
    merged: dict[str, _Said] = {}
    for r in records:  # later statements about the same hearing win, details accumulate
        k = hearing_key(bundle.bill_id, r.hearing_date)
        prev = merged.get(k)
        if prev is None:
            merged[k] = replace(r)  # a copy: merging updates it in place
            continue
        for f in ("committee_code", "committee_name", "hearing_time", "room", "note"):
            value = getattr(r, f)
            if value and not (r.from_text and f == "committee_name" and (prev.committee_name or prev.committee_code)):
                setattr(prev, f, value)
        prev.from_text = prev.from_text and r.from_text
        if r.status != "scheduled" or prev.status == "scheduled":
            prev.status = r.status
    for k, r in merged.items():
        have = known.hearings.get(k)
        if have is None:
            row = {"bill_id": bundle.bill_id, "fingerprint": k, "committee_code": r.committee_code,
                   "committee_name": r.committee_name, "hearing_date": r.hearing_date,
                   "hearing_time": r.hearing_time, "room": r.room, "status": r.status,
                   "note": r.note, "sources": [src]}
            changes.hearing_inserts.append(row)
            known.hearings[k] = KnownHearing(-1, r.hearing_date, r.status, r.committee_code,
                                             r.committee_name, r.hearing_time, r.room, [src])
            moved = _moved_from(r, stored, merged, as_of) if not is_new else None
            if moved is not None:
                old_key, old = moved
                _close_moved(bundle.bill_id, old_key, old, r, row, changes, measure)
            elif not is_new and r.status in ("scheduled", "canceled", "postponed") and (
                    as_of is None or r.hearing_date >= as_of):  # a past day is record, not news
                kind = "hearing_set" if r.status == "scheduled" else "hearing_canceled"
                where = r.committee_name or r.committee_code
                changes.events.append(EventDraft(
                    kind, f"{measure}: hearing {'set' if kind == 'hearing_set' else r.status} for "
                    f"{_day(r.hearing_date)}" + (f" in {where}" if where else ""), None, _hearing_view(row),
                    event_key(bundle.bill_id, kind, k, r.status)))
            continue
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
        # "scheduled" (a calendar or the hearings table still listing it) never undoes what we
        # know happened to that day's hearing: heard, postponed or canceled.
        status_change = r.status != have.status and not (
            r.status == "scheduled" and have.status in ("heard", "postponed", "canceled"))
        if status_change:
            update["status"] = r.status
        if src not in have.sources:
            update["sources"] = sorted(set(have.sources) | {src})
            if not is_new and r.status == "scheduled" and have.status == "scheduled" and not r.from_text:
                # Another source stored this day first (the bulk poll runs before the
                # calendars): the day this source listed before and lists no more is the move.
                moved = _moved_from(r, stored, merged, as_of, listed_by=src)
                if moved is not None:
                    view = {"hearing_date": r.hearing_date, "status": "scheduled",
                            "committee_name": r.committee_name or have.committee_name,
                            "committee_code": r.committee_code or have.committee_code,
                            "hearing_time": r.hearing_time or have.hearing_time, "room": r.room or have.room}
                    _close_moved(bundle.bill_id, moved[0], moved[1], r, view, changes, measure)
        if not update:
            continue
        changes.hearing_updates.append({"id": have.id, "fingerprint": k, **update})
        before = {"status": have.status, "time": have.hearing_time, "room": have.room,
                  "committee": have.committee_name or have.committee_code}
        after = {"status": update.get("status", have.status), "time": update.get("hearing_time", have.hearing_time),
                 "room": update.get("room", have.room),
                 "committee": update.get("committee_name", have.committee_name) or update.get("committee_code", have.committee_code),
                 "date": r.hearing_date.isoformat()}
        for f, v in update.items():
            if f != "sources":
                setattr(have, f, v)
        if status_change and r.status in ("canceled", "postponed"):
            changes.events.append(EventDraft(
                "hearing_canceled", f"{measure}: the {_day(r.hearing_date)} hearing was {r.status}",
                before, after, event_key(bundle.bill_id, "hearing_canceled", k, r.status)))
        elif (status_change and r.status == "scheduled") or {"hearing_time", "room"} & update.keys():
            changes.events.append(EventDraft(
                "hearing_changed", f"{measure}: the {_day(r.hearing_date)} hearing {_what_changed(before, after)}",
                before, after, event_key(bundle.bill_id, "hearing_changed", k, after)))


def _what_changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Staff read event summaries in `tracker` output and digests: "the hearing changed" sends
    them to the bill page to find out what, so say it (the calendars usually fill in the time
    and room days after the bulk data set the day)."""
    said: list[str] = []
    if after["status"] == "scheduled" and before["status"] != "scheduled":
        said.append("is on again")
    for field, word in (("time", "time"), ("room", "room")):
        if after[field] and after[field] != before[field]:
            said.append(f"{word} {'set' if not before[field] else 'changed'}: {after[field]}")
    return "; ".join(said) if said else "changed"


def _moved_from(r: _Said, stored: dict[str, KnownHearing], merged: dict[str, _Said],
                as_of: date | None, listed_by: str | None = None) -> tuple[str, KnownHearing] | None:
    """The stored hearing a newly set one replaces, if exactly one fits.

    It must be the same committee's, still scheduled, still to come, on another day, and not
    said again by this source (a source that lists both days means two hearings); with
    ``listed_by``, it must also be a day that source listed before.
    """
    if as_of is None or r.status != "scheduled" or not (r.committee_code or r.committee_name):
        return None
    fits = [(k, h) for k, h in stored.items()
            if k not in merged and h.status == "scheduled" and h.hearing_date >= as_of
            and h.hearing_date != r.hearing_date and (listed_by is None or listed_by in h.sources)
            and same_committee(h.committee_code, h.committee_name, r.committee_code, r.committee_name)]
    return fits[0] if len(fits) == 1 else None


def _close_moved(bill_id: str, old_key: str, old: KnownHearing, r: _Said, row: dict[str, Any],
                 changes: BillChanges, measure: str) -> None:
    """Close the old day (postponed, noting where it went) and tell one move, not a new hearing."""
    note = f"moved to {r.hearing_date.isoformat()}"
    changes.hearing_updates.append({"id": old.id, "fingerprint": old_key, "status": "postponed", "note": note})
    before = {"status": old.status, "date": old.hearing_date.isoformat(), "time": old.hearing_time,
              "room": old.room, "committee": old.committee_name or old.committee_code}
    old.status = "postponed"
    after = _hearing_view(row) | {"moved_from": old.hearing_date.isoformat()}
    changes.events.append(EventDraft(
        "hearing_changed", f"{measure}: the {_day(old.hearing_date)} hearing moved to {_day(r.hearing_date)}",
        before, after, event_key(bill_id, "hearing_changed", hearing_key(bill_id, r.hearing_date),
                                 {"moved_from": before["date"]})))


def _day(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def _hearing_view(row: dict[str, Any]) -> dict[str, Any]:
    return {"date": row["hearing_date"].isoformat(), "committee": row["committee_name"] or row["committee_code"],
            "time": row["hearing_time"], "room": row["room"], "status": row["status"]}
