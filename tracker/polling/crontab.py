"""Crontab lines as APScheduler 3 triggers, with crontab's day-of-week numbers.

APScheduler 3's ``CronTrigger.from_crontab`` hands the day-of-week field over unchanged, and its
own numbering starts at Monday = 0, where crontab's starts at Sunday = 0 (7 is Sunday too): the
shipped "weekdays" line ``1-5`` ran Tuesday to Saturday and the Monday digest came on Tuesday.
The field is translated here into day names, which both read the same way.
"""

from __future__ import annotations

import re

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

#: crontab's day numbers (0 and 7 are Sunday) as the names APScheduler reads
_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_BY_NAME = {name: i for i, name in enumerate(_NAMES)}
_PART = re.compile(r"^(?:(\*)|([a-z]{3}|\d+)(?:-([a-z]{3}|\d+))?)(?:/(\d+))?$")


def _day(token: str, field: str) -> int:
    """0-7 as written (7 is Sunday, kept as 7 so "5-7" runs Friday to Sunday and "7-7" is
    Sunday alone); a name as its number."""
    if token in _BY_NAME:
        return _BY_NAME[token]
    if token.isdigit() and int(token) <= 7:
        return int(token)
    raise ValueError(f"day of week {token!r} in {field!r} is not 0-7 or a day name")


def crontab_days(field: str) -> str:
    """A crontab day-of-week field ("1-5", "0,6", "*/2", "mon-fri") as APScheduler day names."""
    field = field.strip().lower()
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        m = _PART.match(part)
        if m is None:
            raise ValueError(f"day of week {part!r} is not understood")
        star, first, last, step = m.groups()
        start = 0 if star else _day(first, field)
        end = 6 if star else (_day(last, field) if last else start)
        stride = int(step) if step else 1
        if stride < 1:
            raise ValueError(f"step in {part!r} must be at least 1")
        if not star and not last and step:
            end = 6  # "1/2": from Monday, every second day to the week's end, as cron reads it
        if end < start:
            raise ValueError(f"range {part!r} runs backwards")
        days.update(d % 7 for d in range(start, end + 1, stride))
    return ",".join(_NAMES[d] for d in sorted(days))


def crontab_trigger(line: str, timezone: str | None = None) -> BaseTrigger:
    """``CronTrigger.from_crontab`` with crontab's meaning of the day-of-week field, and of a
    line restricting both the day of the month and the day of the week: crontab runs it on
    either ("0 9 1 * 1": the 1st, and every Monday), where APScheduler wants both at once."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab line has 5 fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    days = crontab_days(weekday)
    if day not in ("*", "?") and days != "*":
        return OrTrigger([CronTrigger(minute=minute, hour=hour, day=day, month=month, timezone=timezone),
                          CronTrigger(minute=minute, hour=hour, month=month, day_of_week=days, timezone=timezone)])
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=days, timezone=timezone)
