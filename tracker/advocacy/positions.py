"""The organisation's positions on bills: set, read, and list, with a kept history.

These functions take a Session and return plain data so the CLI, the documents and the web app
share one implementation. ``None`` for a field in :func:`set_position` means "leave it as it
is", so staff can change the position without retyping the talking points; an empty string or
list clears a field on purpose.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.base import utcnow
from tracker.db.models_advocacy import POSITIONS, BillPosition, PositionHistory
from tracker.db.models_core import Bill
from tracker.errors import TrackerError

MAX_TALKING_POINTS = 5
MAX_ASK_CHARS = 300
TEXT_FIELDS: tuple[str, ...] = ("ask", "summary", "why", "contact", "story_prompt")
LIST_FIELDS: tuple[str, ...] = ("talking_points", "supporters", "opponents")
FIELDS: tuple[str, ...] = ("position", *TEXT_FIELDS, *LIST_FIELDS)


def normalise_position(value: str) -> str:
    """Accept 'Support if amended', 'support-if-amended'... and return the stored key."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in POSITIONS:
        raise TrackerError(f"unknown position {value!r}: use one of {', '.join(POSITIONS)}")
    return key


def _clean_list(name: str, values: list[str] | tuple[str, ...]) -> list[str]:
    """Strip blanks so an empty CSV cell never becomes an empty bullet on a printed sheet."""
    if isinstance(values, str):
        raise TrackerError(f"{name} must be a list of strings, not one string")
    cleaned = [" ".join(str(v).split()) for v in values if str(v).strip()]
    if name == "talking_points" and len(cleaned) > MAX_TALKING_POINTS:
        raise TrackerError(
            f"{len(cleaned)} talking points given: at most {MAX_TALKING_POINTS} fit on a sheet"
        )
    return cleaned


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name == "position":
            out[name] = normalise_position(value)
        elif name in LIST_FIELDS:
            out[name] = _clean_list(name, value)
        else:
            out[name] = str(value).strip()
    ask = out.get("ask")
    if ask and len(ask) > MAX_ASK_CHARS:
        raise TrackerError(f"the ask is {len(ask)} characters: keep it to one sentence "
                           f"(at most {MAX_ASK_CHARS} characters)")
    return out


def set_position(
    s: Session,
    bill_id: str,
    *,
    position: str,
    ask: str | None = None,
    summary: str | None = None,
    why: str | None = None,
    talking_points: list[str] | None = None,
    supporters: list[str] | None = None,
    opponents: list[str] | None = None,
    contact: str | None = None,
    story_prompt: str | None = None,
    changed_by: str = "cli",
) -> None:
    """Create or update a bill's position; a history row records every real change.

    The caller commits (the CLI wraps this in one transaction, an import wraps many calls in
    one, so a bad row in a file leaves nothing half-imported).
    """
    if s.get(Bill, bill_id) is None:
        raise TrackerError(f"unknown bill {bill_id!r}")
    values = _validate({
        "position": position, "ask": ask, "summary": summary, "why": why,
        "talking_points": talking_points, "supporters": supporters, "opponents": opponents,
        "contact": contact, "story_prompt": story_prompt,
    })
    row = s.get(BillPosition, bill_id)
    previous: str | None = None
    if row is None:
        row = BillPosition(bill_id=bill_id, position=values["position"], ask="", summary="",
                           why="", talking_points=[], supporters=[], opponents=[], contact="",
                           story_prompt="", updated_by=changed_by)
        s.add(row)
        changed = [f for f in FIELDS if f in values and (f == "position" or values[f])]
    else:
        previous = row.position
        changed = [f for f, v in values.items() if getattr(row, f) != v]
        if not changed:
            return
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = changed_by
    row.updated_at = utcnow()
    s.add(PositionHistory(bill_id=bill_id, previous_position=previous, position=row.position,
                          changed_fields=changed, changed_by=changed_by, changed_at=utcnow()))
    s.flush()


def _as_dict(row: BillPosition, bill: Bill | None) -> dict[str, Any]:
    return {
        "bill_id": row.bill_id,
        "measure": bill.measure if bill else row.bill_id,
        "session": bill.session_year if bill else None,
        "position": row.position,
        "ask": row.ask or "",
        "summary": row.summary or "",
        "why": row.why or "",
        "talking_points": list(row.talking_points or []),
        "supporters": list(row.supporters or []),
        "opponents": list(row.opponents or []),
        "contact": row.contact or "",
        "story_prompt": row.story_prompt or "",
        "updated_by": row.updated_by,
        "updated_at": row.updated_at,
    }


def get_position(s: Session, bill_id: str) -> dict[str, Any] | None:
    """The current position record as a plain dict, or None when staff have not decided."""
    row = s.get(BillPosition, bill_id)
    if row is None:
        return None
    return _as_dict(row, s.get(Bill, bill_id))


def positions_for(s: Session, bill_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Positions for many bills in one query (packets and the matrix need them all at once)."""
    if not bill_ids:
        return {}
    rows = s.execute(
        select(BillPosition, Bill).join(Bill, Bill.bill_id == BillPosition.bill_id)
        .where(BillPosition.bill_id.in_(bill_ids))
    ).all()
    return {p.bill_id: _as_dict(p, b) for p, b in rows}


def list_positions(s: Session) -> list[dict[str, Any]]:
    """Every position, in bill order (AB before SB, then by number), for exports."""
    rows = s.execute(
        select(BillPosition, Bill).join(Bill, Bill.bill_id == BillPosition.bill_id)
        .order_by(Bill.session_year, Bill.measure_type, Bill.measure_num, Bill.session_num)
    ).all()
    return [_as_dict(p, b) for p, b in rows]


def position_history(s: Session, bill_id: str) -> list[dict[str, Any]]:
    """Oldest first: who changed what, when."""
    rows = s.execute(select(PositionHistory).where(PositionHistory.bill_id == bill_id)
                     .order_by(PositionHistory.changed_at, PositionHistory.id)).scalars()
    return [{"previous_position": h.previous_position, "position": h.position,
             "changed_fields": list(h.changed_fields or []), "changed_by": h.changed_by,
             "changed_at": h.changed_at} for h in rows]
