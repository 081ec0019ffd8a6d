"""Which bills need their detail pages, and what to remember afterwards.

Incremental polling rests on three facts stored per bill: the hash of its listing row
(``Bill.listing_hash``), when its detail pages were last read (``Bill.detail_fetched_at``)
and whether anyone cares (``queries.tracked``: relevant, watched or with a position). A poll with nothing changed therefore
costs the listing request alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from spiders.collect import Fetched
from spiders.leginfo_bill import BillJob
from spiders.parsers.search import ListingRow
from tracker.db.base import transaction, utcnow
from tracker.db.models_core import Bill, FetchState
from tracker.queries import tracked

BASIC = ("status", "history")
FULL = ("status", "history", "votes", "text")


@dataclass(frozen=True)
class KnownBill:
    listing_hash: str | None
    detail_fetched_at: datetime | None
    tracked: bool
    has_history: bool = False  # actions stored already (e.g. from the bulk data)


def load_known(factory: sessionmaker[Session], session_year: str) -> dict[str, KnownBill]:
    with factory() as s:  # tracked: the one rule alerts and the digest use (positions included)
        rows = s.execute(select(Bill.bill_id, Bill.listing_hash, Bill.detail_fetched_at,
                                tracked().label("tracked"), Bill.history_count)
                         .where(Bill.session_year == session_year)).all()
    return {r.bill_id: KnownBill(r.listing_hash, r.detail_fetched_at, bool(r.tracked), bool(r.history_count))
            for r in rows}


def plan_details(rows: list[ListingRow] | None, known: dict[str, KnownBill], *, max_age_hours: float,
                 now: datetime | None = None) -> list[BillJob]:
    """Detail jobs for this poll, most urgent first (the caller reads only so many per poll).

    * tracked bills (relevant, watched or with a staff position): all four pages when the listing row changed or the
      detail is older than ``max_age_hours``;
    * a bill we hold no history for (new in the listing, or known only from a listing row):
      status + history once; a bill the bulk data already gave its history needs no such read;
    * while nothing is tracked yet (first runs, before relevance), a changed row also gets
      status + history, so the first polls build complete histories.

    Order: tracked bills whose listing row changed (news), then bills with no history, then
    tracked bills that are only due a refresh, the longest unread first. Refreshes therefore
    spread over the day instead of all falling due in one poll.
    """
    now = now or utcnow()
    any_tracked = any(k.tracked for k in known.values())
    stale_before = now - timedelta(hours=max_age_hours)
    ranked: dict[str, tuple[tuple[int, datetime], BillJob]] = {}
    never = datetime.min

    def due(bill_id: str, rank: int, k: KnownBill | None, pages: tuple[str, ...]) -> None:
        read = (k.detail_fetched_at if k is not None else None) or never
        ranked[bill_id] = ((rank, read.replace(tzinfo=None)), BillJob(bill_id, pages))

    for row in rows or []:
        k = known.get(row.bill_id)
        changed = k is None or k.listing_hash != row.digest
        if k is not None and k.tracked:
            if changed:
                due(row.bill_id, 0, k, FULL)
            elif k.detail_fetched_at is None or k.detail_fetched_at < stale_before:
                due(row.bill_id, 2, k, FULL)
        elif k is None or (k.detail_fetched_at is None and not k.has_history):
            due(row.bill_id, 1, k, BASIC)
        elif changed and not any_tracked:
            due(row.bill_id, 1, k, BASIC)
    listed = {r.bill_id for r in rows or []}
    for bill_id, k in known.items():  # bills the listing did not show (304 or absent)
        if bill_id in listed or bill_id in ranked:
            continue
        if k.tracked and (k.detail_fetched_at is None or k.detail_fetched_at < stale_before):
            due(bill_id, 2, k, FULL)
        elif not k.tracked and k.detail_fetched_at is None and not k.has_history:
            due(bill_id, 1, k, BASIC)  # left waiting by an earlier poll's cap
    return [job for _key, job in sorted(ranked.values(), key=lambda item: item[0])]


def load_validators(factory: sessionmaker[Session], prefix: str) -> dict[str, tuple[str | None, str | None]]:
    """ETag / Last-Modified per URL under ``prefix`` (for If-None-Match / If-Modified-Since)."""
    with factory() as s:
        rows = s.execute(select(FetchState.url, FetchState.etag, FetchState.last_modified)
                         .where(FetchState.url.like(f"{prefix}%"))).all()
    return {r.url: (r.etag, r.last_modified) for r in rows}


def remember(factory: sessionmaker[Session], fetched: Iterable[Fetched],
             listing_hashes: dict[str, str], detail_ok: Iterable[str]) -> None:
    """After a successful ingest: validators, listing hashes and detail times, one transaction."""
    now = utcnow()
    with transaction(factory) as s:
        for f in fetched:
            if not (f.etag or f.last_modified):
                continue
            row = s.get(FetchState, f.url[:500])
            if row is None:
                row = FetchState(url=f.url[:500])
                s.add(row)
            row.etag, row.last_modified, row.status, row.fetched_at = f.etag, f.last_modified, f.status, now
        detail = set(detail_ok)
        ids = set(listing_hashes) | detail
        if not ids:
            return
        for bill in s.execute(select(Bill).where(Bill.bill_id.in_(ids))).scalars():
            if bill.bill_id in listing_hashes:
                bill.listing_hash = listing_hashes[bill.bill_id]
            if bill.bill_id in detail:
                bill.detail_fetched_at = now
