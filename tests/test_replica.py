"""The replica over real HTTP on 127.0.0.1: pages, conditional GET, faults, zips, stats."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from spiders.parsers.search import parse_search
from tracker.pubinfo.reader import read_snapshot
from tracker.replica.client import ReplicaClient
from tracker.replica.server import ReplicaServer

SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample_data" / "pubinfo_2025"
SEARCH = "/faces/billSearchClient.xhtml?session_year=20252026&house=Both&author=All&lawCode=All"


@pytest.fixture
def server() -> Iterator[ReplicaServer]:
    srv = ReplicaServer(SAMPLE).start()
    yield srv
    srv.stop()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_listing_conditional_get_and_stats(server: ReplicaServer) -> None:
    status, headers, body = get(server.url + SEARCH)
    assert status == 200 and body.startswith(b"<?xml version='1.0'")
    rows = parse_search(body.decode(), server.url + SEARCH)
    assert len(rows) == 4
    assert get(server.url + SEARCH, {"If-None-Match": headers["etag"]})[0] == 304
    assert get(server.url + SEARCH, {"If-Modified-Since": headers["last-modified"]})[0] == 304
    client = ReplicaClient(server.url)
    client.post("action", bill_id="AB 831", action="Returned to the Assembly.", status="Enrolled")
    assert get(server.url + SEARCH, {"If-None-Match": headers["etag"]})[0] == 200
    assert client.stats() == {"/faces/billSearchClient.xhtml": 4}


def test_faults(server: ReplicaServer) -> None:
    client = ReplicaClient(server.url)
    status_url = server.url + "/faces/billStatusClient.xhtml?bill_id=202520260AB831"
    client.fault("/faces/billStatusClient.xhtml", "status", status=502, times=1)
    assert get(status_url)[0] == 502
    assert get(status_url)[0] == 200  # counted fault used up
    client.fault("/faces/billStatusClient.xhtml", "rate_limit", retry_after=7, times=1)
    code, headers, _ = get(status_url)
    assert code == 429 and headers["retry-after"] == "7"
    client.fault("/faces/billStatusClient.xhtml", "truncate", times=1)
    assert b"</html>" not in get(status_url)[2]
    client.fault("/faces/", "robots")
    assert b"Disallow: /faces/" in get(server.url + "/robots.txt")[2]
    client.post("reset")
    assert b"Disallow: /faces/" not in get(server.url + "/robots.txt")[2]


def test_bulk_zip_round_trip(server: ReplicaServer, tmp_path: Path) -> None:
    client = ReplicaClient(server.url)
    client.post("amend", bill_id="AB 1656", title="An act relating to mental health.",
                subject="Mental health: crisis services.", digest="Gut and amend digest.",
                text="SECTION 1. Crisis services.")
    code, headers, body = get(server.url + "/pubinfo/pubinfo_daily_Mon.zip")
    assert code == 200
    path = tmp_path / "daily.zip"
    path.write_bytes(body)
    snap = read_snapshot(path)
    assert set(snap.bundles) == set(server.replica.state.bills)
    versions = snap.bundles["202520260AB1656"].versions
    newest = min(versions, key=lambda v: v.version_num)
    assert newest.subject == "Mental health: crisis services." and newest.lob
    assert b"Gut and amend digest." in snap.read_lob(newest.lob)
    assert get(server.url + "/pubinfo/pubinfo_daily_Mon.zip", {"If-None-Match": headers["etag"]})[0] == 304
    code, _, delta = get(server.url + "/pubinfo/pubinfo_Mon.zip")
    (tmp_path / "delta.zip").write_bytes(delta)
    assert set(read_snapshot(tmp_path / "delta.zip").bundles) == {"202520260AB1656"}
