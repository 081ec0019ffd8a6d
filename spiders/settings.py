"""Scrapy settings built from the tracker's one settings object (never read elsewhere).

Politeness is not optional: an honest User-Agent with a contact address, robots.txt obeyed by
default (its Crawl-delay included), one request at a time with a delay plus AutoThrottle, and retries that back
off (honouring Retry-After for the whole host) instead of hammering a struggling server.
"""

from __future__ import annotations

from typing import Any

from spiders.robots import CACHE_SETTING, RobotsCache
from tracker import __version__
from tracker.settings import Settings

BOT_NAME = "capitolwatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"


def user_agent(settings: Settings) -> str:
    return f"CapitolWatch/{__version__} (+mailto:{settings.sources.contact})"


def scrapy_settings(settings: Settings) -> dict[str, Any]:
    """The Scrapy settings for one poll's crawls, derived from ``settings.sources``."""
    src = settings.sources
    return {
        "BOT_NAME": BOT_NAME,
        "USER_AGENT": user_agent(settings),
        "ROBOTSTXT_OBEY": src.obey_robots,
        # One request in flight per crawl (each crawl talks to one host). With more, requests
        # already queued for the download slot would leave while the host asked us to wait:
        # PoliteRetryMiddleware can hold back only requests that have not passed it yet.
        "CONCURRENT_REQUESTS": 1,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": src.request_delay,
        # Not randomized: Scrapy's jitter goes down to half the delay, and request_delay is a floor.
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "AUTOTHROTTLE_ENABLED": src.request_delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(src.request_delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, src.request_delay * 10),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": src.download_timeout,
        "DOWNLOAD_FAIL_ON_DATALOSS": False,  # a cut-off body reaches the parser and is flagged
        "RETRY_ENABLED": False,  # replaced by PoliteRetryMiddleware (backoff + Retry-After)
        "POLITE_RETRY_TIMES": src.retry_times,
        "POLITE_RETRY_BASE": max(src.request_delay, 0.2),
        "POLITE_RETRY_MAX_WAIT": src.max_retry_after,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "spiders.robots.SharedRobotsTxtMiddleware": 100,  # the stock one's place
            "spiders.robots.CrawlDelayMiddleware": 101,  # robots.txt's Crawl-delay, after it is read
            "spiders.middlewares.PoliteRetryMiddleware": 550,
        },
        CACHE_SETTING: RobotsCache(),  # one robots.txt per host for all crawls built from these
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "HTTPCACHE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
