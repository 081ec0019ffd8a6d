"""A hearing the chamber calendars stop listing, with no cancel note, is closed and told once,
but only when the calendars were read in full; a poll whose pages failed closes nothing. The
real ``tracker`` CLI against the replica on loopback, real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.test_poll_e2e import Tracker, replica  # noqa: F401  (fixture)
from tracker.replica.server import ReplicaServer


def _set(t: Tracker, chamber: str, committee: str) -> int:
    when = date.today() + timedelta(days=5)
    return int(t.client.post("hearing", chamber=chamber, committee=committee, date=when.isoformat(),
                             bill_ids=["SB 275"], time="1:30 p.m.", room="Room 1200")["id"])


def test_a_hearing_dropped_from_the_senate_calendar_is_closed_and_told_once(db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "web")
    hid = _set(t, "senate", "Health")
    t("poll", "--source", "hearings")
    t.client.post("hearing/drop", id=hid)  # pulled from the agenda, no note
    n = len(t.events())
    t("poll", "--source", "hearings")
    assert t.kinds_after(n) == [("202520260SB275", "hearing_canceled")]
    n = len(t.events())
    t("poll", "--source", "hearings")
    assert t.kinds_after(n) == []


def test_a_hearing_dropped_from_the_assembly_daily_file_is_closed(db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "web")
    keep = _set(t, "assembly", "Health")  # the daily file still lists a later hearing: the days are covered
    t.client.post("hearing", chamber="assembly", committee="Budget", date=(date.today() + timedelta(days=9)).isoformat(),
                  bill_ids=["AB 2052"], time="9 a.m.", room="Room 4202")
    t("poll", "--source", "hearings")
    t.client.post("hearing/drop", id=keep)
    n = len(t.events())
    t("poll", "--source", "hearings")
    assert t.kinds_after(n) == [("202520260SB275", "hearing_canceled")]


def test_a_poll_whose_calendar_page_failed_closes_nothing(db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "web")
    hid = _set(t, "senate", "Health")
    t("poll", "--source", "hearings")
    t.client.post("hearing/drop", id=hid)
    t.client.fault("/assembly", "status", status=503)
    n = len(t.events())
    t("poll", "--source", "hearings")
    assert [k for _, k in t.kinds_after(n) if k.startswith("hearing")] == []
