"""robots.txt once per poll, not once per crawl; its Crawl-delay obeyed.

Scrapy's ``RobotsTxtMiddleware`` keeps the robots.txt it parsed per crawler. A web poll runs two
crawls against one host, one after the other (the listing, then the detail pages of the bills
that changed), so the stock middleware asked the legislature's server for robots.txt twice in a
minute. Here a crawl hands what it parsed to the next crawl of the same poll; the next poll (a
fresh process) asks again, so a changed robots.txt is obeyed from the next poll on.

Only a robots.txt that was actually served (200) is handed on as a policy.

A robots.txt that cannot be reached (a 5xx answer or a network error) is *not* "allow
everything", as Scrapy takes it: RFC 9309 §2.3.1.4 says a crawler must then assume complete
disallow, because the site may be down or in trouble and we cannot know what it asks. So every
request to that host in this poll is refused with ``RobotsUnavailable`` (said in one line by the
spider), robots.txt itself is not retried, and the verdict is handed to the poll's later crawls
so they do not ask again; the next poll (a fresh process) tries again. A 4xx answer means "no
policy": everything is allowed (RFC 9309 §2.3.1.3), and the error page's text is not parsed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

CACHE_SETTING = "CAPITOLWATCH_ROBOTS_CACHE"


class RobotsUnavailable(IgnoreRequest):
    """robots.txt could not be read (5xx, network error): the host is not crawled this poll."""


def is_robots_request(request: Request) -> bool:
    """The request the robots middleware sends for a host's robots.txt."""
    return bool(request.meta.get("dont_obey_robotstxt")) and urlparse_cached(request).path == "/robots.txt"


class RobotsCache:
    """Parsed robots.txt per host, for the crawls of one poll.

    Scrapy deep-copies settings for every crawler; this object is returned as itself so that
    all crawlers built from one settings dict see the same cache.
    """

    def __init__(self) -> None:
        self.parsers: dict[str, Any] = {}
        self.next_request: dict[str, float] = {}  # host → earliest time its Crawl-delay allows
        self.unavailable: dict[str, str] = {}  # host → why its robots.txt could not be read

    def __deepcopy__(self, memo: dict[int, Any]) -> RobotsCache:
        return self


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """The stock middleware (same parsing, same refusals), seeded from and feeding the poll's cache."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        cache = crawler.settings.get(CACHE_SETTING)
        self._cache = cache if isinstance(cache, RobotsCache) else None
        self._served: set[str] = set()  # hosts whose robots.txt answered 200 in this crawl
        self._unavailable: dict[str, str] = {}  # host → why its robots.txt could not be read
        if self._cache is not None:
            self._parsers.update(self._cache.parsers)
            self._unavailable.update(self._cache.unavailable)
            self._parsers.update(dict.fromkeys(self._cache.unavailable))  # known: not fetched again
            crawler.signals.connect(self._hand_on, signal=signals.engine_stopped)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """The stock check, except that a host whose robots.txt could not be read is refused."""
        if request.meta.get("dont_obey_robotstxt") or request.url.startswith(("data:", "file:")):
            return
        parser = await self.robot_parser(request)
        why = self._unavailable.get(urlparse_cached(request).netloc)
        if why is not None:
            self._stats.inc_value("robotstxt/unavailable")
            raise RobotsUnavailable(f"robots.txt unavailable ({why})")
        self.process_request_2(parser, request)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        url = urlparse_cached(request)
        if is_robots_request(request) and response.status == 200:
            self._served.add(url.netloc)
        return response

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:  # unreachable: assume complete disallow (RFC 9309 §2.3.1.4)
            self._unavailable[netloc] = f"HTTP {response.status}"
            self._robots_error(RobotsUnavailable(f"HTTP {response.status}"), netloc)
            return
        if response.status >= 400:  # no policy: allow everything; an error page is not a robots.txt
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        """No answer at all (timeout, refused connection…) is unreachable too."""
        self._unavailable.setdefault(netloc, type(exc).__name__)
        super()._robots_error(exc, netloc)

    def _hand_on(self) -> None:
        """At the end of this crawl, give the next crawl every robots.txt that was served and
        parsed, and every host whose robots.txt could not be read (not asked again this poll)."""
        assert self._cache is not None
        for netloc in self._served:
            parser = self._parsers.get(netloc)
            if parser is not None and not isinstance(parser, Deferred):
                self._cache.parsers[netloc] = parser
        self._cache.unavailable.update(self._unavailable)


class CrawlDelayMiddleware:
    """Obey robots.txt's ``Crawl-delay`` (Scrapy parses it but never applies it) and our own
    ``request_delay`` across the crawls of a poll.

    Requests to a host are spaced at least ``max(Crawl-delay, DOWNLOAD_DELAY)`` apart, across
    all the crawls of one poll (the shared ``RobotsCache`` remembers when the next one may go),
    whatever AutoThrottle or Scrapy's randomized delay would allow. Scrapy keeps its delay per
    crawler, so without this the first detail page of a web poll left a few hundredths of a
    second after the listing (a new crawler, a fresh download slot), and its randomized delay
    may go as low as half of ``DOWNLOAD_DELAY``. Runs after the robots middleware, so
    robots.txt has been read (or has failed) by then.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        cache = crawler.settings.get(CACHE_SETTING)
        self.cache = cache if isinstance(cache, RobotsCache) else RobotsCache()
        self.user_agent = crawler.settings.get("USER_AGENT") or "*"
        self.request_delay = crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0)  # sources.request_delay
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
            return self.request_delay
        return max(self.request_delay, float(crawl_delay(self.user_agent) or 0.0))

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

    def _answered(self, request: Request) -> None:
        """The host answered: the next request waits the delay from now. A request can leave
        later than it passed here (the download slot held it), so its answer, not its start,
        is what the next crawl of the poll counts from."""
        netloc = urlparse_cached(request).netloc
        delay = self._delay(netloc)
        if delay > 0:
            after = asyncio.get_running_loop().time() + delay
            self.cache.next_request[netloc] = max(after, self.cache.next_request.get(netloc, 0.0))

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        self._answered(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._answered(request)
