"""Staff accounts and sessions: argon2id password hashes and a signed, expiring cookie.

Only a handful of staff log in, so the session is a signed cookie (itsdangerous, salted for
this purpose) holding the user id; nothing is stored server-side. Unknown usernames still run
one argon2 verification so a login attempt takes the same time either way.
"""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tracker.db.base import utcnow
from tracker.db.models_web import AdminUser
from tracker.errors import TrackerError

COOKIE = "cw_staff"
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a real password: keeps timing equal for unknown users")


def create_admin(s: Session, username: str, password: str) -> AdminUser:
    """Create a staff user, or set a new password for an existing one."""
    username = username.strip()
    if not username or len(username) > 80:
        raise TrackerError("the username must be 1 to 80 characters")
    if len(password) < 12:
        raise TrackerError("the password must be at least 12 characters")
    user = s.execute(select(AdminUser).where(AdminUser.username == username)).scalar()
    if user is None:
        user = AdminUser(username=username, password_hash=_HASHER.hash(password))
        s.add(user)
    else:
        user.password_hash = _HASHER.hash(password)
    s.flush()
    return user


def authenticate(s: Session, username: str, password: str) -> AdminUser | None:
    user = s.execute(select(AdminUser).where(AdminUser.username == username.strip())).scalar()
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    user.last_login_at = utcnow()
    return user


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret, salt="staff-session")


def login(request: Request, response: Response, user: AdminUser) -> None:
    secure = request.app.state.settings.public_base_url.startswith("https://")
    response.set_cookie(COOKIE, _serializer(request).dumps({"uid": user.id}), httponly=True,
                        samesite="strict", secure=secure, path="/",
                        max_age=request.app.state.settings.web.staff_session_hours * 3600)


def logout(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def current_user(request: Request, s: Session) -> AdminUser | None:
    """The logged-in staff user, or None (bad, expired or missing cookie)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data: Any = _serializer(request).loads(
            raw, max_age=request.app.state.settings.web.staff_session_hours * 3600)
    except BadSignature:
        return None
    uid = data.get("uid") if isinstance(data, dict) else None
    return s.get(AdminUser, uid) if isinstance(uid, int) else None
