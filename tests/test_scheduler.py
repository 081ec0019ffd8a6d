"""Scheduler: catch-up after downtime runs each job once; a killed crawl leaves a clean DB."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.db.models_core import Bill, SourceRun
from tracker.polling import child, scheduler
from tracker.replica.client import ReplicaClient
from tracker.replica.server import ReplicaServer
from tracker.settings import get_settings

SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample_data" / "pubinfo_2025"


@pytest.mark.parametrize("downtime", [timedelta(minutes=30), timedelta(hours=3)])
def test_catch_up_after_downtime_runs_each_job_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    downtime: timedelta) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'sched.db'}")
    for job in ("WEB", "HEARINGS", "PUBINFO", "SEND", "DIGEST"):
        monkeypatch.setenv(f"TRACKER_SCHEDULE__{job}", "* * * * *")  # every minute
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(make_engine(settings.database_url))
    calls: list[str] = []
    monkeypatch.setattr(child, "poll_in_child", lambda factory, source, timeout: calls.append(source)
                        or child.ChildResult(0, False, ""))
    monkeypatch.setattr(scheduler, "command_available", lambda name: (calls.append(name), False)[1])

    first = scheduler.build_scheduler(settings, BackgroundScheduler)
    first.start(paused=True)
    long_ago = datetime.now(timezone.utc) - downtime  # many missed fires per job
    for job in first.get_jobs():
        job.modify(next_run_time=long_ago)
    first._process_jobs = lambda: None  # type: ignore[method-assign]  # the process "dies" here
    first.shutdown(wait=True)
    assert calls == []

    if datetime.now().second >= 50:  # the every-minute fire after the catch-up must not
        time.sleep(61 - datetime.now().second)  # fall inside this test and count twice
    second = scheduler.build_scheduler(settings, BackgroundScheduler)  # the restart
    second.start()
    deadline = time.monotonic() + 10
    while len(calls) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    second.shutdown(wait=True)
    assert sorted(calls) == ["digest", "hearings", "pubinfo", "send", "web"]  # each once


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    srv = ReplicaServer(SAMPLE).start()
    yield srv
    srv.stop()


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
