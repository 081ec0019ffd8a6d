"""Apply a snapshot to the database: load what we knew, diff, write, in one transaction.

Bills are processed in chunks so a full session (tens of thousands of bills) needs bounded
memory and a few set-based queries per chunk instead of one query per bill. If anything fails,
the whole transaction rolls back: no half-imported bill, no event without its rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts.outbox import enqueue_events
from tracker.db.base import transaction, utcnow
from tracker.db.bulk import bulk_insert
from tracker.db.models_core import (
    Bill,
    BillAction,
    BillAuthor,
    BillVersion,
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
from tracker.ingest.changes import BillChanges, Known, KnownAction
from tracker.ingest.diff import corrected, diff_bill
from tracker.ingest.diff_hearings import StoredHearing
from tracker.ingest.hearing_match import hearing_house
from tracker.ingest.rescan import rescan_sessions, stale_sessions
from tracker.ingest.storage import (
    CHUNK,
    IN_LIMIT,
    StoredEvent,
    chunks,
    newest_prints,
    store_events,
    with_texts,
)
from tracker.items import BillBundle, Snapshot, VersionRecord
from tracker.pubinfo.caml import parse_caml
from tracker.relevance import Matcher

ACTION_COLUMNS = ("bill_id", "fingerprint", "history_id", "action_date", "action", "sequence", "sort_key",
                  "action_code", "action_status", "primary_location", "secondary_location",
                  "ternary_location", "end_status", "stage", "source")

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
    # stored bills not in the snapshot whose relevance a topics edit moved (see ingest.rescan)
    bills_rescored: int = 0


@dataclass(frozen=True)
class CalendarSpan:
    """Days of a chamber's calendar read in full (every page and agenda of them came through);
    ``house`` "Senate"/"Assembly", or ``None`` for both."""

    first: date
    last: date
    house: str | None = None


@dataclass(frozen=True)
class HearingCoverage:
    """Where a source run's silence means "no such hearing".

    Only the caller knows what it read in full: a full daily bulk snapshot lists every hearing
    of the session (``whole_session``), a delta only rows that changed, and a calendar poll the
    days and chambers whose pages all came through (``spans``). Empty: nothing (the default).
    """

    whole_session: bool = False
    spans: tuple[CalendarSpan, ...] = ()

    def __bool__(self) -> bool:
        return self.whole_session or bool(self.spans)

    def covers(self, day: date, code: str | None, name: str | None) -> bool:
        """A hearing of unknown house is covered only by a span of both chambers."""
        house = hearing_house(code, name)
        return self.whole_session or any(span.first <= day <= span.last and span.house in (None, house)
                                         for span in self.spans)


def _load_known(s: Session, ids: list[str], coverage: HearingCoverage = HearingCoverage()) -> dict[str, Known]:
    known: dict[str, Known] = {b: Known() for b in ids}
    cols = [c for c in Bill.__table__.columns]
    for row in s.execute(select(*cols).where(Bill.bill_id.in_(ids))).mappings():
        known[row["bill_id"]].bill = dict(row)
    vcols = BillVersion.__table__.columns
    rows = s.execute(select(vcols.bill_version_id, vcols.bill_id, vcols.version_num, vcols.action_date,
                            and_(vcols.digest.is_(None), vcols.full_text.is_(None)).label("textless"),
                            vcols.trans_update)
                     .where(vcols.bill_id.in_(ids))).all()
    for row in rows:
        k = known[row.bill_id]
        k.version_ids.add(row.bill_version_id)
        if row.trans_update is not None:
            k.version_times[row.bill_version_id] = row.trans_update
        if row.textless:  # read in the same query: the nightly re-import pays no extra one
            k.textless.add(row.bill_version_id)
    # Texts only for the newest version (relevance rescans), in one query: one query per bill
    # made a nightly re-import of an unchanged session slower than the first import.
    for bill_id, v in with_texts(s, newest_prints(rows)).items():
        known[bill_id].latest_version = v
    a = BillAction.__table__.columns
    for bill_id, *stored in s.execute(select(a.bill_id, a.fingerprint, a.action_date, a.action, a.sort_key,
                                             a.history_id)
                                      .where(a.bill_id.in_(ids))).tuples():
        known[bill_id].actions.append(KnownAction._make(stored))
    votes: dict[int, tuple[str, str]] = {}
    for row in s.execute(select(Vote.id, Vote.bill_id, Vote.fingerprint, Vote.location_code, Vote.vote_date,
                                Vote.vote_datetime, Vote.vote_seq, Vote.motion_id, Vote.ayes, Vote.noes)
                         .where(Vote.bill_id.in_(ids))).all():
        known[row.bill_id].vote_tallies[row.id] = (row.ayes, row.noes)
        known[row.bill_id].vote_keys.add(row.fingerprint)
        known[row.bill_id].vote_ids[row.fingerprint] = row.id
        votes[row.id] = (row.bill_id, row.fingerprint)
        day = row.vote_date or (row.vote_datetime.date() if row.vote_datetime else None)
        if row.location_code and day and row.vote_seq and row.motion_id:
            known[row.bill_id].roll_calls[(row.location_code, day, row.vote_seq, row.motion_id)] = (row.fingerprint, row.id)
    with_members: set[int] = set()
    for part in chunks(list(votes), IN_LIMIT):  # which roll calls have a member list (not the names)
        with_members.update(s.execute(select(VoteMember.vote_id).where(VoteMember.vote_id.in_(part))
                                      .distinct()).scalars())
    for vote_id, (bill_id, fingerprint) in votes.items():
        if vote_id not in with_members:
            known[bill_id].bare_votes[fingerprint] = vote_id
    h = Hearing.__table__.columns
    for row in s.execute(select(h.bill_id, h.fingerprint, h.id, h.hearing_date, h.status, h.committee_code,
                                h.committee_name, h.hearing_time, h.room, h.sources, h.note, h.listed_by)
                         .where(h.bill_id.in_(ids))).all():
        known[row.bill_id].hearings[row.fingerprint] = StoredHearing(
            *row[2:9], list(row.sources or []), note=row.note,
            listed_by=_listed_by(row.listed_by, row.sources, row.note),
            complete=bool(coverage) and coverage.covers(row.hearing_date, row.committee_code, row.committee_name))
    for row in s.execute(select(VetoMessage.bill_id, VetoMessage.veto_date, VetoMessage.message)
                         .where(VetoMessage.bill_id.in_(ids))).all():
        known[row.bill_id].veto = (row.veto_date, row.message)
    au = BillAuthor.__table__.columns
    for row in s.execute(select(au.bill_id, au.bill_version_id, au.name, au.contribution, au.house)
                         .where(au.bill_id.in_(ids))).all():
        known[row.bill_id].author_keys.add((row.bill_version_id, row.name, row.contribution, row.house))
    return known


def _with_text(snapshot: Snapshot, bundle: BillBundle, known: Known, warnings: list[str]) -> BillBundle:
    """Parse CAML for versions we have not stored yet, and for stored ones that have no text.

    A print whose text file was missing or unreadable when it was first stored would otherwise
    be judged on its title for good; its file is read again whenever an extract names it. A
    file still missing or unreadable then was already warned about when the print was stored,
    so it is not warned again (a nightly warning for the same old file would be noise).
    """
    todo = {v.bill_version_id for v in bundle.versions if v.lob and (
        v.bill_version_id not in known.version_ids or v.bill_version_id in known.textless
        or corrected(v, known))}
    if not todo:
        return bundle
    versions = []
    for v in bundle.versions:
        if v.bill_version_id in todo:
            retry = v.bill_version_id in known.version_ids
            try:
                doc = parse_caml(snapshot.read_lob(v.lob or ""))
                v = v.model_copy(update={
                    "title": doc.title, "digest": doc.digest, "full_text": doc.text,
                    "subject": v.subject or doc.subject})
            except FileNotFoundError:
                if not retry:
                    warnings.append(f"{v.bill_version_id}: text file {v.lob} missing")
            except ValueError as exc:
                if not retry:
                    warnings.append(f"{v.bill_version_id}: unreadable bill XML in {v.lob} ({exc})")
        versions.append(v)
    return bundle.model_copy(update={"versions": versions})


def _late_members_only(bundle: BillBundle) -> bool:
    """A bundle holding nothing but member rows sent without their roll call's summary."""
    return (bundle.bill is None and not (bundle.versions or bundle.actions or bundle.hearings or bundle.authors
                                         or bundle.veto) and bool(bundle.votes)
            and all(v.ayes is None and v.noes is None for v in bundle.votes))


def _hash(v: VersionRecord) -> str:
    return hashlib.sha256("\x1f".join([v.title or "", v.digest or "", v.full_text or ""]).encode()).hexdigest()


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
                 "trans_update": v.trans_update, "created_at": now}
                for c in changes for v in c.new_versions]
    bulk_insert(s, BillVersion.__table__, versions)
    filled = [{"bill_version_id": v.bill_version_id, "title": v.title, "subject": v.subject, "digest": v.digest,
               "full_text": v.full_text, "content_hash": _hash(v), "trans_update": v.trans_update}
              for c in changes for v in c.filled_versions]
    if filled:  # prints stored without their text, now read: an update, not a new print
        s.execute(update(BillVersion), filled)
    bulk_insert(s, BillAuthor.__table__, [a for c in changes for a in c.new_authors])
    # the actions carry the time their events carry, so an event finds the action that set its
    # stage among those stored by then, and never one a later poll stored moments after
    bulk_insert(s, BillAction.__table__, [a for c in changes for a in c.new_actions], ACTION_COLUMNS,
                constants={"created_at": now})
    for c in changes:
        for stale in c.deleted_actions:
            s.execute(delete(BillAction).where(BillAction.bill_id == c.bill_id, BillAction.fingerprint == stale))
        for fp, history_id in c.history_ids:
            s.execute(update(BillAction).where(BillAction.bill_id == c.bill_id, BillAction.fingerprint == fp)
                      .values(history_id=history_id))
        for old_fp, values in c.corrected_actions:
            s.execute(update(BillAction).where(BillAction.bill_id == c.bill_id, BillAction.fingerprint == old_fp)
                      .values(**values))
    bulk_insert(s, Hearing.__table__, [h | {"updated_at": now} for c in changes for h in c.hearing_inserts])
    bulk_insert(s, VoteMember.__table__, [m for c in changes for m in c.vote_member_inserts])
    adds = [m for c in changes for m in c.vote_member_adds]
    if adds:
        dialect_insert = sqlite_insert if s.get_bind().dialect.name == "sqlite" else pg_insert
        s.execute(dialect_insert(VoteMember).on_conflict_do_nothing(index_elements=["vote_id", "legislator_name"]),
                  adds)
    for c in changes:
        for vote_id, values in c.corrected_votes:
            s.execute(update(Vote).where(Vote.id == vote_id).values(**values))
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
    return store_events(s, [(c.bill_id, e) for c in changes for e in c.events], run_id, now,
                        fresh={c.bill_id for c in changes if c.is_new})


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


#: The reader's warning for an extract without the hearing table (``tracker.pubinfo.reader``).
_HEARING_TABLE_MISSING = "COMMITTEE_HEARING_TBL.dat missing: skipped"


def hearing_table_read(snapshot: Snapshot) -> bool:
    """Did this extract carry the hearing table? Without it, its silence says nothing."""
    return _HEARING_TABLE_MISSING not in snapshot.warnings


def _hearing_coverage(s: Session, snapshot: Snapshot, sessions: list[str]) -> HearingCoverage:
    """Is this bulk extract the whole session's hearing table (a full daily snapshot)?

    A delta holds only the rows changed since the last extract, so a hearing it lacks means
    nothing; a full snapshot is the whole truth (leginfo.md §3.2), and a hearing to come that it
    no longer lists is off. The file's name is the caller's to read; from the contents alone, an
    extract is whole when it has the hearing table and a BILL_TBL row for every bill of its
    sessions that the bulk data ever gave us (a delta lists only the day's changed bills).
    """
    if snapshot.source != "pubinfo" or not hearing_table_read(snapshot) or not sessions:
        return HearingCoverage()
    held = set(s.execute(select(Bill.bill_id).where(Bill.session_year.in_(sessions),
                                                    Bill.trans_update.is_not(None))).scalars())
    with_rows = {b for b, bundle in snapshot.bundles.items() if bundle.bill is not None}
    return HearingCoverage(whole_session=True) if held and held <= with_rows else HearingCoverage()


#: The sources whose rows list hearings (the bulk hearing table, the chamber calendars).
LISTING_SOURCES = {"pubinfo", "hearings"}


def _listed_by(listed_by: list[str] | None, sources: list[str] | None, note: str | None) -> list[str] | None:
    """Who lists a hearing now. A row stored before listings were kept (``listed_by`` NULL) is
    taken as listed by the listing sources that stored it, unless action text set it (its note
    holds that text): without this, a hearing dropped before the upgrade stayed "scheduled"
    for good."""
    if listed_by is not None:
        return list(listed_by)
    if note:
        return None
    return sorted(set(sources or []) & LISTING_SOURCES) or None


def _unlisted_bills(s: Session, snapshot: Snapshot, coverage: HearingCoverage, sessions: list[str],
                    today: date) -> list[str]:
    """Bills the snapshot does not name whose hearing to come it listed before and covers now:
    a calendar lists only the bills on its agendas, so a bill taken off its only agenda is in
    no bundle, and its hearing must still be looked at."""
    if not coverage:
        return []
    h = Hearing.__table__.columns
    rows = s.execute(select(h.bill_id, h.hearing_date, h.committee_code, h.committee_name, h.listed_by,
                            h.sources, h.note)
                     .where(h.status == "scheduled", h.hearing_date >= today)).all()
    return sorted({r.bill_id for r in rows if r.bill_id not in snapshot.bundles
                   and snapshot.source in (_listed_by(r.listed_by, r.sources, r.note) or [])
                   and (not coverage.whole_session or r.bill_id[:8] in sessions)
                   and coverage.covers(r.hearing_date, r.committee_code, r.committee_name)})


def _count(result: IngestResult, events: list[StoredEvent], outbox_rows: int) -> None:
    for e in events:
        result.event_kinds[e.kind] = result.event_kinds.get(e.kind, 0) + 1
    result.events += len(events)
    result.outbox_rows += outbox_rows


def ingest_snapshot(
    factory: sessionmaker[Session], snapshot: Snapshot, *, matcher: Matcher,
    run_id: int | None = None, progress: Callable[[int], None] | None = None,
    hearings_complete: HearingCoverage | None = None,
) -> IngestResult:
    """Diff and store a snapshot in one transaction; returns what changed.

    When the topics file changed since a session's relevance was stored, every stored bill of
    that session is scored again in the same transaction: the snapshot's bills by the diff
    (``rescore``, so each bill's events make one alert), the others by ``rescan_sessions``.

    ``hearings_complete`` says what the source listed in full (a full daily snapshot, calendar
    days whose pages all came through): a hearing to come that it listed before and lists no
    more there is closed. ``None``: decided from a bulk extract's contents (``_hearing_coverage``);
    pass ``HearingCoverage()`` for a delta.
    """
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
        coverage = _hearing_coverage(s, snapshot, sessions) if hearings_complete is None else hearings_complete
        unlisted = _unlisted_bills(s, snapshot, coverage, sessions, today)
        ids = sorted(ids + unlisted)
        stored.update(unlisted)  # their hearing rows are stored, so they are
        stale = set(stale_sessions(s, sessions, matcher))
        if stale:
            rescan = rescan_sessions(s, stale, matcher, run_id=run_id, run_tag=run_tag, skip=snapshot.bundles)
            _count(result, rescan.events, rescan.outbox_rows)
            result.bills_rescored = rescan.updated
        for chunk in chunks(ids, CHUNK):
            known = {b: Known() for b in chunk}  # a bill we never stored needs no queries
            held = [b for b in chunk if b in stored]
            if held:
                known.update(_load_known(s, held, coverage))
            changes = []
            for bill_id in chunk:
                if bill_id not in stored and _late_members_only(snapshot.bundles[bill_id]):
                    result.warnings.append(f"{bill_id}: member votes for a roll call we do not hold were skipped")
                    continue  # no bill to hang them on: a bill is not made of a vote list alone
                given = snapshot.bundles.get(bill_id) or BillBundle(bill_id=bill_id)  # or a bill taken off an agenda
                bundle = _with_text(snapshot, given, known[bill_id], result.warnings)
                c = diff_bill(bundle, known[bill_id], matcher, run_tag=run_tag, source=snapshot.source,
                              as_of=today, places=places.get(bill_id[:8]),
                              rescore=bill_id[:8] in stale and bill_id in snapshot.bundles)
                if c.changed:
                    changes.append(c)
                    result.bills_new += c.is_new
                    result.bills_changed += not c.is_new
                    result.actions_new += len(c.new_actions)
            events = _apply(s, changes, run_id)
            # outbox rows commit with their events, or neither does
            _count(result, events, enqueue_events(s, events) if events else 0)
            s.flush()
            if progress:
                progress(len(chunk))
        result.bills_seen = len(snapshot.bundles)
    return result
