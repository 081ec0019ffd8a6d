"""robots.txt once per poll, not once per crawl.

Scrapy's ``RobotsTxtMiddleware`` keeps the robots.txt it parsed per crawler. A web poll runs two
crawls against one host, one after the other (the listing, then the detail pages of the bills
that changed), so the stock middleware asked the legislature's server for robots.txt twice in a
minute. Here a crawl hands what it parsed to the next crawl of the same poll; the next poll (a
fresh process) asks again, so a changed robots.txt is obeyed from the next poll on.

Only a robots.txt that was actually served (200) is handed on. A failed fetch makes Scrapy allow
everything for that crawl; sharing that would let later crawls skip the check entirely, so they
ask again instead, as the stock middleware would.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

CACHE_SETTING = "CAPITOLWATCH_ROBOTS_CACHE"


class RobotsCache:
    """Parsed robots.txt per host, for the crawls of one poll.

    Scrapy deep-copies settings for every crawler; this object is returned as itself so that
    all crawlers built from one settings dict see the same cache.
    """

    def __init__(self) -> None:
        self.parsers: dict[str, Any] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> RobotsCache:
        return self


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """The stock middleware (same parsing, same refusals), seeded from and feeding the poll's cache."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        cache = crawler.settings.get(CACHE_SETTING)
        self._cache = cache if isinstance(cache, RobotsCache) else None
        self._served: set[str] = set()  # hosts whose robots.txt answered 200 in this crawl
        if self._cache is not None:
            self._parsers.update(self._cache.parsers)
            crawler.signals.connect(self._hand_on, signal=signals.engine_stopped)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        url = urlparse_cached(request)
        if request.meta.get("dont_obey_robotstxt") and url.path == "/robots.txt" and response.status == 200:
            self._served.add(url.netloc)
        return response

    def _hand_on(self) -> None:
        """At the end of this crawl, give the next crawl every robots.txt that was served and parsed."""
        assert self._cache is not None
        for netloc in self._served:
            parser = self._parsers.get(netloc)
            if parser is not None and not isinstance(parser, Deferred):
                self._cache.parsers[netloc] = parser
