"""Run Scrapy crawls in this process: one reactor run for the whole poll cycle.

The Twisted reactor cannot be restarted, so every source's crawls are chained inside a single
``reactor.run()``; the scheduler runs each cycle in a fresh child process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import Any

from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.utils.log import configure_logging
from scrapy.utils.reactor import install_reactor

from spiders.settings import scrapy_settings
from tracker.settings import Settings

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
Step = Callable[["Crawls"], Generator[Any, Any, None]]


class Interrupted(Exception):
    """The poll was stopped (Ctrl-C, SIGTERM) before its crawls finished: nothing is ingested."""


class Crawls:
    """A ``CrawlerRunner`` plus the per-crawl stats a source run records."""

    def __init__(self, settings: Settings) -> None:
        self.runner = CrawlerRunner({**scrapy_settings(settings), "TWISTED_REACTOR": ASYNCIO_REACTOR})
        self.stats: list[dict[str, Any]] = []

    def crawl(self, spider_cls: type, **kwargs: Any) -> Any:
        """A Deferred for one crawl; its stats are kept for the run record."""
        crawler: Crawler = self.runner.create_crawler(spider_cls)
        d = self.runner.crawl(crawler, **kwargs)

        def keep(result: Any) -> Any:
            self.stats.append(dict(crawler.stats.get_stats()) if crawler.stats else {})
            return result

        return d.addBoth(keep)


def run_steps(settings: Settings, steps: list[tuple[Crawls, Step]]) -> list[BaseException | None]:
    """Run each source's crawl steps in order in one reactor; errors are returned per step."""
    install_reactor(ASYNCIO_REACTOR)
    configure_logging({"LOG_LEVEL": "WARNING", "LOG_INSTALL_ROOT_HANDLER": False})
    logging.getLogger("scrapy").setLevel(logging.WARNING)
    from twisted.internet import defer, reactor

    errors: list[BaseException | None] = []

    @defer.inlineCallbacks
    def chain() -> Generator[Any, Any, None]:
        for crawls, step in steps:
            try:
                yield from step(crawls)
                errors.append(None)
            except Exception as exc:  # noqa: BLE001 - recorded on the source run
                errors.append(exc)

    d = chain()
    d.addBoth(lambda _: reactor.stop())  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]
    if len(errors) < len(steps):  # SIGINT/SIGTERM stopped the reactor mid-crawl
        errors += [Interrupted("stopped by a signal before the crawl finished")] * (len(steps) - len(errors))
    return errors


def totals(stats: list[dict[str, Any]]) -> tuple[int, int]:
    """(requests, bytes) over a source's crawls, robots.txt included: that is what we cost."""
    requests = sum(int(s.get("downloader/request_count", 0)) for s in stats)
    size = sum(int(s.get("downloader/response_bytes", 0)) for s in stats)
    return requests, size
