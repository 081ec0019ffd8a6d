"""Database layer: models, engine and migrations.

Importing this package registers every model on ``Base.metadata`` so Alembic sees them all.
"""

from tracker.db import models_advocacy, models_alerts, models_core, models_web  # noqa: F401
from tracker.db.base import Base, make_engine, session_factory, transaction, utcnow

__all__ = ["Base", "make_engine", "session_factory", "transaction", "utcnow"]
