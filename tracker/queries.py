"""Read-side queries shared by the CLI, documents and the web app (plain dicts out)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from tracker.db.models_core import (
    Bill,
    BillAction,
    BillAuthor,
    BillVersion,
    ChangeEvent,
    Hearing,
    SourceRun,
    VetoMessage,
    Vote,
)
from tracker.errors import TrackerError
from tracker.items import bill_id_of, parse_bill_id



def tracked() -> ColumnElement[bool]:
    """Bills we follow: relevant to our topics, watched, or carrying a staff position.

    One rule for the digest, member alerts, triage, packets, the matrix and the web app: a bill
    staff took a position on is followed even when no topic matched its text.
    """
    from tracker.db.models_advocacy import BillPosition

    return or_(Bill.relevant.is_(True), Bill.watched.is_(True),
               Bill.bill_id.in_(select(BillPosition.bill_id)))


def tracked_ids(s: Session, bill_ids: list[str]) -> set[str]:
    """Which of these bills we follow (see ``tracked``)."""
    if not bill_ids:
        return set()
    return set(s.execute(select(Bill.bill_id).where(Bill.bill_id.in_(bill_ids), tracked())).scalars())

_SESSION = re.compile(r"(\d{4})\s*(?:[-–—/]\s*)?(\d{4}|\d{2})")


def parse_session(text: str) -> str:
    """'2025-26', '2025–26', '2025-2026', '2025/26' or '20252026' → '20252026'.

    Staff type a session the way it is written on paper; anything that is not two years in a
    row starting in an odd year (California sessions run 2025–26, 1999–2000) is one clear error.
    """
    value = " ".join(str(text).split())
    m = _SESSION.fullmatch(value)
    if m:
        start = int(m.group(1))
        end = m.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if len(end) == 2 and end_year < start:  # '1999-00'
            end_year += 100
        if start % 2 == 1 and end_year == start + 1:
            return f"{start}{end_year}"
    raise TrackerError(f"session {text!r} is not a session of the Legislature: write it like 2025-26 "
                       "(two years, starting in an odd year)")


def find_bill_id(s: Session, text: str, session_year: str, *, exact_session: bool = False) -> str:
    """Accept 'AB 13', 'AB-13', 'ab13' or a bill_id; unknown → one clear error.

    ``session_year`` may be written as staff write it ('2025-26'). When the bill is not in that
    session, the newest session that has the number is used, unless ``exact_session`` says the
    session was given on purpose (a positions file naming 2025-26 must never attach a position
    to the 1999-2000 bill of the same number): then it is an error.
    """
    text = text.strip()
    if s.get(Bill, text) is not None:
        return text
    session_year = parse_session(session_year)
    try:
        bill_id = bill_id_of(text, session_year)
        _, num, mtype, n = parse_bill_id(bill_id)
    except ValueError as exc:
        raise TrackerError(str(exc)) from None
    if n > 99_999:  # no such measure, and too large for the database's integer column
        raise TrackerError(f"unknown bill {text!r}: measure numbers stop well below {n}")
    if s.get(Bill, bill_id) is None:
        def written(year: str) -> str:  # '20252026' as staff write it: '2025-26'
            start, end = year[:4], year[4:8]
            return f"{start}-{end[2:] if start[:2] == end[:2] else end}"

        # not in that session: the newest session that has this measure
        found = s.execute(select(Bill.bill_id).where(
            Bill.session_num == num, Bill.measure_type == mtype, Bill.measure_num == n)
            .order_by(Bill.session_year.desc())).scalars().first()
        if found is None:
            raise TrackerError(f"unknown bill {text!r}: not in the database for session {written(session_year)}")
        if exact_session:
            raise TrackerError(f"unknown bill {text!r}: not in the database for session {written(session_year)} "
                               f"(the database has it in session {written(found[:8])})")
        return found
    return bill_id


AUTHOR_ORDER = {"LEAD_AUTHOR": 0, "PRINCIPAL_COAUTHOR": 1, "COAUTHOR": 2}


#: Stages whose words depend on the action that set them: "passed a house" (first passage,
#: second passage or concurrence), "two-year" (on the inactive file, dead, or parked for the
#: year) and "floor" (a floor vote, or back in the first house to vote on the other's changes).
ACTION_WORDED_STAGES = ("passed_house", "two_year", "floor")


def stage_actions(s: Session, bills: list[Bill]) -> dict[str, str]:
    """Per bill standing at one of ``ACTION_WORDED_STAGES``, the latest action with its stage:
    the action that put it there (``tracker.stages.house_passage``, ``on_inactive_file``,
    ``concurrence_pending``)."""
    wanted = [(b.bill_id, b.stage) for b in bills if b.stage in ACTION_WORDED_STAGES]
    if not wanted:
        return {}
    stage_of = dict(wanted)
    rows = s.execute(select(BillAction.bill_id, BillAction.stage, BillAction.action)
                     .where(BillAction.bill_id.in_(list(stage_of)), BillAction.stage.in_(ACTION_WORDED_STAGES))
                     .order_by(BillAction.sort_key, BillAction.id)).all()
    return {bill_id: action for bill_id, stage, action in rows if stage_of[bill_id] == stage}  # latest wins


def event_stage_action(s: Session, bill_id: str, stage: str, created_at: Any) -> str | None:
    """The action a stage change to ``stage`` found at ``created_at`` moved the bill with: the
    latest action with that stage stored by then. An import gives its actions and events one
    time, so "by then" is exact and an action a later poll stored moments after (a concurrence
    after a second passage) never rewrites how an earlier event is told. Actions stored before
    that rule carry a slightly later time than their events: only when nothing is found by then
    is a few minutes' slack allowed."""
    from datetime import timedelta

    q = select(BillAction.action).where(BillAction.bill_id == bill_id, BillAction.stage == stage)
    order = (BillAction.sort_key.desc(), BillAction.id.desc())
    if created_at is None:
        return s.execute(q.order_by(*order).limit(1)).scalar()
    found = s.execute(q.where(BillAction.created_at <= created_at).order_by(*order).limit(1)).scalar()
    if found is None:
        found = s.execute(q.where(BillAction.created_at <= created_at + timedelta(minutes=10))
                          .order_by(*order).limit(1)).scalar()
    return found


def current_authors(s: Session, bill: Bill) -> list[dict[str, Any]]:
    """The authors of the bill's current print; when that print's author rows have not come
    (a partial delta), the newest print that has them, then the website's list."""
    version_id = bill.latest_version_id
    if version_id is None or not s.execute(select(BillAuthor.id).where(BillAuthor.bill_version_id == version_id).limit(1)).first():
        version_id = s.execute(select(BillVersion.bill_version_id).where(
            BillVersion.bill_id == bill.bill_id,
            BillVersion.bill_version_id.in_(select(BillAuthor.bill_version_id).where(BillAuthor.bill_id == bill.bill_id)))
            .order_by(BillVersion.version_num).limit(1)).scalar()
    if version_id is None:  # no print stored (website only): the status page's authors
        version_id = f"web:{bill.bill_id}"
    rows = s.execute(select(BillAuthor).where(BillAuthor.bill_version_id == version_id).order_by(BillAuthor.id)).scalars()
    return sorted(({"name": a.name, "house": a.house, "contribution": a.contribution, "primary": a.primary}
                   for a in rows), key=lambda a: AUTHOR_ORDER.get(a["contribution"] or "", 3))


def export_bills(s: Session, relevant_only: bool = False) -> list[dict[str, Any]]:
    q = select(Bill).order_by(Bill.session_year, Bill.measure_type, Bill.measure_num, Bill.session_num)
    if relevant_only:
        q = q.where(or_(Bill.relevant.is_(True), Bill.watched.is_(True)))
    bills = list(s.execute(q).scalars())
    ranked: dict[str, list[tuple[int, int, str]]] = {}
    latest = {b.bill_id: b.latest_version_id for b in bills}
    for a in s.execute(select(BillAuthor.id, BillAuthor.bill_id, BillAuthor.bill_version_id, BillAuthor.name,
                              BillAuthor.contribution)).all():
        if a.bill_version_id is not None and latest.get(a.bill_id) == a.bill_version_id:
            ranked.setdefault(a.bill_id, []).append((AUTHOR_ORDER.get(a.contribution or "", 3), a.id, a.name))
    authors: dict[str, list[str]] = {}
    for bill_id, rows in ranked.items():  # lead author first, as `show` and the documents say:
        names = authors[bill_id] = []     # bulk rows come in no particular order
        for _rank, _id, name in sorted(rows):
            if name not in names:
                names.append(name)
    for b in bills:  # the current print's author rows not come (a partial delta): as `show` does
        if b.bill_id not in authors:
            authors[b.bill_id] = list(dict.fromkeys(a["name"] for a in current_authors(s, b)))
    return [{
        "bill_id": b.bill_id, "session": b.session_year, "measure": b.measure, "title": b.title,
        "current_house": b.current_house, "current_location": b.current_location,
        "current_status": b.current_status, "last_action": b.last_action,
        "last_action_date": b.last_action_date.isoformat() if b.last_action_date else None,
        "history_count": b.history_count, "authors": authors.get(b.bill_id, []), "stage": b.stage,
        "relevant": b.relevant, "watched": b.watched, "score": b.relevance_score,
        "topics": b.topics or [],
        "incomplete": b.incomplete,
    } for b in bills]


def export_events(s: Session, limit: int | None = None) -> list[dict[str, Any]]:
    """Change events for other tools, without staff-only delivery notices (they are about
    members, and an export is shared)."""
    from tracker.alerts.notices import public_events

    q = select(ChangeEvent).where(public_events()).order_by(ChangeEvent.id)
    if limit:
        q = q.limit(limit)
    return [{"id": e.id, "bill_id": e.bill_id, "kind": e.kind, "summary": e.summary,
             "created_at": e.created_at.isoformat(), "before": e.before, "after": e.after,
             "source_run_id": e.source_run_id} for e in s.execute(q).scalars()]


def bill_detail(s: Session, bill_id: str) -> dict[str, Any]:
    b = s.get(Bill, bill_id)
    if b is None:
        raise TrackerError(f"unknown bill {bill_id!r}")
    versions = s.execute(select(BillVersion).where(BillVersion.bill_id == bill_id).order_by(BillVersion.version_num)).scalars()
    actions = s.execute(select(BillAction).where(BillAction.bill_id == bill_id).order_by(BillAction.sort_key)).scalars()
    votes = s.execute(select(Vote).where(Vote.bill_id == bill_id).order_by(Vote.vote_datetime)).scalars()
    hearings = s.execute(select(Hearing).where(Hearing.bill_id == bill_id).order_by(Hearing.hearing_date)).scalars()
    return {
        "bill_id": b.bill_id, "measure": b.measure, "title": b.title, "session": b.session_year,
        "current_status": b.current_status, "current_house": b.current_house,
        "current_location": b.current_location, "stage": b.stage, "relevant": b.relevant,
        "topics": b.topics or [], "relevance": b.relevance, "last_action": b.last_action,
        "last_action_date": b.last_action_date, "authors": current_authors(s, b),
        "versions": [{"bill_version_id": v.bill_version_id, "date": v.action_date, "action": v.action,
                      "title": v.title, "subject": v.subject, "digest": v.digest} for v in versions],
        "actions": [{"date": a.action_date, "action": a.action, "stage": a.stage} for a in actions],
        "votes": [{"date": v.vote_date, "location": v.location_name or v.location_code, "result": v.result,
                   "ayes": v.ayes, "noes": v.noes, "motion": v.motion_text,
                   "members": [(m.legislator_name, m.vote_code) for m in v.members]} for v in votes],
        "hearings": [{"date": h.hearing_date, "committee": _hearing_committee(s, h),
                      "time": h.hearing_time, "room": h.room, "status": h.status} for h in hearings],
        "veto": _veto(s.get(VetoMessage, bill_id)),
    }


def _hearing_committee(s: Session, h: Hearing) -> str | None:
    """The hearing's committee in words: a missing name or a history-text shorthand ('APPR.')
    gives way to the location table's name of its code; else the name (a shorthand expanded, a
    bare code named)."""
    from tracker.committees import expand_shorthand, location_name, named

    session = h.bill_id[:8]
    if h.committee_code and (not h.committee_name or expand_shorthand(h.committee_name) != h.committee_name):
        found = location_name(s, session, h.committee_code)
        if found:
            return found
    return named(s, session, h.committee_name or h.committee_code)


def _veto(row: VetoMessage | None) -> dict[str, Any] | None:
    """The Governor's veto message as plain text (the bulk data ships it as HTML)."""
    if row is None:
        return None
    text = (row.message or "").replace("\r", "")
    if "<" in text and text.strip():
        import lxml.html

        doc = lxml.html.fromstring(text)
        paragraphs = [p.text_content() for p in doc.iter("p")] or [doc.text_content()]
    else:
        paragraphs = text.split("\n\n")
    cleaned = (" ".join(p.split()) for p in paragraphs)
    return {"date": row.veto_date, "paragraphs": [p for p in cleaned if p]}


def recent_runs(s: Session, limit: int = 20) -> list[dict[str, Any]]:
    rows = s.execute(select(SourceRun).order_by(SourceRun.id.desc()).limit(limit)).scalars()
    return [{"id": r.id, "source": r.source, "started_at": r.started_at.isoformat(), "status": r.status,
             "duration_s": r.duration_s, "requests": r.requests, "bytes": r.bytes, "bills_seen": r.bills_seen,
             "changes": r.changes, "warnings": list(r.warnings or []), "error": r.error} for r in rows]
