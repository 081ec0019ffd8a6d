"""Keep each print's BILL_VERSION_TBL ``trans_update`` so a corrected print is read again.

The legislature re-sends a print under its own id when it corrects it (``caml:Correction``);
known prints were skipped, so the corrected text never replaced the first one. With the row's
time stored, a newer row is recognised and its text read again. Prints stored before this
revision have none and are left as they are.

Revision ID: 0009_version_trans_update
Revises: 0008_bill_trans_update
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db.base

revision = "0009_version_trans_update"
down_revision = "0008_bill_trans_update"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bill_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trans_update", tracker.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bill_version", schema=None) as batch_op:
        batch_op.drop_column("trans_update")
