"""``tracker run``: APScheduler 3 with its jobs persisted in the tracker's own database.

Jobs live in ``apscheduler_jobs`` (SQLAlchemyJobStore), so a restart after downtime knows what
it missed; ``coalesce=True`` turns any number of missed fires into one catch-up run, and
``max_instances=1`` keeps a slow crawl from overlapping the next one. Every job is a child
process (see ``child.py``); poll children that fall due together wait their turn for the poll
lock rather than give up, so a catch-up of every source polls every source.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, timezone
from collections.abc import Callable
from types import FrameType
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import inspect, text

from tracker.db import make_engine, session_factory
from tracker.errors import TrackerError
from tracker.locks import exclusive, lock_path
from tracker.polling import child
from tracker.polling.crontab import crontab_trigger
from tracker.settings import Settings, get_settings

log = logging.getLogger("tracker.scheduler")
JOB_TABLE = "apscheduler_jobs"
POLL_JOBS = ("pubinfo", "web", "hearings")
COMMAND_JOBS = ("send", "digest")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# The digest job mails the staff digest for the last full week (tracker digest --send).
COMMAND_ARGS: dict[str, tuple[str, ...]] = {"send": ("send",), "digest": ("digest", "--send")}


def one_line_errors(job: Callable[[str], None]) -> Callable[[str], None]:
    """A job that raises is logged as one line (the service keeps running either way)."""
    def run(arg: str) -> None:
        try:
            job(arg)
        except Exception as exc:  # noqa: BLE001 - the scheduler must outlive any one job
            log.error("%s %s failed: %s: %s", job.__name__.replace("_job", ""), arg,
                      type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
    run.__name__ = job.__name__
    run.__qualname__ = job.__qualname__
    return run


@one_line_errors
def poll_job(source: str) -> None:
    """Scheduled poll of one source (module-level: the job store keeps a textual reference).

    The child waits its turn behind another poll, so polls due together (the catch-up after
    downtime) all run. Anything but a clean finish is logged above INFO, where an operator
    filtering the service log for problems sees it: a poll that waited a whole crawl_timeout
    and did nothing at WARNING, a failed or timed-out one at ERROR.
    """
    settings = get_settings()
    factory = session_factory(make_engine(settings.database_url))
    timeout = settings.sources.crawl_timeout
    result = child.poll_in_child(factory, source, timeout)
    said = _said(result.output)
    if result.stopped:  # the scheduler is stopping: its own line says what it interrupted
        return
    if result.timed_out:
        log.error("poll %s timed out after %.0f s and was stopped; %d run(s) marked failed and "
                  "reported to staff; retried at the next run", source, timeout, result.closed)
    elif result.busy:
        log.warning("poll %s skipped: %s", source, said)
    elif result.returncode:
        log.error("poll %s failed (%s): %s", source, _exit(result.returncode), said)
    else:
        log.info("poll %s finished: %s", source, said)


@one_line_errors
def command_job(name: str) -> None:
    """``tracker send`` / ``tracker digest`` as a child; skipped if nobody registered them."""
    if not command_available(name):
        log.info("'tracker %s' is not available in this installation: skipped", name)
        return
    settings = get_settings()
    result = child.run_child(child.tracker_command(*COMMAND_ARGS[name]), settings.sources.crawl_timeout)
    if result.stopped:
        return
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    # Its summary and any warning, so an SMTP outage shows in the service log.
    said = [line for line in lines if "warning" in line or "error" in line][-3:] + lines[-1:]
    (log.error if result.returncode or result.timed_out else log.info)(
        "%s finished (%s)%s", name, "timed out" if result.timed_out else _exit(result.returncode),
        ": " + " | ".join(dict.fromkeys(said)) if said else "")


def _said(output: str) -> str:
    """A child's summary lines (not its indented detail) as one log line."""
    lines = [line.strip() for line in output.splitlines() if line.strip() and not line[:1].isspace()]
    return " | ".join(lines[-3:]) or "no output"


def _exit(code: int | None) -> str:
    if code is not None and code < 0:
        return f"killed by signal {-code}"
    return f"exit {code}"


def command_available(name: str) -> bool:
    from tracker.cli import REGISTRY

    return name in REGISTRY


def build_scheduler(settings: Settings, scheduler_cls: Callable[..., BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler with every job registered (``replace_existing`` so edits to cron apply)."""
    tz = settings.schedule.timezone
    store = SQLAlchemyJobStore(engine=make_engine(settings.database_url), tablename=JOB_TABLE)
    scheduler = scheduler_cls(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": settings.schedule.misfire_grace_seconds},
        timezone=tz,
    )
    sched = settings.schedule
    missed = _missed_fires(settings.database_url)
    for func, key, job_id in [(poll_job, s, f"poll-{s}") for s in POLL_JOBS] + [
            (command_job, n, n) for n in COMMAND_JOBS]:
        extra: dict[str, Any] = {}
        if job_id in missed:  # keep the overdue time: coalesce makes it one catch-up run
            extra["next_run_time"] = missed[job_id]
        scheduler.add_job(func, crontab_trigger(getattr(sched, key), timezone=tz),
                          args=[key], id=job_id, name=job_id.replace("-", " "),
                          replace_existing=True, **extra)
    return scheduler


def _missed_fires(url: str) -> dict[str, datetime]:
    """Jobs whose stored next run is already past (downtime), so ``replace_existing`` (which
    applies edited cron lines) does not silently skip the catch-up run."""
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table(JOB_TABLE):
            return {}
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOB_TABLE}")).all()
    finally:
        engine.dispose()
    now = datetime.now(timezone.utc).timestamp()
    return {r.id: datetime.fromtimestamp(r.next_run_time, timezone.utc)
            for r in rows if r.next_run_time is not None and r.next_run_time <= now}


class _FirstLine(logging.Filter):
    """APScheduler logs a lost database as a warning with the SQL statement, its parameters and
    a link over several lines (and a failing job with a traceback): in the operator's log that
    is one event, so it is one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text = f"{text}: {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        record.msg, record.args = (text.strip().splitlines() or [""])[0], None
        record.exc_info = record.exc_text = None
        return True


def run_scheduler(settings: Settings) -> None:
    """Run the jobs until SIGTERM/SIGINT (one scheduler per data folder), see ``_run``."""
    with exclusive("scheduler") as mine:
        if not mine:
            raise TrackerError(
                f"another 'tracker run' is already running with this data folder ({lock_path('scheduler')} "
                "names its process id); two would make every request to the legislature twice")
        _run(settings)


def _run(settings: Settings) -> None:
    """Run the jobs until SIGTERM/SIGINT, then stop the running children too and return.

    The first signal stops new jobs and sends SIGTERM to every running child's process group
    (a poll closes its runs as interrupted, a send records the message in hand), waits up to
    ``child.STOP_GRACE`` s (longer when ``smtp.timeout`` is), then SIGKILLs what is left. Children live in their own sessions, so nothing else would reach them: a
    scheduler that left first would orphan a poll that keeps the poll lock and its run open.
    Later signals are ignored: the stop is under way and bounded.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # APScheduler's own INFO lines (added, running, executed, shut down) repeat ours; its
    # warnings (a missed run, a run skipped as the previous one still runs) stay.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_FirstLine())
    factory = session_factory(make_engine(settings.database_url))
    closed = child.close_stale_runs(factory, settings.sources.crawl_timeout * 2)
    if closed:
        log.warning("%d run(s) left open by an earlier crash marked failed", closed)
    for name in COMMAND_JOBS:
        if not command_available(name):
            log.info("'tracker %s' is not installed: its job will log and skip", name)
    scheduler = build_scheduler(settings, BackgroundScheduler)
    received: list[int] = []
    wake = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        for sig in STOP_SIGNALS:  # a second Ctrl-C must not cut the stop short
            signal.signal(sig, signal.SIG_IGN)
        received.append(signum)
        wake.set()

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)
    for job in scheduler.get_jobs():
        log.info("job %s: %s", job.id, job.trigger)
    scheduler.start()
    while not wake.wait(1.0):
        pass
    stopping = child.stop_children()
    log.info("%s: stopping%s", signal.Signals(received[0]).name,
             f"; asked {len(stopping)} running job(s) to stop ({', '.join(stopping)})" if stopping else "")
    scheduler.shutdown(wait=False)
    # a send asked to stop first waits for the server to answer the message in hand (up to
    # smtp.timeout): killing it sooner is what would send that message twice
    grace = max(child.STOP_GRACE, settings.smtp.timeout + 10)
    killed = child.wait_children(grace)
    if killed:
        log.warning("%s did not stop within %.0f s: killed", ", ".join(killed), grace)


def describe(scheduler: BaseScheduler) -> list[dict[str, Any]]:
    return [{"id": j.id, "next_run_time": j.next_run_time} for j in scheduler.get_jobs()]
