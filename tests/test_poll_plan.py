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
