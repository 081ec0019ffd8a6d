"""robots.txt once per poll, not once per crawl.

Scrapy's ``RobotsTxtMiddleware`` keeps the robots.txt it parsed per crawler. A web poll runs two
crawls against one host (the listing, then the detail pages of the bills that changed), so the
stock middleware asked the legislature's server for robots.txt twice in a minute. Here the
crawls of one poll share what was parsed; the next poll (a fresh process) asks again, so a
changed robots.txt is still obeyed from the next poll on.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware

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
    """The stock middleware (same parsing, same refusals), with its per-host table shared."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        cache = crawler.settings.get(CACHE_SETTING)
        if isinstance(cache, RobotsCache):
            self._parsers = cache.parsers
