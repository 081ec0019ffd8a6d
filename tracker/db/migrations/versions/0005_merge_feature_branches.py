"""Merge the alerts, advocacy and web branches into one line of history.

Each feature's tables were developed as a branch from the core revision; from here on the
history is linear again, so a new migration has exactly one parent.

Revision ID: 0005_merge
Revises: 0002_alerts, 0003_advocacy, 0004_web
"""
from __future__ import annotations

revision = "0005_merge"
down_revision = ("0002_alerts", "0003_advocacy", "0004_web")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: a merge point only."""


def downgrade() -> None:
    """Nothing to change: a merge point only."""
