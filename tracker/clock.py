"""Dates and times where the legislature and our readers are (the schedule's time zone).

The server runs in UTC and stores UTC; at 9 p.m. in Sacramento it is already tomorrow there,
and a sheet "as of" tomorrow, a hearing cut-off a day early or a "last updated" time seven hours
off would be wrong for every reader. Everything shown to people goes through here.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from tracker.settings import get_settings


def local_zone(tz: str | None = None) -> ZoneInfo:
    """``tz``, else ``schedule.timezone`` from the settings (California by default)."""
    return ZoneInfo(tz or get_settings().schedule.timezone)


def local_today(tz: str | None = None) -> date:
    """Today's date in ``local_zone(tz)``."""
    return datetime.now(local_zone(tz)).date()


def to_local(value: datetime, tz: str | None = None) -> datetime:
    """A stored time (naive means UTC) as the wall-clock time in ``local_zone(tz)``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(local_zone(tz))
