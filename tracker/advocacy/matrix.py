"""The legislative matrix: one row per tracked bill, as plain dicts the web app can reuse.

"Tracked" means relevant to our topics, watched by staff, or carrying a position. Columns follow
the matrix staff already publish (Bill, Subject, Implications, Status, Introduced & last
amended, Position) plus the next hearing. Rows are sorted by group, then bill number.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.advocacy.facts import LEGINFO_BILL_URL, hearing_committee, letter_deadline, url_measure
from tracker.committees import committee_house
from tracker.advocacy.positions import positions_for
from tracker.db.models_advocacy import POSITIONS
from tracker.db.models_core import Bill, BillVersion, Hearing
from tracker.alerts.phrases import passage_text, two_year_text
from tracker.queries import stage_actions, tracked
from tracker.errors import TrackerError
from tracker.settings import Settings, get_settings
from tracker.clock import local_today
from tracker.stages import concurrence_pending, kind_of_type

POSITION_LABELS: dict[str, str] = {
    "support": "Support", "support_if_amended": "Support if amended", "oppose": "Oppose",
    "oppose_unless_amended": "Oppose unless amended", "watch": "Watching", "neutral": "Neutral",
    "": "Not yet decided",
}
STAGE_TEXT: dict[str, str] = {
    "introduced": "Introduced", "in_committee": "In committee",
    "passed_committee": "Passed a committee", "amended": "Amended", "floor": "Waiting for a floor vote",
    "passed_house": "Passed the Assembly or Senate", "enrolled": "Passed both houses",
    "to_governor": "On the Governor's desk", "chaptered": "Signed into law", "vetoed": "Vetoed",
    "held_in_committee": "Held in committee", "failed": "Failed", "two_year": "Two-year bill",
    "withdrawn": "Withdrawn", "other": "Status not known yet", "": "Status not known yet",
}


#: A bill on the floor, by the house it is in: the same words as the briefing sheet.
FLOOR_TEXT = {"Assembly": "Waiting for a vote of the whole Assembly", "Senate": "Waiting for a vote of the whole Senate"}
CONCURRENCE_TEXT = {"Assembly": "Back in the Assembly for a vote on the Senate's changes",
                    "Senate": "Back in the Senate for a vote on the Assembly's changes"}


def stage_text(stage: str | None, kind: str = "bill", measure: str = "", action: str | None = None,
               house: str | None = None) -> str:
    """The matrix's words for a stage; a chaptered resolution was adopted and a chaptered
    constitutional amendment goes to the voters (neither was signed into law). "Passed a house"
    covers three situations: with ``measure`` and ``action`` (the action that set the stage) it
    says which ("Passed the Assembly", "Passed the Senate too", "Passed both houses"), and a
    "two-year" bill set aside on the floor is "On the inactive file" (it can come back any day)
    and one a deadline ended is "Stopped for this session"; a bill on the floor names its ``house``
    (where it is now), or says it is back in its first house to vote on the other's changes."""
    if stage == "chaptered" and kind == "resolution":
        return "Adopted"
    if stage == "chaptered" and kind == "amendment":
        return "Goes to the voters"
    if stage == "two_year" and (parked := two_year_text(action)) is not None:
        return parked[0]
    if stage == "floor" and (back := concurrence_pending(action)):
        return CONCURRENCE_TEXT[back]
    if stage == "floor" and house in FLOOR_TEXT:
        return FLOOR_TEXT[house or ""]
    if stage == "passed_house" and measure and action:
        known = passage_text(action, measure)
        if known is not None:
            return known[0]
    return STAGE_TEXT.get(stage or "", STAGE_TEXT[""])


NO_TOPIC = "Other bills we follow"
_POSITION_ORDER = {p: i for i, p in enumerate(
    ("support", "support_if_amended", "oppose_unless_amended", "oppose", "watch", "neutral", ""))}
_CLOSED = {"canceled", "cancelled", "heard", "postponed"}


def _tracked(s: Session, session_year: str) -> list[Bill]:
    """Tracked bills of one session: the matrix is this session's work, not the archive's."""
    q = (select(Bill).where(tracked(), Bill.session_year == session_year)
         .order_by(Bill.measure_type, Bill.measure_num))
    return list(s.execute(q).scalars())


def _version_dates(s: Session, ids: list[str]) -> dict[str, tuple[date | None, date | None]]:
    """(introduced, last amended) per bill, from the version list in one query."""
    out: dict[str, list[date | None]] = {}
    rows = s.execute(select(BillVersion.bill_id, BillVersion.action_date, BillVersion.action)
                     .where(BillVersion.bill_id.in_(ids))).all()
    for bill_id, day, action in rows:
        cur = out.setdefault(bill_id, [None, None])
        if day and (cur[0] is None or day < cur[0]):
            cur[0] = day
        if day and (action or "").lower().startswith("amended") and (cur[1] is None or day > cur[1]):
            cur[1] = day
    return {k: (v[0], v[1]) for k, v in out.items()}


def _next_hearings(s: Session, ids: list[str], as_of: date) -> dict[str, Hearing]:
    rows = s.execute(select(Hearing).where(Hearing.bill_id.in_(ids), Hearing.hearing_date >= as_of)
                     .order_by(Hearing.hearing_date)).scalars()
    out: dict[str, Hearing] = {}
    for h in rows:
        if h.status not in _CLOSED:
            out.setdefault(h.bill_id, h)
    return out


def matrix_rows(s: Session, group_by: str | None = None, *, as_of: date | None = None,
                settings: Settings | None = None) -> list[dict[str, Any]]:
    """One dict per tracked bill of the configured session (``settings.session_year``);
    ``group`` is set when grouping by topic or position."""
    if group_by not in (None, "topic", "position"):
        raise TrackerError(f"cannot group the matrix by {group_by!r}: use topic or position")
    settings = settings or get_settings()
    as_of = as_of or local_today()
    bills = _tracked(s, settings.session_year)
    ids = [b.bill_id for b in bills]
    positions = positions_for(s, ids)
    dates = _version_dates(s, ids)
    hearings = _next_hearings(s, ids, as_of)
    set_by = stage_actions(s, bills)
    base = settings.public_base_url.rstrip("/")
    rows = []
    for b in bills:
        pos = positions.get(b.bill_id) or {}
        key = pos.get("position") or ""
        h = hearings.get(b.bill_id)
        introduced, amended = dates.get(b.bill_id, (None, None))
        committee = hearing_committee(s, h) if h else ""
        topics = [str(t) for t in (b.topics or [])]
        row: dict[str, Any] = {
            "bill_id": b.bill_id, "measure": b.measure, "subject": b.title or b.subject or "",
            "implications": pos.get("summary") or "",
            "stage": b.stage or "",
            "stage_text": stage_text(b.stage, kind_of_type(b.measure_type or ""), b.measure,
                                     set_by.get(b.bill_id), b.current_house),
            "house": b.current_house or "",
            "stage_action": set_by.get(b.bill_id),
            "official_status": b.current_status or "", "location": b.current_location or "",
            "last_action_date": b.last_action_date,
            "introduced": introduced, "last_amended": amended,
            "position": key, "position_label": POSITION_LABELS[key] if key in POSITION_LABELS else key,
            "hearing_date": h.hearing_date if h else None,
            "hearing_committee": committee,  # '' for a code the location table cannot name
            "hearing_house": committee_house(h.committee_code) if h and not committee else "",
            "letter_deadline": letter_deadline(h.hearing_date, committee, settings) if h else None,
            "topics": topics, "url": f"{base}/bills/{url_measure(b.measure)}",
            "leginfo_url": LEGINFO_BILL_URL.format(bill_id=b.bill_id),
        }
        row["status"] = row["stage_text"] + (f" ({row['official_status']})" if row["official_status"] else "")
        if group_by == "topic":
            row["group"] = topics[0] if topics else NO_TOPIC
        elif group_by == "position":
            row["group"] = POSITION_LABELS.get(key, key)
        rows.append(row)
    if group_by == "topic":
        rows.sort(key=lambda r: (r["group"] == NO_TOPIC, r["group"].lower()))
    elif group_by == "position":
        rows.sort(key=lambda r: _POSITION_ORDER.get(r["position"], len(POSITIONS)))
    return rows


def groups(rows: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """Consecutive rows with the same group, in order (one ungrouped block when not grouped)."""
    out: list[tuple[str | None, list[dict[str, Any]]]] = []
    for r in rows:
        g = r.get("group")
        if out and out[-1][0] == g:
            out[-1][1].append(r)
        else:
            out.append((g, [r]))
    return out
