"""Keep each bill's BILL_TBL ``trans_update`` so an older row never rolls its status back.

An extract imported out of order (an old zip by mistake, a delta applied after a newer
snapshot) carried an older BILL_TBL row; it replaced the newer status and told members the bill
had moved backwards. With the row's own time stored, an older row is recognised and skipped.
Existing bills start with none and take the time of the next row they are sent.

Revision ID: 0008_bill_trans_update
Revises: 0007_topics_fingerprint
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db.base

revision = "0008_bill_trans_update"
down_revision = "0007_topics_fingerprint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bill", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trans_update", tracker.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bill", schema=None) as batch_op:
        batch_op.drop_column("trans_update")
