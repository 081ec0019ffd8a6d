"""Retries that back off: exponential delays for 5xx/timeouts, ``Retry-After`` for 429/503; a
host that keeps failing is left alone for the rest of the crawl.

Scrapy's stock RetryMiddleware re-queues at once; against a server that is down for its
morning maintenance or rate-limiting us, waiting is the polite (and effective) answer.
"""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web.client import ResponseFailed

log = logging.getLogger(__name__)
RETRY_STATUS = {429, 500, 502, 503, 504, 408, 522, 524}
RETRY_EXCEPTIONS = (TimeoutError, TCPTimedOutError, ConnectionRefusedError, ConnectionDone,
                    ConnectionLost, DNSLookupError, ResponseFailed)


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


#: Requests to one host that failed even after their retries, in a row, before the rest of this
#: crawl's requests to it are skipped: a site in its maintenance window gets a few tries, not
#: every queued page (they are fetched at the next poll).
GIVE_UP_AFTER = 3


class PoliteRetryMiddleware:
    def __init__(self, times: int, base: float, max_wait: float, crawler: Crawler) -> None:
        self.times = times
        self.base = base
        self.max_wait = max_wait
        self.crawler = crawler
        self.failed_in_a_row: dict[str, int] = {}

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlparse_cached(request).netloc
        if self.failed_in_a_row.get(host, 0) >= GIVE_UP_AFTER and not request.meta.get("dont_obey_robotstxt"):
            if self.crawler.stats:
                self.crawler.stats.inc_value("polite_retry/skipped_host_down")
            raise IgnoreRequest(f"{host} failed {GIVE_UP_AFTER} requests in a row: not asked again this poll")

    def _outcome(self, request: Request, failed: bool) -> None:
        host = urlparse_cached(request).netloc
        self.failed_in_a_row[host] = self.failed_in_a_row.get(host, 0) + 1 if failed else 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PoliteRetryMiddleware:
        s = crawler.settings
        return cls(s.getint("POLITE_RETRY_TIMES", 3), s.getfloat("POLITE_RETRY_BASE", 1.0),
                   s.getfloat("POLITE_RETRY_MAX_WAIT", 300.0), crawler)

    async def _retry(self, request: Request, reason: str, wait: float | None) -> Request | None:
        tries = int(request.meta.get("polite_retries", 0))
        if tries >= self.times or request.meta.get("dont_retry"):
            self.crawler.stats.inc_value("polite_retry/gave_up") if self.crawler.stats else None
            return None
        delay = wait if wait is not None else self.base * (2**tries)
        if delay > self.max_wait:
            log.warning("%s asks us to wait %.0fs (> %.0fs): giving up", request.url, delay, self.max_wait)
            return None
        if self.crawler.stats:
            self.crawler.stats.inc_value("polite_retry/count")
        log.info("retrying %s in %.1fs (%s)", request.url, delay, reason)
        await asyncio.sleep(delay)
        retried = request.replace(dont_filter=True)
        retried.meta["polite_retries"] = tries + 1
        retried.priority = request.priority + 1
        return retried

    async def process_response(self, request: Request, response: Response, spider: Spider) -> Request | Response:
        if response.status not in RETRY_STATUS:
            self._outcome(request, failed=False)
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After")) if response.status in (429, 503) else None
        retried = await self._retry(request, f"HTTP {response.status}", wait)
        if retried is None:
            self._outcome(request, failed=response.status >= 500)
        return retried or response

    async def process_exception(self, request: Request, exception: Exception, spider: Spider) -> Any:
        if not isinstance(exception, RETRY_EXCEPTIONS):
            return None
        retried = await self._retry(request, type(exception).__name__, None)
        if retried is None:
            self._outcome(request, failed=True)
        return retried
