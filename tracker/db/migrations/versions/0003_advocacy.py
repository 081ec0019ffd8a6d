"""advocacy: bill positions and their history

Revision ID: 0003_advocacy
Revises: 0001
Create Date: 2026-11-23

Written by hand (the issue branches each start from 0001; the lead merges the heads).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db.base

revision = "0003_advocacy"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bill_position",
        sa.Column("bill_id", sa.String(length=20), nullable=False),
        sa.Column("position", sa.String(length=30), nullable=False),
        sa.Column("ask", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("talking_points", sa.JSON(), nullable=False),
        sa.Column("supporters", sa.JSON(), nullable=False),
        sa.Column("opponents", sa.JSON(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("story_prompt", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", tracker.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tracker.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bill_id"], ["bill.bill_id"], ondelete="CASCADE",
                                name=op.f("fk_bill_position_bill_id_bill")),
        sa.PrimaryKeyConstraint("bill_id", name=op.f("pk_bill_position")),
    )
    with op.batch_alter_table("bill_position", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bill_position_position"), ["position"], unique=False)

    op.create_table(
        "position_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bill_id", sa.String(length=20), nullable=False),
        sa.Column("previous_position", sa.String(length=30), nullable=True),
        sa.Column("position", sa.String(length=30), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.Column("changed_at", tracker.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bill_id"], ["bill.bill_id"], ondelete="CASCADE",
                                name=op.f("fk_position_history_bill_id_bill")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_history")),
    )
    with op.batch_alter_table("position_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_position_history_bill_id"), ["bill_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_position_history_changed_at"), ["changed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("position_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_position_history_changed_at"))
        batch_op.drop_index(batch_op.f("ix_position_history_bill_id"))
    op.drop_table("position_history")
    with op.batch_alter_table("bill_position", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bill_position_position"))
    op.drop_table("bill_position")
