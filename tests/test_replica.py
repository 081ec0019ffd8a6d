"""The replica over real HTTP on 127.0.0.1: pages, conditional GET, faults, zips, stats."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from parsel import Selector

from spiders.parsers.bill import parse_status_authors
from spiders.parsers.search import parse_search
from tracker.pubinfo.reader import read_snapshot
from tracker.replica.client import ReplicaClient
from tracker.replica.server import ReplicaServer, free_port

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


def test_status_page_gives_each_author_the_authors_own_house(server: ReplicaServer) -> None:
    # AB 1656 is in the Senate now; its author Davies sits in the Assembly (BILL_VERSION_AUTHORS_TBL)
    assert server.replica.state.bills["202520260AB1656"].house == "Senate"
    _, _, body = get(server.url + "/faces/billStatusClient.xhtml?bill_id=202520260AB1656")
    authors = parse_status_authors(body.decode(), "status", "20250AB165697AMD")
    assert [(a.name, a.house) for a in authors] == [("Davies", "ASSEMBLY")]


def test_agenda_modal_fault_puts_senate_agendas_behind_ajax_links(server: ReplicaServer) -> None:
    client = ReplicaClient(server.url)
    client.post("hearing", chamber="senate", committee="Health", date="2025-04-08", bill_ids=["SB 275"])
    calendar = server.url + "/senate/calendar?startDate=2025-04-01&endDate=2025-04-30&committeeHearings=1"
    inline = Selector(text=get(calendar)[2].decode())
    assert inline.css("div.page-events__content span.CommitteeTopic span.Measure")
    assert not inline.css("a.use-ajax")
    client.fault("/senate/calendar", "agenda_modal")
    modal = Selector(text=get(calendar)[2].decode())
    assert modal.css("div.page-events__content h4.page-events__title")  # the hearing is still listed
    assert not modal.css("span.Measure")
    assert modal.css("div.page-events__content a.use-ajax::attr(href)").get()


def test_request_log_lists_page_requests_with_the_fault_that_answered(server: ReplicaServer) -> None:
    client = ReplicaClient(server.url)
    client.fault("/faces/billStatusClient.xhtml", "rate_limit", retry_after=5, times=1)
    status_url = server.url + "/faces/billStatusClient.xhtml?bill_id=202520260AB831"
    get(status_url)
    get(status_url)
    get(server.url + "/robots.txt")
    log = client.requests()
    assert [(r["path"], r["query"], r["fault_status"]) for r in log] == [
        ("/faces/billStatusClient.xhtml", "bill_id=202520260AB831", 429),
        ("/faces/billStatusClient.xhtml", "bill_id=202520260AB831", None),
    ]
    assert log[0]["at"] <= log[1]["at"]


def test_replica_ports_confines_the_port_the_replica_listens_on(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("REPLICA_PORTS", f"{port}-{port}")
    srv = ReplicaServer(SAMPLE).start()
    try:
        assert srv.port == port
        assert get(srv.url + "/robots.txt")[0] == 200
    finally:
        srv.stop()


def test_the_bulk_hearing_table_names_each_committee_as_the_real_one_does(server: ReplicaServer, tmp_path: Path) -> None:
    ReplicaClient(server.url).post("hearing", chamber="senate", committee="Public Safety",
                                   date="2026-12-15", bill_ids=["AB 2052"])
    path = tmp_path / "daily.zip"
    path.write_bytes(get(server.url + "/pubinfo/pubinfo_daily_Mon.zip")[2])
    snap = read_snapshot(path)
    (hearing,) = snap.bundles["202520260AB2052"].hearings
    assert hearing.committee_code == "CS91" and hearing.committee_name == "Senate Public Safety"


def _shape(cell: str) -> str:
    """How a .dat cell is written: NULL, a backticked string, or a bare number/datetime/LOB name."""
    return "NULL" if cell == "NULL" else "string" if cell.startswith("`") else "bare"


def _rows_by_key(data: str, key_columns: int) -> dict[tuple[str, ...], list[str]]:
    rows = [line.split("\t") for line in data.splitlines() if line]
    return {tuple(r[:key_columns]): r for r in rows}


@pytest.mark.parametrize(("table", "key_columns"), [("BILL_TBL", 1), ("BILL_VERSION_TBL", 1),
                                                    ("BILL_VERSION_AUTHORS_TBL", 4), ("BILL_HISTORY_TBL", 2)])
def test_bulk_rows_are_written_as_the_real_rows_they_came_from(server: ReplicaServer, tmp_path: Path,
                                                              table: str, key_columns: int) -> None:
    import zipfile

    path = tmp_path / "daily.zip"
    path.write_bytes(get(server.url + "/pubinfo/pubinfo_daily_Mon.zip")[2])
    ours = _rows_by_key(zipfile.ZipFile(path).read(f"{table}.dat").decode(), key_columns)
    real = _rows_by_key((SAMPLE / f"{table}.dat").read_text("utf-8"), key_columns)
    if table == "BILL_VERSION_AUTHORS_TBL":  # the replica lists the newest print's authors on every print
        real = {k: r for k, r in real.items() if k in ours}
        assert len(real) >= 10
    else:
        assert set(ours) == set(real)
    not_kept = {13} if table == "BILL_VERSION_TBL" else set()  # taxlevy: the reader does not keep it (NULL)
    for key, row in real.items():
        assert len(ours[key]) == len(row)
        shapes = [(i, _shape(ours[key][i]), _shape(cell)) for i, cell in enumerate(row) if i not in not_kept]
        assert [s for s in shapes if s[1] != s[2]] == [], key
    if table == "BILL_TBL":  # an unchanged bill keeps the time the legislature last changed it
        assert {k: r[13] for k, r in ours.items()} == {k: r[13] for k, r in real.items()}


def test_a_bill_the_replica_changes_gets_a_newer_trans_update(server: ReplicaServer, tmp_path: Path) -> None:
    ReplicaClient(server.url).post("action", bill_id="AB 1656", action="Ordered to third reading.",
                                   status="In Floor Process")
    path = tmp_path / "daily.zip"
    path.write_bytes(get(server.url + "/pubinfo/pubinfo_daily_Mon.zip")[2])
    snap = read_snapshot(path)
    real = read_snapshot(SAMPLE)
    changed, before = snap.bundles["202520260AB1656"].bill, real.bundles["202520260AB1656"].bill
    assert changed is not None and before is not None and changed.trans_update and before.trans_update
    assert changed.trans_update > before.trans_update
    assert snap.bundles["202520260SB275"].bill.trans_update == real.bundles["202520260SB275"].bill.trans_update  # type: ignore[union-attr]


def test_a_committees_location_code_stays_when_another_committees_hearing_goes() -> None:
    from datetime import date

    from tracker.replica.datwriter import committee_codes
    from tracker.replica.state import ReplicaState

    state = ReplicaState(SAMPLE)
    first = state.set_hearing("senate", "Appropriations", date(2026, 12, 15), ["202520260AB2052"])
    state.set_hearing("assembly", "Health", date(2026, 12, 16), ["202520260AB1656"])
    before = committee_codes(state)
    state.drop_hearing(first)
    assert committee_codes(state)[("assembly", "Health")] == before[("assembly", "Health")]
