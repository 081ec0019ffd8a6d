"""Core legislative data: sessions, bills, versions, authors, legislators, actions, votes,
hearings, change events, source runs and fetch state.

Natural keys from the legislature (``bill_id``, ``bill_version_id``) are primary keys so that
the bulk download and the website converge on one row; rows without a natural key carry a
``fingerprint`` computed from their content (see ``tracker.ingest.keys``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db.base import Base, utcnow


class LegislativeSession(Base):
    __tablename__ = "legislative_session"

    session_year: Mapped[str] = mapped_column(String(8), primary_key=True)
    label: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # ``Matcher.fingerprint`` of the topics file the session's stored relevance was computed
    # with: when the file changes, the next ingest scores every stored bill of the session again
    topics_fingerprint: Mapped[str | None] = mapped_column(String(64))


class Bill(Base):
    __tablename__ = "bill"
    __table_args__ = (Index("ix_bill_measure_order", "session_year", "measure_type", "measure_num"),)

    bill_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    session_year: Mapped[str] = mapped_column(
        String(8), ForeignKey("legislative_session.session_year")  # ix_bill_measure_order leads with it
    )
    session_num: Mapped[str] = mapped_column(String(2), default="0")
    measure_type: Mapped[str] = mapped_column(String(5))
    measure_num: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    measure_state: Mapped[str | None] = mapped_column(String(40))
    current_house: Mapped[str | None] = mapped_column(String(40))
    current_location: Mapped[str | None] = mapped_column(String(80))
    current_secondary_loc: Mapped[str | None] = mapped_column(String(80))
    current_status: Mapped[str | None] = mapped_column(String(80))
    chapter_year: Mapped[str | None] = mapped_column(String(4))
    chapter_num: Mapped[str | None] = mapped_column(String(10))
    latest_version_id: Mapped[str | None] = mapped_column(String(30))
    last_action: Mapped[str | None] = mapped_column(Text)
    last_action_date: Mapped[date | None] = mapped_column(Date)
    history_count: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str | None] = mapped_column(String(30), index=True)
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False)
    relevant: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    relevance_score: Mapped[float] = mapped_column(Float, default=0.0)
    topics: Mapped[list[Any]] = mapped_column(JSON, default=list)
    relevance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    watched: Mapped[bool] = mapped_column(Boolean, default=False)
    # BILL_TBL.trans_update of the row we hold: an older extract (or a delta applied late) must
    # not roll the status back and tell members the bill moved backwards.
    trans_update: Mapped[datetime | None] = mapped_column()
    listing_hash: Mapped[str | None] = mapped_column(String(64))
    detail_fetched_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[BillVersion]] = relationship(
        back_populates="bill", order_by="BillVersion.version_num.desc()", lazy="select"
    )
    actions: Mapped[list[BillAction]] = relationship(
        back_populates="bill", order_by="BillAction.sort_key", lazy="select"
    )


class BillVersion(Base):
    __tablename__ = "bill_version"

    bill_version_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    bill_id: Mapped[str] = mapped_column(ForeignKey("bill.bill_id"), index=True)
    version_num: Mapped[int] = mapped_column(Integer)
    action_date: Mapped[date | None] = mapped_column(Date)
    action: Mapped[str | None] = mapped_column(String(80))
    subject: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str | None] = mapped_column(Text)
    full_text: Mapped[str | None] = mapped_column(Text)
    vote_required: Mapped[str | None] = mapped_column(String(20))
    appropriation: Mapped[str | None] = mapped_column(String(5))
    fiscal_committee: Mapped[str | None] = mapped_column(String(5))
    local_program: Mapped[str | None] = mapped_column(String(5))
    urgency: Mapped[str | None] = mapped_column(String(5))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # BILL_VERSION_TBL.trans_update: a print re-sent later under its id (a corrected print) is
    # read again; prints stored before this column have none and are left as they are.
    trans_update: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bill: Mapped[Bill] = relationship(back_populates="versions")


class BillAuthor(Base):
    __tablename__ = "bill_author"
    __table_args__ = (UniqueConstraint("bill_version_id", "name", "contribution", "house"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bill_id: Mapped[str] = mapped_column(ForeignKey("bill.bill_id"), index=True)
    bill_version_id: Mapped[str] = mapped_column(String(30))  # the unique key leads with it
    name: Mapped[str] = mapped_column(String(120))
    house: Mapped[str | None] = mapped_column(String(20))
    author_type: Mapped[str | None] = mapped_column(String(30))
    contribution: Mapped[str | None] = mapped_column(String(30))
    primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Legislator(Base):
    __tablename__ = "legislator"
    __table_args__ = (UniqueConstraint("session_year", "house", "author_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_year: Mapped[str] = mapped_column(String(8))
    house: Mapped[str] = mapped_column(String(20))
    author_name: Mapped[str] = mapped_column(String(120), index=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(80))
    last_name: Mapped[str | None] = mapped_column(String(80))
    district: Mapped[str | None] = mapped_column(String(10))
    party: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LocationCode(Base):
    __tablename__ = "location_code"

    session_year: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    location_type: Mapped[str | None] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(String(200))
    long_description: Mapped[str | None] = mapped_column(String(400))


class BillAction(Base):
    __tablename__ = "bill_action"
    # The unique key leads with bill_id, so it also serves "this bill's actions"; the history
    # is read in order, hence (bill_id, sort_key). No single-column indexes: each one is paid
    # for on every one of a session's ~100,000 inserted actions.
    __table_args__ = (UniqueConstraint("bill_id", "fingerprint"),
                      Index("ix_bill_action_bill_sort", "bill_id", "sort_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bill_id: Mapped[str] = mapped_column(ForeignKey("bill.bill_id"))
    fingerprint: Mapped[str] = mapped_column(String(40))
    history_id: Mapped[str | None] = mapped_column(String(30))
    action_date: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int | None] = mapped_column(Integer)
    sort_key: Mapped[str] = mapped_column(String(60))
    action_code: Mapped[str | None] = mapped_column(String(20))
    action_status: Mapped[str | None] = mapped_column(String(40))
    primary_location: Mapped[str | None] = mapped_column(String(40))
    secondary_location: Mapped[str | None] = mapped_column(String(40))
    ternary_location: Mapped[str | None] = mapped_column(String(40))
    end_status: Mapped[str | None] = mapped_column(String(80))
    stage: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(20), default="pubinfo")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bill: Mapped[Bill] = relationship(back_populates="actions")


class Vote(Base):
    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("bill_id", "fingerprint"),)  # also serves bill_id lookups

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bill_id: Mapped[str] = mapped_column(ForeignKey("bill.bill_id"))
    fingerprint: Mapped[str] = mapped_column(String(40))
    location_code: Mapped[str | None] = mapped_column(String(10))
    location_name: Mapped[str | None] = mapped_column(String(200))
    vote_datetime: Mapped[datetime | None] = mapped_column()
    vote_date: Mapped[date | None] = mapped_column(Date)
    vote_seq: Mapped[str | None] = mapped_column(String(10))
    motion_id: Mapped[str | None] = mapped_column(String(20))
    motion_text: Mapped[str | None] = mapped_column(Text)
    ayes: Mapped[int | None] = mapped_column(Integer)
    noes: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="pubinfo")

    members: Mapped[list[VoteMember]] = relationship(
        back_populates="vote", cascade="all, delete-orphan", order_by="VoteMember.id"
    )


class VoteMember(Base):
    __tablename__ = "vote_member"
    __table_args__ = (UniqueConstraint("vote_id", "legislator_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))  # the unique key leads with it
    legislator_name: Mapped[str] = mapped_column(String(120))
    vote_code: Mapped[str] = mapped_column(String(10))

    vote: Mapped[Vote] = relationship(back_populates="members")


class Hearing(Base):
    __tablename__ = "hearing"
    __table_args__ = (UniqueConstraint("bill_id", "fingerprint"),)  # also serves bill_id lookups

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bill_id: Mapped[str] = mapped_column(ForeignKey("bill.bill_id"))
    fingerprint: Mapped[str] = mapped_column(String(40))
    committee_code: Mapped[str | None] = mapped_column(String(10))
    committee_name: Mapped[str | None] = mapped_column(String(200))
    hearing_date: Mapped[date] = mapped_column(Date, index=True)
    hearing_time: Mapped[str | None] = mapped_column(String(60))
    room: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    note: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Sources whose listing (bulk hearing table, calendars; not action text) names it now:
    #: when a complete one drops it and none is left, it is off. NULL: stored before 0010.
    listed_by: Mapped[list[Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VetoMessage(Base):
    __tablename__ = "veto_message"

    bill_id: Mapped[str] = mapped_column(ForeignKey("bill.bill_id"), primary_key=True)
    veto_date: Mapped[date | None] = mapped_column(Date)
    message: Mapped[str | None] = mapped_column(Text)


class SourceRun(Base):
    __tablename__ = "source_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(30), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="running")
    location: Mapped[str | None] = mapped_column(Text)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    duration_s: Mapped[float | None] = mapped_column(Float)
    bills_seen: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ChangeEvent(Base):
    __tablename__ = "change_event"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_change_event_bill_created", "bill_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bill_id: Mapped[str | None] = mapped_column(ForeignKey("bill.bill_id"))  # see (bill_id, created_at)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(64))
    source_run_id: Mapped[int | None] = mapped_column(ForeignKey("source_run.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FetchState(Base):
    """What we last saw at a URL, so the next poll can ask 'has it changed?'."""

    __tablename__ = "fetch_state"

    url: Mapped[str] = mapped_column(String(500), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[int | None] = mapped_column(Integer)
