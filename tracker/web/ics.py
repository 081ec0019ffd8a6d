"""iCalendar (RFC 5545) feed of hearings for tracked bills, written by hand.

Calendar apps replace an event when a later copy has the same UID and a higher SEQUENCE, so
the UID comes from the bill and the hearing's content fingerprint (stable across polls) and
SEQUENCE grows with the row's ``updated_at``; canceled or postponed hearings stay in the feed
with ``STATUS:CANCELLED`` so subscribed calendars drop them instead of keeping a stale entry.
Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tracker.committees import committee_name, room_words
from tracker.i18n import normalise_lang, translations
from tracker.ingest.diff_hearings import MOVED_TO, UNLISTED
from tracker.web import data, integrations
from tracker.web.caching import conditional
from tracker.web.context import db
from tracker.clock import local_today

TZID = "America/Los_Angeles"
VTIMEZONE = [
    "BEGIN:VTIMEZONE", f"TZID:{TZID}",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0800", "TZOFFSETTO:-0700", "TZNAME:PDT",
    "DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:-0700", "TZOFFSETTO:-0800", "TZNAME:PST",
    "DTSTART:19701101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD",
    "END:VTIMEZONE",
]
_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m\.?", re.IGNORECASE)
SEQ_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold one content line into ≤75-octet pieces joined by CRLF + space."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = b""
    limit = 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = 74  # continuation lines start with one space
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def parse_time(text: str | None) -> tuple[int, int] | None:
    """'9 a.m.', '1:30 p.m.' → (hour, minute); 'Upon adjournment' → None (all-day entry)."""
    m = _TIME.match(text or "")
    if not m:
        return None
    hour, minute = int(m.group(1)) % 12, int(m.group(2) or 0)
    if m.group(3).lower() == "p":
        hour += 12
    return (hour, minute) if hour < 24 and minute < 60 else None


def _utc_stamp(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def sequence(updated_at: datetime | None) -> int:
    """A number that only grows when the stored hearing changes (minutes since 2024)."""
    if updated_at is None:
        return 0
    if updated_at.tzinfo is None:
        updated_at = updated_at.replace(tzinfo=timezone.utc)
    return max(int((updated_at - SEQ_EPOCH).total_seconds() // 60), 0)


def location(room: str | None, lang: str = "en") -> str:
    """The LOCATION a calendar app can find: a bare Capitol room gets "State Capitol, Sacramento";
    a place that names its building or street address ("1021 O Street, Room 2100") is left as is
    (the room said in the reader's language: "Sala 2100")."""
    _ = translations(lang).gettext
    text = " ".join((room or "").split())
    if not text or not data.capitol_room(text):
        return room_words(text, _)
    number = data.room_number(text)
    return f"{room_words('Room ' + number, _) if number else text}, State Capitol, Sacramento"


def event_lines(h: dict[str, Any], host: str, base_url: str, now: datetime, lang: str = "en") -> list[str]:
    """One VEVENT. DTSTAMP is when the stored hearing last changed (``now`` only when unknown),
    so the same hearings make the same bytes and a calendar app's If-None-Match gets a 304."""
    uid = f"hearing-{h['bill_id']}-{h['fingerprint']}@{host}"
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{_utc_stamp(h.get('updated_at') or now)}",
             f"SEQUENCE:{sequence(h['updated_at'])}"]
    when = parse_time(h["time"])
    day: date = h["date"]
    if when:
        start = datetime(day.year, day.month, day.day, *when)
        end = start + timedelta(hours=2)
        lines += [f"DTSTART;TZID={TZID}:{start:%Y%m%dT%H%M%S}", f"DTEND;TZID={TZID}:{end:%Y%m%dT%H%M%S}"]
    else:
        lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"]
    _ = translations(lang).gettext
    cancelled = h["status"] in data.CANCELLED
    summary = f"{h['measure']}: {committee_name(h['committee'], lang) or _('Hearing')}"
    note = "" if (h["note"] or "").startswith((MOVED_TO, UNLISTED)) else (h["note"] or "")  # ours, not the legislature's
    desc = f"{h['measure']} {h['title'] or ''}\n{h['time'] or ''}\n{note}".strip()
    url = f"{base_url.rstrip('/')}/bills/{h['slug']}" + (f"?lang={lang}" if lang != "en" else "")
    lines += [f"SUMMARY:{escape((_('CANCELED: ') if cancelled else '') + summary)}",
              f"DESCRIPTION:{escape(desc + chr(10) + url)}", f"URL:{url}",
              f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}"]
    place = location(h["room"], lang)
    if place:
        lines.append(f"LOCATION:{escape(place)}")
    lines.append("END:VEVENT")
    return lines


def build_calendar(hearings: list[dict[str, Any]], host: str, base_url: str, name: str,
                   now: datetime | None = None, lang: str = "en") -> str:
    now = now or datetime.now(timezone.utc)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{escape(name)}//Capitol Watch//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}",
             f"X-WR-TIMEZONE:{TZID}", *VTIMEZONE]
    for h in hearings:
        lines += event_lines(h, host, base_url, now, lang)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


async def hearings_calendar(request: Request) -> Response:
    """``/calendar/hearings.ics`` with optional ``?topic=`` and ``?position=``."""
    from tracker.web.feeds import tag_authority

    settings = request.app.state.settings
    # only an explicit ?lang=: a calendar app fetching the feed carries no cookie of the page
    lang = normalise_lang(request.query_params.get("lang") or "en")
    topic = request.query_params.get("topic", "")
    position = request.query_params.get("position", "")
    with db(request) as s:
        today = local_today(settings.schedule.timezone)
        rows = data.upcoming_hearings(s, today=today - timedelta(days=7), include_cancelled=True)
        if topic:
            rows = [h for h in rows if topic in h["topics"]]
        if position:
            pos = integrations.positions_for(s, sorted({h["bill_id"] for h in rows}))
            rows = [h for h in rows if (pos.get(h["bill_id"]) or {}).get("position") == position]
    name = translations(lang).gettext("%(organisation)s hearings") % {"organisation": settings.advocacy.organisation}
    body = build_calendar(rows, tag_authority(settings.public_base_url), settings.public_base_url, name, lang=lang)
    return conditional(request, body.encode("utf-8"), "text/calendar; charset=utf-8",
                       headers={"content-disposition": 'inline; filename="hearings.ics"'})
