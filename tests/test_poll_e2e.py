"""End to end: replica on 127.0.0.1 (started here) + ``tracker poll`` as the real CLI.

Each scenario makes scripted changes in the replica and asserts the change events the next
poll stores, what it requested (``/_replica/stats``) and that failures leave bills unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from tracker.db.models_core import ChangeEvent
from tracker.replica.client import ReplicaClient
from tracker.replica.server import ReplicaServer

SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample_data" / "pubinfo_2025"
DETAIL_PAGES = ("billStatusClient", "billHistoryClient", "billVotesClient", "billTextClient")


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    srv = ReplicaServer(SAMPLE).start()
    yield srv
    srv.stop()


class Tracker:
    """Runs ``tracker ...`` in a child process against one database and one replica."""

    def __init__(self, db_url: str, replica: ReplicaServer) -> None:
        self.db_url = db_url
        self.env = {**os.environ, "TRACKER_DATABASE_URL": db_url,
                    "TRACKER_SOURCES__LEGINFO_URL": replica.url,
                    "TRACKER_SOURCES__PUBINFO_URL": f"{replica.url}/pubinfo",
                    "TRACKER_SOURCES__SENATE_URL": f"{replica.url}/senate",
                    "TRACKER_SOURCES__ASSEMBLY_URL": f"{replica.url}/assembly",
                    "TRACKER_SOURCES__REQUEST_DELAY": "0",
                    "TRACKER_SOURCES__MAINTENANCE_WINDOW": "00:00-00:00"}
        self.client = ReplicaClient(replica.url)

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-c", "from tracker.cli import main; main()", *args],
                              env=self.env, capture_output=True, text=True, timeout=180)
        if ok:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def events(self) -> list[ChangeEvent]:
        eng = create_engine(self.db_url)
        with eng.connect() as conn:
            rows = conn.execute(select(ChangeEvent.__table__).order_by(ChangeEvent.id)).all()
        eng.dispose()
        return rows  # type: ignore[return-value]

    def kinds_after(self, before: int) -> list[tuple[str | None, str]]:
        return sorted((e.bill_id, e.kind) for e in self.events()[before:])

    def sql(self, statement: str) -> None:
        eng = create_engine(self.db_url)
        with eng.begin() as conn:
            conn.execute(text(statement))
        eng.dispose()

    def bills(self) -> dict[str, dict[str, object]]:
        out = self("export", "bills", "--format", "jsonl").stdout
        return {b["bill_id"]: b for b in map(json.loads, out.splitlines())}


def test_web_poll_stores_listing_then_costs_only_the_listing(db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    t("init")
    first = t("poll", "--source", "web")
    assert "web: ok" in first.stdout
    bills = t.bills()
    assert set(bills) == set(replica.replica.state.bills)
    assert bills["202520260SB275"]["current_status"] == "Vetoed"
    assert all(b["current_status"] for b in bills.values())
    assert bills["202520260AB1656"]["authors"] == ["Davies"]  # from the status page
    stats = t.client.stats()
    assert stats["/faces/billSearchClient.xhtml"] == 1
    assert stats["/faces/billStatusClient.xhtml"] == stats["/faces/billHistoryClient.xhtml"] == 4
    assert stats["/robots.txt"] == 1  # one poll, two crawls, one robots.txt
    n_events = len(t.events())
    assert [e.kind for e in t.events()] == ["new_bill"] * 4

    t.client.reset_stats()
    second = t("poll", "--source", "web")
    assert len(t.events()) == n_events, second.stdout
    stats = t.client.stats()
    assert not any(page in path for path in stats for page in DETAIL_PAGES), stats
    assert set(stats) <= {"/robots.txt", "/faces/billSearchClient.xhtml"}


def test_robots_txt_crawl_delay_spaces_every_request_across_both_crawls(db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    t("init")
    t.client.fault("/", "crawl_delay", seconds=0.4)
    t.client.reset_stats()
    t("poll", "--source", "web")
    gaps = t.client.gaps()
    assert len(gaps) >= 8  # the listing, then the detail pages of four bills
    assert min(gaps) >= 0.35, gaps


def test_a_site_down_for_maintenance_gets_a_few_tries_not_every_queued_page(db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    t.env["TRACKER_SOURCES__RETRY_TIMES"] = "0"
    t("init")
    for page in DETAIL_PAGES:
        t.client.fault(f"/faces/{page}.xhtml", "maintenance")
    t.client.reset_stats()
    out = t("poll", "--source", "web").stdout
    asked = sum(n for path, n in t.client.stats().items() if any(p in path for p in DETAIL_PAGES))
    assert asked < 8  # of 16 detail pages: three failures in a row, then the rest wait
    assert out.count("not asked again this poll") == 1
    assert t.bills() == {}  # nothing half-stored from a failed poll


def test_a_second_poll_while_one_runs_does_nothing(db_url: str, replica: ReplicaServer, tmp_path: Path) -> None:
    t = Tracker(db_url, replica)
    t.env["TRACKER_DATA_DIR"] = str(tmp_path / "var")
    t("init")
    t.client.fault("/faces/billSearchClient.xhtml", "latency", seconds=8, times=1)
    first = subprocess.Popen([sys.executable, "-c", "from tracker.cli import main; main()", "poll", "--source", "web"],
                             env=t.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(100):  # until the first poll holds the lock and is crawling
        if t.client.stats().get("/faces/billSearchClient.xhtml"):
            break
        time.sleep(0.1)
    second = t("poll", "--source", "web")
    assert "another 'tracker poll' is running; nothing to do" in second.stdout
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    assert [e.kind for e in t.events()] == ["new_bill"] * 4  # stored once


def _bulk_and_web(t: Tracker) -> None:
    t("init")
    t("poll", "--source", "pubinfo")
    t("poll", "--source", "web")
    t.sql("UPDATE bill SET watched = true WHERE bill_id = '202520260AB1656'")


def test_status_5xx_fault_leaves_bill_unchanged_then_recovers(db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    _bulk_and_web(t)
    before_bill = t.bills()["202520260AB1656"]
    t.client.post("action", bill_id="AB 1656", action="Read third time. Passed. Ordered to the Assembly.",
                  status="Enrolled", when=date.today().isoformat())
    t.client.fault("/faces/billStatusClient.xhtml", "status", status=503)
    n = len(t.events())
    out = t("poll", "--source", "web").stdout
    assert "warning" in out and "503" in out
    assert t.bills()["202520260AB1656"] == before_bill
    assert t.kinds_after(n) == [(None, "source_problem")]

    t.client.post("faults/clear")
    t.client.reset_stats()
    n = len(t.events())
    out = t("poll", "--source", "web").stdout
    kinds = {k for _, k in t.kinds_after(n)}
    assert {"new_action", "status_changed"} <= kinds <= {"new_action", "status_changed", "stage_changed"}, out
    assert {b for b, _ in t.kinds_after(n)} == {"202520260AB1656"}
    assert t.bills()["202520260AB1656"]["current_status"] == "Enrolled"
    stats = t.client.stats()  # listing + at most 4 detail pages for one changed bill
    assert sum(v for k, v in stats.items() if k != "/robots.txt") <= 1 + 4


def test_hearing_set_then_canceled(db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "web")
    when = date.today() + timedelta(days=5)
    hid = t.client.post("hearing", chamber="senate", committee="Health", date=when.isoformat(),
                        bill_ids=["SB 275"], time="1:30 p.m.", room="Room 1200")["id"]
    n = len(t.events())
    t("poll", "--source", "hearings")
    assert t.kinds_after(n) == [("202520260SB275", "hearing_set")]
    t.client.post("hearing/cancel", id=hid)
    n = len(t.events())
    t("poll", "--source", "hearings")
    assert t.kinds_after(n) == [("202520260SB275", "hearing_canceled")]
    n = len(t.events())
    t("poll", "--source", "hearings")
    assert t.kinds_after(n) == []


def test_layout_change_and_robots_are_reported_not_stored(db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "web")
    before = t.bills()
    t.client.post("action", bill_id="SB 275", action="Returned to Secretary of Senate.", status="Died")
    t.client.fault("/faces/billHistoryClient.xhtml", "layout")
    n = len(t.events())
    out = t("poll", "--source", "web").stdout
    assert "layout" in out
    assert t.bills() == before
    assert t.kinds_after(n) == [(None, "source_problem")]

    t.client.post("faults/clear")
    t.client.fault("/faces/", "robots")
    out = t("poll", "--source", "web").stdout
    assert "robots.txt disallows" in out and "pubinfo" in out
    assert t.bills() == before


def test_robots_refusing_the_bulk_download_says_what_to_do_not_to_use_itself(db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    t("init")
    t.client.fault("/pubinfo", "robots")
    out = t("poll", "--source", "pubinfo").stdout
    assert "robots.txt disallows the bulk download" in out, out
    assert "webmaster" in out and "obey_robots" in out
    assert "use the bulk channel" not in out


def test_senate_agendas_behind_a_modal_are_a_layout_warning_not_no_hearings(db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "web")
    t.client.post("hearing", chamber="senate", committee="Health", date=(date.today() + timedelta(days=5)).isoformat(),
                  bill_ids=["SB 275"])
    t.client.fault("/senate/calendar", "agenda_modal")
    n = len(t.events())
    out = t("poll", "--source", "hearings").stdout
    assert "layout" in out and "modal" in out, out
    assert t.kinds_after(n) == [(None, "source_problem")]
