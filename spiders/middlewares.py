"""Retries that back off, a host paused as a whole when it asks us to wait, and a host that keeps
failing (or refusing) left alone for the rest of the crawl.

Scrapy's stock RetryMiddleware re-queues at once; against a server that is down for its
morning maintenance or rate-limiting us, waiting is the polite (and effective) answer. Every
wait, a backoff or a ``Retry-After``, pauses the whole host: ``process_request`` holds each
request to it until the time has passed. That alone keeps other pages from slipping out because
each crawl has one request in flight at a time (``CONCURRENT_REQUESTS`` 1 in
``spiders.settings``; every crawl talks to one host), so no request is already past this
middleware while another waits.

Which failures are worth a retry is Scrapy's own answer for the installed version: its
``RETRY_HTTP_CODES`` and ``RETRY_EXCEPTIONS`` settings, resolved as its RetryMiddleware does.
Newer Scrapy raises its own ``DownloadTimeoutError``, ``DownloadConnectionRefusedError`` …
instead of Twisted's errors; a hand-kept list silently stopped matching them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object

from spiders.robots import is_robots_request

log = logging.getLogger(__name__)

#: Requests to one host that failed even after their retries, in a row, before the rest of this
#: crawl's requests to it are skipped: a site in its maintenance window gets a few tries, not
#: every queued page (they are fetched at the next poll).
GIVE_UP_AFTER = 3

#: Answers that are never retried but still count as the host failing us: it refuses to serve
#: (leginfo.md §7: "treat 403 as refused"), asking again page by page would only repeat that.
REFUSED_STATUS = frozenset({403})


class HostGivenUp(IgnoreRequest):
    """The host is not asked again in this crawl; the message says why (one line for staff)."""


def retry_after_seconds(value: bytes | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); ``None`` if absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def retry_exceptions(settings: BaseSettings) -> tuple[type[BaseException], ...]:
    """Scrapy's ``RETRY_EXCEPTIONS`` (import paths or classes) as classes, the way its
    RetryMiddleware resolves them, so this list follows the Scrapy version installed."""
    return tuple(load_object(x) if isinstance(x, str) else x for x in settings.getlist("RETRY_EXCEPTIONS"))


def retry_codes(settings: BaseSettings) -> frozenset[int]:
    """Scrapy's ``RETRY_HTTP_CODES`` (5xx, 408, 429 by default)."""
    return frozenset(int(x) for x in settings.getlist("RETRY_HTTP_CODES"))


class PoliteRetryMiddleware:
    """Backoff and ``Retry-After`` for the whole host; give a failing host up after a few tries."""

    def __init__(self, crawler: Crawler, *, times: int, base: float, max_wait: float) -> None:
        self.crawler = crawler
        self.times = times
        self.base = base
        self.max_wait = max_wait
        self.codes = retry_codes(crawler.settings)
        self.exceptions = retry_exceptions(crawler.settings)
        self.failed_in_a_row: dict[str, int] = {}
        self.given_up: dict[str, str] = {}  # host → why it is not asked again in this crawl
        self.paused_until: dict[str, float] = {}  # host → event-loop time before which nothing goes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PoliteRetryMiddleware:
        s = crawler.settings
        return cls(crawler, times=s.getint("POLITE_RETRY_TIMES", 3), base=s.getfloat("POLITE_RETRY_BASE", 1.0),
                   max_wait=s.getfloat("POLITE_RETRY_MAX_WAIT", 300.0))

    def _count(self, key: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(f"polite_retry/{key}")

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Hold the request while its host is paused; refuse it if the host was given up."""
        host = urlparse_cached(request).netloc
        loop = asyncio.get_running_loop()
        while (wait := self.paused_until.get(host, 0.0) - loop.time()) > 0:
            await asyncio.sleep(wait)  # the pause may grow while we sleep: look again
        why = self.given_up.get(host)
        if why is not None and not request.meta.get("dont_obey_robotstxt"):
            self._count("skipped_host_down")
            raise HostGivenUp(f"{host} {why}: not asked again this poll")

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        host = urlparse_cached(request).netloc
        status = response.status
        if status in REFUSED_STATUS:
            self._failed(host, f"HTTP {status}")
            return response
        if status not in self.codes:
            self.failed_in_a_row[host] = 0
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After")) if status in (429, 503) else None
        if wait is not None and wait > self.max_wait:
            why = f"asks us to wait {wait:.0f} s (more than the {self.max_wait:.0f} s we wait)"
            self._count("gave_up")
            self._give_up(host, why)
            raise HostGivenUp(f"{host} {why}: not asked again this poll")
        if wait is not None:
            self._pause(host, wait)  # the server's word holds for every page, retried or not
        retried = self._retry(request, f"HTTP {status}", wait)
        if retried is None:
            self._failed(host, f"HTTP {status}")
            return response
        return retried

    def process_exception(self, request: Request, exception: Exception,
                          spider: Spider | None = None) -> Request | None:
        if not isinstance(exception, self.exceptions):
            return None  # not a download failure (robots.txt refusal, a skipped host…)
        host = urlparse_cached(request).netloc
        retried = self._retry(request, type(exception).__name__, None)
        if retried is None:
            self._failed(host, type(exception).__name__)
        return retried

    def _retry(self, request: Request, reason: str, wait: float | None) -> Request | None:
        """A copy of the request to try again after a pause of the host, or ``None``."""
        tries = int(request.meta.get("polite_retries", 0))
        # robots.txt is not retried: unreachable once means "not crawled this poll" (spiders.robots)
        if tries >= self.times or request.meta.get("dont_retry") or is_robots_request(request):
            self._count("gave_up")
            return None
        delay = wait if wait is not None else self.base * (2**tries)
        if delay > self.max_wait:
            self._count("gave_up")
            return None
        self._pause(urlparse_cached(request).netloc, delay)
        self._count("count")
        log.info("retrying %s in %.1fs (%s)", request.url, delay, reason)
        retried = request.replace(dont_filter=True)
        retried.meta["polite_retries"] = tries + 1
        retried.priority = request.priority + 1
        return retried

    def _pause(self, host: str, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        self.paused_until[host] = max(until, self.paused_until.get(host, 0.0))

    def _failed(self, host: str, reason: str) -> None:
        """A final failure (retries spent, or a refusal): the third in a row gives the host up."""
        count = self.failed_in_a_row.get(host, 0) + 1
        self.failed_in_a_row[host] = count
        if count >= GIVE_UP_AFTER:
            self._give_up(host, f"failed {count} requests in a row (last: {reason})")

    def _give_up(self, host: str, why: str) -> None:
        if host not in self.given_up:
            log.warning("%s %s: not asked again this poll", host, why)
            self.given_up[host] = why
