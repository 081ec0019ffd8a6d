"""How the crawls treat a struggling or unwilling host, over real HTTP on 127.0.0.1.

A page that timed out or could not connect is asked again after a pause; a host that says
"wait" (429 + Retry-After) gets no request at all until then; a host that keeps failing or
refusing (403) is left alone for the rest of the poll, said in one line. Each test runs the real
``tracker poll`` (or, where no server may listen, the real detail spider) in a child process
against the replica with injected faults, and reads what reached the replica from its request log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.replica.client import ReplicaClient
from tracker.replica.server import ReplicaServer, free_port

SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample_data" / "pubinfo_2025"
STATUS, HISTORY = "/faces/billStatusClient.xhtml", "/faces/billHistoryClient.xhtml"
BILLS = ("202520260AB1656", "202520260AB2052", "202520260AB831", "202520260SB275")
GIVE_UP = "not asked again this poll"


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    srv = ReplicaServer(SAMPLE).start()
    yield srv
    srv.stop()


def env_for(tmp_path: Path, leginfo_url: str, **sources: str) -> dict[str, str]:
    """The tracker's environment: its own SQLite file, the given site, no delay between requests."""
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
           "TRACKER_DATA_DIR": str(tmp_path / "var"), "TRACKER_SOURCES__LEGINFO_URL": leginfo_url,
           "TRACKER_SOURCES__REQUEST_DELAY": "0", "TRACKER_SOURCES__MAINTENANCE_WINDOW": "00:00-00:00"}
    env.update({f"TRACKER_SOURCES__{key.upper()}": value for key, value in sources.items()})
    return env


def web_poll(replica: ReplicaServer, tmp_path: Path, **sources: str) -> str:
    """``tracker init`` then ``tracker poll --source web``; returns what the poll printed."""
    env = env_for(tmp_path, replica.url, **sources)
    for args in (("init",), ("poll", "--source", "web")):
        proc = subprocess.run([sys.executable, "-c", "from tracker.cli import main; main()", *args],
                              env=env, capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def warnings_about_the_host(output: str) -> list[str]:
    """The poll's warning lines that name a page of the site (not the per-bill summary)."""
    return [line for line in output.splitlines() if line.strip().startswith("warning:") and "http://" in line]


def detail_requests(client: ReplicaClient) -> list[dict[str, object]]:
    return [r for r in client.requests() if r["path"] in (STATUS, HISTORY)]


def test_a_page_that_timed_out_is_asked_again(replica: ReplicaServer, tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault(STATUS, "latency", seconds=3, times=1)  # longer than the download timeout, once
    out = web_poll(replica, tmp_path, download_timeout="1", retry_times="1")
    assert "web: ok" in out, out
    assert client.stats()[STATUS] == len(BILLS) + 1


def test_three_pages_timing_out_in_a_row_stop_the_poll_asking_that_host(replica: ReplicaServer,
                                                                        tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault(STATUS, "latency", seconds=3)
    client.fault(HISTORY, "latency", seconds=3)
    out = web_poll(replica, tmp_path, download_timeout="1", retry_times="1")
    asked = [(r["path"], r["query"]) for r in detail_requests(client)]
    assert len(asked) == 6  # three pages, each tried twice; the other five pages wait for the next poll
    assert [asked.count(page) for page in asked] == [2] * 6
    assert out.count(GIVE_UP) == 1, out


CRAWL_DETAIL_PAGES = """
import json, sys
from spiders.collect import Collector
from spiders.leginfo_bill import BillJob, LeginfoBillSpider
from tracker.polling.crawl import Crawls, run_steps
from tracker.settings import get_settings

settings, collector = get_settings(), Collector()
crawls = Crawls(settings)

def step(c):
    yield c.crawl(LeginfoBillSpider, base_url=sys.argv[1], jobs=[BillJob(b) for b in sys.argv[2:]],
                  collector=collector)

run_steps(settings, [(crawls, step)])
stats = crawls.stats[0]
print(json.dumps({"requests": stats.get("downloader/request_count", 0),
                  "skipped": stats.get("polite_retry/skipped_host_down", 0),
                  "problems": [p.message for p in collector.problems]}))
"""


def test_a_refused_connection_is_retried_then_counts_toward_giving_up_the_host(tmp_path: Path) -> None:
    nobody_listens = f"http://127.0.0.1:{free_port()}"
    env = env_for(tmp_path, nobody_listens, retry_times="1", obey_robots="false")
    proc = subprocess.run([sys.executable, "-c", CRAWL_DETAIL_PAGES, nobody_listens, *BILLS],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    crawl = json.loads(proc.stdout.splitlines()[-1])
    assert crawl["requests"] == 6  # three pages, each tried twice
    assert crawl["skipped"] == 2 * len(BILLS) - 3
    assert sum(GIVE_UP in p for p in crawl["problems"]) == 1, crawl["problems"]


def test_retry_after_holds_back_every_request_to_the_host(replica: ReplicaServer, tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault(HISTORY, "rate_limit", retry_after=3, times=1)
    out = web_poll(replica, tmp_path)
    assert "web: ok" in out, out
    log = client.requests()
    limited = next(i for i, r in enumerate(log) if r["fault_status"] == 429)
    assert log[limited + 1]["at"] - log[limited]["at"] >= 2.9  # nothing else went out meanwhile


def test_a_retry_after_beyond_the_cap_gives_the_host_up_in_one_line(replica: ReplicaServer,
                                                                   tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault(STATUS, "rate_limit", retry_after=600)
    client.fault(HISTORY, "rate_limit", retry_after=600)
    out = web_poll(replica, tmp_path, max_retry_after="5")
    assert len(detail_requests(client)) == 1
    lines = warnings_about_the_host(out)
    assert len(lines) == 1 and "asks us to wait 600 s" in lines[0] and GIVE_UP in lines[0], out


def test_refusals_count_toward_giving_up_the_host_and_are_said_once(replica: ReplicaServer,
                                                                    tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault(STATUS, "forbidden")
    client.fault(HISTORY, "forbidden")
    out = web_poll(replica, tmp_path)
    assert len(detail_requests(client)) == 3
    lines = warnings_about_the_host(out)
    assert len(lines) == 1 and "HTTP 403" in lines[0] and GIVE_UP in lines[0], out


def test_a_robots_txt_answering_5xx_means_the_site_is_not_crawled_this_poll(replica: ReplicaServer,
                                                                            tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault("/robots.txt", "status", status=500)
    out = web_poll(replica, tmp_path)
    stats = client.stats()
    assert stats == {"/robots.txt": 1}  # asked once for both crawls, not retried; no page asked
    lines = [line for line in out.splitlines() if "robots.txt unavailable" in line]
    assert len(lines) == 1 and "HTTP 500" in lines[0] and "the bulk download still is" in lines[0], out


def test_a_robots_txt_that_does_not_answer_means_the_site_is_not_crawled_this_poll(replica: ReplicaServer,
                                                                                   tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault("/robots.txt", "latency", seconds=3)
    out = web_poll(replica, tmp_path, download_timeout="1")
    assert client.stats() == {"/robots.txt": 1}
    lines = [line for line in out.splitlines() if "robots.txt unavailable" in line]
    assert len(lines) == 1, out
    assert "Traceback" not in out


def test_the_next_poll_asks_for_robots_txt_again_and_crawls_when_it_answers(replica: ReplicaServer,
                                                                            tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault("/robots.txt", "status", status=503, times=1)
    web_poll(replica, tmp_path)
    out = web_poll(replica, tmp_path)
    assert "web: ok" in out, out
    assert client.stats()["/robots.txt"] == 2
    assert client.stats()[STATUS] == len(BILLS)


def test_a_robots_txt_answering_404_allows_everything(replica: ReplicaServer, tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    client.fault("/robots.txt", "status", status=404)
    out = web_poll(replica, tmp_path)
    assert "web: ok" in out and "robots.txt" not in out, out
    assert client.stats()[STATUS] == len(BILLS)


def test_request_delay_spaces_every_request_of_a_poll_across_its_two_crawls(replica: ReplicaServer,
                                                                            tmp_path: Path) -> None:
    client = ReplicaClient(replica.url)
    out = web_poll(replica, tmp_path, request_delay="0.4")
    assert "web: ok" in out, out
    gaps = client.gaps()
    assert len(gaps) >= 8  # the listing, then the detail pages of four bills
    assert min(gaps) >= 0.39, gaps
