"""Members' alerts and staff digests: a bill that "passed a house" is told as the
situation it is in (its first house, its second house, or both after a concurrence), and a bill
on the inactive file as one that can come back any day; a passage an earlier poll already told
is not told again. Real databases (SQLite and PostgreSQL through ``db_url``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.clirun import tracker
from tracker.alerts.messages import Renderer
from tracker.alerts.testing import add_bill, add_events, add_run, database
from tracker.db.base import transaction, utcnow
from tracker.db.models_alerts import OutboxMessage
from tracker.db.models_core import Bill, BillAction
from tracker.settings import get_settings

AB13 = "202520260AB13"


@pytest.fixture
def factory(db_url: str, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    factory = database(db_url)
    with transaction(factory) as s:
        add_bill(s, "AB 13", stage="floor")
    return factory


def moved(factory: sessionmaker[Session], action: str, stage: str, when: datetime, before: str = "floor") -> int:
    """One poll at ``when``: the action stored with its stage, the bill's stage, the event."""
    with transaction(factory) as s:
        n = s.query(BillAction).count()
        s.add(BillAction(bill_id=AB13, fingerprint=f"a{n}", action_date=when.date(), action=action,
                         sort_key=f"{when.date().isoformat()}|{n:04d}", stage=stage, source="pubinfo",
                         created_at=when))
        s.get(Bill, AB13).stage = stage
        (event,) = add_events(s, AB13, add_run(s, started_at=when, finished_at=when),
                              [("stage_changed", before, stage)], created_at=when)
        return int(event.id)


def alert_text(factory: sessionmaker[Session], events: list[int], lang: str = "en") -> str:
    with factory() as s:
        row = OutboxMessage(id=1, key="k", kind="alert", event_ids=events, reasons={AB13: [f"bill:{AB13}"]})
        return Renderer(s, utcnow()).render(row, lang).text


def test_an_alert_tells_a_concurrence_as_passing_both_houses(factory) -> None:
    event = moved(factory, "Senate amendments concurred in. To Engrossing and Enrolling. (Ayes 70. Noes 0.)",
                  "passed_house", utcnow())
    text = alert_text(factory, [event])
    assert "AB 13 passed both houses. Next it goes to the Governor." in text
    assert "one house" not in text


def test_an_alert_tells_the_second_house_passing_an_assembly_bill(factory) -> None:
    event = moved(factory, "Read third time. Passed. Ordered to the Assembly. (Ayes 30. Noes 8.)",
                  "passed_house", utcnow())
    assert "AB 13 se aprobó también en el Senado." in alert_text(factory, [event], "es")


def test_a_passage_an_earlier_poll_told_that_day_is_not_told_again(factory) -> None:
    morning = utcnow() - timedelta(hours=6)
    moved(factory, "Read third time. Passed. Ordered to the Senate. (Ayes 60. Noes 10.)", "passed_house", morning)
    with transaction(factory) as s:
        s.get(Bill, AB13).stage = "floor"
    evening = moved(factory, "Read third time. Passed. Ordered to the Assembly. (Ayes 30. Noes 8.)",
                    "passed_house", utcnow())
    text = alert_text(factory, [evening])
    assert "passed the Senate too" in text
    assert "passed the Assembly" not in text


def test_an_alert_tells_the_inactive_file_as_able_to_come_back_any_day(factory) -> None:
    event = moved(factory, "Ordered to inactive file at the request of Assembly Member Lee.", "two_year", utcnow())
    text = alert_text(factory, [event])
    assert "It can be brought back for a vote at any time." in text
    assert "January" not in text


def test_the_staff_digest_tells_a_concurrence_as_passing_both_houses(factory) -> None:
    when = datetime(2026, 11, 17, 18, 0, tzinfo=timezone.utc)  # week 2026-W47
    with transaction(factory) as s:
        s.get(Bill, AB13).created_at = datetime(2026, 1, 5, tzinfo=timezone.utc)
    moved(factory, "Senate amendments concurred in. To Engrossing and Enrolling.", "passed_house", when)
    out = tracker("digest", "--week", "2026-W47").stdout
    assert "AB 13 passed both houses. Next it goes to the Governor." in out


def test_the_summary_line_says_which_house_passed_the_bill(factory) -> None:
    from tracker.alerts.story import now_line
    from tracker.i18n import translations

    moved(factory, "Read third time. Passed. Ordered to the Senate. (Ayes 60. Noes 10.)", "passed_house", utcnow())
    with factory() as s:
        line = now_line(s, s.get(Bill, AB13), "AB 13", translations("en").gettext)
    assert line == "Where it stands now: Passed the Assembly."


def test_passages_a_first_import_stored_moments_before_do_not_turn_a_re_referral_into_a_crossing(factory) -> None:
    with transaction(factory) as s:  # the first import: actions stored, no action told
        s.add(BillAction(bill_id=AB13, fingerprint="old", action_date=datetime(2026, 5, 28).date(),
                         action="Read third time. Passed. Ordered to the Senate. (Ayes 60. Noes 10.)",
                         sort_key="2026-05-28|0001", stage="passed_house", source="pubinfo",
                         created_at=utcnow() - timedelta(seconds=5)))
    event = moved(factory, "From committee chair, with author's amendments: Amend, and re-refer to committee.",
                  "in_committee", utcnow())
    text = alert_text(factory, [event])
    assert "AB 13 moved from “on the floor” to “in committee”." in text
    assert "passed the Assembly" not in text


def test_a_concurrence_stored_moments_later_does_not_rewrite_how_the_second_passage_is_told(factory) -> None:
    when = utcnow() - timedelta(seconds=30)
    second = moved(factory, "Read third time. Passed. Ordered to the Assembly. (Ayes 30. Noes 8.)",
                   "passed_house", when)
    moved(factory, "Senate amendments concurred in. To Engrossing and Enrolling.", "passed_house",
          when + timedelta(seconds=3), before="floor")
    text = alert_text(factory, [second])
    assert "AB 13 passed the Senate too." in text
    assert "both houses" not in text


def test_leaving_passed_house_does_not_claim_only_one_house_passed_the_bill(factory) -> None:
    event = moved(factory, "In Assembly. Concurrence in Senate amendments pending.", "floor", utcnow(),
                  before="passed_house")
    text = alert_text(factory, [event])
    assert "AB 13 is back in the Assembly for a vote on the Senate's changes." in text
    assert "one house" not in text
    assert "AB 13 volvió a la Asamblea para votar los cambios del Senado." in alert_text(factory, [event], "es")


def test_an_adopted_house_resolution_is_not_said_to_go_to_the_other_house(factory) -> None:
    with transaction(factory) as s:
        hr = add_bill(s, "HR 5", stage="floor")
        when = utcnow()
        s.add(BillAction(bill_id=hr, fingerprint="hr5", action_date=when.date(), action="Adopted.",
                         sort_key=f"{when.date().isoformat()}|0001", stage="passed_house", source="pubinfo",
                         created_at=when))
        run = add_run(s, started_at=when, finished_at=when)
        events = add_events(s, hr, run, [
            ("new_action", None, {"date": when.date().isoformat(), "action": "Adopted.", "stage": "passed_house"}),
            ("stage_changed", "floor", "passed_house")], created_at=when)
        ids = [int(e.id) for e in events]
    with factory() as s:
        row = OutboxMessage(id=1, key="k", kind="alert", event_ids=ids, reasons={hr: [f"bill:{hr}"]})
        text = Renderer(s, utcnow()).render(row, "en").text
    assert "HR 5" in text and "other house" not in text


def test_a_concurrence_told_without_a_stage_move_still_says_both_houses_passed_it(factory) -> None:
    # the poll saw "Concurrence ... pending" and the concurrence together: passed_house before and after
    with transaction(factory) as s:
        s.get(Bill, AB13).stage = "passed_house"
    event = moved(factory, "Senate amendments concurred in. To Engrossing and Enrolling. (Ayes 70. Noes 0.)",
                  "passed_house", utcnow(), before="passed_house")
    text = alert_text(factory, [event])
    assert "AB 13 passed both houses. Next it goes to the Governor." in text
