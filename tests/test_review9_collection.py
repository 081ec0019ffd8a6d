"""Review 9 of the collection side: what a poll does with pages and files that are not what they say.

Each test runs the real ``tracker`` CLI against the replica on 127.0.0.1 with an injected fault
and reads the result from the database, the replica's request log, or the poll's output.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from spiders.parsers import PageProblem, decode_page
from tests.test_poll_e2e import Tracker, replica  # noqa: F401  (fixture)
from tracker.replica.server import ReplicaServer

REAL_PAGE = Path(__file__).parent / "files" / "pages" / "billNavClient-SB190-2021.html"
REAL_URL = "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id=202120220SB190"
HISTORY = "/faces/billHistoryClient.xhtml"


def test_a_page_whose_bytes_are_not_its_declared_charset_is_a_page_problem() -> None:
    text = REAL_PAGE.read_text("utf-8").replace("Higher education budget trailer bill.", "Educación superior.")
    with pytest.raises(PageProblem, match="do not decode as utf-8"):
        decode_page(text.encode("cp1252", errors="replace"), "utf-8", REAL_URL)


def test_a_page_in_its_declared_charset_decodes_exactly() -> None:
    data = REAL_PAGE.read_bytes()
    assert decode_page(data, "utf-8", REAL_URL) == data.decode("utf-8")


def test_a_mis_encoded_history_page_leaves_the_bill_unchanged_and_is_read_next_poll(
        db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "pubinfo")
    t("poll", "--source", "web")
    t.sql("UPDATE bill SET watched = true WHERE bill_id = '202520260AB1656'")
    before = t.bills()["202520260AB1656"]
    t.client.post("action", bill_id="AB 1656", action="Re-referred to Com. on APPR. — urgency clause added.",
                  status="In Committee Process", when=date.today().isoformat())
    t.client.fault(HISTORY, "mis_encoded")
    n = len(t.events())
    out = t("poll", "--source", "web").stdout
    assert "do not decode as utf-8" in out, out
    assert t.bills()["202520260AB1656"] == before
    assert [k for _, k in t.kinds_after(n)] == ["source_problem"]

    t.client.post("faults/clear")
    n = len(t.events())
    t("poll", "--source", "web")
    new_actions = [b for b, k in t.kinds_after(n) if k == "new_action"]
    assert new_actions == ["202520260AB1656"]
    t("poll", "--source", "web")  # the action is stored once, with its dash intact
    assert t.kinds_after(n).count(("202520260AB1656", "new_action")) == 1
