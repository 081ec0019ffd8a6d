"""Retries that back off: exponential delays for 5xx/timeouts, ``Retry-After`` for 429/503.

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
from scrapy.http import Response
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


class PoliteRetryMiddleware:
    def __init__(self, times: int, base: float, max_wait: float, crawler: Crawler) -> None:
        self.times = times
        self.base = base
        self.max_wait = max_wait
        self.crawler = crawler

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
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After")) if response.status in (429, 503) else None
        retried = await self._retry(request, f"HTTP {response.status}", wait)
        return retried or response

    async def process_exception(self, request: Request, exception: Exception, spider: Spider) -> Any:
        if not isinstance(exception, RETRY_EXCEPTIONS):
            return None
        return await self._retry(request, type(exception).__name__, None)
