"""Build the Starlette application: routes per area, static files, error pages, headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.db import make_engine, session_factory
from tracker.settings import Settings
from tracker.web import api, feeds, pages, staff, subscribe
from tracker.web.ratelimit import SlidingWindow

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


async def http_error(request: Request, exc: Exception) -> Response:
    """Friendly error pages in the member's language (plain text for the API and feeds)."""
    assert isinstance(exc, HTTPException)
    path = request.url.path
    location = (getattr(exc, "headers", None) or {}).get("location")
    if exc.status_code in (301, 302, 303) and location:
        from starlette.responses import RedirectResponse

        return RedirectResponse(location, status_code=exc.status_code)
    if path.startswith(("/api/", "/feeds/", "/calendar/")):
        if path.startswith("/api/"):
            from starlette.responses import JSONResponse

            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
    from tracker.web.context import gettext, render

    return render(request, "web/error.html", status_code=exc.status_code,
                  message=gettext(request, str(exc.detail)), status=exc.status_code)


def create_app(settings: Settings, factory: sessionmaker[Session] | None = None) -> Starlette:
    """The whole web app for one settings object (tests pass their own database factory)."""
    if factory is None:
        factory = session_factory(make_engine(settings.database_url))
    routes: list[Any] = [
        *pages.ROUTES, *subscribe.ROUTES, *feeds.ROUTES, *api.ROUTES, *staff.ROUTES,
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.settings = settings
    app.state.factory = factory
    app.state.secret = settings.secret_key.get_secret_value()
    app.state.topic_cache = {}
    app.state.subscribe_ip = SlidingWindow(settings.web.subscribe_rate_per_ip, 3600)
    app.state.subscribe_addr = SlidingWindow(settings.web.subscribe_rate_per_address, 86400)
    app.state.login_ip = SlidingWindow(settings.web.login_rate_per_ip, 900)
    app.add_middleware(SecurityHeaders)
    return app
