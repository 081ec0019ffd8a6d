"""Remember which topics file each session's stored relevance was computed with.

Staff edit ``config/topics.toml`` (a term, a weight, a watched bill); relevance was decided only
when a bill was new or amended, so an edit never reached the bills already stored. The session
keeps the fingerprint of the topics it was scored with; a different one makes the next ingest
(or ``tracker topics apply``) score every stored bill of the session again. Existing databases
start with none, so their first ingest after this upgrade scores everything once (and writes
``bill.watched``, which was never written before).

Revision ID: 0007_topics_fingerprint
Revises: 0006_lean_indexes
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_topics_fingerprint"
down_revision = "0006_lean_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("legislative_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topics_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("legislative_session", schema=None) as batch_op:
        batch_op.drop_column("topics_fingerprint")
