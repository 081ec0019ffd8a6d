"""Source runs: every poll or import leaves a record of what it fetched and what it found."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tracker.db.base import transaction, utcnow
from tracker.db.models_core import ChangeEvent, SourceRun
from tracker.ingest.keys import event_key


def start_run(factory: sessionmaker[Session], source: str, location: str | None = None) -> int:
    with transaction(factory) as s:
        run = SourceRun(source=source, location=location, status="running", warnings=[])
        s.add(run)
        s.flush()
        return run.id


def finish_run(
    factory: sessionmaker[Session], run_id: int, *, status: str, requests: int = 0,
    bytes: int = 0, changes: int = 0, bills_seen: int = 0, warnings: Iterable[str] = (),
    error: str | None = None, stats: dict[str, Any] | None = None,
) -> None:
    """Close a run; called in its own transaction so a failed import still leaves its record."""
    with transaction(factory) as s:
        run = s.get(SourceRun, run_id)
        if run is None:
            return
        run.finished_at = utcnow()
        run.duration_s = (run.finished_at - run.started_at).total_seconds()
        run.status = status
        run.requests += requests
        run.bytes += bytes
        run.changes += changes
        run.bills_seen = max(run.bills_seen, bills_seen)
        run.warnings = list(run.warnings or []) + list(warnings)
        run.error = error
        if stats:
            run.stats = {**(run.stats or {}), **stats}


def record_source_problem(
    factory: sessionmaker[Session], run_id: int | None, source: str, message: str
) -> None:
    """Tell staff a source is broken (an event kind of its own), without touching any bill."""
    with transaction(factory) as s:
        s.add(ChangeEvent(
            bill_id=None, kind="source_problem", summary=f"{source}: {message}",
            before=None, after={"source": source, "message": message},
            dedupe_key=event_key(None, "source_problem", source, run_id, message),
            source_run_id=run_id,
        ))
