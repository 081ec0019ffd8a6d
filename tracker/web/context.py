"""Per-request plumbing shared by every page: language, rendering, sessions, freshness.

Language comes from ``?lang=`` (remembered in a cookie), then the ``lang`` cookie, then the
``Accept-Language`` header, so a Spanish-language phone gets Spanish without a click and the
switch link is always one tap away.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse

from tracker.i18n import SUPPORTED, normalise_lang, translations
from tracker.rendering import environment
from tracker.web import csrf
from tracker.web.page_errors import PageError
from tracker.web.data import freshness

LANG_COOKIE = "lang"


class LinkError(PageError):
    """An HTTP error whose page also says where to go next (``link``, ``link_text``).

    ``detail``, ``link_text`` and ``title`` are English msgids; the error page translates them.
    """

    def __init__(self, status_code: int, detail: str, *, link: str, link_text: str,
                 title: str | None = None) -> None:
        super().__init__(status_code, detail, title=title)
        self.link = link
        self.link_text = link_text


def _accept_language(header: str) -> str | None:
    best: tuple[float, str] | None = None
    for part in header.split(","):
        bits = part.strip().split(";")
        code = bits[0].strip().split("-")[0].lower()
        q = 1.0
        for b in bits[1:]:
            if b.strip().startswith("q="):
                try:
                    q = float(b.strip()[2:])
                except ValueError:
                    q = 0.0
        if code in SUPPORTED and (best is None or q > best[0]):
            best = (q, code)
    return best[1] if best else None


def get_lang(request: Request) -> str:
    """The page language: query parameter, then cookie, then Accept-Language, then English."""
    cached = getattr(request.state, "lang", None)
    if cached:
        return str(cached)
    q = request.query_params.get("lang")
    if q and normalise_lang(q) == q.lower()[:2]:
        lang = normalise_lang(q)
        request.state.set_lang_cookie = lang
    elif request.cookies.get(LANG_COOKIE) in SUPPORTED:
        lang = str(request.cookies[LANG_COOKIE])
    else:
        lang = _accept_language(request.headers.get("accept-language", "")) or "en"
    request.state.lang = lang
    return lang


def gettext(request: Request, message: str) -> str:
    return translations(get_lang(request)).gettext(message)


def same_site_path(path: str) -> str:
    """``path`` (decoded, as the request's scope holds it) as a link that can only point at this site.

    A request for ``//evil.example/x`` (or ``/\\evil.example/x``, which browsers read the same
    way) has that as its path; printed as it is, a link would leave the site. One leading slash
    and percent-encoding (a backslash becomes %5C) keep it on this host.
    """
    return "/" + quote(path, safe="/").lstrip("/")


def switch_url(request: Request, lang: str) -> str:
    """This page's URL in another language (other query parameters kept)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{same_site_path(request.scope['path'])}?{urlencode(params)}"


@contextmanager
def db(request: Request) -> Iterator[Session]:
    """A short read/write session; callers commit what they change."""
    with request.app.state.factory() as session:
        yield session


def freshness_cached(request: Request) -> list[Any]:
    """Source freshness, recomputed at most every 30 seconds (it is on every page)."""
    state = request.app.state
    now = time.monotonic()
    cached = getattr(state, "freshness_cache", None)
    if cached is None or now - cached[0] > 30:
        with db(request) as s:
            cached = (now, freshness(s, state.settings.web.stale_after_hours))
        state.freshness_cache = cached
    return list(cached[1])


def finish(request: Request, response: HTMLResponse | Any) -> Any:
    """Set the cookies this request decided on (CSRF, language) and privacy headers."""
    secure = request.app.state.settings.public_base_url.startswith("https://")
    csrf.set_cookie_if_new(request, response, secure)
    lang = getattr(request.state, "set_lang_cookie", None)
    if lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure)
    return response


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page template with everything the base layout needs.

    ``freshness=None`` leaves the data-freshness note out without asking the database (the
    error page for a failure, which may be the database's own).
    """
    lang = get_lang(request)
    settings = request.app.state.settings
    base = {
        "request": request, "path": request.url.path,
        "crisis_resources": settings.alerts.crisis_resources,
        "freshness": ctx.pop("freshness") if "freshness" in ctx else freshness_cached(request),
        "stale_after_hours": settings.web.stale_after_hours,
        "csrf_field": csrf.FIELD, "csrf_token": csrf.form_token(request),
        "switch_en": switch_url(request, "en"), "switch_es": switch_url(request, "es"),
        "organisation": settings.advocacy.organisation,
        "staff_user": getattr(request.state, "staff_user", None),
        "page_title": "",
    }
    base.update(ctx)
    html = environment(lang).get_template(template).render(**base)
    return finish(request, HTMLResponse(html, status_code=status_code))
