"""Tables for the advocacy work; filled in by that issue's change (see its Alembic revision)."""

from __future__ import annotations
