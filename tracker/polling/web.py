"""The website poll: listing → plan → detail pages of the bills that need them → ingest."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from spiders.collect import BillDetail, Fetched
from spiders.leginfo_bill import LeginfoBillSpider
from spiders.leginfo_search import LeginfoSearchSpider, search_url
from tracker.items import BillBundle, BillRecord, Snapshot
from tracker.polling.base import SourcePoll, Summary
from tracker.polling.crawl import Crawls
from tracker.polling.plan import load_known, load_validators, plan_details, remember


def _merge(listing: BillRecord | None, status: BillRecord | None) -> BillRecord | None:
    if listing is None or status is None:
        return listing or status
    extra = {k: v for k, v in status.model_dump().items() if v is not None}
    return listing.model_copy(update=extra)


class WebPoll(SourcePoll):
    name = "web"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        src = self.settings.sources
        self.base = src.leginfo_url.rstrip("/")
        self.known = load_known(self.factory, self.settings.session_year)
        self.validators = load_validators(self.factory, self.base)
        self.jobs: list[Any] = []
        self.deferred = 0
        self.waiting: set[str] = set()  # bills due a detail read that this poll left for the next

    def crawl(self, crawls: Crawls) -> Generator[Any, Any, None]:
        yield crawls.crawl(LeginfoSearchSpider, base_url=self.base, session_year=self.settings.session_year,
                           collector=self.collector, validators=self.validators)
        if self.collector.robots_blocked:
            return
        if self.collector.listing is None and not self.collector.listing_not_modified:
            return  # the listing failed: never guess from an empty list
        due = plan_details(self.collector.listing, self.known,
                           max_age_hours=self.settings.sources.detail_max_age_hours)
        # At the real site's pace (a request every few seconds, four pages a bill) a full
        # session's worth of detail pages would outlast crawl_timeout and be killed with
        # nothing stored; the rest wait for the next poll, most urgent first.
        cap = self.settings.sources.max_detail_bills
        self.jobs, self.deferred = due[:cap], max(0, len(due) - cap)
        self.waiting = {job.bill_id for job in due[cap:]}
        if self.jobs:
            yield crawls.crawl(LeginfoBillSpider, base_url=self.base, jobs=self.jobs,
                               collector=self.collector, validators=self.validators)

    def finish(self, error: BaseException | None) -> Summary:
        summary = Summary(self.name, self.run_id)
        try:
            if error is None:
                self._ingest(summary)
        except Exception as exc:  # noqa: BLE001 - recorded on the run, then re-raised by caller
            error = exc
        self.report_problems(summary)
        return self.close(summary, error)

    def _ingest(self, summary: Summary) -> None:
        col = self.collector
        snap = Snapshot(source="web")
        rows = {r.bill_id: r for r in col.listing or []}
        details: dict[str, BillDetail] = col.details
        ok_details = [d for d in details.values() if not d.failed and d.pending <= 0]
        failed = {d.bill_id for d in details.values() if d.failed or d.pending > 0}
        hashes: dict[str, str] = {}
        for bill_id, row in rows.items():
            if bill_id in failed:
                continue  # stored bill stays as it was; retried next poll
            k = self.known.get(bill_id)
            if k is None or k.listing_hash != row.digest:
                snap.bundle(bill_id).bill = row.to_record()
            if bill_id not in self.waiting:  # else the next poll would no longer see its row change
                hashes[bill_id] = row.digest
        fetched: list[Fetched] = []
        for d in ok_details:
            bundle: BillBundle = snap.bundle(d.bill_id)
            bundle.bill = _merge(bundle.bill, d.status_record)
            if d.actions is not None:
                bundle.actions, bundle.actions_complete = list(d.actions), True
            elif d.recent_actions:
                bundle.actions = list(d.recent_actions)
            if d.votes:
                bundle.votes = list(d.votes)
            if d.authors:  # tied to the newest print when the text page was read too
                vid = d.version.bill_version_id if d.version is not None else None
                bundle.authors = [a if vid is None else a.model_copy(update={"bill_version_id": vid})
                                  for a in d.authors]
            if d.version is not None:
                bundle.versions = [d.version]
            fetched.extend(d.fetched)
        # a bill we do not hold yet needs its listing row (the bill record) to be created
        for bill_id in [b for b, bundle in snap.bundles.items() if bundle.bill is None and b not in self.known]:
            del snap.bundles[bill_id]
        if col.listing_fetched is not None and not failed and not self.waiting:  # else a 304 would hide them
            fetched.append(col.listing_fetched)
        summary.bills_seen = len(rows)
        summary.stats.update(detail_jobs=len(self.jobs), detail_deferred=self.deferred, detail_failed=len(failed),
                             listing_not_modified=col.listing_not_modified)
        if failed:
            summary.warnings.append(f"{len(failed)} bill(s) left unchanged because a detail page failed")
        if snap.bundles:
            result = self.ingest(snap)
            summary.changes = result.events
            summary.event_kinds = dict(result.event_kinds)
            summary.warnings.extend(result.warnings)
        remember(self.factory, fetched, hashes, [d.bill_id for d in ok_details])


def listing_url(base: str, session_year: str) -> str:
    return search_url(base, session_year)
