"""Which bills a web poll reads in detail: the ones we follow, by the same rule as alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tracker.alerts.testing import add_bill, database
from tracker.db.base import transaction, utcnow
from tracker.db.models_core import Bill
from tracker.polling.plan import FULL, load_known, plan_details
from tracker.settings import get_settings


def test_a_bill_staff_took_a_position_on_is_refreshed_like_a_relevant_one(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.advocacy.positions import set_position

    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    factory = database(db_url)
    with transaction(factory) as s:
        sb275 = add_bill(s, "SB 275", title="Eligible training provider list.", relevant=False, topics=[])
        s.get(Bill, sb275).detail_fetched_at = utcnow() - timedelta(days=3)
        set_position(s, sb275, position="oppose")
    known = load_known(factory, "20252026")
    assert known[sb275].tracked
    jobs = plan_details([], known, max_age_hours=24)
    assert [(j.bill_id, j.pages) for j in jobs] == [(sb275, FULL)]


def _row(bill_id: str):  # type: ignore[no-untyped-def]
    from spiders.parsers.search import ListingRow
    return ListingRow(bill_id, bill_id[9:], "Mental health.", "Smith", "In committee")


def test_a_bill_the_bulk_data_gave_its_history_is_not_read_in_detail_until_followed() -> None:
    from tracker.polling.plan import KnownBill
    rows = [_row("202520260AB1"), _row("202520260AB2")]
    known = {"202520260AB1": KnownBill("old", None, tracked=False, has_history=True),
             "202520260AB2": KnownBill("old", None, tracked=False, has_history=False)}
    known["202520260AB3"] = KnownBill("old", None, tracked=True, has_history=True)  # keeps a tracked bill around
    jobs = plan_details(rows, known, max_age_hours=24)
    assert [j.bill_id for j in jobs if j.bill_id != "202520260AB3"] == ["202520260AB2"]


def test_news_on_followed_bills_comes_first_then_missing_histories_then_the_longest_unread() -> None:
    from tracker.polling.plan import KnownBill
    now = utcnow()
    rows = [_row("202520260AB1"), _row("202520260AB2"), _row("202520260AB3"), _row("202520260AB4")]
    same = {r.bill_id: r.digest for r in rows}
    known = {"202520260AB1": KnownBill(same["202520260AB1"], now - timedelta(hours=30), tracked=True),  # due
             "202520260AB2": KnownBill(same["202520260AB2"], now - timedelta(hours=50), tracked=True),  # due longer
             "202520260AB3": KnownBill("old", now - timedelta(hours=1), tracked=True)}  # its row changed
    jobs = plan_details(rows, known, max_age_hours=24, now=now)
    assert [j.bill_id for j in jobs] == ["202520260AB3", "202520260AB4", "202520260AB2", "202520260AB1"]
