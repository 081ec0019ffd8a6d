"""Signed tokens for the links in every email (confirm, manage preferences, unsubscribe).

A token carries only the subscriber's random ``token_id`` (never the address or row id) and is
signed with ``settings.secret_key`` plus a per-purpose salt, so a confirm link cannot be
replayed as an unsubscribe link and vice versa. Unsubscribe links must keep working forever
(RFC 8058), so expiry is the caller's choice through ``max_age``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.errors import TrackerError
from tracker.settings import get_settings

Purpose = Literal["confirm", "manage", "unsubscribe"]
PURPOSES: tuple[str, ...] = ("confirm", "manage", "unsubscribe")


class BadToken(TrackerError):
    """A link token that was tampered with, is for another purpose, or has expired."""


@lru_cache(maxsize=16)
def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"capitol-watch/{purpose}")


def _for(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return _serializer(get_settings().secret_key.get_secret_value(), purpose)


def make_token(purpose: Purpose, token_id: str) -> str:
    """A URL-safe signed token for one subscriber and one purpose."""
    return _for(purpose).dumps(token_id)


def read_token(purpose: Purpose, token: str, max_age: int | None = None) -> str:
    """The ``token_id`` inside a token; raises ``BadToken`` when tampered with or expired."""
    try:
        value = _for(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadToken("this link has expired") from None
    except BadSignature:
        raise BadToken("this link is not valid") from None
    if not isinstance(value, str):
        raise BadToken("this link is not valid")
    return value
