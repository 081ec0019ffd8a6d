"""What every polled source shares: its run record, problems → warnings/events, the summary."""

from __future__ import annotations

from abc import ABC, abstractmethod

import time
from dataclasses import dataclass, field
from datetime import datetime, time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from spiders.collect import Collector, Problem
from tracker.ingest.runs import finish_run, record_source_problem, start_run
from tracker.items import Snapshot
from tracker.polling.crawl import Crawls, totals
from tracker.settings import Settings


@dataclass
class Summary:
    source: str
    run_id: int
    status: str = "ok"
    requests: int = 0
    bytes: int = 0
    bills_seen: int = 0
    changes: int = 0
    event_kinds: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.event_kinds.items()))
        text = (f"{self.source}: {self.status}; {self.requests} requests ({self.bytes:,} bytes) in "
                f"{self.seconds:.1f}s; {self.bills_seen} bills seen; {self.changes} changes"
                + (f" ({kinds})" if kinds else "") + f"; {len(self.warnings)} warnings")
        if self.error:
            text += f"; error: {self.error}"
        return text


def in_window(window: str, tz: str, now: datetime | None = None) -> bool:
    """Is ``now`` inside the daily ``HH:MM-HH:MM`` window (schedule timezone)?"""
    try:
        start_s, end_s = window.split("-")
        start, end = dtime.fromisoformat(start_s.strip()), dtime.fromisoformat(end_s.strip())
    except ValueError:
        return False
    local = (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz)).time()
    return start <= local <= end if start <= end else (local >= start or local <= end)


class SourcePoll(ABC):
    """One source's part of a poll cycle: ``crawl`` inside the reactor, ``finish`` after it."""

    name = "source"

    def __init__(self, settings: Settings, factory: sessionmaker[Session], location: str) -> None:
        self.settings = settings
        self.factory = factory
        self.collector = Collector()
        self.crawls = Crawls(settings)
        self.started = time.monotonic()
        self.run_id = start_run(factory, self.name, location)

    @abstractmethod
    def crawl(self, crawls: Crawls) -> Any:  # a generator of Deferreds
        """Schedule this source's spiders; each source says which."""

    def ingest(self, snapshot: Snapshot, hearings_complete: Any = None) -> Any:
        """Store what the crawl saw; ``hearings_complete`` (a ``HearingCoverage``) says where the
        source listed every hearing, so a hearing it no longer lists there is closed."""
        from tracker.ingest.service import ingest_snapshot
        from tracker.relevance import load_matcher

        matcher = load_matcher(self.settings.topics_path)
        return ingest_snapshot(self.factory, snapshot, matcher=matcher, run_id=self.run_id,
                               hearings_complete=hearings_complete)

    def problem_lines(self, problems: list[Problem]) -> list[str]:
        return [f"{p.kind}: {p.message} [{p.url}]" for p in problems]

    def report_problems(self, summary: Summary) -> None:
        """Warnings on the run always; one source_problem event unless in the maintenance window."""
        problems = self.collector.problems
        if not problems:
            return
        summary.warnings.extend(self.problem_lines(problems))
        src = self.settings.sources
        maintenance = all(p.kind in ("page problem", "network", "http") for p in problems) and in_window(
            src.maintenance_window, self.settings.schedule.timezone)
        if maintenance:
            summary.warnings.append("failures fell in the daily maintenance window: not reported to staff")
            return
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        record_source_problem(self.factory, self.run_id, self.name,
                              f"{first.kind}: {first.message} [{first.url}]{more}")

    def close(self, summary: Summary, error: BaseException | None) -> Summary:
        summary.requests, summary.bytes = totals(self.crawls.stats)
        summary.seconds = time.monotonic() - self.started
        if error is not None and summary.error is None:
            summary.error = f"{type(error).__name__}: {error}"
            summary.status = "failed"
        elif summary.status == "ok" and summary.warnings:
            summary.status = "warnings"
        finish_run(self.factory, self.run_id, status=summary.status, requests=summary.requests,
                   bytes=summary.bytes, changes=summary.changes, bills_seen=summary.bills_seen,
                   warnings=summary.warnings, error=summary.error,
                   stats={"event_kinds": summary.event_kinds, **summary.stats,
                          "not_modified": len(self.collector.not_modified)})
        return summary
