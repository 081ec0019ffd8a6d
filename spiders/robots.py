"""robots.txt once per poll, not once per crawl; its Crawl-delay obeyed.

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

import asyncio
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
        self.next_request: dict[str, float] = {}  # host → earliest time its Crawl-delay allows

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


class CrawlDelayMiddleware:
    """Obey robots.txt's ``Crawl-delay``: Scrapy parses it but never applies it.

    Requests to a host whose robots.txt asks for a delay are spaced at least that far apart,
    across all the crawls of one poll (the shared ``RobotsCache`` remembers when the next one
    may go), whatever AutoThrottle or ``DOWNLOAD_DELAY`` would allow. Runs after the robots
    middleware, so robots.txt has been read (or has failed) by then.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        cache = crawler.settings.get(CACHE_SETTING)
        self.cache = cache if isinstance(cache, RobotsCache) else RobotsCache()
        self.user_agent = crawler.settings.get("USER_AGENT") or "*"
        self.robots: RobotsTxtMiddleware | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler)

    def _delay(self, netloc: str) -> float:
        parser = self.cache.parsers.get(netloc)
        if parser is None:
            if self.robots is None:  # the robots middleware of this crawl, found once
                self.robots = next((m for m in self.crawler.engine.downloader.middleware.middlewares  # type: ignore[union-attr]
                                    if isinstance(m, RobotsTxtMiddleware)), None)
            parser = self.robots._parsers.get(netloc) if self.robots is not None else None
        crawl_delay = getattr(parser, "crawl_delay", None)
        if parser is None or isinstance(parser, Deferred) or crawl_delay is None:
            return 0.0
        return float(crawl_delay(self.user_agent) or 0.0)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):  # robots.txt itself
            return
        netloc = urlparse_cached(request).netloc
        delay = self._delay(netloc)
        if delay <= 0:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self.cache.next_request.get(netloc, 0.0))
        self.cache.next_request[netloc] = start + delay  # reserve the slot before waiting
        if start > now:
            await asyncio.sleep(start - now)
