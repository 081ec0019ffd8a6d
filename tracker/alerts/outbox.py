"""The durable outbox: change events → one row per message to send, in the ingest transaction.

Every row has a unique ``key`` and is written with insert-or-ignore, so a retried poll, a
re-import or a restart can never create a second message:

* immediate: ``i:<subscriber>:<source run>:<bill>`` — all events of one poll/import for one
  bill become one message, and a later run's news of that bill joins it while it still waits
  to be sent (or ``i:<subscriber>:<run>:*`` when one run matches more than
  ``alerts.immediate_max_bills`` bills for that subscriber: one combined message, not fifty);
* daily / weekly: ``d:<subscriber>:<YYYY-MM-DD>`` / ``w:<subscriber>:<YYYY-Www>``; later events of
  the same period are appended to the still-pending row.

Rows keep event ids, never rendered text: the sender renders at send time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.alerts.kinds import OUTCOME_STAGES
from tracker.db.base import utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber, Subscription
from tracker.db.models_core import Bill, ChangeEvent
from tracker.queries import tracked_ids
from tracker.settings import get_settings

_DEFAULTS: dict[str, Any] = {"status": "pending", "attempts": 0, "subscriber_id": None,
                             "recipient": None, "bill_id": None, "source_run_id": None,
                             "period": None, "attempt_id": None, "last_error": None,
                             "sent_at": None}


def insert_ignore(s: Session, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows, silently skipping keys that already exist (SQLite and PostgreSQL).

    Returns how many rows were really inserted (``RETURNING`` skips the ignored ones).
    """
    if not rows:
        return 0
    now = utcnow()
    full = [_DEFAULTS | {"created_at": now, "next_attempt_at": now} | r for r in rows]
    table = OutboxMessage.__table__
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=["key"])
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])
    else:  # pragma: no cover - only the two supported backends
        raise RuntimeError(f"unsupported database {dialect}")
    return len(s.execute(stmt.returning(table.c.id), full).all())


def period_of(when: datetime, cadence: str) -> tuple[str, datetime]:
    """The digest period an instant falls in, and when that period's message becomes due."""
    cfg = get_settings()
    tz = ZoneInfo(cfg.schedule.timezone)
    local = when.astimezone(tz).date()
    hour = time(cfg.alerts.digest_send_hour)
    if cadence == "daily":
        due = datetime.combine(local + timedelta(days=1), hour, tz)
        return local.isoformat(), due.astimezone(when.tzinfo)
    year, week, weekday = local.isocalendar()
    due = datetime.combine(local + timedelta(days=8 - weekday), hour, tz)
    return f"{year}-W{week:02d}", due.astimezone(when.tzinfo)


def _wants(sub: Subscription, e: ChangeEvent, bill: Bill | None, followed: bool) -> bool:
    """Does this subscription ask for this event (kind filter + topic/relevance rules)?

    ``followed``: the bill is tracked (``queries.tracked``: relevant, watched or with a position).
    """
    kinds = set(sub.event_kinds or [])
    after = e.after if isinstance(e.after, dict) else {}
    kind_ok = e.kind in kinds or (
        "outcome" in kinds and e.kind == "stage_changed" and e.after in OUTCOME_STAGES)
    if not kind_ok:
        return False
    if sub.kind == "bill":
        return True
    if e.kind == "new_bill" and not after.get("relevant"):
        return False  # never tell members about bills that do not touch our issues
    if sub.kind == "all":
        return followed or e.kind in ("became_relevant", "no_longer_relevant")
    topics = set((bill.topics if bill is not None else None) or []) | set(after.get("topics") or [])
    if e.kind == "no_longer_relevant":
        before = e.before if isinstance(e.before, dict) else {}
        return sub.target in (before.get("topics") or [])
    return sub.target in topics and (followed or e.kind in ("new_bill", "became_relevant"))


def _first_import(s: Session, events: list[ChangeEvent]) -> bool:
    """True when these events come from the very first import into an empty database."""
    if any(e.kind != "new_bill" for e in events):
        return False
    ids = [e.id for e in events]
    runs = {e.source_run_id for e in events}
    other = select(ChangeEvent.id).where(ChangeEvent.id < min(ids))
    if runs != {None}:
        other = other.where(ChangeEvent.source_run_id.not_in([r for r in runs if r is not None])
                            | ChangeEvent.source_run_id.is_(None))
    return not s.execute(select(exists(other))).scalar()


def _candidates(s: Session, bills: dict[str, Bill], events: list[ChangeEvent]) -> list[Subscription]:
    topics: set[str] = set()
    for b in bills.values():
        topics.update(b.topics or [])
    for e in events:
        for side in (e.before, e.after):
            if isinstance(side, dict):
                topics.update(side.get("topics") or [])
    cond = (Subscription.kind == "all") | (
        (Subscription.kind == "bill") & Subscription.target.in_(list(bills)))
    if topics:
        cond = cond | ((Subscription.kind == "topic") & Subscription.target.in_(sorted(topics)))
    q = (select(Subscription).join(Subscriber)
         .where(cond, Subscriber.status == "active", Subscriber.confirmed_at.is_not(None))
         .order_by(Subscription.subscriber_id, Subscription.id))
    return list(s.execute(q).scalars())


def _reason(sub: Subscription) -> str:
    return f"{sub.kind}:{sub.target}" if sub.target else sub.kind


def enqueue_events(s: Session, events: list[ChangeEvent]) -> int:
    """Turn new change events into outbox rows, inside the caller's transaction.

    Returns how many rows were created or extended. Events without a bill (source problems)
    are for staff and go to the staff digest, not to members.
    """
    events = [e for e in events if e.bill_id and e.kind != "source_problem"]
    if not events:
        return 0
    if not get_settings().alerts.alert_on_first_import and _first_import(s, events):
        return 0
    if not s.execute(select(exists(select(Subscription.id).join(Subscriber).where(
            Subscriber.status == "active", Subscriber.confirmed_at.is_not(None))))).scalar():
        return 0  # nobody to tell: skip loading bills
    bill_ids = sorted({e.bill_id for e in events if e.bill_id})
    bills = {b.bill_id: b for b in s.execute(select(Bill).where(Bill.bill_id.in_(bill_ids))).scalars()}
    by_bill: dict[str, list[ChangeEvent]] = defaultdict(list)
    for e in events:
        by_bill[e.bill_id or ""].append(e)
    # (subscriber, cadence) → bill → (event ids, reasons)
    matched: dict[tuple[int, str], dict[str, tuple[set[int], set[str]]]] = defaultdict(dict)
    followed = tracked_ids(s, bill_ids)
    for sub in _candidates(s, bills, events):
        targets = [sub.target] if sub.kind == "bill" else list(by_bill)
        for bill_id in targets:
            for e in by_bill.get(bill_id, []):
                if _wants(sub, e, bills.get(bill_id), bill_id in followed):
                    ids, why = matched[(sub.subscriber_id, sub.cadence)].setdefault(bill_id, (set(), set()))
                    ids.add(e.id)
                    why.add(_reason(sub))
    return _write(s, matched, events)


def _write(s: Session, matched: dict[tuple[int, str], dict[str, tuple[set[int], set[str]]]],
           events: list[ChangeEvent]) -> int:
    run = events[0].source_run_id
    run_tag = str(run) if run is not None else f"e{min(e.id for e in events)}"
    created = min(e.created_at for e in events)
    limit = get_settings().alerts.immediate_max_bills
    rows: list[dict[str, Any]] = []
    digests: list[tuple[dict[str, Any], dict[str, tuple[set[int], set[str]]]]] = []
    for (sid, cadence), per_bill in matched.items():
        if cadence == "immediate" and len(per_bill) <= limit:
            for bill_id, (ids, why) in per_bill.items():
                rows.append({"key": f"i:{sid}:{run_tag}:{bill_id}", "kind": "alert",
                             "subscriber_id": sid, "bill_id": bill_id, "source_run_id": run,
                             "event_ids": sorted(ids), "reasons": {bill_id: sorted(why)}})
            continue
        if cadence == "immediate":
            key, period, due = f"i:{sid}:{run_tag}:*", None, created
        else:
            period, due = period_of(created, cadence)
            key = f"{cadence[0]}:{sid}:{period}"
        digests.append(({"key": key, "kind": "digest", "subscriber_id": sid, "period": period,
                         "source_run_id": run, "next_attempt_at": due}, per_bill))
    merged, rows = _merge_pending_alerts(s, rows)
    n = insert_ignore(s, rows)
    return merged + n + sum(_merge_digest(s, row, per_bill) for row, per_bill in digests)


def _merge_pending_alerts(s: Session, rows: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Add this run's news of a bill to the member's alert about it still waiting to be sent.

    A full poll is several runs (web pages, calendars, the bulk download), each its own
    transaction: without this, a hearing the calendar found and the amendment the bulk data
    found minutes later were two emails about one bill, the second repeating the first (both
    are rendered at send time). Only a row never yet handed to a mail server is extended (a
    retried one may have reached the reader under its Message-ID already). Returns how many
    rows were extended and the rows still to insert."""
    if not rows:
        return 0, rows
    table = OutboxMessage.__table__.c
    subs = sorted({r["subscriber_id"] for r in rows})
    bills = sorted({r["bill_id"] for r in rows})
    waiting: dict[tuple[int, str], Any] = {}
    for part in range(0, len(subs), 500):
        # locked in id order, skipping rows the sender is claiming this instant (PostgreSQL):
        # those are its; this news then gets a message of its own
        for row in s.execute(select(table.id, table.subscriber_id, table.bill_id, table.event_ids, table.reasons)
                             .where(table.kind == "alert", table.status == "pending", table.attempts == 0,
                                    table.subscriber_id.in_(subs[part:part + 500]), table.bill_id.in_(bills))
                             .order_by(table.id).with_for_update(skip_locked=True)).all():
            waiting[(row.subscriber_id, row.bill_id)] = row  # the newest waiting alert per bill
    extended, rest = 0, []
    for r in rows:
        have = waiting.get((r["subscriber_id"], r["bill_id"]))
        if have is None:
            rest.append(r)
            continue
        news = _with_news(have.event_ids, have.reasons, set(r["event_ids"]), r["reasons"])
        if news is None:
            continue  # the same events again (a retry): nothing to add
        done = s.execute(update(OutboxMessage.__table__).where(
            table.id == have.id, table.status == "pending", table.attempts == 0).values(
            event_ids=news[0], reasons=news[1])).rowcount
        if done:
            extended += 1
        else:  # the sender took it meanwhile: this news gets its own message
            rest.append(r)
    return extended, rest


def _with_news(event_ids: list[int] | None, reasons: dict[str, Any] | None, new_ids: set[int],
               new_reasons: dict[str, Any]) -> tuple[list[int], dict[str, list[str]]] | None:
    """A waiting row's events and reasons with this run's added; None when nothing is new (a
    retried run enqueues the same events again)."""
    merged = dict(reasons or {})
    for b, why in new_reasons.items():
        merged[b] = sorted(set(merged.get(b, [])) | set(why))
    ids = sorted(set(event_ids or []) | new_ids)
    if ids == sorted(event_ids or []) and merged == (reasons or {}):
        return None
    return ids, merged


def _merge_digest(s: Session, row: dict[str, Any], per_bill: dict[str, tuple[set[int], set[str]]]) -> int:
    """Create the period's row or append to it while it is still pending."""
    ids = {i for ev, _ in per_bill.values() for i in ev}
    reasons = {b: sorted(why) for b, (_, why) in per_bill.items()}
    for attempt in range(2):
        key = row["key"] if attempt == 0 else f"{row['key']}:late{min(ids)}"
        q = select(OutboxMessage).where(OutboxMessage.key == key)
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update()
        have = s.execute(q).scalar_one_or_none()
        if have is None:
            return insert_ignore(s, [row | {"key": key, "event_ids": sorted(ids), "reasons": reasons}])
        if have.status == "pending":
            news = _with_news(have.event_ids, have.reasons, ids, reasons)
            if news is None:
                return 0  # the same events again (a retry): nothing to add
            s.execute(update(OutboxMessage).where(OutboxMessage.id == have.id).values(
                event_ids=news[0], reasons=news[1]))
            return 1
    return 0  # pragma: no cover - the late row is pending by construction
