"""A hearing moved to another day, and one committee under two names, on both databases.

Members act on the next hearing we name: a moved hearing must not leave its old day standing
as "scheduled", and a bill whose only "change" is that the website spells 'CS44' as 'Senate
Health Committee' has not moved.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.clock import local_today
from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.db.models_core import Bill, ChangeEvent, Hearing
from tracker.ingest.service import ingest_snapshot
from tracker.items import ActionRecord, BillRecord, HearingRecord, LocationRecord, Snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT

AB1656 = "202520260AB1656"


@pytest.fixture
def factory(db_url: str, files: Path) -> sessionmaker[Session]:
    engine = make_engine(db_url)
    upgrade(engine)
    made = session_factory(engine)
    ingest_snapshot(made, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    yield made
    engine.dispose()


MATCHER = load_matcher(PROJECT_ROOT / "config" / "topics.toml")


def calendar(*hearings: HearingRecord) -> Snapshot:
    snap = Snapshot(source="hearings")
    snap.bundle(AB1656).hearings.extend(hearings)
    return snap


def health(days_ahead: int, **extra: str) -> HearingRecord:
    return HearingRecord(bill_id=AB1656, hearing_date=local_today() + timedelta(days=days_ahead),
                         committee_name="Health", **extra)


def events(factory: sessionmaker[Session], prefix: str) -> list[ChangeEvent]:
    with factory() as s:
        return [e for e in s.execute(select(ChangeEvent).order_by(ChangeEvent.id)).scalars()
                if e.kind.startswith(prefix)]


def bill_status(source: str, location: str | None, secondary: str | None = None) -> Snapshot:
    snap = Snapshot(source=source)
    snap.bundle(AB1656).bill = BillRecord(
        bill_id=AB1656, session_year="20252026", measure_type="AB", measure_num=1656,
        current_house="Senate", current_location=location, current_secondary_loc=secondary,
        current_status="In Committee Process")
    if source == "pubinfo":
        snap.locations.append(LocationRecord(session_year="20252026", code="CS44", description="Health"))
    return snap


def test_a_hearing_the_committee_moved_is_one_change_and_its_old_day_is_closed(factory) -> None:
    ingest_snapshot(factory, calendar(health(9, hearing_time="1:30 p.m.", room="1200")), matcher=MATCHER)
    ingest_snapshot(factory, calendar(health(12, hearing_time="9 a.m.", room="1200")), matcher=MATCHER)
    moved = events(factory, "hearing")
    assert [e.kind for e in moved] == ["hearing_set", "hearing_changed"]
    old_day, new_day = (local_today() + timedelta(days=n) for n in (9, 12))
    assert moved[1].before["date"] == old_day.isoformat()
    assert (moved[1].after["date"], moved[1].after["moved_from"]) == (new_day.isoformat(), old_day.isoformat())
    with factory() as s:
        rows = {h.hearing_date: h.status for h in s.execute(select(Hearing).where(Hearing.bill_id == AB1656)).scalars()}
    assert rows[old_day] == "postponed" and rows[new_day] == "scheduled"


def test_a_calendar_listing_both_days_means_two_hearings_not_a_move(factory) -> None:
    ingest_snapshot(factory, calendar(health(9)), matcher=MATCHER)
    ingest_snapshot(factory, calendar(health(9), health(12)), matcher=MATCHER)
    assert [e.kind for e in events(factory, "hearing")] == ["hearing_set", "hearing_set"]


def test_another_committees_hearing_on_a_new_day_is_not_a_move(factory) -> None:
    ingest_snapshot(factory, calendar(health(9)), matcher=MATCHER)
    other = health(12).model_copy(update={"committee_name": "Appropriations"})
    ingest_snapshot(factory, calendar(other), matcher=MATCHER)
    assert [e.kind for e in events(factory, "hearing")] == ["hearing_set", "hearing_set"]


def test_the_websites_name_for_the_bulk_datas_committee_code_is_no_status_change(factory) -> None:
    ingest_snapshot(factory, bill_status("pubinfo", "CS44"), matcher=MATCHER)
    before = len(events(factory, "status_changed"))
    ingest_snapshot(factory, bill_status("web", "Senate Health Committee"), matcher=MATCHER)
    ingest_snapshot(factory, bill_status("pubinfo", "CS44"), matcher=MATCHER)
    assert len(events(factory, "status_changed")) == before
    with factory() as s:
        assert s.get(Bill, AB1656).current_location == "CS44"  # the bulk data's code is kept


def test_a_move_to_another_committee_is_still_a_status_change(factory) -> None:
    ingest_snapshot(factory, bill_status("pubinfo", "CS44"), matcher=MATCHER)
    before = len(events(factory, "status_changed"))
    ingest_snapshot(factory, bill_status("web", "Senate Appropriations Committee"), matcher=MATCHER)
    assert len(events(factory, "status_changed")) == before + 1


def test_a_secondary_location_alone_is_no_status_change(factory) -> None:
    ingest_snapshot(factory, bill_status("web", "Third Reading"), matcher=MATCHER)
    before = len(events(factory, "status_changed"))
    ingest_snapshot(factory, bill_status("pubinfo", "Third Reading", secondary="Floor"), matcher=MATCHER)
    assert len(events(factory, "status_changed")) == before


def test_a_hearing_day_already_past_is_stored_without_an_alert(factory) -> None:
    ingest_snapshot(factory, calendar(health(-20)), matcher=MATCHER)
    assert events(factory, "hearing") == []
    with factory() as s:
        assert s.execute(select(Hearing).where(
            Hearing.bill_id == AB1656, Hearing.hearing_date == local_today() - timedelta(days=20))).scalar_one()


def test_a_same_named_committee_in_the_other_house_is_a_new_place(factory) -> None:
    """Both houses have a 'Health' committee: the Senate's is not the Assembly's CX08."""
    assembly = bill_status("pubinfo", "CX08")
    assembly.bundles[AB1656].bill = assembly.bundles[AB1656].bill.model_copy(update={"current_house": "Assembly"})
    assembly.locations.append(LocationRecord(session_year="20252026", code="CX08", description="Health"))
    ingest_snapshot(factory, assembly, matcher=MATCHER)
    ingest_snapshot(factory, bill_status("web", "Senate Health Committee"), matcher=MATCHER)
    with factory() as s:
        bill = s.get(Bill, AB1656)
        assert (bill.current_house, bill.current_location) == ("Senate", "Senate Health Committee")


def test_an_old_undated_cancellation_does_not_close_a_hearing_set_months_later(factory) -> None:
    """The bulk data on a first look holds both: April's "Hearing canceled at the request of
    author." and December's hearing. The April action spoke of April's hearing, not December's."""
    snap = calendar(health(240, hearing_time="1:30 p.m."))
    snap.bundles[AB1656].actions.append(ActionRecord(
        AB1656, local_today(), "In committee: Set, first hearing. Hearing canceled at the request of author."))
    ingest_snapshot(factory, snap, matcher=MATCHER)
    with factory() as s:
        day = local_today() + timedelta(days=240)
        assert s.execute(select(Hearing.status).where(
            Hearing.bill_id == AB1656, Hearing.hearing_date == day)).scalar_one() == "scheduled"


def test_an_undated_cancellation_closes_the_hearing_set_for_the_days_ahead(factory) -> None:
    ingest_snapshot(factory, calendar(health(9)), matcher=MATCHER)
    snap = Snapshot(source="hearings")
    snap.bundle(AB1656).actions.append(ActionRecord(
        AB1656, local_today(), "In committee: Hearing canceled at the request of author."))
    ingest_snapshot(factory, snap, matcher=MATCHER)
    assert [e.kind for e in events(factory, "hearing")] == ["hearing_set", "hearing_canceled"]


def _stored_hearing(factory: sessionmaker[Session], day) -> Hearing:
    with factory() as s:
        return s.execute(select(Hearing).where(Hearing.bill_id == AB1656, Hearing.hearing_date == day)).scalar_one()


def test_action_shorthand_never_replaces_the_committee_the_hearings_table_named(factory) -> None:
    day = local_today() + timedelta(days=5)
    snap = calendar(HearingRecord(bill_id=AB1656, hearing_date=day, committee_code="CS61"))
    snap.bundles[AB1656].actions.append(ActionRecord(
        AB1656, local_today(), f"{day:%B} {day.day} hearing: Placed on APPR. suspense file."))
    ingest_snapshot(factory, snap, matcher=MATCHER)
    assert (_stored_hearing(factory, day).committee_code, _stored_hearing(factory, day).committee_name) == ("CS61", None)


def test_a_later_action_shorthand_keeps_the_calendars_committee_name(factory) -> None:
    ingest_snapshot(factory, calendar(health(5)), matcher=MATCHER)
    day = local_today() + timedelta(days=5)
    snap = Snapshot(source="hearings")
    snap.bundle(AB1656).actions.append(ActionRecord(
        AB1656, local_today(), f"{day:%B} {day.day} hearing: Placed on APPR. suspense file."))
    ingest_snapshot(factory, snap, matcher=MATCHER)
    assert _stored_hearing(factory, day).committee_name == "Health"


def test_a_move_the_bulk_data_stored_first_is_closed_when_the_calendar_lists_the_new_day(factory) -> None:
    """The bulk poll runs before the calendars: it stores the new day (its row names the
    committee by a code we cannot name), then the calendar that listed the old day lists the new
    one: the old day is closed as moved, so no member is sent to a hearing that will not happen."""
    ingest_snapshot(factory, calendar(health(9)), matcher=MATCHER)
    bulk = Snapshot(source="pubinfo")
    bulk.bundle(AB1656).hearings.append(HearingRecord(
        bill_id=AB1656, hearing_date=local_today() + timedelta(days=12), committee_code="CS44"))
    ingest_snapshot(factory, bulk, matcher=MATCHER)
    ingest_snapshot(factory, calendar(health(12)), matcher=MATCHER)
    old_day = local_today() + timedelta(days=9)
    assert _stored_hearing(factory, old_day).status == "postponed"
    moved = [e for e in events(factory, "hearing_changed") if (e.after or {}).get("moved_from")]
    assert [e.after["moved_from"] for e in moved] == [old_day.isoformat()]
