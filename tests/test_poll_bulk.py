"""The bulk channel downloads the zip in HTTP ranges (bounded memory) and asks 'changed?' next time."""

from __future__ import annotations

from pathlib import Path

from tests.test_poll_e2e import SAMPLE, Tracker, replica  # noqa: F401  (fixture)
from tracker.replica.server import ReplicaServer


def test_bulk_zip_arrives_in_ranges_and_a_second_poll_is_not_modified(db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    tracker = Tracker(db_url, replica)
    tracker.env["TRACKER_SOURCES__PUBINFO_SLICE_BYTES"] = "16384"
    tracker("init")
    tracker("poll", "--source", "pubinfo")
    bills = tracker.bills()
    assert len(bills) == 4 and all(b["current_status"] for b in bills.values())
    zips = {p: n for p, n in tracker.client.stats().items() if p.startswith("/pubinfo/")}
    assert len(zips) == 1 and next(iter(zips.values())) >= 3  # several ranged slices of one file
    events = len(tracker.events())
    tracker.client.reset_stats()
    tracker("poll", "--source", "pubinfo")
    assert len(tracker.events()) == events
    again = {p: n for p, n in tracker.client.stats().items() if p.startswith("/pubinfo/")}
    assert list(again.values()) == [1]  # one conditional request, answered 304


def test_a_replica_change_after_importing_the_real_extract_reaches_the_bulk_poll(
        db_url: str, replica: ReplicaServer, tmp_path: Path) -> None:  # noqa: F811
    tracker = Tracker(db_url, replica)
    tracker.env["TRACKER_DATA_DIR"] = str(tmp_path / "var")
    tracker("init")
    tracker("import-pubinfo", str(SAMPLE))
    before = len(tracker.events())
    tracker.client.post("action", bill_id="AB 1656", action="Read third time. Passed. Ordered to the Assembly.",
                        status="Enrolled")
    tracker("poll", "--source", "pubinfo")
    kinds = {kind for bill, kind in tracker.kinds_after(before) if bill == "202520260AB1656"}
    assert {"new_action", "status_changed"} <= kinds
    assert tracker.bills()["202520260AB1656"]["current_status"] == "Enrolled"


def test_a_bulk_file_that_fails_import_is_set_aside_not_left_to_pile_up(
        db_url: str, replica: ReplicaServer, tmp_path: Path) -> None:  # noqa: F811
    tracker = Tracker(db_url, replica)
    target = tmp_path / "var" / "pubinfo"
    tracker.env["TRACKER_DATA_DIR"] = str(tmp_path / "var")
    tracker.env["TRACKER_SOURCES__PUBINFO_KEEP_FILES"] = "1"
    tracker("init")
    tracker.client.fault("/pubinfo", "bad_extract")
    for _ in range(3):  # three failed nights
        proc = tracker("poll", "--source", "pubinfo", ok=False)
        assert proc.returncode == 1 and "expected 19 columns" in proc.stdout, proc.stdout + proc.stderr
        assert "kept for diagnosis" in proc.stdout
        errors = [line for line in proc.stdout.splitlines() if "expected 19 columns" in line]
        assert errors and all("/pubinfo/failed/" in line for line in errors)  # named where it is now
    assert list(target.glob("*.zip")) == []
    assert len(list((target / "failed").iterdir())) == 1  # the last failure only
    tracker.client.post("faults/clear")
    tracker("poll", "--source", "pubinfo")
    tracker.client.post("action", bill_id="AB 831", action="Chaptered again.", status="Chaptered")
    tracker("poll", "--source", "pubinfo")
    assert len(list(target.glob("*.zip"))) == 1  # pubinfo_keep_files


def test_a_server_that_ignores_ranges_still_serves_a_small_zip_whole(db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    tracker = Tracker(db_url, replica)
    tracker("init")
    tracker.client.fault("/pubinfo", "no_range")
    tracker("poll", "--source", "pubinfo")
    assert len(tracker.bills()) == 4
    zips = {p: n for p, n in tracker.client.stats().items() if p.startswith("/pubinfo/")}
    assert list(zips.values()) == [1]  # one answer with the whole file


def test_a_whole_file_bigger_than_the_memory_cap_is_refused_in_one_warning_and_the_next_poll_recovers(
        db_url: str, replica: ReplicaServer, tmp_path: Path) -> None:  # noqa: F811
    tracker = Tracker(db_url, replica)
    tracker.env["TRACKER_DATA_DIR"] = str(tmp_path / "var")
    tracker.env["TRACKER_SOURCES__PUBINFO_SLICE_BYTES"] = "1024"  # the cap: 4 KB, below the zip's size
    tracker("init")
    tracker.client.fault("/pubinfo", "no_range")
    proc = tracker("poll", "--source", "pubinfo")  # a network warning, as when the host is down
    lines = [line for line in proc.stdout.splitlines() if "ignored the byte range" in line]
    assert len(lines) == 1 and "up to 4 KB" in lines[0], proc.stdout
    assert "TRACKER_SOURCES__PUBINFO_SLICE_BYTES" in lines[0]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert tracker.bills() == {}
    assert not list((tmp_path / "var" / "pubinfo").glob("*.part"))  # no half file left behind
    tracker.client.post("faults/clear")
    tracker("poll", "--source", "pubinfo")
    assert len(tracker.bills()) == 4
