"""Injected failures per path: latency, 5xx, 403, 429 + Retry-After, truncation, layout, robots
(Disallow and Crawl-delay), ``mis_encoded`` (the page in windows-1252 while its header says
UTF-8, as a misconfigured server sends it), ``bad_extract`` (a bulk zip that downloads whole but
has a malformed BILL_TBL row), ``no_range`` (the bulk zip sent whole with 200 whatever Range
asks, as a server without range support does), and ``agenda_modal``: the Senate calendar in the real site's shape,
each hearing's agenda behind a Drupal AJAX link instead of inline (leginfo.md §6).

A fault applies to every request whose path starts with its ``path`` and, when ``times`` is
set, only that many times (so a test can show a poll that recovers after two 503s).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

KINDS = {"latency", "status", "forbidden", "rate_limit", "maintenance", "truncate", "layout", "robots",
         "crawl_delay", "agenda_modal", "mis_encoded", "bad_extract", "no_range"}

# What a "changed layout" looks like: the ids and classes parsers anchor on are renamed.
LAYOUT_RENAMES = [
    (re.compile(r'id="billhistory"'), 'id="billHistoryTable"'),
    (re.compile(r'id="bill_results"'), 'id="billSearchResults"'),
    (re.compile(r'id="bill_returned"'), 'id="billCount"'),
    (re.compile(r'id="bill_all"'), 'id="billContent"'),
    (re.compile(r'id="measureNum"'), 'id="measureNumber"'),
    (re.compile(r'class="status"'), 'class="rollcall"'),
    (re.compile(r'class="page-events"'), 'class="events-list"'),
    (re.compile(r'committee-hearing-table'), 'hearing-list'),
    (re.compile(r'HearingTopic'), 'AgendaTopic'),
]


@dataclass
class Fault:
    path: str
    kind: str
    status: int = 503
    retry_after: float | None = None
    seconds: float = 0.0
    times: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        kind = str(data.get("kind", ""))
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
        path = str(data.get("path", "/"))
        if not path.startswith("/"):
            raise ValueError("fault path must start with /")
        default_status = {"forbidden": 403, "rate_limit": 429, "maintenance": 503}.get(kind, 503)
        return cls(
            path=path, kind=kind, status=int(data.get("status", default_status)),
            retry_after=float(data["retry_after"]) if data.get("retry_after") is not None else None,
            seconds=float(data.get("seconds", 0.0)),
            times=int(data["times"]) if data.get("times") is not None else None,
        )


class FaultTable:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()

    def take(self, path: str) -> list[Fault]:
        """The faults that fire for this request (consuming one use of counted faults)."""
        fired: list[Fault] = []
        with self.lock:
            for fault in list(self.faults):
                if not path.startswith(fault.path):
                    continue
                if fault.kind in ("robots", "crawl_delay"):  # these change robots.txt, not the path
                    continue
                fired.append(fault)
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
        return fired

    def disallowed(self) -> list[str]:
        with self.lock:
            return [f.path for f in self.faults if f.kind == "robots"]

    def crawl_delay(self) -> float | None:
        """``Crawl-delay`` for robots.txt (the live site reportedly asks for 10 s)."""
        with self.lock:
            delays = [f.seconds for f in self.faults if f.kind == "crawl_delay"]
        return max(delays) if delays else None


def change_layout(body: str) -> str:
    for pattern, replacement in LAYOUT_RENAMES:
        body = pattern.sub(replacement, body)
    return body


FORBIDDEN_PAGE = ("<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body>"
                  "<h1>403 Forbidden</h1><p>Access denied.</p></body></html>\n")
MAINTENANCE_PAGE = ("<!DOCTYPE html><html><head><title>Maintenance</title></head><body>"
                    "<h1>The site is down for scheduled maintenance</h1>"
                    "<p>Please try again later.</p></body></html>\n")
ERROR_PAGE = ("<!DOCTYPE html><html><head><title>Server error</title></head><body>"
              "<h1>Service Unavailable</h1></body></html>\n")
