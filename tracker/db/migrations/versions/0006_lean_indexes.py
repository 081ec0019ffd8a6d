"""Drop indexes that a composite or unique index already covers; order actions per bill.

Every index is paid for on each inserted row, and a first import inserts a whole session
(~100,000 actions). A single-column index on ``x`` is redundant when another index leads with
``x``; the action history is read per bill in order, so ``(bill_id, sort_key)`` replaces the
separate ``bill_id`` and ``sort_key`` indexes.

Revision ID: 0006_lean_indexes
Revises: 0005_merge
"""
from __future__ import annotations

from alembic import op

revision = "0006_lean_indexes"
down_revision = "0005_merge"
branch_labels = None
depends_on = None

# (table, index name, columns) dropped because another index leads with the same column
REDUNDANT = [
    ("bill", "ix_bill_session_year", ["session_year"]),
    ("bill_action", "ix_bill_action_bill_id", ["bill_id"]),
    ("bill_action", "ix_bill_action_sort_key", ["sort_key"]),
    ("bill_author", "ix_bill_author_bill_version_id", ["bill_version_id"]),
    ("vote", "ix_vote_bill_id", ["bill_id"]),
    ("vote_member", "ix_vote_member_vote_id", ["vote_id"]),
    ("hearing", "ix_hearing_bill_id", ["bill_id"]),
    ("change_event", "ix_change_event_bill_id", ["bill_id"]),
]


def upgrade() -> None:
    for table, name, _cols in REDUNDANT:
        op.drop_index(name, table_name=table)
    op.create_index("ix_bill_action_bill_sort", "bill_action", ["bill_id", "sort_key"])


def downgrade() -> None:
    op.drop_index("ix_bill_action_bill_sort", table_name="bill_action")
    for table, name, cols in REDUNDANT:
        op.create_index(name, table, cols)
