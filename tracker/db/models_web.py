"""Tables for the web app: staff accounts for the login-protected staff area.

Members never get accounts (signed links in their emails are enough); only the few advocacy
staff log in, so one small table with an argon2 hash is all we store.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base, utcnow


class AdminUser(Base):
    """A staff login. ``password_hash`` is an argon2id hash (argon2-cffi), never a password."""

    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
