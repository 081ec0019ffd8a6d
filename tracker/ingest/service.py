"""Apply a snapshot to the database: load what we knew, diff, write, in one transaction.

Bills are processed in chunks so a full session (tens of thousands of bills) needs bounded
memory and a few set-based queries per chunk instead of one query per bill. If anything fails,
the whole transaction rolls back: no half-imported bill, no event without its rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts.outbox import enqueue_events
from tracker.db.base import transaction, utcnow
from tracker.db.bulk import bulk_insert
from tracker.db.models_core import (
    Bill,
    BillAction,
    BillAuthor,
    BillVersion,
    ChangeEvent,
    Hearing,
    LegislativeSession,
    Legislator,
    LocationCode,
    VetoMessage,
    Vote,
    VoteMember,
)
from tracker.clock import local_today
from tracker.gcpause import gc_paused
from tracker.ingest.diff import BillChanges, Known, KnownAction, KnownHearing, diff_bill
from tracker.items import BillBundle, Snapshot, VersionRecord
from tracker.pubinfo.caml import parse_caml
from tracker.relevance import Matcher

CHUNK = 500
IN_LIMIT = 5000  # keys per IN (...): far below SQLite's 32,766 bound parameters
ACTION_COLUMNS = ("bill_id", "fingerprint", "history_id", "action_date", "action", "sequence", "sort_key",
                  "action_code", "action_status", "primary_location", "secondary_location",
                  "ternary_location", "end_status", "stage", "source")
EVENT_COLUMNS = ("bill_id", "kind", "summary", "before", "after", "dedupe_key", "source_run_id", "created_at")

@dataclass
class IngestResult:
    bills_seen: int = 0
    bills_new: int = 0
    bills_changed: int = 0
    events: int = 0
    actions_new: int = 0
    event_kinds: dict[str, int] = field(default_factory=dict)
    outbox_rows: int = 0
    warnings: list[str] = field(default_factory=list)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _load_known(s: Session, ids: list[str]) -> dict[str, Known]:
    known: dict[str, Known] = {b: Known() for b in ids}
    cols = [c for c in Bill.__table__.columns]
    for row in s.execute(select(*cols).where(Bill.bill_id.in_(ids))).mappings():
        known[row["bill_id"]].bill = dict(row)
    latest: dict[str, VersionRecord] = {}
    vcols = BillVersion.__table__.columns
    for row in s.execute(select(vcols.bill_version_id, vcols.bill_id, vcols.version_num,
                                vcols.action_date).where(vcols.bill_id.in_(ids))).all():
        k = known[row.bill_id]
        k.version_ids.add(row.bill_version_id)
        cur = latest.get(row.bill_id)
        if cur is None or row.version_num < cur.version_num:
            latest[row.bill_id] = VersionRecord(bill_version_id=row.bill_version_id,
                                                bill_id=row.bill_id, version_num=row.version_num,
                                                action_date=row.action_date)
    # Texts only for the newest version (relevance rescans), in one query: one query per bill
    # made a nightly re-import of an unchanged session slower than the first import.
    by_version = {v.bill_version_id: v for v in latest.values()}
    for row in s.execute(select(vcols.bill_version_id, vcols.title, vcols.subject, vcols.digest,
                                vcols.full_text, vcols.action)
                         .where(vcols.bill_version_id.in_(list(by_version)))).all():
        v = by_version[row.bill_version_id]
        known[v.bill_id].latest_version = v.model_copy(update={
            "title": row.title, "subject": row.subject, "digest": row.digest,
            "full_text": row.full_text, "action": row.action})
    a = BillAction.__table__.columns
    for bill_id, *stored in s.execute(select(a.bill_id, a.fingerprint, a.action_date, a.action, a.sort_key)
                                      .where(a.bill_id.in_(ids))).tuples():
        known[bill_id].actions.append(KnownAction._make(stored))
    votes: dict[int, tuple[str, str]] = {}
    for row in s.execute(select(Vote.id, Vote.bill_id, Vote.fingerprint).where(Vote.bill_id.in_(ids))).all():
        known[row.bill_id].vote_keys.add(row.fingerprint)
        votes[row.id] = (row.bill_id, row.fingerprint)
    with_members: set[int] = set()
    for part in _chunks(list(votes), IN_LIMIT):  # which roll calls have a member list (not the names)
        with_members.update(s.execute(select(VoteMember.vote_id).where(VoteMember.vote_id.in_(part))
                                      .distinct()).scalars())
    for vote_id, (bill_id, fingerprint) in votes.items():
        if vote_id not in with_members:
            known[bill_id].bare_votes[fingerprint] = vote_id
    h = Hearing.__table__.columns
    for row in s.execute(select(h.bill_id, h.fingerprint, h.id, h.hearing_date, h.status, h.committee_code,
                                h.committee_name, h.hearing_time, h.room, h.sources)
                         .where(h.bill_id.in_(ids))).all():
        known[row.bill_id].hearings[row.fingerprint] = KnownHearing(*row[2:9], list(row.sources or []))
    for row in s.execute(select(VetoMessage.bill_id, VetoMessage.veto_date, VetoMessage.message)
                         .where(VetoMessage.bill_id.in_(ids))).all():
        known[row.bill_id].veto = (row.veto_date, row.message)
    au = BillAuthor.__table__.columns
    for row in s.execute(select(au.bill_id, au.bill_version_id, au.name, au.contribution, au.house)
                         .where(au.bill_id.in_(ids))).all():
        known[row.bill_id].author_keys.add((row.bill_version_id, row.name, row.contribution, row.house))
    return known


def _with_text(snapshot: Snapshot, bundle: BillBundle, known: Known, warnings: list[str]) -> BillBundle:
    """Parse CAML only for versions we have not stored yet."""
    todo = [v for v in bundle.versions if v.bill_version_id not in known.version_ids and v.lob]
    if not todo:
        return bundle
    versions = []
    for v in bundle.versions:
        if v in todo:
            try:
                doc = parse_caml(snapshot.read_lob(v.lob or ""))
                v = v.model_copy(update={
                    "title": doc.title, "digest": doc.digest, "full_text": doc.text,
                    "subject": v.subject or doc.subject})
            except FileNotFoundError:
                warnings.append(f"{v.bill_version_id}: text file {v.lob} missing")
            except ValueError as exc:
                warnings.append(f"{v.bill_version_id}: unreadable bill XML in {v.lob} ({exc})")
        versions.append(v)
    return bundle.model_copy(update={"versions": versions})


def _hash(v: VersionRecord) -> str:
    return hashlib.sha256("\x1f".join([v.title or "", v.digest or "", v.full_text or ""]).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A change event as just written: what the outbox needs, without an ORM object per row."""

    id: int
    bill_id: str | None
    kind: str
    summary: str
    before: Any
    after: Any
    dedupe_key: str
    source_run_id: int | None
    created_at: datetime


def _apply(s: Session, changes: list[BillChanges], run_id: int | None) -> list[StoredEvent]:
    now = utcnow()
    new_bills = [c.bill_values | {"created_at": now, "updated_at": now} for c in changes if c.is_new]
    bulk_insert(s, Bill.__table__, new_bills)
    for c in changes:
        if not c.is_new and c.bill_values:
            s.execute(update(Bill).where(Bill.bill_id == c.bill_id).values(**c.bill_values, updated_at=now))
    versions = [{"bill_version_id": v.bill_version_id, "bill_id": v.bill_id, "version_num": v.version_num,
                 "action_date": v.action_date, "action": v.action, "subject": v.subject, "title": v.title,
                 "digest": v.digest, "full_text": v.full_text, "vote_required": v.vote_required,
                 "appropriation": v.appropriation, "fiscal_committee": v.fiscal_committee,
                 "local_program": v.local_program, "urgency": v.urgency, "content_hash": _hash(v),
                 "created_at": now}
                for c in changes for v in c.new_versions]
    bulk_insert(s, BillVersion.__table__, versions)
    bulk_insert(s, BillAuthor.__table__, [a for c in changes for a in c.new_authors])
    bulk_insert(s, BillAction.__table__, [a for c in changes for a in c.new_actions], ACTION_COLUMNS)
    bulk_insert(s, Hearing.__table__, [h | {"updated_at": now} for c in changes for h in c.hearing_inserts])
    bulk_insert(s, VoteMember.__table__, [m for c in changes for m in c.vote_member_inserts])
    for c in changes:
        for row, members in c.new_votes:
            vote_id = s.execute(insert(Vote).values(**row).returning(Vote.id)).scalar_one()
            bulk_insert(s, VoteMember.__table__, [m | {"vote_id": vote_id} for m in members])
        for h in c.hearing_updates:
            hid = h.pop("id")
            fp = h.pop("fingerprint")
            if hid == -1:
                s.execute(update(Hearing).where(Hearing.bill_id == c.bill_id, Hearing.fingerprint == fp)
                          .values(**h, updated_at=now))
            else:
                s.execute(update(Hearing).where(Hearing.id == hid).values(**h, updated_at=now))
        if c.veto is not None:
            existing = s.get(VetoMessage, c.bill_id)
            if existing is None:
                s.add(VetoMessage(**c.veto))
            elif (existing.veto_date, existing.message) != (c.veto["veto_date"], c.veto["message"]) and c.veto["message"]:
                existing.veto_date, existing.message = c.veto["veto_date"], c.veto["message"]
    return _store_events(s, changes, run_id, now)


def _store_events(s: Session, changes: list[BillChanges], run_id: int | None, now: datetime) -> list[StoredEvent]:
    drafts = [(c.bill_id, e) for c in changes for e in c.events]
    if not drafts:
        return []
    col = ChangeEvent.__table__.c
    # A bill first stored in this transaction can have no stored event yet: ask only for the rest.
    keys = [e.key for c in changes if not c.is_new for e in c.events]
    existing_keys = {k for part in _chunks(keys, IN_LIMIT)
                     for k in s.execute(select(col.dedupe_key).where(col.dedupe_key.in_(part))).scalars()}
    rows = []
    seen: set[str] = set()
    for bill_id, e in drafts:
        if e.key in existing_keys or e.key in seen:
            continue
        seen.add(e.key)
        rows.append({"bill_id": bill_id, "kind": e.kind, "summary": e.summary, "before": e.before,
                     "after": e.after, "dedupe_key": e.key, "source_run_id": run_id, "created_at": now})
    if not rows:
        return []
    bulk_insert(s, ChangeEvent.__table__, rows, EVENT_COLUMNS)
    ids = {k: i for part in _chunks(list(seen), IN_LIMIT)
           for k, i in s.execute(select(col.dedupe_key, col.id).where(col.dedupe_key.in_(part))).tuples()}
    # Built from the rows just written (not re-read): JSON columns need no second decode.
    return [StoredEvent(id=ids[r["dedupe_key"]], **r) for r in rows]


def _reference_tables(s: Session, snapshot: Snapshot) -> None:
    for sy in {sy for b in snapshot.bundles for sy in [b[:8]]} | {loc.session_year for loc in snapshot.locations}:
        if s.get(LegislativeSession, sy) is None:
            s.add(LegislativeSession(session_year=sy, label=f"{sy[:4]}–{sy[6:]}"))
    s.flush()
    for loc in snapshot.locations:
        row = s.get(LocationCode, (loc.session_year, loc.code))
        data = loc.model_dump()
        if row is None:
            s.add(LocationCode(**data))
        else:
            for k, v in data.items():
                setattr(row, k, v)
    for leg in snapshot.legislators:
        row = s.execute(select(Legislator).where(
            Legislator.session_year == leg.session_year, Legislator.house == leg.house,
            Legislator.author_name == leg.author_name)).scalar_one_or_none()
        if row is None:
            s.add(Legislator(**leg.model_dump()))
        else:
            for k, v in leg.model_dump().items():
                setattr(row, k, v)
    s.flush()


def ingest_snapshot(
    factory: sessionmaker[Session], snapshot: Snapshot, *, matcher: Matcher,
    run_id: int | None = None, progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Diff and store a snapshot in one transaction; returns what changed."""
    result = IngestResult(warnings=list(snapshot.warnings))
    run_tag = f"run{run_id}" if run_id is not None else utcnow().isoformat()
    ids = sorted(snapshot.bundles)
    with gc_paused(), transaction(factory) as s:
        _reference_tables(s, snapshot)
        sessions = sorted({b[:8] for b in ids})
        stored = set(s.execute(select(Bill.bill_id).where(Bill.session_year.in_(sessions))).scalars())
        places: dict[str, dict[str, str]] = {}  # session → location code → name
        for sy, code, name in s.execute(select(LocationCode.session_year, LocationCode.code, LocationCode.description)
                                        .where(LocationCode.session_year.in_(sessions))).tuples():
            if name:
                places.setdefault(sy, {})[code] = name
        today = local_today()
        for chunk in _chunks(ids, CHUNK):
            known = {b: Known() for b in chunk}  # a bill we never stored needs no queries
            held = [b for b in chunk if b in stored]
            if held:
                known.update(_load_known(s, held))
            changes = []
            for bill_id in chunk:
                bundle = _with_text(snapshot, snapshot.bundles[bill_id], known[bill_id], result.warnings)
                c = diff_bill(bundle, known[bill_id], matcher, run_tag=run_tag, source=snapshot.source,
                              as_of=today, places=places.get(bill_id[:8]))
                if c.changed:
                    changes.append(c)
                    result.bills_new += c.is_new
                    result.bills_changed += not c.is_new
                    result.actions_new += len(c.new_actions)
            events = _apply(s, changes, run_id)
            for e in events:
                result.event_kinds[e.kind] = result.event_kinds.get(e.kind, 0) + 1
            result.events += len(events)
            if events:  # outbox rows commit with their events, or neither does
                result.outbox_rows += enqueue_events(s, events)
            s.flush()
            if progress:
                progress(len(chunk))
        result.bills_seen = len(ids)
    return result
