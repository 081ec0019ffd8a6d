"""Run Scrapy crawls in this process: one reactor run for the whole poll cycle.

The Twisted reactor cannot be restarted, so every source's crawls are chained inside a single
``reactor.run()``; the scheduler runs each cycle in a fresh child process.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.utils.log import configure_logging
from scrapy.utils.reactor import install_reactor

from spiders.settings import scrapy_settings
from tracker.errors import SettingsError
from tracker.settings import Settings

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# What ``reactor.run()`` takes over and leaves behind when it returns.
REACTOR_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)
Step = Callable[["Crawls"], Generator[Any, Any, None]]


class Interrupted(Exception):
    """The poll was stopped (Ctrl-C, SIGTERM) before its crawls finished: nothing is ingested."""


class Crawls:
    """A ``CrawlerRunner`` plus the per-crawl stats a source run records."""

    def __init__(self, settings: Settings) -> None:
        self.runner = CrawlerRunner({**scrapy_settings(settings), "TWISTED_REACTOR": ASYNCIO_REACTOR})
        self.sources = settings.sources
        self.stats: list[dict[str, Any]] = []

    def crawl(self, spider_cls: type, **kwargs: Any) -> Any:
        """A Deferred for one crawl; its stats are kept for the run record.

        A real host is never asked anything under the placeholder contact (the settings say
        why, naming TRACKER_SOURCES__CONTACT): the crawl fails before its first request.
        """
        refusal = self.sources.contact_refusal(str(kwargs.get("base_url", "")))
        if refusal is not None:
            raise SettingsError(refusal)
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

    def start() -> None:
        # Started once the reactor runs: a chain that ends at once (a crawl refused before its
        # first request) would otherwise stop a reactor not yet running, and run() never return.
        chain().addBoth(lambda _: reactor.stop())  # type: ignore[attr-defined]

    reactor.callWhenRunning(start)  # type: ignore[attr-defined]
    with own_signals():
        reactor.run()  # type: ignore[attr-defined]
    if len(errors) < len(steps):  # SIGINT/SIGTERM stopped the reactor mid-crawl
        errors += [Interrupted("stopped by a signal before the crawl finished")] * (len(steps) - len(errors))
    return errors


@contextmanager
def own_signals() -> Iterator[None]:
    """Give back the signal handlers (and wakeup fd) the reactor replaces while it runs.

    During the crawls, Twisted's handlers turn Ctrl-C/SIGTERM into a clean reactor stop. It
    leaves them installed when it returns, where they only ask a stopped reactor to stop: a
    signal during the long ingest that follows would be swallowed and the poll would run to
    the end. Restored, the caller's handlers (``tracker.cli.main``: SIGTERM as Ctrl-C) make it
    a KeyboardInterrupt, so the ingest rolls back and the run is closed as interrupted.
    """
    saved = {sig: signal.getsignal(sig) for sig in REACTOR_SIGNALS}
    wakeup = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            if handler is not None:  # None: installed outside Python, nothing we can put back
                signal.signal(sig, handler)
        signal.set_wakeup_fd(wakeup)


def totals(stats: list[dict[str, Any]]) -> tuple[int, int]:
    """(requests, bytes) over a source's crawls, robots.txt included: that is what we cost."""
    requests = sum(int(s.get("downloader/request_count", 0)) for s in stats)
    size = sum(int(s.get("downloader/response_bytes", 0)) for s in stats)
    return requests, size
