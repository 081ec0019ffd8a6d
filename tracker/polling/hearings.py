"""The hearings poll: both chamber calendars → hearing records for bills we hold → ingest.

A hearing the calendars stop listing is closed only when this poll read them in full (every
page and agenda came through, no robots or host trouble) and only for the days they cover: the
Senate's range asked for, the Assembly daily file up to the last day it lists, and a hearing
named without its house only where both were read. Another source still listing it keeps it
(``tracker.ingest.diff_hearings``).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from spiders.hearings import AssemblyHearingsSpider, SenateHearingsSpider
from tracker.db.models_core import Bill
from tracker.ingest.service import CalendarSpan, HearingCoverage
from tracker.items import Snapshot
from tracker.polling.base import SourcePoll, Summary
from tracker.polling.crawl import Crawls
from tracker.clock import local_today


class HearingsPoll(SourcePoll):
    name = "hearings"
    started_on: date | None = None  # the first day the calendars were read for

    def crawl(self, crawls: Crawls) -> Generator[Any, Any, None]:
        src = self.settings.sources
        self.started_on = local_today()
        yield crawls.crawl(SenateHearingsSpider, base_url=src.senate_url, session_year=self.settings.session_year,
                           start=self.started_on, days=src.hearing_days_ahead, collector=self.collector)
        yield crawls.crawl(AssemblyHearingsSpider, base_url=src.assembly_url,
                           session_year=self.settings.session_year, collector=self.collector)

    def finish(self, error: BaseException | None) -> Summary:
        summary = Summary(self.name, self.run_id)
        try:
            if error is None:
                self._ingest(summary)
        except Exception as exc:  # noqa: BLE001
            error = exc
        self.report_problems(summary)
        return self.close(summary, error)

    def _ingest(self, summary: Summary) -> None:
        records = self.collector.hearings
        ids = sorted({h.bill_id for h in records})
        with self.factory() as s:
            known = set(s.execute(select(Bill.bill_id).where(Bill.bill_id.in_(ids))).scalars()) if ids else set()
        unknown = [b for b in ids if b not in known]
        if unknown:
            summary.warnings.append(f"{len(unknown)} bill(s) on agendas are not in the database yet: "
                                    + ", ".join(unknown[:5]))
        snap = Snapshot(source="hearings")
        for h in records:
            if h.bill_id in known:
                snap.bundle(h.bill_id).hearings.append(h)
        summary.bills_seen = len(snap.bundles)
        summary.stats["hearings"] = len(records)
        coverage = self._coverage()
        if snap.bundles or coverage:  # an empty agenda read in full still closes what it dropped
            result = self.ingest(snap, coverage)
            summary.changes = result.events
            summary.event_kinds = dict(result.event_kinds)
            summary.warnings.extend(result.warnings)

    def _coverage(self) -> HearingCoverage:
        """The days and chambers this poll read in full; nothing when any page failed."""
        c = self.collector
        today = self.started_on
        if today is None or c.problems or c.hearing_pages_failed or c.robots_blocked or c.host_down:
            return HearingCoverage()
        senate = CalendarSpan(today, today + timedelta(days=self.settings.sources.hearing_days_ahead), "Senate")
        assembly_last: date | None = c.stats.get("assembly_last_day")
        if assembly_last is None and c.stats.get("assembly_read"):
            assembly_last = senate.last  # the daily file listed no hearing: none on any day
        senate_whole = not c.stats.get("senate_unread")  # every agenda on the page was read
        assembly_whole = not c.stats.get("assembly_unread") and assembly_last is not None and assembly_last >= today
        spans = [senate] if senate_whole else []
        if assembly_whole and assembly_last is not None:
            spans.append(CalendarSpan(today, assembly_last, "Assembly"))
            if senate_whole:
                spans.append(CalendarSpan(today, min(senate.last, assembly_last), None))
        return HearingCoverage(spans=tuple(spans))
