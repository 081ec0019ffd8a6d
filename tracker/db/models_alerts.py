"""Tables for the alerts work; filled in by that issue's change (see its Alembic revision)."""

from __future__ import annotations
