"""``leginfo_search``: the session's whole bill list in one request (leginfo.md §5.4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.base import TrackerSpider
from spiders.parsers import PageError
from spiders.parsers.search import parse_search


def search_url(base: str, session_year: str) -> str:
    return (f"{base.rstrip('/')}/faces/billSearchClient.xhtml?session_year={session_year}"
            "&house=Both&author=All&lawCode=All")


class LeginfoSearchSpider(TrackerSpider):
    name = "leginfo_search"

    def __init__(self, base_url: str, session_year: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = search_url(base_url, session_year)

    async def start(self) -> Any:  # Scrapy ≥ 2.13
        yield self.get(self.url, self.parse_listing)

    def start_requests(self) -> Iterator[scrapy.Request]:  # older Scrapy
        yield self.get(self.url, self.parse_listing)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            self.collector.listing_not_modified = True
            return iter(())
        try:
            self.collector.listing = parse_search(self.page_text(response), response.url, response.status)
            self.collector.listing_fetched = self.fetched(response)
        except PageError as exc:
            self.page_error(exc, response.status)
        return iter(())
