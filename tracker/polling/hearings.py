"""The hearings poll: both chamber calendars → hearing records for bills we hold → ingest.

A hearing's absence from a calendar is never read as "canceled" (pages fail, ranges move);
only an explicit cancel/postpone status on the page, or an action saying so, changes it.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import select

from spiders.hearings import AssemblyHearingsSpider, SenateHearingsSpider
from tracker.db.models_core import Bill
from tracker.items import Snapshot
from tracker.polling.base import SourcePoll, Summary
from tracker.polling.crawl import Crawls
from tracker.clock import local_today


class HearingsPoll(SourcePoll):
    name = "hearings"

    def crawl(self, crawls: Crawls) -> Generator[Any, Any, None]:
        src = self.settings.sources
        yield crawls.crawl(SenateHearingsSpider, base_url=src.senate_url, session_year=self.settings.session_year,
                           start=local_today(), days=src.hearing_days_ahead, collector=self.collector)
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
        if snap.bundles:
            result = self.ingest(snap)
            summary.changes = result.events
            summary.event_kinds = dict(result.event_kinds)
            summary.warnings.extend(result.warnings)
