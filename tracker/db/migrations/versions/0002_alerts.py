"""alerts: subscribers, subscriptions, outbox

Revision ID: 0002_alerts
Revises: 0001
Written by hand (the web work branches from 0001 too; the lead merges heads).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db.base

revision = "0002_alerts"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts() -> tracker.db.base.UTCDateTime:
    return tracker.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("county", sa.String(length=60), nullable=True),
        sa.Column("confirmed_at", _ts(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("token_id", sa.String(length=40), nullable=False),
        sa.Column("bounce_count", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriber")),
        sa.UniqueConstraint("email", name=op.f("uq_subscriber_email")),
        sa.UniqueConstraint("token_id", name=op.f("uq_subscriber_token_id")),
    )
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("event_kinds", sa.JSON(), nullable=False),
        sa.Column("cadence", sa.String(length=10), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"], ondelete="CASCADE",
                                name=op.f("fk_subscription_subscriber_id_subscriber")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
        sa.UniqueConstraint("subscriber_id", "kind", "target",
                            name=op.f("uq_subscription_subscriber_id_kind_target")),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscription_subscriber_id"), ["subscriber_id"])
        batch_op.create_index(batch_op.f("ix_subscription_target"), ["target"])
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("bill_id", sa.String(length=20), nullable=True),
        sa.Column("source_run_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=20), nullable=True),
        sa.Column("event_ids", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _ts(), nullable=False),
        sa.Column("attempt_id", sa.String(length=80), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("sent_at", _ts(), nullable=True),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"], ondelete="CASCADE",
                                name=op.f("fk_outbox_message_subscriber_id_subscriber")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_message_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_status_next", ["status", "next_attempt_at"])
        batch_op.create_index(batch_op.f("ix_outbox_message_subscriber_id"), ["subscriber_id"])


def downgrade() -> None:
    op.drop_table("outbox_message")
    op.drop_table("subscription")
    op.drop_table("subscriber")
