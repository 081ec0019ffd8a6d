"""Build the Starlette application: routes per area, static files, error pages, headers."""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.db import make_engine, session_factory
from tracker.settings import Settings
from tracker.web import api, feeds, pages, staff, subscribe, words
from tracker.web.context import LinkError, gettext, render
from tracker.web.page_errors import PageError
from tracker.web.ratelimit import SlidingWindow

LOG = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
]


class SecurityHeaders:
    """Add conservative headers to every response (no scripts at all: the site needs none)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in SECURITY_HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, wrapped)


BAD_CHARACTER = "This address has a character we cannot read. Please check the link and try again."
_FORM = b"application/x-www-form-urlencoded"


class NoNulInput:
    """A NUL character never reaches a handler or the database (PostgreSQL refuses it in text).

    An address (path or query) holding one is answered 400 with one plain sentence, in the
    visitor's language (JSON for the API, plain text for feeds), before any route runs. A form
    (url-encoded, as every form of the site) loses its NUL characters (``%00``), so the page
    is shown again with what was typed, or saved, like any other input.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
            response = await http_error(Request(scope), HTTPException(400, BAD_CHARACTER))
            await response(scope, receive, send)
            return
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        if scope.get("method") == "POST" and content_type.split(b";")[0].strip().lower() == _FORM:
            receive = _without_nul(receive)
        await self.app(scope, receive, send)


def _without_nul(receive: Receive) -> Receive:
    """``receive`` with every ``%00`` (and a raw NUL byte, which a form parser passes through as
    it is) taken out of a url-encoded body (also a ``%00`` split between two chunks: up to two
    bytes wait for the next chunk)."""
    held = b""

    async def wrapped() -> Message:
        nonlocal held
        message = await receive()
        if message["type"] != "http.request":
            return message
        body = (held + message.get("body", b"")).replace(b"%00", b"").replace(b"\x00", b"")
        more = message.get("more_body", False)
        held = b""
        if more:
            cut = body.rfind(b"%", max(len(body) - 2, 0))
            if cut != -1:
                body, held = body[:cut], body[cut:]
        return {**message, "body": body}

    return wrapped


#: Plain words for the errors Starlette raises itself (its detail is the bare HTTP reason).
PLAIN_ERRORS: dict[int, str] = {
    404: "We could not find that page.",
    405: "This page cannot be used that way. Please go back and try again.",
}
SERVER_ERROR = "Something went wrong on our side. Please try again in a few minutes."
MACHINE_PATHS = ("/api/", "/feeds/", "/calendar/")

#: Each error page's title and heading say what went wrong (WCAG 2.4.2, 2.4.6), not just
#: "Sorry": a screen reader reads the title first, and a member with several tabs open tells
#: them apart by it. English msgids; an error raised with its own ``title`` (``PageError``) wins.
ERROR_TITLES: dict[int, str] = {
    400: "This link does not work",
    401: "Please log in",
    403: "You cannot do that here",
    404: "Page not found",
    405: "This page does not work that way",
    410: "This page is gone",
    413: "What you sent is too long",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Not available right now",
}
OTHER_ERROR_TITLE = "Something went wrong"


def error_title(exc: HTTPException) -> str:
    """The English title of an error page: the error's own, else the one for its status."""
    own = exc.title if isinstance(exc, PageError) else None
    return own or ERROR_TITLES.get(exc.status_code, OTHER_ERROR_TITLE)


def _machine_error(path: str, message: str, status: int, headers: dict[str, str] | None) -> Response:
    """JSON for the API, plain text for feeds and the calendar (their readers are programs)."""
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    return PlainTextResponse(message, status_code=status, headers=headers)


async def http_error(request: Request, exc: Exception) -> Response:
    """Friendly error pages in the member's language (plain text for the API and feeds)."""
    assert isinstance(exc, HTTPException)
    path = request.url.path
    headers = dict(exc.headers or {})
    location = headers.get("location")
    if exc.status_code in (301, 302, 303) and location:
        return RedirectResponse(location, status_code=exc.status_code)
    detail = str(exc.detail)
    if detail == HTTPStatus(exc.status_code).phrase:  # raised by Starlette, not by our code
        detail = PLAIN_ERRORS.get(exc.status_code, detail)
    if path.startswith(MACHINE_PATHS):
        return _machine_error(path, detail, exc.status_code, headers)
    link = exc.link if isinstance(exc, LinkError) else None
    link_text = gettext(request, exc.link_text) if isinstance(exc, LinkError) else None
    response = render(request, "web/error.html", status_code=exc.status_code,
                      title=gettext(request, error_title(exc)),
                      message=gettext(request, detail), status=exc.status_code,
                      link=link, link_text=link_text)
    response.headers.update(headers)  # e.g. Allow on a 405
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug or an outage: a calm page in the visitor's language with the crisis footer.

    Starlette still logs the exception (and re-raises it to the server) after this response is
    sent. The page leaves out the data-freshness note, which needs the database that may be
    the very thing that failed; if even that page cannot be rendered, a short plain one is.
    """
    headers = dict((k.decode(), v.decode()) for k, v in SECURITY_HEADERS)  # outside SecurityHeaders
    path = request.url.path
    if path.startswith(MACHINE_PATHS):
        return _machine_error(path, SERVER_ERROR, 500, headers)
    try:
        response = render(request, "web/error.html", status_code=500, freshness=None,
                          title=gettext(request, ERROR_TITLES[500]),
                          message=gettext(request, SERVER_ERROR), status=500, link=None, link_text=None)
    except Exception:  # noqa: BLE001 - the fallback must not fail too
        LOG.exception("could not render the error page")
        response = HTMLResponse(f"<!doctype html><title>{ERROR_TITLES[500]}</title><p>{SERVER_ERROR}</p>"
                                "<p>988 Suicide &amp; Crisis Lifeline: call or text 988.</p>", status_code=500)
    response.headers.update(headers)
    return response


def create_app(settings: Settings, factory: sessionmaker[Session] | None = None) -> Starlette:
    """The whole web app for one settings object (tests pass their own database factory)."""
    if factory is None:
        factory = session_factory(make_engine(settings.database_url))
    routes: list[Any] = [
        *pages.ROUTES, *words.ROUTES, *subscribe.ROUTES, *feeds.ROUTES, *api.ROUTES, *staff.ROUTES,
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.settings = settings
    app.state.factory = factory
    app.state.secret = settings.secret_key.get_secret_value()
    app.state.topic_cache = {}
    app.state.subscribe_ip = SlidingWindow(settings.web.subscribe_rate_per_ip, 3600)
    app.state.subscribe_addr = SlidingWindow(settings.web.subscribe_rate_per_address, 86400)
    app.state.new_link_addr = SlidingWindow(subscribe.NEW_LINKS_PER_ADDRESS_PER_DAY, 86400)  # apart from sign-ups
    app.state.login_ip = SlidingWindow(settings.web.login_rate_per_ip, 900)
    app.add_middleware(NoNulInput)
    app.add_middleware(SecurityHeaders)
    # Pages repeat their markup per bill; compressed they are a fraction of the bytes on an old
    # phone's slow connection.
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    return app
