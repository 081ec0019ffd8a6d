"""Run one poll (or another tracker command) in a child process with a hard time limit.

Scrapy's reactor cannot restart inside one process, and a hung crawl must not hang the
scheduler: each job is a fresh ``tracker ...`` process in its own session, killed (SIGTERM,
then SIGKILL) after ``crawl_timeout``. Runs it left open are then closed as failed, so
``tracker runs`` shows the failure and the next scheduled run simply tries again.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db.base import transaction, utcnow
from tracker.db.models_core import SourceRun

log = logging.getLogger(__name__)


@dataclass
class ChildResult:
    returncode: int | None
    timed_out: bool
    output: str


def tracker_command(*args: str) -> list[str]:
    """``tracker <args>`` with this interpreter (no reliance on PATH)."""
    return [sys.executable, "-c", "from tracker.cli import main; main()", *args]


def run_child(args: list[str], timeout: float, grace: float = 10.0) -> ChildResult:
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return ChildResult(proc.returncode, False, out or "")
    except subprocess.TimeoutExpired:
        log.warning("child %s exceeded %.0fs: terminating", args[3:] or args, timeout)
        _signal_group(proc, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=grace)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            out, _ = proc.communicate()
        return ChildResult(proc.returncode, True, out or "")


def _signal_group(proc: subprocess.Popen[str], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def close_open_runs(factory: sessionmaker[Session], source: str | None, since: datetime | None,
                    reason: str) -> int:
    """Mark runs still 'running' (their process died) as failed; returns how many."""
    with transaction(factory) as s:
        q = select(SourceRun).where(SourceRun.status == "running")
        if source:
            q = q.where(SourceRun.source == source)
        if since is not None:
            q = q.where(SourceRun.started_at >= since)
        runs = list(s.execute(q).scalars())
        now = utcnow()
        for run in runs:
            run.status = "failed"
            run.error = reason
            run.finished_at = now
            run.duration_s = (now - run.started_at).total_seconds()
        return len(runs)


def close_stale_runs(factory: sessionmaker[Session], older_than_s: float) -> int:
    """At scheduler start: runs 'running' for longer than any crawl may take died with us."""
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    with transaction(factory) as s:
        runs = list(s.execute(select(SourceRun).where(SourceRun.status == "running",
                                                      SourceRun.started_at < cutoff)).scalars())
        for run in runs:
            run.status, run.error, run.finished_at = "failed", "process ended without closing the run", utcnow()
        return len(runs)


def poll_in_child(factory: sessionmaker[Session], source: str, timeout: float) -> ChildResult:
    """One ``tracker poll --source X`` child; a kill or crash closes its run as failed."""
    started = utcnow() - timedelta(seconds=1)
    result = run_child(tracker_command("poll", "--source", source), timeout)
    if result.timed_out or (result.returncode or 0) < 0:
        why = f"killed after {timeout:.0f}s timeout" if result.timed_out else f"crashed (signal {-(result.returncode or 0)})"
        sources = None if source == "all" else source
        closed = close_open_runs(factory, sources, started, f"crawl {why}; retried at the next run")
        log.error("poll %s %s; %d run(s) marked failed", source, why, closed)
    elif result.returncode not in (0, 1):
        close_open_runs(factory, None if source == "all" else source, started,
                        f"poll exited with code {result.returncode}")
    return result
