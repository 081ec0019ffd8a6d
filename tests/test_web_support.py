"""Shared helpers for the web tests: a seeded database and a TestClient (no tests here).

The database is the real mini PUBINFO extract (4 bills) plus a few rows the extract lacks:
one relevant bill with a position, an upcoming and a canceled hearing, source runs (one
failed), and a bill whose title contains markup to prove templates escape it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from tests.clirun import TRACKER
from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.db.models_core import Bill, BillVersion, ChangeEvent, Hearing, SourceRun
from tracker.ingest.service import ingest_snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT, get_settings
from tracker.web.app import create_app

FILES = Path(__file__).parent / "files"
EVIL = '<script>alert("x")</script> & mental health'
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed(db_url: str) -> sessionmaker[Session]:
    """Create, migrate and fill a database; returns its session factory."""
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    ingest_snapshot(factory, read_snapshot(FILES / "pubinfo/mini"),
                    matcher=load_matcher(PROJECT_ROOT / "config" / "topics.toml"))
    now = datetime.now(timezone.utc)
    with factory() as s:
        ab = s.get(Bill, "202520260AB1656")
        assert ab is not None
        ab.relevant, ab.topics = True, ["mental_health_services", "crisis_988"]
        s.add(Bill(bill_id="202520260AB9999", session_year="20252026", measure_type="AB", measure_num=9999,
                   measure="AB 9999", title=EVIL, relevant=True, topics=["mental_health_services"],
                   stage="in_committee", current_house="Assembly"))
        s.add(BillVersion(bill_version_id="20250AB999999INT", bill_id="202520260AB9999", version_num=99,
                          action_date=date(2026, 1, 5), action="Introduced",
                          digest="First sentence stays. <b>Old</b> rule applies."))
        s.add(BillVersion(bill_version_id="20250AB999998AMD", bill_id="202520260AB9999", version_num=98,
                          action_date=date(2026, 2, 5), action="Amended Assembly",
                          digest="First sentence stays. New rule applies to 988 centers."))
        s.flush()
        soon = date.today() + timedelta(days=5)
        s.add(Hearing(bill_id="202520260AB1656", fingerprint="fp-upcoming", committee_name="Health, Care; & Services",
                      hearing_date=soon, hearing_time="1:30 p.m.", room="1021 O Street, Room 1100",
                      status="scheduled", note="A very long note " * 8))
        s.add(Hearing(bill_id="202520260AB9999", fingerprint="fp-cancel", committee_name="Judiciary",
                      hearing_date=soon + timedelta(days=1), hearing_time="Upon adjournment",
                      status="canceled"))
        s.add(ChangeEvent(bill_id="202520260AB9999", kind="amended", summary="AB 9999 was amended",
                          dedupe_key="web-test-1", created_at=now - timedelta(hours=1)))
        s.add(SourceRun(source="pubinfo", status="ok", started_at=now - timedelta(hours=2),
                        finished_at=now - timedelta(hours=2)))
        s.add(SourceRun(source="web", status="ok", started_at=now - timedelta(days=5),
                        finished_at=now - timedelta(days=5)))
        s.add(SourceRun(source="hearings", status="failed", started_at=now - timedelta(minutes=5),
                        finished_at=now - timedelta(minutes=5), error="boom"))
        s.commit()
    return factory


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    factory = seed(db_url)
    with TestClient(create_app(get_settings(), factory)) as c:
        yield c
    factory.kw["bind"].dispose()


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF field in page"
    return m.group(1)


def free_port() -> int:
    """A free loopback port for a real server a test starts.

    Any free port, or on a shared machine the first free one in ``WEB_TEST_PORTS`` (for example
    ``18600-18699``) so tests stay inside the ports they were given.
    """
    wanted = os.environ.get("WEB_TEST_PORTS", "")
    low, _sep, high = wanted.partition("-")
    candidates = range(int(low), int(high or low) + 1) if low.strip() else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise AssertionError(f"no free port in WEB_TEST_PORTS={wanted}")


def start_web(env: dict[str, str], port: int, probe: str = "/") -> tuple[subprocess.Popen[bytes], str]:
    """The real ``tracker web`` on loopback ``port``, returned once ``probe`` answers 200."""
    proc = subprocess.Popen([TRACKER, "web", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(base + probe, timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(proc.stdout.read().decode() if proc.stdout else "server did not start")
