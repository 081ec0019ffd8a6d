"""Shared spider plumbing: conditional GET headers, error classification, robots handling.

Trouble that belongs to a host rather than a page (robots.txt refuses us, the host refuses or
rate-limits every page, the host was given up for this poll) is said once, in one line, not
once per page: staff read these lines, and 16 copies of "refused" hide the one that matters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.collect import Collector, Fetched, Problem
from spiders.middlewares import HostGivenUp
from spiders.robots import RobotsUnavailable
from spiders.parsers import PageError, decode_page

#: Statuses that say "not you" or "not now" for the whole host: reported once per host.
HOST_REFUSALS = frozenset({403, 429})


class TrackerSpider(scrapy.Spider):
    """Every response (any status) reaches the callback, which decides what it means."""

    custom_settings: dict[str, Any] = {}
    #: What staff read when robots.txt refuses this source: where else the data comes from.
    robots_advice = "robots.txt disallows this source; use the bulk channel (tracker poll --source pubinfo)"
    #: What staff read when robots.txt could not be read (5xx, no answer): nothing of this source
    #: was fetched (RFC 9309: assume complete disallow); the next poll asks again.
    robots_unavailable_advice = "the website was not crawled this time; the bulk download still is"

    def __init__(self, collector: Collector, validators: dict[str, tuple[str | None, str | None]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.collector = collector
        self.validators = validators or {}
        self.host_lines: dict[str, Problem] = {}  # host → the one line about its refusals
        self.hosts_given_up: set[str] = set()  # hosts whose "not asked again" was said

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
    def page_text(response: Response) -> str:
        """The body as text; a 200 whose bytes do not fit its charset raises ``PageProblem``.

        Only a page we would store is held to its charset: an error page (403, 5xx) is read
        leniently so it is reported for what it is, not as an encoding problem.
        """
        if not response.body:
            return ""
        if response.status != 200:
            return str(response.text)
        return decode_page(response.body, response.encoding, response.url)

    @staticmethod
    def fetched(response: Response) -> Fetched:
        def header(name: bytes) -> str | None:
            value = response.headers.get(name)
            return value.decode("latin-1") if value else None

        return Fetched(response.url, response.status, header(b"ETag"), header(b"Last-Modified"))

    def page_error(self, error: PageError, status: int) -> None:
        """One line per unusable page; a host's refusals (403, 429) one line per host."""
        if status not in HOST_REFUSALS:
            self.collector.problem(error.url, error.kind, error.message, status)
            return
        host = urlsplit(error.url).netloc
        if host not in self.host_lines:
            self.host_lines[host] = self.collector.problem(error.url, error.kind, error.message, status)

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Network errors after retries, robots.txt refusals and a given-up host (each said once)."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HostGivenUp):
            host = urlsplit(request.url).netloc
            self.collector.host_down = True
            if host not in self.hosts_given_up:  # the site is down: one line, not one per page
                self.hosts_given_up.add(host)
                self.host_said(request.url, f"{failure.value}; the skipped pages are fetched at the next poll")
        elif failure.check(RobotsUnavailable):
            if not self.collector.robots_blocked:
                self.collector.robots_blocked = True
                self.collector.problem(request.url, "network", f"{failure.value}: {self.robots_unavailable_advice}")
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            if not self.collector.robots_blocked:
                self.collector.robots_blocked = True
                self.collector.problem(request.url, "robots", self.robots_advice)
        else:
            self.collector.problem(request.url, "network", f"{type(failure.value).__name__}: {failure.value}")
        self.on_failure(request)
        return iter(())

    def host_said(self, url: str, message: str) -> None:
        """Add to the host's refusal line if it has one (one line per host), else a new line."""
        earlier = self.host_lines.get(urlsplit(url).netloc)
        if earlier is not None:
            earlier.message = f"{earlier.message}; {message}"
        else:
            self.collector.problem(url, "network", message)

    def on_failure(self, request: scrapy.Request) -> None:
        """Hook: spiders mark the bill/page the request belonged to as failed."""
