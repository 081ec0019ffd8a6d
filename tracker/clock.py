"""Today's date where the legislature and our readers are (the schedule's time zone).

The server runs in UTC; at 9 p.m. in Sacramento it is already tomorrow there, and a sheet
"as of" tomorrow or a hearing cut-off a day early would be wrong for every reader.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tracker.settings import get_settings


def local_today() -> date:
    """The date now in ``schedule.timezone`` (California by default)."""
    return datetime.now(ZoneInfo(get_settings().schedule.timezone)).date()
