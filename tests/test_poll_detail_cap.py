"""A web poll reads at most ``max_detail_bills`` bills' detail pages; the rest wait their turn.

At the real site's pace a session's worth of detail pages outlasts crawl_timeout, and a killed
crawl stores nothing, so every poll would start over. Capped, each poll ends and stores its
share, and the next poll takes the bills still waiting.
"""

from __future__ import annotations

from tests.test_poll_e2e import SAMPLE, Tracker, replica  # noqa: F401 (the replica fixture)
from tracker.replica.server import ReplicaServer

STATUS = "/faces/billStatusClient.xhtml"


def test_bills_beyond_the_cap_are_read_by_the_next_poll_not_this_one(db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    t = Tracker(db_url, replica)
    t.env["TRACKER_SOURCES__MAX_DETAIL_BILLS"] = "3"
    t("init")
    t("poll", "--source", "web")
    assert t.client.stats()[STATUS] == 3  # four bills listed, three read
    assert len(t.bills()) == 4  # every listed bill is stored all the same
    t.client.reset_stats()
    t("poll", "--source", "web")
    assert t.client.stats().get(STATUS) == 1  # the one left waiting
    t.client.reset_stats()
    t("poll", "--source", "web")
    assert STATUS not in t.client.stats()


def test_a_followed_bill_left_waiting_by_the_cap_is_read_at_the_next_poll(db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    from datetime import date
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "pubinfo")
    t.sql("UPDATE bill SET watched = true WHERE bill_id IN ('202520260AB1656', '202520260AB2052')")
    t("poll", "--source", "web")  # both followed bills read in full
    for measure in ("AB 1656", "AB 2052"):
        t.client.post("action", bill_id=measure, action="From committee: Do pass. (Ayes 9. Noes 0.)",
                      when=date.today().isoformat(), status="Passed committee")
    t.env["TRACKER_SOURCES__MAX_DETAIL_BILLS"] = "1"
    before = len(t.events())
    t("poll", "--source", "web")
    t("poll", "--source", "web")
    told = {bill for bill, kind in t.kinds_after(before) if kind == "new_action"}
    assert told == {"202520260AB1656", "202520260AB2052"}  # the one left waiting was not forgotten
