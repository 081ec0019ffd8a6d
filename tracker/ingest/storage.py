"""Reads and writes shared by the ingest and the topics rescan.

Both load bills in chunks with a few set-based queries (never one query per bill: a nightly
re-import of an unchanged session must stay cheap) and both write change events the same way,
skipping any whose key is already stored, so a retried run tells nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.bulk import bulk_insert
from tracker.db.models_core import BillVersion, ChangeEvent
from tracker.ingest.changes import EventDraft
from tracker.items import VersionRecord

CHUNK = 500
IN_LIMIT = 5000  # keys per IN (...): far below SQLite's 32,766 bound parameters
EVENT_COLUMNS = ("bill_id", "kind", "summary", "before", "after", "dedupe_key", "source_run_id", "created_at")


def chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


class VersionRow(Protocol):
    bill_version_id: str
    bill_id: str
    version_num: int
    action_date: date | None


def newest_prints(rows: Iterable[VersionRow]) -> dict[str, VersionRecord]:
    """Each bill's newest stored print (``version_num`` counts down), without its text yet."""
    latest: dict[str, VersionRecord] = {}
    for row in rows:
        cur = latest.get(row.bill_id)
        if cur is None or row.version_num < cur.version_num:
            latest[row.bill_id] = VersionRecord(bill_version_id=row.bill_version_id, bill_id=row.bill_id,
                                                version_num=row.version_num, action_date=row.action_date)
    return latest


def with_texts(s: Session, latest: dict[str, VersionRecord]) -> dict[str, VersionRecord]:
    """The same prints with their stored title, subject, digest, text and action, in one query:
    texts are read only for the newest print of each bill (what relevance is decided on)."""
    vcols = BillVersion.__table__.columns
    by_version = {v.bill_version_id: v for v in latest.values()}
    out: dict[str, VersionRecord] = {}
    for row in s.execute(select(vcols.bill_version_id, vcols.title, vcols.subject, vcols.digest,
                                vcols.full_text, vcols.action)
                         .where(vcols.bill_version_id.in_(list(by_version)))).all():
        v = by_version[row.bill_version_id]
        out[v.bill_id] = v.model_copy(update={
            "title": row.title, "subject": row.subject, "digest": row.digest,
            "full_text": row.full_text, "action": row.action})
    return out


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


def store_events(s: Session, drafts: Sequence[tuple[str, EventDraft]], run_id: int | None, now: datetime,
                 *, fresh: frozenset[str] | set[str] = frozenset()) -> list[StoredEvent]:
    """Write (bill id, event) drafts whose key is not stored yet; returns what was written.

    ``fresh``: bills first stored in this transaction, which can have no stored event yet, so
    their keys are not looked up.
    """
    if not drafts:
        return []
    col = ChangeEvent.__table__.c
    keys = [e.key for bill_id, e in drafts if bill_id not in fresh]
    existing_keys = {k for part in chunks(keys, IN_LIMIT)
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
    ids = {k: i for part in chunks(list(seen), IN_LIMIT)
           for k, i in s.execute(select(col.dedupe_key, col.id).where(col.dedupe_key.in_(part))).tuples()}
    # Built from the rows just written (not re-read): JSON columns need no second decode.
    return [StoredEvent(id=ids[r["dedupe_key"]], **r) for r in rows]
