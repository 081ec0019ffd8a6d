"""Read-side queries the web pages need beyond ``tracker.queries`` (plain dicts out).

Kept separate from the shared query module (owned by the core work) so pages can ask for
exactly what they show: one page of filtered bills, upcoming hearings, recent changes and the
freshness of every source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from tracker.db.models_core import Bill, BillAuthor, ChangeEvent, Hearing, Legislator, SourceRun
from tracker.clock import local_today
from tracker.committees import with_committee_name
from tracker.queries import ACTION_WORDED_STAGES, event_stage_action, tracked


def measure_slug(measure: str) -> str:
    """'AB 13' → 'AB-13' (the form used in URLs)."""
    return "-".join(measure.split())


def house_of(b: Bill) -> str:
    """The house a bill started in, from its measure type (AB/ACA/AJR… → Assembly)."""
    return "Assembly" if b.measure_type.upper().startswith("A") else "Senate"


@dataclass
class BillFilters:
    """What the bill list was asked for; empty strings mean "any"."""

    q: str = ""
    topic: str = ""
    stage: str = ""
    position: str = ""
    house: str = ""
    scope: str = "tracked"  # "tracked" (relevant or watched) or "all"
    page: int = 1


def _tracked(q: Select[Any]) -> Select[Any]:
    """Bills we follow (``queries.tracked``: relevant, watched, or with a position)."""
    return q.where(tracked())


def list_bills(s: Session, f: BillFilters, page_size: int,
               positions: dict[str, dict[str, Any]] | None = None) -> tuple[list[Bill], int]:
    """One page of bills matching the filters, and the total count.

    Topic and position filters run in Python: topics are a JSON list (no portable SQL for that
    on SQLite and PostgreSQL alike) and positions live in the advocacy module's tables.
    """
    q = select(Bill).order_by(Bill.measure_type, Bill.measure_num)
    if f.scope != "all":
        q = _tracked(q)
    if f.stage:
        q = q.where(Bill.stage == f.stage)
    if f.house in ("Assembly", "Senate"):
        q = q.where(Bill.measure_type.like("A%") if f.house == "Assembly" else Bill.measure_type.like("S%"))
    if f.q:
        term = f"%{f.q.strip().lower()}%"
        compact = f.q.replace(" ", "").replace("-", "").upper()
        q = q.where(or_(func.lower(Bill.title).like(term), func.lower(Bill.subject).like(term),
                        func.replace(Bill.measure, " ", "") == compact,
                        Bill.measure_num == (int(compact) if compact.isdigit() and len(compact) < 7 else -1)))
    if not f.topic and not (f.position and positions is not None):
        total = s.execute(select(func.count()).select_from(q.order_by(None).subquery())).scalar() or 0
        start = max(f.page - 1, 0) * page_size
        return list(s.execute(q.offset(start).limit(page_size)).scalars()), int(total)
    rows = list(s.execute(q).scalars())
    if f.topic:
        rows = [b for b in rows if f.topic in (b.topics or [])]
    if f.position and positions is not None:
        rows = [b for b in rows if (positions.get(b.bill_id) or {}).get("position") == f.position]
    total = len(rows)
    start = max(f.page - 1, 0) * page_size
    return rows[start:start + page_size], total


def topic_bill_ids(s: Session, topic: str) -> list[str]:
    """Tracked bills tagged with ``topic``.

    Topics are a JSON list, for which SQLite and PostgreSQL share no query; the tracked bills
    are a few hundred rows, so they are filtered here and the ids go back to SQL as a list.
    """
    rows = s.execute(_tracked(select(Bill.bill_id, Bill.topics))).all()
    return [bill_id for bill_id, topics in rows if topic in (topics or [])]


def stages_in_use(s: Session) -> list[str]:
    return [x for x in s.execute(select(Bill.stage).distinct().order_by(Bill.stage)).scalars() if x]


#: Event kinds that say nothing about a bill's news: a first import may hold them beside its
#: ``new_bill`` events and still be a first import (as in ``tracker.alerts.outbox``).
_NOT_NEWS = ("new_bill", "source_problem")
#: (database, first run) → whether that run was a baseline import (decided once: the scan of a
#: 25,000-bill first import must not run on every page view)
_BASELINE: dict[tuple[str, int], bool] = {}


def first_import(s: Session) -> ColumnElement[bool] | None:
    """A condition matching the ``new_bill`` events of the very first import, or None.

    The first import into an empty database finds every bill of the session "new" on the day
    of the import, though most were introduced months before: "AB 1656 is a new bill" for each
    of them, dated that day, is not news, and the member emails leave them out by the same rule
    (``tracker.alerts.outbox._first_import``): the source run that wrote the oldest event, when
    it wrote nothing but new bills. Every import and poll records its run (``tracker
    import-pubinfo``, ``tracker poll``); events stored without one (written straight through the
    ingest, as tests and tools do) name no batch the web could tell apart, and are shown.
    """
    run = s.execute(select(ChangeEvent.source_run_id).order_by(ChangeEvent.id).limit(1)).scalar()
    if run is None:
        return None
    # never NULL for any row (NOT of a NULL would drop the events that belong to no run)
    batch = func.coalesce(ChangeEvent.source_run_id, -1) == run
    key = (str(s.get_bind().url), run)
    if key not in _BASELINE:  # a finished run's events never change: one look per database
        other = select(ChangeEvent.id).where(batch, ChangeEvent.kind.notin_(_NOT_NEWS),
                                             ChangeEvent.bill_id.is_not(None)).limit(1)
        _BASELINE[key] = s.execute(other).first() is None  # no real poll's news: a baseline
    return batch & (ChangeEvent.kind == "new_bill") if _BASELINE[key] else None


def recent_changes(s: Session, limit: int = 10, bill_id: str | None = None,
                   topic: str | None = None) -> list[dict[str, Any]]:
    """Newest change events on tracked bills (or on one bill / one topic).

    Each row carries the event's machine data (``kind``, ``before``, ``after``) so pages can
    word it in the reader's language; ``summary`` is the staff wording (English, with codes).
    As in the member emails, an official-status event is left out when the same poll also
    moved the bill's stage or recorded its action: those already say it, in plainer words; and
    so are the "new bill" events of the very first import (``first_import``), which would fill
    every list with bills dated the import day. The feeds read this too, so they leave them
    out as well; the API (``/api/changes``) keeps every event.
    """
    q = (select(ChangeEvent, Bill).join(Bill, Bill.bill_id == ChangeEvent.bill_id)
         .order_by(ChangeEvent.created_at.desc(), ChangeEvent.id.desc()))
    if bill_id:
        q = q.where(ChangeEvent.bill_id == bill_id)
    else:
        q = _tracked(q)
    baseline = first_import(s)
    if baseline is not None:
        q = q.where(~baseline)
    if topic:  # before the limit: busy bills on other topics must not crowd this topic out
        q = q.where(ChangeEvent.bill_id.in_(topic_bill_ids(s, topic)))
    rows = s.execute(q.limit(limit * 5)).all()
    told = {(e.bill_id, e.source_run_id or e.created_at) for e, _b in rows
            if e.kind in ("stage_changed", "new_action")}
    out = []
    for e, b in rows:
        if e.kind == "status_changed" and (e.bill_id, e.source_run_id or e.created_at) in told:
            continue
        after = with_committee_name(s, b.session_year, e.after)  # a code by its name where known
        # "passed a house" covers three situations, "two-year" two: the action that set the stage tells which
        action = (event_stage_action(s, b.bill_id, e.after, e.created_at)
                  if e.kind == "stage_changed" and e.after in ACTION_WORDED_STAGES else None)
        out.append({"id": e.id, "kind": e.kind, "summary": e.summary, "before": e.before, "after": after,
                    "created_at": e.created_at, "bill_id": b.bill_id, "measure": b.measure,
                    "slug": measure_slug(b.measure), "title": b.title, "topics": b.topics or [],
                    "stage_action": action})
        if len(out) >= limit:
            break
    return out


CANCELLED = ("canceled", "cancelled", "postponed")


def upcoming_hearings(s: Session, today: date | None = None, days: int | None = None,
                      include_cancelled: bool = False) -> list[dict[str, Any]]:
    """Hearings from today (California's today) on for tracked bills, soonest first."""
    today = today or local_today()
    q = (select(Hearing, Bill).join(Bill, Bill.bill_id == Hearing.bill_id)
         .where(Hearing.hearing_date >= today).order_by(Hearing.hearing_date, Hearing.id))
    q = _tracked(q)
    if days:
        q = q.where(Hearing.hearing_date <= today + timedelta(days=days))
    if not include_cancelled:
        q = q.where(Hearing.status.notin_(CANCELLED))
    return [{"id": h.id, "fingerprint": h.fingerprint, "date": h.hearing_date, "time": h.hearing_time,
             "room": h.room, "committee": h.committee_name or h.committee_code or "",
             "status": h.status, "note": h.note, "updated_at": h.updated_at,
             "bill_id": b.bill_id, "measure": b.measure, "slug": measure_slug(b.measure),
             "title": b.title, "topics": b.topics or []} for h, b in s.execute(q).all()]


# A street address ("1021 O Street, Room 2100", "1020 N St.") names its own building.
_ADDRESS = re.compile(r"\b\d+\s+\w[\w.]*\s+(?:street|st|avenue|ave|boulevard|blvd|road|rd|way|mall|"
                      r"plaza|drive|dr|lane|ln)\b", re.IGNORECASE)
_BARE_ROOM = re.compile(r"^(?:(?:room|rm\.?)\s*)?#?(\d{1,4}[a-z]?)$", re.IGNORECASE)


def capitol_room(room: str | None) -> bool:
    """Whether a hearing room is a room of the State Capitol that does not say so itself.

    The calendars give either a full place ("1021 O Street, Room 2100", "State Capitol, Room
    437") or, for the Capitol, just the room ("4202", "Room 4202", "John L. Burton Hearing
    Room (4203)"). Only the second kind needs "State Capitol" added; a place that names a
    building or a street address is printed as published.
    """
    text = " ".join((room or "").split())
    if not text or "," in text or "capitol" in text.lower() or _ADDRESS.search(text):
        return False
    return bool(_BARE_ROOM.match(text)) or "room" in text.lower()


def room_number(room: str | None) -> str | None:
    """'4202' or 'Room 4202' → '4202'; a named room or an address → None."""
    m = _BARE_ROOM.match(" ".join((room or "").split()))
    return m.group(1) if m else None


@dataclass
class SourceFreshness:
    source: str
    last_ok: datetime | None
    last_status: str
    last_error: str | None
    stale: bool
    failed: bool


def freshness(s: Session, stale_after_hours: int, now: datetime | None = None) -> list[SourceFreshness]:
    """Per source: when it last succeeded, and whether to warn (stale or last run failed)."""
    now = now or datetime.now(timezone.utc)
    out = []
    for source in s.execute(select(SourceRun.source).distinct().order_by(SourceRun.source)).scalars():
        last = s.execute(select(SourceRun).where(SourceRun.source == source)
                         .where(SourceRun.status != "running")
                         .order_by(SourceRun.id.desc()).limit(1)).scalar()
        last_ok = s.execute(select(func.max(func.coalesce(SourceRun.finished_at, SourceRun.started_at)))
                            .where(SourceRun.source == source, SourceRun.status == "ok")).scalar()
        if last_ok is not None and last_ok.tzinfo is None:
            last_ok = last_ok.replace(tzinfo=timezone.utc)
        stale = last_ok is None or now - last_ok > timedelta(hours=stale_after_hours)
        failed = last is not None and last.status == "failed"
        out.append(SourceFreshness(source, last_ok, last.status if last else "running",
                                   last.error if last and failed else None, stale, failed))
    return out


def legislators(s: Session, session_year: str) -> list[Legislator]:
    return list(s.execute(select(Legislator).where(Legislator.session_year == session_year)
                          .order_by(Legislator.house, Legislator.last_name, Legislator.author_name)).scalars())


def legislator_bills(s: Session, name: str) -> list[dict[str, Any]]:
    """Bills a legislator authors or co-authors (any version), tracked ones first."""
    q = (select(Bill, BillAuthor.contribution).join(BillAuthor, BillAuthor.bill_id == Bill.bill_id)
         .where(BillAuthor.name == name).order_by(Bill.measure_type, Bill.measure_num))
    seen: dict[str, dict[str, Any]] = {}
    for b, contribution in s.execute(q).all():
        if b.bill_id not in seen:
            seen[b.bill_id] = {"bill": b, "slug": measure_slug(b.measure), "role": contribution or ""}
    return sorted(seen.values(), key=lambda r: not (r["bill"].relevant or r["bill"].watched))


def topic_counts(s: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for topics in s.execute(_tracked(select(Bill.topics))).scalars():
        for t in topics or []:
            counts[t] = counts.get(t, 0) + 1
    return counts


def lead_authors(authors: list[dict[str, Any]]) -> list[str]:
    """Every lead author's name, the primary one first (a bill can have several joint authors).

    Authors without a contribution (read from the website) count as lead authors, as on the
    legislator pages; a bill whose rows name no lead author shows its first author.
    """
    leads = [a for a in authors if (a.get("contribution") or "LEAD_AUTHOR") == "LEAD_AUTHOR"]
    leads.sort(key=lambda a: not a.get("primary"))
    return [a["name"] for a in leads] or [a["name"] for a in authors[:1]]
