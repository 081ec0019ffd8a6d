"""Scheduler: catch-up after downtime runs each job once; a killed crawl leaves a clean DB; the
scheduled send and digest jobs really deliver mail.

Jobs run for real: ``tracker`` children polling the replica and sending to aiosmtpd on loopback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from tests.test_poll_e2e import Tracker
from tracker.alerts.testing import recording_server
from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.db.models_core import Bill, SourceRun
from tracker.polling import child, scheduler
from tracker.replica.client import ReplicaClient
from tracker.replica.server import ReplicaServer
from tracker.settings import get_settings

SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample_data" / "pubinfo_2025"


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    srv = ReplicaServer(SAMPLE).start()
    yield srv
    srv.stop()


NEVER = "0 3 29 2 *"  # 3 a.m. on 29 February: no job falls due by itself during a test


def _mail_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, port: int, *,
                   replica: ReplicaServer | None = None, schedule: str = NEVER) -> str:
    """One SQLite database, the loopback SMTP server, staff addresses, the replica's URLs, and
    every job on ``schedule`` (by default never due by itself). The test process and the
    ``tracker`` children the jobs start read the same environment."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    env = {k: v for k, v in Tracker(url, replica).env.items() if k.startswith("TRACKER_")} if replica else {}
    env |= {"TRACKER_DATABASE_URL": url, "TRACKER_SMTP__HOST": "127.0.0.1",
           "TRACKER_SMTP__PORT": str(port), "TRACKER_SMTP__TLS": "none",
           "TRACKER_ALERTS__STAFF_EMAILS": '["staff@example.org"]',
           "TRACKER_SECRET_KEY": "a-test-key-that-is-not-the-development-one"}
    env.update({f"TRACKER_SCHEDULE__{job}": schedule for job in ("WEB", "HEARINGS", "PUBINFO", "SEND", "DIGEST")})
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    upgrade(make_engine(url))
    return url


def _fire_now(job_id: str) -> JobExecutionEvent:
    """Start the scheduler of this installation with ``job_id`` due now; return once the
    scheduler says the job ran (executed or raised)."""
    sched = scheduler.build_scheduler(get_settings(), BackgroundScheduler)
    ran: list[JobExecutionEvent] = []
    finished = threading.Event()

    def on_event(event: JobExecutionEvent) -> None:
        ran.append(event)
        finished.set()

    sched.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    sched.start(paused=True)
    sched.get_job(job_id).modify(next_run_time=datetime.now(timezone.utc))
    sched.resume()
    try:
        assert finished.wait(120), f"the scheduler never ran {job_id}"
    finally:
        sched.shutdown(wait=True)
    assert [(e.job_id, e.exception) for e in ran] == [(job_id, None)]
    return ran[0]


JOB_IDS = ("digest", "poll-hearings", "poll-pubinfo", "poll-web", "send")


def _every_ten_minutes_but_not_now() -> str:
    """A cron line that fired every ten minutes through any downtime, last about five minutes
    ago, and fires next in four to five minutes: whatever runs during a test is catch-up."""
    return f"{(datetime.now().minute + 5) % 10}-59/10 * * * *"


@pytest.mark.parametrize("downtime", [timedelta(minutes=30), timedelta(hours=3)])
def test_catch_up_after_downtime_runs_each_job_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    replica: ReplicaServer, downtime: timedelta) -> None:
    cron = _every_ten_minutes_but_not_now()  # a few fires, or many, were missed
    with recording_server() as (_h, port):
        url = _mail_settings(monkeypatch, tmp_path, port, replica=replica, schedule=cron)
        first = scheduler.build_scheduler(get_settings(), BackgroundScheduler)
        first.start(paused=True)
        for job in first.get_jobs():  # it went down this long ago, every job still to run
            job.modify(next_run_time=datetime.now(timezone.utc) - downtime)
        first.remove_jobstore("default")  # the jobs stay stored as they are: it never ran them
        first.shutdown()

        restarted = scheduler.build_scheduler(get_settings(), BackgroundScheduler)
        ran: list[JobExecutionEvent] = []
        restarted.add_listener(ran.append, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        restarted.start(paused=True)
        try:
            now = datetime.now(timezone.utc)
            assert [j.id for j in restarted.get_jobs() if j.next_run_time > now] == []  # all overdue
            restarted.resume()
            deadline = time.monotonic() + 240
            while {e.job_id for e in ran} != set(JOB_IDS) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            restarted.shutdown(wait=True)  # and any further run of a job has ended too
    assert sorted((e.job_id, e.code) for e in ran) == [(job_id, EVENT_JOB_EXECUTED) for job_id in JOB_IDS]
    with session_factory(make_engine(url))() as s:  # each source polled once, to the end
        assert sorted((r.source, r.status) for r in s.execute(select(SourceRun)).scalars()) == [
            ("hearings", "ok"), ("pubinfo", "ok"), ("web", "ok")]


def test_killed_crawl_leaves_database_consistent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                  replica: ReplicaServer) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    for key, value in {"TRACKER_DATABASE_URL": url, "TRACKER_SOURCES__LEGINFO_URL": replica.url,
                       "TRACKER_SOURCES__REQUEST_DELAY": "0"}.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    client = ReplicaClient(replica.url)
    client.fault("/faces/billHistoryClient.xhtml", "latency", seconds=30)  # the crawl hangs

    result = child.poll_in_child(factory, "web", timeout=6)  # SIGTERM, then SIGKILL
    assert result.timed_out
    with factory() as s:
        runs = list(s.execute(select(SourceRun)).scalars())
        assert [(r.source, r.status) for r in runs] == [("web", "failed")]
        # SIGTERM first: the poll closes its own run as interrupted (or, ignoring it, is
        # SIGKILLed); either way the scheduler records the real reason
        assert runs[0].error == "timed out after 6 s; retried at the next run"
        assert s.execute(select(func.count()).select_from(Bill)).scalar() == 0  # nothing half-stored

    client.post("faults/clear")
    result = child.poll_in_child(factory, "web", timeout=120)  # the next run retries
    assert result.returncode == 0, result.output
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Bill)).scalar() == 4
        assert [r.status for r in s.execute(select(SourceRun).order_by(SourceRun.id)).scalars()] == ["failed", "ok"]


def test_scheduler_runs_the_send_and_digest_commands_of_this_installation() -> None:
    from tracker.polling.scheduler import COMMAND_ARGS, command_available

    assert command_available("send") and command_available("digest")
    assert COMMAND_ARGS["digest"] == ("digest", "--send")


def test_ctrl_c_during_a_poll_closes_its_run_as_failed_and_says_interrupted(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer) -> None:
    import os
    import signal
    import subprocess

    url = f"sqlite:///{tmp_path / 'int.db'}"
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SOURCES__LEGINFO_URL": replica.url,
           "TRACKER_SOURCES__REQUEST_DELAY": "0"}
    upgrade(make_engine(url))
    ReplicaClient(replica.url).fault("/faces/billHistoryClient.xhtml", "latency", seconds=30)
    proc = subprocess.Popen(child.tracker_command("poll", "--source", "web"), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    factory = session_factory(make_engine(url))
    for _ in range(200):  # until the run is open and crawling
        with factory() as s:
            if s.execute(select(SourceRun)).first():
                break
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    with factory() as s:
        assert [(r.status, r.error) for r in s.execute(select(SourceRun)).scalars()] == [
            ("failed", "Interrupted: stopped by a signal before the crawl finished")]


def test_a_job_that_raises_is_one_log_line_and_the_scheduler_goes_on(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'raise.db'}")
    get_settings.cache_clear()

    def boom(*_args: object) -> None:
        raise RuntimeError("database went away\nwith a long story")

    monkeypatch.setattr(child, "poll_in_child", boom)
    with caplog.at_level("ERROR", logger="tracker.scheduler"):
        scheduler.poll_job("web")  # returns: APScheduler never sees the exception
    assert [r.getMessage() for r in caplog.records] == ["poll web failed: RuntimeError: database went away"]


# The scheduler itself runs the send and digest jobs, against a real SMTP server ---------------

def test_the_scheduled_send_job_delivers_a_pending_alert_once(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from tests.test_send_smtp import queue_alerts, statuses

    with recording_server() as (h, port):
        url = _mail_settings(monkeypatch, tmp_path, port)
        factory = session_factory(make_engine(url))
        (member,) = queue_alerts(factory, 1)
        with caplog.at_level("INFO", logger="tracker.scheduler"):
            _fire_now("send")
        assert h.recipients == [member]  # delivered by the job's own 'tracker send', once
    assert statuses(factory) == {"sent": 1}
    assert [r.getMessage() for r in caplog.records] == [
        "send finished (exit 0): sent 1, deferred 0, failed 0, canceled 0"]


def test_the_scheduled_digest_job_mails_the_staff_digest(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with recording_server() as (h, port):
        _mail_settings(monkeypatch, tmp_path, port)
        _fire_now("digest")
        assert h.recipients == ["staff@example.org"]
        (digest,) = h.parsed()
    assert "digest" in digest["Subject"].lower()


def test_the_shipped_schedule_polls_on_weekdays_and_mails_the_digest_on_monday(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # crontab counts days from Sunday = 0; APScheduler 3's own numbers start at Monday = 0, so
    # "1-5" once ran Tuesday to Saturday and the Monday digest came on Tuesday
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade(make_engine(url))
    sched = scheduler.build_scheduler(get_settings(), BackgroundScheduler)
    saturday = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)
    days: dict[str, set[str]] = {}
    for job in sched.get_jobs():
        fire, seen = job.trigger.get_next_fire_time(None, saturday), set()
        while fire is not None and fire < saturday + timedelta(days=14):
            seen.add(fire.strftime("%a"))
            fire = job.trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        days[job.id] = seen
    weekdays = {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert days["poll-web"] == weekdays and days["poll-hearings"] == weekdays
    assert days["digest"] == {"Mon"}
    assert len(days["poll-pubinfo"]) == 7


@pytest.mark.parametrize(("field", "days"), [
    ("1-5", "mon,tue,wed,thu,fri"), ("0", "sun"), ("7", "sun"), ("5-7", "sun,fri,sat"),
    ("*/2", "sun,tue,thu,sat"), ("mon-fri", "mon,tue,wed,thu,fri"), ("0,6", "sun,sat"), ("*", "*"),
    ("7-7", "sun"), ("0-7", "sun,mon,tue,wed,thu,fri,sat"), ("6-7", "sun,sat")])
def test_a_crontab_day_of_week_field_keeps_its_crontab_meaning(field: str, days: str) -> None:
    from tracker.polling.crontab import crontab_days

    assert crontab_days(field) == days


def test_a_schedule_may_name_sunday_as_7_as_crontab_does_and_8_is_refused_in_one_line() -> None:
    from tests.clirun import tracker

    assert tracker("config", "show", env={"TRACKER_SCHEDULE__DIGEST": "0 7 * * 7"}).returncode == 0
    bad = tracker("config", "show", env={"TRACKER_SCHEDULE__DIGEST": "0 7 * * 8"}, check=False)
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1
    assert bad.stderr.startswith("tracker: error: invalid setting schedule.digest [TRACKER_SCHEDULE__DIGEST]")


def test_a_line_naming_a_day_of_the_month_and_a_weekday_runs_on_either_as_crontab_does() -> None:
    from tracker.polling.crontab import crontab_trigger

    trigger = crontab_trigger("0 9 1 * 1", "America/Los_Angeles")
    fire, days = trigger.get_next_fire_time(None, datetime(2026, 12, 5, 12, tzinfo=timezone.utc)), []
    for _ in range(6):
        days.append(fire.strftime("%a %d"))
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert days == ["Mon 07", "Mon 14", "Mon 21", "Mon 28", "Fri 01", "Mon 04"]
