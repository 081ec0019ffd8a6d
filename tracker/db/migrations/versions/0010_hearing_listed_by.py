"""Keep which sources list each hearing, so one that no source lists any more can be closed.

A hearing dropped from the bulk hearing table or a chamber calendar stayed "scheduled" for good,
with reminders and a letter deadline for a hearing that would not happen. ``sources`` holds every
source that said anything of a hearing, history text included, and text never takes anything
back; ``listed_by`` holds only the listings (table rows, calendar entries) that name it now, so
a complete source's silence can take its listing away. Hearings stored before this revision
have none (NULL: not known), are never closed by silence, and get one the next time a source
lists them.

Revision ID: 0010_hearing_listed_by
Revises: 0009_version_trans_update
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_hearing_listed_by"
down_revision = "0009_version_trans_update"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hearing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listed_by", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hearing", schema=None) as batch_op:
        batch_op.drop_column("listed_by")
