"""``pubinfo``: the nightly bulk download, streamed to disk with a conditional GET.

The daily snapshot (``pubinfo_daily_<Day>.zip``, ~1 GB) is the whole-session truth; the Mon–Sat
delta (``pubinfo_<Day>.zip``) is optional. Chunks are appended to ``<name>.part`` as they
arrive (``bytes_received`` signal) and the file is renamed only after a complete 200, so a
crashed or cut-off download never leaves a zip that looks whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from spiders.base import TrackerSpider

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
POSTED_AT = (21, 30)  # files post around 21:20–21:30 Pacific (leginfo.md §3.1)


def latest_posting_day(now: datetime, tz: str = "America/Los_Angeles") -> str:
    """The weekday name of the newest posted extract at ``now``."""
    local = now.astimezone(ZoneInfo(tz))
    if (local.hour, local.minute) < POSTED_AT:
        local -= timedelta(days=1)
    return DAYS[local.weekday()]


def pubinfo_names(day: str, include_delta: bool) -> list[str]:
    names = [f"pubinfo_daily_{day}.zip"]
    if include_delta and day != "Sun":
        names.append(f"pubinfo_{day}.zip")
    return names


class PubinfoSpider(TrackerSpider):
    name = "pubinfo"
    custom_settings = {"DOWNLOAD_MAXSIZE": 0, "DOWNLOAD_WARNSIZE": 0, "DOWNLOAD_TIMEOUT": 3600}

    def __init__(self, base_url: str, target_dir: Path, names: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.target_dir = target_dir
        self.names = names
        self._parts: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PubinfoSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(spider.closed_files, signal=signals.spider_closed)
        return spider

    def _requests(self) -> Iterator[scrapy.Request]:
        self.target_dir.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            yield self.get(f"{self.base_url}/{name}", self.parse_file, meta={"name": name})

    async def start(self) -> Any:
        for request in self._requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield from self._requests()

    def _part(self, name: str) -> Path:
        return self.target_dir / f"{name}.part"

    def bytes_received(self, data: bytes, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """Write each chunk as it arrives; a new attempt (retry) starts the file afresh."""
        name = request.meta.get("name")
        if spider is not self or not name:
            return
        key = f"{name}:{request.meta.get('polite_retries', 0)}"
        handle = self._parts.get(key)
        if handle is None:
            for old in [k for k in self._parts if k.startswith(f"{name}:")]:
                self._parts.pop(old).close()
            handle = self._parts[key] = open(self._part(name), "wb")  # noqa: SIM115
        handle.write(data)

    def _close(self, name: str) -> None:
        for key in [k for k in self._parts if k.startswith(f"{name}:")]:
            self._parts.pop(key).close()

    def closed_files(self, spider: scrapy.Spider) -> None:
        for key in list(self._parts):
            self._parts.pop(key).close()

    def parse_file(self, response: Response) -> Iterator[Any]:
        name = response.meta["name"]
        self._close(name)
        part = self._part(name)
        if response.status == 304:
            self.collector.not_modified.append(response.url)
            part.unlink(missing_ok=True)
            return iter(())
        if response.status != 200:
            part.unlink(missing_ok=True)
            self.collector.problem(response.url, "http", f"download failed (HTTP {response.status})", response.status)
            return iter(())
        expected = response.headers.get(b"Content-Length")
        size = part.stat().st_size if part.exists() else 0
        if not part.exists() or (expected and int(expected) != size) or "dataloss" in response.flags:
            part.unlink(missing_ok=True)
            self.collector.problem(response.url, "page problem", f"incomplete download ({size} bytes)")
            return iter(())
        final = self.target_dir / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{name}"
        part.replace(final)
        self.collector.files.append((response.url, str(final)))
        self.collector.fetched.append(self.fetched(response))
        return iter(())

    def on_failure(self, request: scrapy.Request) -> None:
        self._close(request.meta.get("name", ""))
        self._part(request.meta.get("name", "x")).unlink(missing_ok=True)
