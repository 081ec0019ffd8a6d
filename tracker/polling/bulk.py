"""The bulk poll: conditional download of the newest PUBINFO extract → the importer.

Uses exactly the reader and ingest behind ``tracker import-pubinfo``, so a nightly download
and a manual import of the same file produce the same rows and events.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spiders.pubinfo import PubinfoSpider, latest_posting_day, pubinfo_names
from tracker.errors import InputError, TrackerError
from tracker.polling.base import SourcePoll, Summary
from tracker.polling.crawl import Crawls
from tracker.polling.plan import load_validators, remember
from tracker.ingest.service import HearingCoverage, hearing_table_read
from tracker.pubinfo.reader import read_snapshot


class PubinfoPoll(SourcePoll):
    name = "pubinfo"

    def __init__(self, *args: Any, include_delta: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = self.settings.sources.pubinfo_url.rstrip("/")
        self.target = Path(self.settings.data_dir) / "pubinfo"
        day = latest_posting_day(datetime.now(timezone.utc), self.settings.schedule.timezone)
        self.names = pubinfo_names(day, include_delta)
        self.validators = load_validators(self.factory, self.base)

    def crawl(self, crawls: Crawls) -> Generator[Any, Any, None]:
        yield crawls.crawl(PubinfoSpider, base_url=self.base, target_dir=self.target, names=self.names,
                           collector=self.collector, validators=self.validators,
                           slice_bytes=self.settings.sources.pubinfo_slice_bytes)

    def finish(self, error: BaseException | None) -> Summary:
        summary = Summary(self.name, self.run_id)
        try:
            if error is None:
                self._ingest(summary)
        except TrackerError as exc:  # a bad zip: say which file and line
            summary.warnings.append(str(exc))
            self.collector.problem(self.base, "bulk file", str(exc))
            summary.status = "failed"
            summary.error = str(exc)
        except Exception as exc:  # noqa: BLE001
            error = exc
        self.report_problems(summary)
        return self.close(summary, error)

    def _ingest(self, summary: Summary) -> None:
        if not self.collector.files:
            summary.stats["not_modified"] = bool(self.collector.not_modified)
            return
        try:
            for url, path in self.collector.files:  # snapshot first, then the delta
                try:
                    snapshot = read_snapshot(Path(path), source="pubinfo")
                    # the daily snapshot lists every hearing of the session (when it carries the
                    # hearing table at all); a delta only changes
                    whole = "pubinfo_daily_" in Path(path).name and hearing_table_read(snapshot)
                    result = self.ingest(snapshot, HearingCoverage(whole_session=whole))
                except Exception as exc:
                    kept = self._set_aside(Path(path))
                    summary.warnings.append(f"the file that failed is kept for diagnosis as {kept}")
                    if isinstance(exc, InputError) and str(path) in str(exc):
                        # the error names the file where it is now, not where it was downloaded
                        exc.args = (str(exc).replace(str(path), str(kept), 1),)
                        exc.path = exc.path.replace(str(path), str(kept), 1)
                    raise
                summary.bills_seen = max(summary.bills_seen, result.bills_seen)
                summary.changes += result.events
                for k, v in result.event_kinds.items():
                    summary.event_kinds[k] = summary.event_kinds.get(k, 0) + v
                summary.warnings.extend(result.warnings)
            remember(self.factory, self.collector.fetched, {}, [])
        finally:
            self._prune()

    def _set_aside(self, path: Path) -> Path:
        """Move a file that failed to import to ``pubinfo/failed/``, replacing the one there.

        Its validators are not remembered, so the next poll downloads the file again (the
        legislature may have fixed it); without this, every failed night would leave a full
        zip behind and fill the disk. One failed file is enough to diagnose.
        """
        failed = self.target / "failed"
        failed.mkdir(parents=True, exist_ok=True)
        for old in failed.iterdir():
            old.unlink(missing_ok=True)
        dest = failed / path.name
        path.replace(dest)
        return dest

    def _prune(self) -> None:
        """Keep the newest ``pubinfo_keep_files`` zips, whether this import worked or not."""
        keep = self.settings.sources.pubinfo_keep_files
        files = sorted(self.target.glob("*.zip"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
