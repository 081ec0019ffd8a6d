"""Atom feeds of changes (all tracked bills, per topic, per bill) built with xml.etree.

Feed readers dedupe on entry ids, so ids are stable ``tag:`` URIs built from the change
event's database id (RFC 4151), and ``updated`` is the event time. Entries say what changed in
the same plain sentences as the pages and member emails, in the feed's language (``?lang=es``,
else the reader's cookie or Accept-Language, else English).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.web import data, ics
from tracker.web.caching import conditional
from tracker.web.context import db, get_lang
from tracker.web.pages import lookup_bill, page_gettext, plain_changes, topic_labels

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)
TAG_DATE = "2025"


def tag_authority(base_url: str) -> str:
    """The DNS name for tag: URIs (no port, as RFC 4151 requires)."""
    return urlsplit(base_url).hostname or "localhost"


def _iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    if text is not None:
        el.text = text
    return el


def build_feed(*, base_url: str, feed_path: str, html_path: str, feed_key: str, title: str,
               organisation: str, events: list[dict[str, Any]], lang: str = "en",
               topic_names: dict[str, str] | None = None) -> bytes:
    """A complete Atom document (bytes, UTF-8, with XML declaration).

    Each event's ``text`` (see ``pages.plain_changes``) is its entry; ``lang`` is the language
    it is written in (links keep it); ``topic_names`` labels the categories. Bill titles stay as
    published.
    """
    host = tag_authority(base_url)
    base = base_url.rstrip("/")
    suffix = "" if lang == "en" else f"/{lang}"  # a translation is another feed, other entries
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    _sub(feed, "id", f"tag:{host},{TAG_DATE}:capitol-watch/{feed_key}{suffix}")
    _sub(feed, "title", title)
    newest = max((e["created_at"] for e in events), default=datetime(2025, 1, 1, tzinfo=timezone.utc))
    _sub(feed, "updated", _iso(newest))
    _sub(feed, "link", rel="self", href=base + feed_path, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=base + html_path, type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", organisation)
    _sub(feed, "generator", "Capitol Watch")
    for e in events:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:{host},{TAG_DATE}:capitol-watch/event/{e['id']}{suffix}")
        # the sentence names the bill already ("AB 2052: hearing set for..."): no second number
        told = e["text"] if e["measure"] in e["text"] else f"{e['measure']}: {e['text']}"
        _sub(entry, "title", told)
        _sub(entry, "updated", _iso(e["created_at"]))
        _sub(entry, "link", rel="alternate", href=base + _feed_path(f"/bills/{e['slug']}", lang), type="text/html")
        for t in e["topics"]:
            label = (topic_names or {}).get(str(t))
            _sub(entry, "category", term=str(t), **({"label": label} if label else {}))
        _sub(entry, "summary", f"{told} ({e['measure']}: {e['title']})" if e["title"] else told)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _feed_path(path: str, lang: str) -> str:
    return f"{path}?lang={lang}" if lang != "en" else path


#: What a feed's language may come from besides its URL (see ``context.get_lang``).
LANGUAGE_HEADERS = "Accept-Language, Cookie"


def _atom(request: Request, body: bytes) -> Response:
    return conditional(request, body, "application/atom+xml; charset=utf-8", vary=LANGUAGE_HEADERS)


async def changes_feed(request: Request) -> Response:
    settings = request.app.state.settings
    lang, _ = get_lang(request), page_gettext(request)
    with db(request) as s:
        events = plain_changes(request, data.recent_changes(s, limit=50))
    return _atom(request, build_feed(base_url=settings.public_base_url, feed_path=_feed_path("/feeds/changes.atom", lang),
                            html_path=_feed_path("/", lang), feed_key="changes",
                            organisation=settings.advocacy.organisation,
                            title=f"{settings.advocacy.organisation}: {_('Bill changes')}", events=events, lang=lang,
                            topic_names=topic_labels(request)))


async def topic_feed(request: Request) -> Response:
    settings = request.app.state.settings
    lang = get_lang(request)
    tid = request.path_params["topic"]
    labels = topic_labels(request)
    if tid not in labels:
        raise HTTPException(404, "unknown topic")
    with db(request) as s:
        events = plain_changes(request, data.recent_changes(s, limit=50, topic=tid))
    return _atom(request, build_feed(base_url=settings.public_base_url,
                            feed_path=_feed_path(f"/feeds/topics/{tid}.atom", lang),
                            html_path=_feed_path(f"/topics/{tid}", lang), feed_key=f"topic/{tid}",
                            organisation=settings.advocacy.organisation,
                            title=f"{settings.advocacy.organisation}: {labels[tid]}", events=events, lang=lang,
                            topic_names=labels))


async def bill_feed(request: Request) -> Response:
    settings = request.app.state.settings
    lang = get_lang(request)
    with db(request) as s:
        bill_id = lookup_bill(request, s, request.path_params["measure"])
        events = plain_changes(request, data.recent_changes(s, limit=50, bill_id=bill_id))
        from tracker.db.models_core import Bill

        bill = s.get(Bill, bill_id)
        assert bill is not None
        slug = data.measure_slug(bill.measure)
    return _atom(request, build_feed(base_url=settings.public_base_url,
                            feed_path=_feed_path(f"/feeds/bills/{slug}.atom", lang),
                            html_path=_feed_path(f"/bills/{slug}", lang), feed_key=f"bill/{bill_id}",
                            organisation=settings.advocacy.organisation,
                            title=f"{bill.measure}: {bill.title or ''}", events=events, lang=lang,
                            topic_names=topic_labels(request)))


ROUTES = [
    Route("/feeds/changes.atom", changes_feed),
    Route("/feeds/topics/{topic}.atom", topic_feed),
    Route("/feeds/bills/{measure}.atom", bill_feed),
    Route("/calendar/hearings.ics", ics.hearings_calendar),
]
