"""``leginfo_bill``: status, history, votes and text pages for the bills the poller planned.

A bill's pages either all succeed (200 parsed, or 304 not modified) or the bill is marked
failed and nothing of it is stored: half a bill (status without history) would misstate it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.base import TrackerSpider
from spiders.collect import BillDetail
from spiders.parsers import PageError
from spiders.parsers.bill import (
    parse_history,
    parse_status,
    parse_status_authors,
    parse_text,
    parse_votes,
)

PAGES = {
    "status": "billStatusClient",
    "history": "billHistoryClient",
    "votes": "billVotesClient",
    "text": "billTextClient",
}


@dataclass(frozen=True)
class BillJob:
    bill_id: str
    pages: tuple[str, ...] = ("status", "history")


def page_url(base: str, page: str, bill_id: str) -> str:
    return f"{base.rstrip('/')}/faces/{PAGES[page]}.xhtml?bill_id={bill_id}"


class LeginfoBillSpider(TrackerSpider):
    name = "leginfo_bill"

    def __init__(self, base_url: str, jobs: list[BillJob], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url
        self.jobs = jobs

    def _requests(self) -> Iterator[scrapy.Request]:
        for job in self.jobs:
            detail = self.collector.details.setdefault(job.bill_id, BillDetail(job.bill_id))
            detail.pending = len(job.pages)
            for page in job.pages:
                yield self.get(page_url(self.base_url, page, job.bill_id), self.parse_page,
                               meta={"bill_id": job.bill_id, "page": page})

    async def start(self) -> Any:
        for request in self._requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield from self._requests()

    def on_failure(self, request: scrapy.Request) -> None:
        detail = self.collector.details.get(request.meta.get("bill_id", ""))
        if detail is not None:
            detail.failed = True

    def parse_page(self, response: Response) -> Iterator[Any]:
        detail = self.collector.details[response.meta["bill_id"]]
        page = response.meta["page"]
        detail.pending -= 1
        if response.status == 304:
            self.collector.not_modified.append(response.url)
            return iter(())
        try:
            text = self.page_text(response)
            if page == "status":
                detail.status_record, detail.recent_actions = parse_status(text, response.url, response.status)
                detail.authors = parse_status_authors(text, response.url, f"web:{detail.bill_id}")
            elif page == "history":
                detail.actions = parse_history(text, response.url, response.status)
            elif page == "votes":
                detail.votes = parse_votes(text, response.url, response.status)
            else:
                detail.version = parse_text(text, response.url, response.status)
            if detail.bill_id not in response.url:
                raise PageError(response.url, "redirected away from the bill")
        except PageError as exc:
            detail.failed = True
            self.page_error(exc, response.status)
            return iter(())
        detail.fetched.append(self.fetched(response))
        return iter(())
