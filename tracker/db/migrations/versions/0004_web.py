"""web tables: staff accounts

Revision ID: 0004_web
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db.base

revision = "0004_web"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", tracker.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", tracker.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_user")),
        sa.UniqueConstraint("username", name=op.f("uq_admin_user_username")),
    )


def downgrade() -> None:
    op.drop_table("admin_user")
