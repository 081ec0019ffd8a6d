"""CSRF protection: a signed double-submit token bound to a cookie.

The browser gets a random value in an HttpOnly, SameSite=Lax cookie; each form carries that
value signed with the app secret (itsdangerous). A cross-site attacker can neither read the
cookie nor forge the signature, so a POST without the matching pair is refused. No server-side
session store is needed, which keeps the app stateless for members.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from tracker.web.page_errors import PageError

COOKIE = "cw_csrf"
FIELD = "csrf_token"
#: The refusal's page (English msgids): titled for what happened, not "You cannot do that here".
EXPIRED = "The form expired or came from another site. Please try again."
EXPIRED_TITLE = "This form has expired"


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.secret, salt="csrf")


def cookie_value(request: Request) -> str:
    """The cookie value for this browser, creating one (remembered on request.state) if new."""
    existing = getattr(request.state, "csrf_cookie", None)
    if existing:
        return str(existing)
    value = request.cookies.get(COOKIE) or ""
    if len(value) < 20:
        value = secrets.token_urlsafe(24)
        request.state.csrf_new = True
    request.state.csrf_cookie = value
    return value


def form_token(request: Request) -> str:
    """The hidden-field value for forms on this page, masked afresh for every response.

    Pages are gzip-compressed and some echo what the visitor typed; a token that is the same in
    every response could be recovered byte by byte from compressed sizes (BREACH). XOR with a
    one-time pad (sent alongside) makes every copy different while verifying the same way.
    """
    signed = str(_serializer(request).dumps(cookie_value(request))).encode()
    pad = secrets.token_bytes(len(signed))
    masked = bytes(a ^ b for a, b in zip(signed, pad))
    return base64.urlsafe_b64encode(pad + masked).decode()


def _unmask(token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token.encode())
    except (ValueError, binascii.Error):
        return ""
    half = len(raw) // 2
    if not half or len(raw) % 2:
        return ""
    return bytes(a ^ b for a, b in zip(raw[:half], raw[half:])).decode("latin-1")


def set_cookie_if_new(request: Request, response: Response, secure: bool) -> None:
    """Attach the cookie to a response when this request created it."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(COOKIE, request.state.csrf_cookie, httponly=True, samesite="lax",
                            secure=secure, path="/")


def verify(request: Request, form: FormData) -> None:
    """Refuse (403) unless the form token is validly signed and matches the cookie."""
    cookie = request.cookies.get(COOKIE) or ""
    token = _unmask(str(form.get(FIELD) or ""))
    try:
        signed_value = str(_serializer(request).loads(token))
    except BadSignature:
        raise PageError(403, EXPIRED, title=EXPIRED_TITLE) from None
    if not cookie or not hmac.compare_digest(signed_value, cookie):
        raise PageError(403, EXPIRED, title=EXPIRED_TITLE)
