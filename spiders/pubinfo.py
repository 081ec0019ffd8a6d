"""``pubinfo``: the nightly bulk download, streamed to disk with a conditional GET.

The daily snapshot (``pubinfo_daily_<Day>.zip``, ~1 GB) is the whole-session truth; the Mon–Sat
delta (``pubinfo_<Day>.zip``) is optional. The zip is fetched in 8 MB HTTP ranges
written to ``<name>.part`` (so at most one slice is in memory), and the file is renamed only
when every byte arrived, so a crashed or cut-off download never leaves a zip that looks whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Response
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from spiders.base import TrackerSpider

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
POSTED_AT = (21, 30)
SLICE = 8 * 1024 * 1024  # bytes per ranged request: the most of a zip ever held in memory
#: A server that ignores Range answers with the whole file, which Scrapy holds in memory (it
#: cannot stream a body to disk). A whole file up to this many slices is taken (a small delta
#: zip); a bigger one is cut off, so the ~1 GB snapshot is never held in memory.
WHOLE_FILE_SLICES = 4
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")  # files post around 21:20–21:30 Pacific (leginfo.md §3.1)


def _size(n: int) -> str:
    return f"{n / 1024 ** 2:.0f} MB" if n >= 1024 ** 2 else f"{n / 1024:.0f} KB"


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
    #: The bulk download is the channel every other source points to: say what to do instead.
    robots_advice = ("robots.txt disallows the bulk download (PUBINFO) for our User-Agent: check that "
                     "sources.pubinfo_url is the legislature's download address, and if it is, ask the "
                     "legislature's webmaster; set sources.obey_robots = false "
                     "(TRACKER_SOURCES__OBEY_ROBOTS) only with their permission")
    robots_unavailable_advice = "the bulk download was not fetched this time; the next poll tries again"
    custom_settings = {"DOWNLOAD_MAXSIZE": 0, "DOWNLOAD_WARNSIZE": 0, "DOWNLOAD_TIMEOUT": 3600}

    def __init__(self, base_url: str, target_dir: Path, names: list[str], slice_bytes: int = SLICE,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slice = slice_bytes
        self.cap = WHOLE_FILE_SLICES * slice_bytes
        self.base_url = base_url.rstrip("/")
        self.target_dir = target_dir
        self.names = names

    def _requests(self) -> Iterator[scrapy.Request]:
        self.target_dir.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            request = self.get(f"{self.base_url}/{name}", self.parse_file,
                               meta={"name": name, "offset": 0, "download_maxsize": self.cap})
            request.headers["Range"] = f"bytes=0-{self.slice - 1}"
            yield request

    async def start(self) -> Any:
        for request in self._requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield from self._requests()

    def _part(self, name: str) -> Path:
        return self.target_dir / f"{name}.part"

    def _write(self, name: str, offset: int, body: bytes) -> None:
        """Write a slice at its offset (a retried slice overwrites itself, never appends twice)."""
        part = self._part(name)
        with open(part, "r+b" if offset and part.exists() else "wb") as fh:
            fh.seek(offset)
            fh.write(body)
            fh.truncate()

    def parse_file(self, response: Response) -> Iterator[Any]:
        """One slice of the zip: write it, ask for the next, or finish the file.

        The zip is fetched in ``SLICE``-byte ranges (HTTP Range, with If-Range so every slice
        comes from the same version of the file), so no more than one slice is ever in memory.
        A server that ignores Range answers 200 with the whole file, which still works if it is
        no bigger than ``WHOLE_FILE_SLICES`` slices; a bigger one is cut off (see ``failed``).
        """
        name = response.meta["name"]
        offset = int(response.meta.get("offset", 0))
        part = self._part(name)
        if response.status == 304:
            self.collector.not_modified.append(response.url)
            part.unlink(missing_ok=True)
            return iter(())
        if response.status not in (200, 206):
            part.unlink(missing_ok=True)
            self.collector.problem(response.url, "http", f"download failed (HTTP {response.status})", response.status)
            return iter(())
        if "dataloss" in response.flags:
            part.unlink(missing_ok=True)
            self.collector.problem(response.url, "page problem", f"incomplete download at byte {offset}")
            return iter(())
        if response.status == 200:  # whole file (no range support, or it changed mid-way)
            if offset:
                self.logger.info("%s changed during the download: took the new whole file", name)
            self._write(name, 0, response.body)
            return self._finish(response, name, first=response)
        match = CONTENT_RANGE.match((response.headers.get(b"Content-Range") or b"").decode("latin-1"))
        if not match or int(match.group(1)) != offset:
            part.unlink(missing_ok=True)
            self.collector.problem(response.url, "page problem", "unexpected Content-Range in a slice")
            return iter(())
        end, total = int(match.group(2)), int(match.group(3))
        self._write(name, offset, response.body)
        first = response.meta.get("first_headers") or {
            "ETag": response.headers.get(b"ETag"), "Last-Modified": response.headers.get(b"Last-Modified")}
        if end + 1 >= total:
            if part.stat().st_size != total:
                part.unlink(missing_ok=True)
                self.collector.problem(response.url, "page problem", "incomplete download (size mismatch)")
                return iter(())
            return self._finish(response, name, first=response)
        nxt = scrapy.Request(
            response.url, callback=self.parse_file, errback=self.failed, dont_filter=True,
            headers={"Range": f"bytes={end + 1}-{min(end + self.slice, total - 1)}",
                     **({"If-Range": first["ETag"]} if first.get("ETag") else
                        {"If-Range": first["Last-Modified"]} if first.get("Last-Modified") else {})},
            meta={**response.meta, "offset": end + 1, "first_headers": first, "polite_retries": 0,
                  "download_maxsize": self.cap},
        )
        return iter((nxt,))

    def _finish(self, response: Response, name: str, first: Response) -> Iterator[Any]:
        final = self.target_dir / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{name}"
        self._part(name).replace(final)
        self.collector.files.append((response.url, str(final)))
        self.collector.fetched.append(self.fetched(first))
        return iter(())

    def failed(self, failure: Failure) -> Iterator[Any]:
        """A download cut off at the size cap gets its own line: the server sent the whole file
        where a slice was asked for, and what the operator can do about it."""
        if not failure.check(DownloadCancelledError, CancelledError):
            return super().failed(failure)
        request = failure.request  # type: ignore[attr-defined]
        self.collector.problem(
            request.url, "network",
            f"the server ignored the byte range and sent the whole file at once; it was not taken, so it "
            f"is never held in memory whole (a whole file is taken only up to {_size(self.cap)}, four times "
            f"sources.pubinfo_slice_bytes): ask the host to allow HTTP Range requests, or raise "
            f"sources.pubinfo_slice_bytes (TRACKER_SOURCES__PUBINFO_SLICE_BYTES) to a quarter of the "
            f"file's size if this machine has the memory")
        self.on_failure(request)
        return iter(())

    def on_failure(self, request: scrapy.Request) -> None:
        self._part(request.meta.get("name", "x")).unlink(missing_ok=True)
