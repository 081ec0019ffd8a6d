"""``senate_hearings`` and ``assembly_hearings``: committee calendars with their agendas.

Hearing times and rooms exist only on the chamber sites (the bulk table has the date and the
committee code), so these pages fill that gap; the bills on each agenda become
``HearingRecord``s that converge with the bulk rows on (bill, date).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.base import TrackerSpider
from spiders.parsers import PageError
from spiders.parsers.calendars import (
    AssemblyHearing,
    parse_assembly_agenda,
    parse_assembly_daily_file,
    parse_senate_calendar,
)


def senate_url(base: str, start: date, days: int) -> str:
    end = start + timedelta(days=days)
    return (f"{base.rstrip('/')}/calendar?startDate={start.isoformat()}&endDate={end.isoformat()}"
            "&committeeHearings=1")


#: Hearing dates (not times or rooms) are also in the bulk download's COMMITTEE_HEARING_TBL.
CALENDAR_ROBOTS_ADVICE = ("robots.txt disallows this chamber calendar; hearing dates still come from the "
                          "bulk channel (tracker poll --source pubinfo)")
CALENDAR_ROBOTS_UNAVAILABLE = ("this chamber calendar was not read this time; hearing dates still come from "
                               "the bulk download")


class SenateHearingsSpider(TrackerSpider):
    name = "senate_hearings"
    robots_advice = CALENDAR_ROBOTS_ADVICE
    robots_unavailable_advice = CALENDAR_ROBOTS_UNAVAILABLE

    def __init__(self, base_url: str, session_year: str, start: date, days: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = senate_url(base_url, start, days)
        self.session_year = session_year

    async def start(self) -> Any:
        yield self.get(self.url, self.parse_calendar, conditional=False)

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield self.get(self.url, self.parse_calendar, conditional=False)

    def on_failure(self, request: scrapy.Request) -> None:
        self.collector.hearing_pages_failed += 1

    def parse_calendar(self, response: Response) -> Iterator[Any]:
        try:
            unread: list[date] = []
            records = parse_senate_calendar(self.page_text(response), response.url,
                                            self.session_year, response.status, unread)
            # agendas not read: the calendar cannot say which bills are off them
            self.collector.stats["senate_unread"] = self.collector.stats.get("senate_unread", 0) + len(unread)
        except PageError as exc:
            self.collector.hearing_pages_failed += 1
            self.page_error(exc, response.status)
            return iter(())
        self.collector.hearings.extend(records)
        return iter(())


class AssemblyHearingsSpider(TrackerSpider):
    name = "assembly_hearings"
    robots_advice = CALENDAR_ROBOTS_ADVICE
    robots_unavailable_advice = CALENDAR_ROBOTS_UNAVAILABLE

    def __init__(self, base_url: str, session_year: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/schedules-publications/daily-file"
        self.session_year = session_year

    async def start(self) -> Any:
        yield self.get(self.url, self.parse_daily_file, conditional=False)

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield self.get(self.url, self.parse_daily_file, conditional=False)

    def on_failure(self, request: scrapy.Request) -> None:
        self.collector.hearing_pages_failed += 1

    def parse_daily_file(self, response: Response) -> Iterator[Any]:
        try:
            rows = parse_assembly_daily_file(self.page_text(response), response.url, response.status)
        except PageError as exc:
            self.collector.hearing_pages_failed += 1
            self.page_error(exc, response.status)
            return
        # the daily file lists the Assembly's hearings up to this day: a poll that read it and
        # every agenda in full knows which hearings of those days are no longer on it
        self.collector.stats["assembly_last_day"] = max((r.hearing_date for r in rows), default=None)
        self.collector.stats["assembly_read"] = True  # an empty daily file lists no hearing at all
        for row in rows:
            if not row.agenda_url:  # its bills cannot be read: this file cannot say one is off it
                self.collector.stats["assembly_unread"] = self.collector.stats.get("assembly_unread", 0) + 1
                continue
            yield self.get(response.urljoin(row.agenda_url), self.parse_agenda, conditional=False,
                           cb_kwargs={"hearing": row})

    def parse_agenda(self, response: Response, hearing: AssemblyHearing) -> Iterator[Any]:
        try:
            records = parse_assembly_agenda(self.page_text(response), response.url,
                                            hearing, self.session_year, response.status)
        except PageError as exc:
            self.collector.hearing_pages_failed += 1
            self.page_error(exc, response.status)
            return iter(())
        self.collector.hearings.extend(records)
        return iter(())
