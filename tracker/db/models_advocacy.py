"""Tables for the advocacy work: the organisation's position on a bill, and its history.

One ``bill_position`` row per bill holds what staff currently say (position, ask, summary,
talking points...). Every change appends a ``position_history`` row, because staff are asked
"when did we switch to support, and who did it?" and a single mutable row cannot answer that.
Lists (talking points, supporters, opponents) are JSON so both SQLite and PostgreSQL store
them the same way and the order staff chose is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base, utcnow

POSITIONS: tuple[str, ...] = (
    "support",
    "support_if_amended",
    "oppose",
    "oppose_unless_amended",
    "watch",
    "neutral",
)


class BillPosition(Base):
    """The organisation's current position on one bill and what staff want legislators to hear."""

    __tablename__ = "bill_position"

    bill_id: Mapped[str] = mapped_column(
        ForeignKey("bill.bill_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[str] = mapped_column(String(30), index=True)
    ask: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    why: Mapped[str] = mapped_column(Text, default="")
    talking_points: Mapped[list[Any]] = mapped_column(JSON, default=list)
    supporters: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opponents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    contact: Mapped[str] = mapped_column(String(200), default="")
    story_prompt: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(120), default="cli")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PositionHistory(Base):
    """One change to a bill's position record: the old and new position and what else changed."""

    __tablename__ = "position_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bill_id: Mapped[str] = mapped_column(
        ForeignKey("bill.bill_id", ondelete="CASCADE"), index=True
    )
    previous_position: Mapped[str | None] = mapped_column(String(30))
    position: Mapped[str] = mapped_column(String(30))
    changed_fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    changed_by: Mapped[str] = mapped_column(String(120), default="cli")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
