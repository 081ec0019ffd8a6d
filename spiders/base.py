"""Shared spider plumbing: conditional GET headers, error classification, robots handling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.collect import Collector, Fetched
from spiders.parsers import PageError


class TrackerSpider(scrapy.Spider):
    """Every response (any status) reaches the callback, which decides what it means."""

    custom_settings: dict[str, Any] = {}

    def __init__(self, collector: Collector, validators: dict[str, tuple[str | None, str | None]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.collector = collector
        self.validators = validators or {}

    def get(self, url: str, callback: Callable[..., Any], *, conditional: bool = True,
            meta: dict[str, Any] | None = None, cb_kwargs: dict[str, Any] | None = None) -> scrapy.Request:
        """A GET that asks 'changed since?' when we have validators for this URL."""
        headers: dict[str, str] = {}
        etag, modified = self.validators.get(url, (None, None)) if conditional else (None, None)
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return scrapy.Request(
            url, callback=callback, errback=self.failed, headers=headers, dont_filter=True,
            meta={"handle_httpstatus_all": True, **(meta or {})}, cb_kwargs=cb_kwargs or {},
        )

    @staticmethod
    def fetched(response: Response) -> Fetched:
        def header(name: bytes) -> str | None:
            value = response.headers.get(name)
            return value.decode("latin-1") if value else None

        return Fetched(response.url, response.status, header(b"ETag"), header(b"Last-Modified"))

    def page_error(self, error: PageError, status: int) -> None:
        self.collector.problem(error.url, error.kind, error.message, status)

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Network errors after retries, and robots.txt refusals (said once, in one line)."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            if not self.collector.robots_blocked:
                self.collector.robots_blocked = True
                self.collector.problem(request.url, "robots",
                                       "robots.txt disallows this source; use the bulk channel "
                                       "(tracker poll --source pubinfo)")
        elif failure.check(IgnoreRequest) and "not asked again" in str(failure.value):
            if not self.collector.host_down:  # the site is down: one line, not one per page
                self.collector.host_down = True
                self.collector.problem(request.url, "network", f"{failure.value}; the skipped pages "
                                       "are fetched at the next poll")
        else:
            self.collector.problem(request.url, "network", f"{type(failure.value).__name__}: {failure.value}")
        self.on_failure(request)
        return iter(())

    def on_failure(self, request: scrapy.Request) -> None:
        """Hook: spiders mark the bill/page the request belonged to as failed."""
