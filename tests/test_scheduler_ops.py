"""``tracker run`` and ``tracker poll`` as a service manager and an operator meet them.

Polls that fall due together all run; a signal stops a poll at any point, its ingest
included, and stopping the scheduler stops the poll it is running instead of orphaning it; a
poll killed for its timeout says so and tells staff; a run left open by a killed poll is closed
by the next one. Every test drives real ``tracker`` processes against the replica on loopback
and sends real signals.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, text

from tests.test_poll_e2e import SAMPLE, Tracker
from tracker.db import make_engine
from tracker.db.migrate import upgrade
from tracker.locks import exclusive
from tracker.polling import scheduler
from tracker.polling.child import tracker_command
from tracker.replica.client import ReplicaClient
from tracker.replica.server import ReplicaServer
from tracker.settings import get_settings

NEVER = "0 3 29 2 *"  # 3 a.m. on 29 February: no job fires by itself during a test
HISTORY = "/faces/billHistoryClient.xhtml"


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    srv = ReplicaServer(SAMPLE).start()
    yield srv
    srv.stop()


def _configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer,
               **extra: str) -> dict[str, str]:
    """Settings for this test process and the ``tracker`` processes it starts (one database,
    the replica's URLs, no job due by itself)."""
    env = {k: v for k, v in Tracker(f"sqlite:///{tmp_path / 't.db'}", replica).env.items()
           if k.startswith("TRACKER_")}
    env.update({f"TRACKER_SCHEDULE__{job}": NEVER for job in ("WEB", "HEARINGS", "PUBINFO", "SEND", "DIGEST")})
    env.update(extra)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    upgrade(make_engine(env["TRACKER_DATABASE_URL"]))
    return dict(os.environ)


def _overdue(*job_ids: str) -> None:
    """The scheduler was down while these jobs fell due (their stored next run is past)."""
    store = scheduler.build_scheduler(get_settings(), BackgroundScheduler)
    store.start(paused=True)
    for job_id in job_ids:
        store.get_job(job_id).modify(next_run_time=datetime.now(timezone.utc) - timedelta(hours=1))
    store.remove_jobstore("default")  # kept as it is: this scheduler must not run them itself
    store.shutdown()


def _runs(env: dict[str, str]) -> list[tuple[str, str, str | None]]:
    eng = create_engine(env["TRACKER_DATABASE_URL"])
    with eng.connect() as conn:
        rows = conn.execute(text("select source, status, error from source_run order by id")).all()
    eng.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


def _count(env: dict[str, str], sql: str) -> int:
    eng = create_engine(env["TRACKER_DATABASE_URL"])
    with eng.connect() as conn:
        n = int(conn.execute(text(sql)).scalar() or 0)
    eng.dispose()
    return n


def _until(condition: Callable[[], object], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Service:
    """``tracker run`` in its own process, its log in a file, as a service manager runs it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self._log = log.open("w")
        self.proc = subprocess.Popen(tracker_command("run"), env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, text=True)
        self.polls: list[int] = []

    def log(self) -> str:
        return self.log_path.read_text()

    def remember_polls(self) -> None:
        """The poll processes it runs now (they lead their own sessions)."""
        self.polls = _children(self.proc.pid)
        assert self.polls, "no poll running"

    def stop(self, *signals: int, timeout: float = 60) -> int:
        """Send ``signals`` a moment apart; its exit code once it has ended."""
        for i, sig in enumerate(signals):
            if i:
                time.sleep(0.3)
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        """Whatever a failed test left running goes (a poll leads its own process group)."""
        for pid in self.polls:
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._log.close()


@pytest.fixture
def services() -> Iterator[list[Service]]:
    started: list[Service] = []
    yield started
    for service in started:
        service.close()


def test_polls_due_together_after_downtime_each_record_their_own_run(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer,
        services: list[Service]) -> None:
    env = _configure(monkeypatch, tmp_path, replica)
    _overdue("poll-pubinfo", "poll-web", "poll-hearings")  # all three catch up at start
    service = Service(env, tmp_path / "run.log")
    services.append(service)
    done = re.compile(r"poll (pubinfo|web|hearings) (finished|skipped|failed|timed out)")
    _until(lambda: {source for source, _how in done.findall(service.log())} == {"pubinfo", "web", "hearings"},
           timeout=240)
    assert service.stop(signal.SIGTERM) == 0
    assert sorted((source, status) for source, status, _error in _runs(env)) == [
        ("hearings", "ok"), ("pubinfo", "ok"), ("web", "ok")], service.log()


def test_sigterm_during_a_polls_ingest_closes_its_run_and_stores_nothing(tmp_path: Path) -> None:
    big = ReplicaServer(SAMPLE, scale=3000).start()  # an ingest of some seconds
    try:
        t = Tracker(f"sqlite:///{tmp_path / 't.db'}", big)
        t("init")
        downloads = Path(t.env["TRACKER_DATA_DIR"]) / "pubinfo"
        proc = subprocess.Popen(tracker_command("poll", "--source", "pubinfo"), env=t.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _until(lambda: list(downloads.glob("*.zip")))  # the download is complete: the crawl ends
        time.sleep(2.0)  # the reactor has stopped; the extract is being read and stored
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        big.stop()
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "tracker: interrupted"
    assert _runs(t.env) == [("pubinfo", "failed", "interrupted before it finished")]
    assert _count(t.env, "select count(*) from bill") == 0  # all or nothing
    assert _count(t.env, "select count(*) from change_event") == 0


def _hanging_web_poll(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer,
                      services: list[Service], **extra: str) -> tuple[Service, dict[str, str]]:
    """``tracker run`` whose web poll is stuck on a history page that takes minutes to answer."""
    env = _configure(monkeypatch, tmp_path, replica, **extra)
    client = ReplicaClient(replica.url)
    client.fault(HISTORY, "latency", seconds=90)
    _overdue("poll-web")
    service = Service(env, tmp_path / "run.log")
    services.append(service)
    _until(lambda: client.stats().get(HISTORY))
    return service, env


def test_stopping_the_scheduler_stops_its_running_poll_and_exits(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer,
        services: list[Service]) -> None:
    service, env = _hanging_web_poll(monkeypatch, tmp_path, replica, services)
    service.remember_polls()
    assert service.stop(signal.SIGTERM) == 0  # well before the 30-minute crawl_timeout
    assert not [pid for pid in service.polls if _alive(pid)]  # no orphan holding the poll lock
    assert _runs(env) == [("web", "failed", "Interrupted: stopped by a signal before the crawl finished")]
    assert "Traceback" not in service.log()


def test_a_second_signal_while_the_scheduler_stops_is_ignored(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer,
        services: list[Service]) -> None:
    service, env = _hanging_web_poll(monkeypatch, tmp_path, replica, services)
    service.remember_polls()
    assert service.stop(signal.SIGTERM, signal.SIGINT, signal.SIGTERM) == 0
    assert "Traceback" not in service.log()
    assert not [pid for pid in service.polls if _alive(pid)]
    assert [status for _source, status, _error in _runs(env)] == ["failed"]


def test_a_poll_killed_for_its_timeout_says_so_and_tells_staff(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer,
        services: list[Service]) -> None:
    service, env = _hanging_web_poll(monkeypatch, tmp_path, replica, services,
                                     TRACKER_SOURCES__CRAWL_TIMEOUT="6")
    _until(lambda: re.search(r"poll web (timed out|killed)", service.log()))  # the job is over
    assert service.stop(signal.SIGTERM) == 0
    assert _runs(env) == [("web", "failed", "timed out after 6 s; retried at the next run")]
    assert re.search(r"tracker\.scheduler ERROR poll web timed out after 6 s", service.log())
    assert _count(env, "select count(*) from change_event where kind = 'source_problem' "
                       "and summary like 'web: %timed out after 6 s%'") == 1


def test_a_scheduled_poll_that_waited_in_vain_is_logged_as_skipped_at_warning(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer,
        caplog: pytest.LogCaptureFixture) -> None:
    env = _configure(monkeypatch, tmp_path, replica, TRACKER_SOURCES__CRAWL_TIMEOUT="2")
    with exclusive("poll") as mine, caplog.at_level(logging.INFO, logger="tracker.scheduler"):
        assert mine  # this test process plays a manual poll that outlasts the wait
        scheduler.poll_job("web")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "poll web skipped: another 'tracker poll' is still running after 2 s; nothing done")]
    assert _runs(env) == []


def test_a_run_left_open_by_a_killed_poll_is_closed_by_the_next_poll(
        tmp_path: Path, replica: ReplicaServer) -> None:
    t = Tracker(f"sqlite:///{tmp_path / 't.db'}", replica)
    t("init")
    t.client.fault(HISTORY, "latency", seconds=90)
    killed = subprocess.Popen(tracker_command("poll", "--source", "web"), env=t.env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _until(lambda: t.client.stats().get(HISTORY))
    killed.kill()  # SIGKILL: nothing can close its run
    killed.wait(timeout=30)
    assert _runs(t.env) == [("web", "running", None)]
    t.client.post("faults/clear")
    t("poll", "--source", "web")
    assert _runs(t.env) == [("web", "failed", "stopped without finishing"), ("web", "ok", None)]


def test_a_second_scheduler_on_the_same_data_folder_is_refused_in_one_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replica: ReplicaServer,
        services: list[Service]) -> None:
    env = _configure(monkeypatch, tmp_path, replica)
    first = Service(env, tmp_path / "run.log")
    services.append(first)
    _until(lambda: "job digest:" in first.log(), timeout=60)  # it holds the folder now
    second = subprocess.run(tracker_command("run"), env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    (line,) = second.stderr.splitlines()
    assert line.startswith("tracker: error: another 'tracker run' is already running with this data folder")
    assert first.proc.poll() is None  # the first one goes on
    assert first.stop(signal.SIGTERM) == 0
