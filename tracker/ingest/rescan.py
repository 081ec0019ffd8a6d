"""Score stored bills again after staff edit the topics file.

Relevance is decided when a bill is new or its text changes; a new watched bill or topic term
must also reach the bills already stored, or ``tracker explain`` says RELEVANT while
``tracker bills --relevant`` never lists the bill. Each session keeps the fingerprint of the
topics its relevance was computed with (``LegislativeSession.topics_fingerprint``); when the
configured matcher's differs, every stored bill of the session is scored again from its title
and newest stored print, its relevance columns are written where they moved, and a bill that
crossed the line gets ``became_relevant`` / ``no_longer_relevant`` (``after.reason`` =
``"topics_changed"``), with outbox rows, in the caller's transaction.

The ingest does this for the sessions it touches (``tracker import-pubinfo``, every poll);
``tracker topics apply`` does it at once (``apply_topics``). The same fingerprint again re-scores
nothing, so a nightly re-import pays one lookup per session.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts.outbox import enqueue_events
from tracker.db.base import transaction, utcnow
from tracker.db.models_core import Bill, BillVersion, LegislativeSession
from tracker.ingest.changes import EventDraft
from tracker.ingest.diff_relevance import RELEVANCE_COLUMNS, rescore
from tracker.ingest.storage import CHUNK, StoredEvent, chunks, newest_prints, store_events, with_texts
from tracker.items import measure_of
from tracker.relevance import Matcher


@dataclass
class RescanResult:
    """What a rescan did: bills scored, bills whose stored relevance moved, events written."""

    sessions: list[str] = field(default_factory=list)
    bills: int = 0
    updated: int = 0
    became_relevant: int = 0
    no_longer_relevant: int = 0
    events: list[StoredEvent] = field(default_factory=list)
    outbox_rows: int = 0


def stale_sessions(s: Session, session_years: Iterable[str], matcher: Matcher) -> list[str]:
    """The sessions whose stored relevance was computed with other topics (or never recorded)."""
    wanted = sorted(set(session_years))
    if not wanted:
        return []
    stored = {sy: fp for sy, fp in s.execute(
        select(LegislativeSession.session_year, LegislativeSession.topics_fingerprint)
        .where(LegislativeSession.session_year.in_(wanted))).tuples()}
    return [sy for sy in wanted if sy in stored and stored[sy] != matcher.fingerprint]


def rescan_sessions(s: Session, session_years: Iterable[str], matcher: Matcher, *, run_id: int | None,
                    run_tag: str, skip: Collection[str] = ()) -> RescanResult:
    """Score every stored bill of these sessions again and record the matcher's fingerprint.

    Runs in the caller's transaction. ``skip``: bills the caller scores itself in this
    transaction (the ingest passes the bills of its snapshot to the diff with ``rescore``, so
    each bill's events reach the outbox together, as one alert).
    """
    result = RescanResult()
    now = utcnow()
    for sy in sorted(set(session_years)):
        session = s.get(LegislativeSession, sy)
        if session is None:  # nothing was ever stored for it
            continue
        result.sessions.append(sy)
        ids = [b for b in s.execute(select(Bill.bill_id).where(Bill.session_year == sy)
                                    .order_by(Bill.bill_id)).scalars() if b not in skip]
        for part in chunks(ids, CHUNK):
            _rescan_chunk(s, part, matcher, run_id=run_id, run_tag=run_tag, now=now, result=result)
        session.topics_fingerprint = matcher.fingerprint
    s.flush()
    return result


def _rescan_chunk(s: Session, ids: list[str], matcher: Matcher, *, run_id: int | None, run_tag: str,
                  now: datetime, result: RescanResult) -> None:
    """One chunk of bills: three queries to read, one executemany to write, events + outbox."""
    cols = [Bill.__table__.c[name] for name in ("bill_id", "title", *RELEVANCE_COLUMNS)]
    bills = {row["bill_id"]: dict(row) for row in s.execute(select(*cols).where(Bill.bill_id.in_(ids))).mappings()}
    v = BillVersion.__table__.columns
    latest = with_texts(s, newest_prints(s.execute(
        select(v.bill_version_id, v.bill_id, v.version_num, v.action_date).where(v.bill_id.in_(ids))).all()))
    updates = []
    drafts: list[tuple[str, EventDraft]] = []
    for bill_id, old in bills.items():
        values, event = rescore(bill_id, measure_of(bill_id), old, latest.get(bill_id), matcher, run_tag=run_tag)
        if values:
            updates.append({"bill_id": bill_id, **values, "updated_at": now})
        if event is not None:
            drafts.append((bill_id, event))
            result.became_relevant += event.kind == "became_relevant"
            result.no_longer_relevant += event.kind == "no_longer_relevant"
    result.bills += len(bills)
    result.updated += len(updates)
    if updates:
        s.execute(update(Bill), updates)  # executemany by primary key
    events = store_events(s, drafts, run_id, now)
    result.events.extend(events)
    if events:  # outbox rows commit with their events, or neither does
        result.outbox_rows += enqueue_events(s, events)


def apply_topics(factory: sessionmaker[Session], matcher: Matcher, session_years: Iterable[str]) -> RescanResult:
    """``tracker topics apply``: rescan now, in one transaction (whatever the stored fingerprint)."""
    with transaction(factory) as s:
        return rescan_sessions(s, session_years, matcher, run_id=None, run_tag=f"topics{utcnow().isoformat()}")
