"""The website and the bulk data describe one bill: rows either saw first converge.

The web polls run hourly and the bulk import nightly, so the website usually sees an action or
a roll call first. A later correction by the bulk data (same row id, or the same roll call with
a grown tally) must still find the row, and nothing may be told twice.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.clock import local_today
from tracker.db.models_core import BillAction, ChangeEvent, Hearing, Vote
from tracker.ingest.service import ingest_snapshot
from tracker.items import ActionRecord, BillRecord, HearingRecord, Snapshot, VoteRecord
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT

MATCHER = load_matcher(PROJECT_ROOT / "config" / "topics.toml")
BILL = "202520260AB999"
DAY = date(2026, 3, 12)


def snap(source: str, *, actions: tuple[ActionRecord, ...] = (), votes: tuple[VoteRecord, ...] = (),
         hearings: tuple[HearingRecord, ...] = (), status: str | None = None) -> Snapshot:
    out = Snapshot(source=source)
    bundle = out.bundle(BILL)
    if status:
        bundle.bill = BillRecord(bill_id=BILL, session_year="20252026", measure_type="AB", measure_num=999,
                                 current_house="Assembly", current_status=status)
    bundle.actions.extend(actions)
    bundle.actions_complete = bool(actions) and source == "pubinfo"
    bundle.votes.extend(votes)
    bundle.hearings.extend(hearings)
    return out


def act(text: str, history_id: str | None = None, day: date = DAY) -> ActionRecord:
    return ActionRecord(BILL, day, text, history_id=history_id)


def lines(factory: sessionmaker[Session]) -> list[str]:
    with factory() as s:
        return list(s.execute(select(BillAction.action).where(BillAction.bill_id == BILL)
                              .order_by(BillAction.sort_key)).scalars())


def kinds(factory: sessionmaker[Session], kind: str) -> int:
    with factory() as s:
        return len(s.execute(select(ChangeEvent.id).where(ChangeEvent.kind == kind)).all())


@pytest.fixture
def known(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    ingest_snapshot(factory, snap("pubinfo", actions=(act("Introduced.", "1", date(2026, 2, 1)),),
                                  status="In Committee Process"), matcher=MATCHER)
    return factory


def test_a_bulk_correction_of_an_action_the_website_saw_first_replaces_it(known) -> None:
    ingest_snapshot(known, snap("web", actions=(act("Set for hearing March 24."),)), matcher=MATCHER)
    ingest_snapshot(known, snap("pubinfo", actions=(act("Set for hearing March 24.", "2"),)), matcher=MATCHER)
    before = kinds(known, "new_action")
    ingest_snapshot(known, snap("pubinfo", actions=(act("Set for hearing March 31.", "2"),)), matcher=MATCHER)
    assert lines(known) == ["Introduced.", "Set for hearing March 31."]
    assert kinds(known, "new_action") == before


def test_a_correction_the_website_showed_first_leaves_no_stale_line(known) -> None:
    ingest_snapshot(known, snap("pubinfo", actions=(act("Set for hearing March 24.", "2"),)), matcher=MATCHER)
    ingest_snapshot(known, snap("web", actions=(act("Set for hearing March 31."),)), matcher=MATCHER)
    ingest_snapshot(known, snap("pubinfo", actions=(act("Set for hearing March 31.", "2"),)), matcher=MATCHER)
    assert lines(known) == ["Introduced.", "Set for hearing March 31."]


def test_a_corrected_hearing_day_in_an_action_sets_the_corrected_hearing(known) -> None:
    ahead = local_today() + timedelta(days=10)
    ingest_snapshot(known, snap("pubinfo", actions=(act("Set for hearing April 16.", "2", local_today()),)),
                    matcher=MATCHER)
    text = f"Set for hearing {ahead:%B} {ahead.day}."
    ingest_snapshot(known, snap("pubinfo", actions=(act(text, "2", local_today()),)), matcher=MATCHER)
    with known() as s:
        days = set(s.execute(select(Hearing.hearing_date).where(Hearing.bill_id == BILL)).scalars())
    assert ahead in days


def test_a_stage_read_from_the_bill_row_is_no_stage_the_history_moves_from(factory) -> None:
    """First a listing row only ("In Committee Process"), then the history: no "moved" alert."""
    ingest_snapshot(factory, snap("web", status="In Committee Process"), matcher=MATCHER)
    ingest_snapshot(factory, snap("pubinfo", actions=(act("Introduced.", "1"), act("Held under submission.", "2")),
                                  status="In Committee Process"), matcher=MATCHER)
    assert kinds(factory, "stage_changed") == 0


def test_a_roll_call_the_website_saw_first_is_corrected_by_the_bulk_data_in_place(known) -> None:
    web = VoteRecord(bill_id=BILL, location_name="Assembly Floor", vote_date=DAY, ayes=35, noes=1, result="PASS")
    bulk = VoteRecord(bill_id=BILL, location_code="AFLOOR", vote_datetime=None, vote_date=DAY, vote_seq="1004",
                      motion_id="113445", ayes=35, noes=1, result="(PASS)")
    ingest_snapshot(known, snap("web", votes=(web,)), matcher=MATCHER)
    ingest_snapshot(known, snap("pubinfo", votes=(bulk,)), matcher=MATCHER)
    before = kinds(known, "vote_recorded")
    ingest_snapshot(known, snap("pubinfo", votes=(bulk.model_copy(update={"ayes": 36}),)), matcher=MATCHER)
    with known() as s:
        assert [v.ayes for v in s.execute(select(Vote).where(Vote.bill_id == BILL)).scalars()] == [36]
    assert kinds(known, "vote_recorded") == before


def test_the_calendars_short_committee_name_does_not_undo_the_bulk_datas_house_name(known) -> None:
    day = local_today() + timedelta(days=6)
    bulk = HearingRecord(bill_id=BILL, hearing_date=day, committee_code="CX25", committee_name="Assembly Appropriations")
    cal = HearingRecord(bill_id=BILL, hearing_date=day, committee_name="Appropriations")
    for source, record in (("pubinfo", bulk), ("hearings", cal), ("pubinfo", bulk)):
        ingest_snapshot(known, snap(source, hearings=(record,)), matcher=MATCHER)
    again = ingest_snapshot(known, snap("hearings", hearings=(cal,)), matcher=MATCHER)
    assert again.bills_changed == 0
    with known() as s:
        assert s.execute(select(Hearing.committee_name).where(Hearing.bill_id == BILL)).scalar_one() == \
            "Assembly Appropriations"
