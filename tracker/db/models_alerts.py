"""Tables for alerts: subscribers, their subscriptions, and the durable outbox.

Privacy shapes these tables: a subscriber row holds only what delivery needs (address,
language, optional county, state) plus a random ``token_id`` used in signed links, so a link
never carries the address or the row id. Outbox rows store *event ids*, not rendered text:
messages are rendered at send time, and deleting a subscriber deletes their rows (cascade).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db.base import Base, utcnow


class Subscriber(Base):
    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    lang: Mapped[str] = mapped_column(String(5), default="en")
    county: Mapped[str | None] = mapped_column(String(60))
    confirmed_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="active")  # active|paused|unsubscribed
    token_id: Mapped[str] = mapped_column(String(40), unique=True)
    bounce_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Subscription.id",
    )

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class Subscription(Base):
    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("subscriber_id", "kind", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # topic | bill | all
    target: Mapped[str] = mapped_column(String(60), default="", index=True)  # topic id, bill_id, ""
    event_kinds: Mapped[list[Any]] = mapped_column(default=list)
    cadence: Mapped[str] = mapped_column(String(10), default="immediate")  # immediate|daily|weekly
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")


class OutboxMessage(Base):
    """One message to deliver. ``key`` is unique, so no retry or re-import makes a second one."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_outbox_message_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # confirm|alert|digest|staff_digest
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str | None] = mapped_column(String(320))  # staff digests only
    bill_id: Mapped[str | None] = mapped_column(String(20))
    source_run_id: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(20))
    event_ids: Mapped[list[Any]] = mapped_column(default=list)
    reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempt_id: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
