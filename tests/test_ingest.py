"""Ingest and diff: every event kind, idempotence, cross-source convergence, on both databases."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.clock import local_today
from tracker.db.models_core import Bill, BillAction, BillVersion, ChangeEvent, Hearing, Vote, VoteMember
from tracker.ingest.service import ingest_snapshot
from tracker.items import (
    ActionRecord,
    BillRecord,
    HearingRecord,
    Snapshot,
    VersionRecord,
    VoteMemberRecord,
    VoteRecord,
)
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT

AB1656 = "202520260AB1656"


@pytest.fixture
def matcher():  # type: ignore[no-untyped-def]
    return load_matcher(PROJECT_ROOT / "config" / "topics.toml")


def kinds(factory: sessionmaker[Session]) -> list[str]:
    with factory() as s:
        return list(s.execute(select(ChangeEvent.kind).order_by(ChangeEvent.id)).scalars())


def imported(factory: sessionmaker[Session], matcher, files: Path) -> None:  # type: ignore[no-untyped-def]
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)


def web(bundle_edit) -> Snapshot:  # type: ignore[no-untyped-def]
    snap = Snapshot(source="web")
    bundle_edit(snap.bundle(AB1656))
    return snap


def test_first_import_stores_every_bill_with_one_new_bill_event_each(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    with factory() as s:
        bills = {b.bill_id: b for b in s.execute(select(Bill)).scalars()}
        assert set(bills) == {"202520260SB275", "202520260AB831", AB1656, "202520260AB2052"}
        assert bills["202520260SB275"].current_status == "Vetoed"
        assert bills["202520260AB831"].title == "Gambling: operation of a contest or sweepstakes."
        assert s.scalar(select(func.count()).select_from(BillAction)) == 89
        assert bills["202520260AB831"].history_count == s.scalar(
            select(func.count()).select_from(BillAction).where(BillAction.bill_id == "202520260AB831"))
        assert bills["202520260AB831"].stage == "chaptered"
    assert kinds(factory) == ["new_bill"] * 4


def test_importing_the_same_data_twice_creates_nothing(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    result = ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)
    assert (result.events, result.bills_new, result.bills_changed, result.actions_new) == (0, 0, 0, 0)
    assert kinds(factory) == ["new_bill"] * 4


def test_a_new_history_row_is_a_new_action_event(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    snap = web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 6, 15), action="Read third time. Passed. Ordered to the Assembly.")))
    ingest_snapshot(factory, snap, matcher=matcher)
    assert "new_action" in kinds(factory)
    with factory() as s:
        assert s.get(Bill, AB1656).last_action == "Read third time. Passed. Ordered to the Assembly."


def test_stage_change_is_an_event(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    snap = web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 6, 20), action="Enrolled and presented to the Governor at 3 p.m.")))
    ingest_snapshot(factory, snap, matcher=matcher)
    with factory() as s:
        event = s.execute(select(ChangeEvent).where(ChangeEvent.kind == "stage_changed")).scalar_one()
        assert event.after == "to_governor"


def test_same_action_seen_on_website_then_in_bulk_is_one_event(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    action = "From committee: Do pass. (Ayes 5. Noes 0.) (June 16)."
    ingest_snapshot(factory, web(lambda b: b.actions.append(
        ActionRecord(bill_id=AB1656, action_date=date(2026, 6, 17), action=action))), matcher=matcher)
    bulk = Snapshot(source="pubinfo")
    bulk.bundle(AB1656).actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 6, 17), action=action.replace(" ", "  ", 1),
        history_id="999999999", sequence=40))
    ingest_snapshot(factory, bulk, matcher=matcher)
    assert kinds(factory).count("new_action") == 1


def test_status_change_records_before_and_after(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    snap = web(lambda b: setattr(b, "bill", BillRecord(
        bill_id=AB1656, session_year="20252026", measure_type="AB", measure_num=1656,
        current_house="Assembly", current_location="Desk", current_status="Enrolled")))
    ingest_snapshot(factory, snap, matcher=matcher)
    with factory() as s:
        event = s.execute(select(ChangeEvent).where(ChangeEvent.kind == "status_changed")).scalar_one()
        assert event.before["current_status"] == "In Floor Process"
        assert event.after["current_status"] == "Enrolled"


def test_new_version_with_new_subject_is_amended_and_retitled(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    snap = web(lambda b: b.versions.append(VersionRecord(
        bill_version_id="20250AB165696AMD", bill_id=AB1656, version_num=96,
        action_date=date(2026, 7, 1), action="Amended Senate", subject="Human trafficking: survivors.",
        digest="Existing law ...")))
    ingest_snapshot(factory, snap, matcher=matcher)
    assert {"new_version", "title_changed"} <= set(kinds(factory))


def test_older_versions_filled_in_later_are_not_announced_as_amendments(factory, matcher, files, tmp_path) -> None:
    src = files / "pubinfo/mini"
    partial = tmp_path / "extract"
    partial.mkdir()
    for path in src.iterdir():  # the same extract without its version tables
        if not path.name.startswith(("BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL")):
            (partial / path.name).write_bytes(path.read_bytes())
    ingest_snapshot(factory, read_snapshot(partial), matcher=matcher)
    result = ingest_snapshot(factory, read_snapshot(src), matcher=matcher)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(BillVersion)) > 4  # the prints were stored
    assert "new_version" not in result.event_kinds


def test_prints_older_than_the_newest_known_one_are_not_amendments(factory, matcher) -> None:
    bill = "202520260AB4242"

    def prints(*nums: int) -> Snapshot:
        snap = Snapshot(source="web")
        for n in nums:
            snap.bundle(bill).versions.append(VersionRecord(
                bill_version_id=f"20250AB4242{n}{'INT' if n == 99 else 'AMD'}", bill_id=bill, version_num=n,
                action_date=date(2025, 2 + 99 - n, 10), action="Introduced" if n == 99 else "Amended Assembly"))
        return snap

    ingest_snapshot(factory, prints(97), matcher=matcher)  # the website showed the current print
    result = ingest_snapshot(factory, prints(99, 98), matcher=matcher)  # the bulk data fills in history
    assert "new_version" not in result.event_kinds


def test_a_bill_found_relevant_once_its_text_is_filled_in_is_not_called_amended(factory, matcher) -> None:
    bill = "202520260AB4343"
    first = Snapshot(source="pubinfo")
    first.bundle(bill).actions.append(ActionRecord(
        bill_id=bill, action_date=date(2025, 3, 1), action="Referred to Com. on HEALTH."))
    ingest_snapshot(factory, first, matcher=matcher)
    later = Snapshot(source="pubinfo")
    later.bundle(bill).versions.append(VersionRecord(
        bill_version_id="20250AB434399INT", bill_id=bill, version_num=99, action_date=date(2025, 2, 10),
        action="Introduced", subject="Mental health: 988 Suicide and Crisis Lifeline: mobile crisis teams.",
        digest="This bill would fund mobile crisis teams that answer 988 calls."))
    ingest_snapshot(factory, later, matcher=matcher)
    with factory() as s:
        event = s.execute(select(ChangeEvent).where(ChangeEvent.kind == "became_relevant")).scalar_one()
    assert event.after["backfill"] is True
    assert "amendment" not in event.summary


def test_a_version_newer_than_every_known_print_is_an_amendment(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    snap = web(lambda b: b.versions.append(VersionRecord(
        bill_version_id="20250AB165690AMD", bill_id=AB1656, version_num=90,
        action_date=date(2026, 8, 20), action="Amended Senate")))
    result = ingest_snapshot(factory, snap, matcher=matcher)
    assert result.event_kinds.get("new_version") == 1


def test_gut_and_amend_into_behavioral_health_raises_became_relevant(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    with factory() as s:
        assert s.get(Bill, AB1656).relevant is False
    snap = web(lambda b: b.versions.append(VersionRecord(
        bill_version_id="20250AB165695AMD", bill_id=AB1656, version_num=95,
        action_date=date(2026, 8, 1), action="Amended Senate",
        subject="Mental health: 988 suicide and crisis lifeline.",
        digest="This bill would require counties to provide mobile crisis teams for people "
               "experiencing a mental health crisis and fund the 988 Suicide and Crisis Lifeline.")))
    ingest_snapshot(factory, snap, matcher=matcher)
    with factory() as s:
        event = s.execute(select(ChangeEvent).where(ChangeEvent.kind == "became_relevant")).scalar_one()
        assert event.after["relevant"] is True and event.after["topics"]
        assert s.get(Bill, AB1656).relevant is True


def test_hearing_set_changed_and_canceled(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    day = local_today() + timedelta(days=30)  # a hearing still to come: news
    ingest_snapshot(factory, web(lambda b: b.hearings.append(HearingRecord(
        bill_id=AB1656, hearing_date=day, committee_code="CS44", committee_name="Senate Public Safety"))),
        matcher=matcher)
    ingest_snapshot(factory, web(lambda b: b.hearings.append(HearingRecord(
        bill_id=AB1656, hearing_date=day, committee_code="CS44", hearing_time="1:30 p.m.", room="1200"))),
        matcher=matcher)
    ingest_snapshot(factory, web(lambda b: b.hearings.append(HearingRecord(
        bill_id=AB1656, hearing_date=day, status="canceled"))), matcher=matcher)
    assert [k for k in kinds(factory) if k.startswith("hearing")] == [
        "hearing_set", "hearing_changed", "hearing_canceled"]
    with factory() as s:
        hearing = s.execute(select(Hearing).where(Hearing.bill_id == AB1656, Hearing.hearing_date == day)).scalar_one()
        assert (hearing.status, hearing.room) == ("canceled", "1200")


def test_a_changed_hearing_says_what_changed(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    day = local_today() + timedelta(days=30)
    ingest_snapshot(factory, web(lambda b: b.hearings.append(HearingRecord(
        bill_id=AB1656, hearing_date=day, committee_code="CS44", committee_name="Senate Public Safety"))),
        matcher=matcher)
    ingest_snapshot(factory, web(lambda b: b.hearings.append(HearingRecord(
        bill_id=AB1656, hearing_date=day, committee_code="CS44", hearing_time="1:30 p.m.", room="1200"))),
        matcher=matcher)
    with factory() as s:
        summary = s.execute(select(ChangeEvent.summary).where(ChangeEvent.kind == "hearing_changed")).scalar_one()
    assert summary.endswith("hearing time set: 1:30 p.m.; room set: 1200")


def test_hearing_named_in_action_text_is_stored_with_inferred_year(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    ingest_snapshot(factory, web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 12, 15), action="Set for hearing January 8."))), matcher=matcher)
    with factory() as s:
        dates = [h.hearing_date for h in s.execute(select(Hearing).where(Hearing.bill_id == AB1656)).scalars()]
    assert date(2027, 1, 8) in dates
    assert "hearing_set" in kinds(factory)


def test_vote_with_members_is_recorded_once(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    vote = VoteRecord(bill_id=AB1656, location_code="SFLOOR", vote_datetime=datetime(2026, 6, 25, 10, 0),
                      vote_date=date(2026, 6, 25), motion_id="1", ayes=2, noes=1, result="PASS",
                      members=(VoteMemberRecord(name="Umberg", code="AYE"), VoteMemberRecord(name="Jones", code="NOE")))
    for _ in range(2):
        ingest_snapshot(factory, web(lambda b: b.votes.append(vote)), matcher=matcher)
    assert kinds(factory).count("vote_recorded") == 1
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == 1
        assert s.scalar(select(func.count()).select_from(VoteMember)) == 2


def test_history_for_a_bill_missing_from_bill_tbl_is_kept_as_incomplete(factory, matcher, files, tmp_path) -> None:
    src = files / "pubinfo/mini"
    work = tmp_path / "extract"
    work.mkdir()
    for name in ("BILL_TBL.dat", "BILL_HISTORY_TBL.dat"):
        (work / name).write_bytes((src / name).read_bytes())
    with (work / "BILL_HISTORY_TBL.dat").open("ab") as fh:
        fh.write(b"`202520260AB9999`\t1\t2026-01-05 00:00:00\t`Read first time. To print.`\tNULL\tNULL\t1\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\n")
    snap = read_snapshot(work)
    assert any("AB9999" in w for w in snap.warnings)
    ingest_snapshot(factory, snap, matcher=matcher)
    with factory() as s:
        orphan = s.get(Bill, "202520260AB9999")
        assert orphan is not None and orphan.incomplete and orphan.history_count == 1


def test_a_failing_import_rolls_back_completely(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    snap = web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 6, 15), action="Read third time. Passed.")))
    snap.bundle("202520260AB831").actions.append(ActionRecord(
        bill_id="202520260AB831", action_date=date(2026, 6, 15), action="x" * 10))
    broken = Snapshot(source="web", bundles={**snap.bundles})

    class Exploding:
        watched: set[str] = set()
        fingerprint = "exploding"

        def match(self, item):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    broken.bundle("202520260AB9").actions.append(ActionRecord(
        bill_id="202520260AB9", action_date=date(2026, 1, 5), action="Introduced."))
    with pytest.raises(RuntimeError):
        ingest_snapshot(factory, broken, matcher=Exploding())  # type: ignore[arg-type]
    with factory() as s:
        assert s.get(Bill, "202520260AB9") is None
        assert s.scalar(select(func.count()).select_from(BillAction)) == 89


def test_bill_numbers_resolve_in_other_sessions_including_special_sessions(factory, matcher, files) -> None:
    from tracker.queries import find_bill_id

    ingest_snapshot(factory, read_snapshot(files / "pubinfo/archive/1999"), matcher=matcher)
    with factory() as s:
        assert find_bill_id(s, "SBX1 2", "20252026") == "199920001SB2"
        assert find_bill_id(s, "AB-1", "20252026") == "199920000AB1"


def test_bulk_hearings_and_votes_carry_committee_names_from_location_codes(tmp_path, files) -> None:
    """Synthetic LOCATION_CODE_TBL / COMMITTEE_HEARING_TBL rows in the official column order."""
    work = tmp_path / "extract"
    work.mkdir()
    (work / "BILL_TBL.dat").write_bytes((files / "pubinfo/mini/BILL_TBL.dat").read_bytes())
    (work / "LOCATION_CODE_TBL.dat").write_text(
        "`20252026`\t`CS44`\t`B`\tNULL\t`Health`\t`Senate Health Committee`\t`Y`\t`LEG`\t2025-01-01 00:00:00\tNULL\n")
    (work / "COMMITTEE_HEARING_TBL.dat").write_text(
        "`202520260AB1656`\t`CS`\t`44`\t2026-06-24 00:00:00\t`CS44`\t`LEG`\t2026-06-01 00:00:00\n")
    snap = read_snapshot(work)
    hearing = snap.bundles[AB1656].hearings[0]
    assert (hearing.committee_code, hearing.committee_name, hearing.hearing_date) == ("CS44", "Senate Health", date(2026, 6, 24))


def test_same_roll_call_from_bulk_and_website_is_one_vote(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    bulk = Snapshot(source="pubinfo")
    bulk.bundle(AB1656).votes.append(VoteRecord(
        bill_id=AB1656, location_code="SFLOOR", vote_datetime=datetime(2026, 6, 25, 13, 23),
        vote_seq="1004", motion_id="113445", ayes=38, noes=0, result="PASS"))
    site = Snapshot(source="web")
    site.bundle(AB1656).votes.append(VoteRecord(
        bill_id=AB1656, location_name="Senate Floor", vote_date=date(2026, 6, 25), ayes=38, noes=0,
        result="(PASS)"))
    ingest_snapshot(factory, site, matcher=matcher)
    ingest_snapshot(factory, bulk, matcher=matcher)
    assert kinds(factory).count("vote_recorded") == 1


def test_a_roll_call_stored_without_members_gets_them_from_a_later_source_without_a_second_event(
        factory, matcher, files) -> None:
    imported(factory, matcher, files)
    site = Snapshot(source="web")
    site.bundle(AB1656).votes.append(VoteRecord(
        bill_id=AB1656, location_name="Senate Floor", vote_date=date(2026, 6, 25), ayes=2, noes=1,
        result="(PASS)"))
    bulk = Snapshot(source="pubinfo")
    bulk.bundle(AB1656).votes.append(VoteRecord(
        bill_id=AB1656, location_code="SFLOOR", vote_datetime=datetime(2026, 6, 25, 13, 23),
        ayes=2, noes=1, result="PASS", members=[VoteMemberRecord(name="Allen", code="AYE"),
                                                 VoteMemberRecord(name="Alvarado-Gil", code="AYE"),
                                                 VoteMemberRecord(name="Archuleta", code="NOE")]))
    ingest_snapshot(factory, site, matcher=matcher)
    ingest_snapshot(factory, bulk, matcher=matcher)
    ingest_snapshot(factory, bulk, matcher=matcher)  # and again: nothing more
    assert kinds(factory).count("vote_recorded") == 1
    with factory() as s:
        names = sorted(s.execute(select(VoteMember.legislator_name)).scalars())
    assert names == ["Allen", "Alvarado-Gil", "Archuleta"]


def test_two_roll_calls_with_one_tally_on_one_day_are_two_votes_with_their_own_members(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    bulk = Snapshot(source="pubinfo")
    for seq, place, members in (("1", "CX08", ("A", "B", "C")), ("2", "CX25", ("X", "Y", "Z"))):
        bulk.bundle(AB1656).votes.append(VoteRecord(
            bill_id=AB1656, location_code=place, vote_date=date(2026, 6, 24), vote_seq=seq, ayes=2, noes=1,
            result="PASS", members=[VoteMemberRecord(name=n, code="AYE") for n in members]))
    ingest_snapshot(factory, bulk, matcher=matcher)
    ingest_snapshot(factory, bulk, matcher=matcher)
    with factory() as s:
        votes = {v.location_code: sorted(m.legislator_name for m in s.execute(
            select(VoteMember).where(VoteMember.vote_id == v.id)).scalars())
            for v in s.execute(select(Vote)).scalars()}
    assert votes == {"CX08": ["A", "B", "C"], "CX25": ["X", "Y", "Z"]}


def test_floor_roll_calls_keep_their_members_and_none_is_lost_on_real_1999_data(factory, matcher, files) -> None:
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/archive/1999"), matcher=matcher)
    summary_rows = (files / "pubinfo/archive/1999/BILL_SUMMARY_VOTE_TBL.dat").read_text().splitlines()
    with factory() as s:
        floor = [v.id for v in s.execute(select(Vote).where(Vote.location_code.in_(["AFLOOR", "SFLOOR"]))).scalars()]
        empty = [i for i in floor if not s.execute(select(VoteMember.id).where(VoteMember.vote_id == i)).first()]
        assert s.scalar(select(func.count()).select_from(Vote)) == len(summary_rows)
    assert floor and empty == []


def test_a_run_with_more_events_than_one_database_query_can_name_stores_them_all(factory, matcher) -> None:
    # 6,000 new actions on a known bill: more event keys than one IN (...) list may carry
    ingest_snapshot(factory, web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2025, 1, 2), action="Introduced."))), matcher=matcher)
    many = [ActionRecord(bill_id=AB1656, action_date=date(2025, 2, 1), action=f"Note number {n}.")
            for n in range(6000)]
    result = ingest_snapshot(factory, web(lambda b: b.actions.extend(many)), matcher=matcher)
    assert result.event_kinds["new_action"] == 6000
    again = ingest_snapshot(factory, web(lambda b: b.actions.extend(many)), matcher=matcher)
    assert again.events == 0


def test_hearing_postponed_by_committee_without_a_date_postpones_the_next_hearing(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    ingest_snapshot(factory, web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 6, 20), action="Set for hearing June 30."))), matcher=matcher)
    ingest_snapshot(factory, web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 6, 25), action="In committee: Hearing postponed by committee."))),
        matcher=matcher)
    with factory() as s:
        hearing = s.execute(select(Hearing).where(Hearing.bill_id == AB1656,
                                                  Hearing.hearing_date == date(2026, 6, 30))).scalar_one()
        assert hearing.status == "postponed"
        event = s.execute(select(ChangeEvent).where(ChangeEvent.kind == "hearing_canceled")).scalar_one()
        assert event.after["status"] == "postponed"


def test_an_empty_field_in_a_bulk_bill_row_clears_what_we_had(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    with factory() as s:
        bill = s.get(Bill, AB1656)
        assert bill.current_secondary_loc == "Floor"
        row = BillRecord(bill_id=AB1656, session_year="20252026", measure_type="AB", measure_num=1656,
                         measure_state=bill.measure_state, current_house=bill.current_house,
                         current_location=bill.current_location, current_secondary_loc=None,
                         current_status=bill.current_status, latest_version_id=bill.latest_version_id)
    bulk = Snapshot(source="pubinfo")
    bulk.bundle(AB1656).bill = row
    ingest_snapshot(factory, bulk, matcher=matcher)
    with factory() as s:
        assert s.get(Bill, AB1656).current_secondary_loc is None


def test_a_website_row_that_leaves_a_field_out_keeps_what_we_had(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    with factory() as s:
        before = s.get(Bill, AB1656).current_location
    ingest_snapshot(factory, web(lambda b: setattr(b, "bill", BillRecord(
        bill_id=AB1656, session_year="20252026", measure_type="AB", measure_num=1656,
        current_status="In Floor Process"))), matcher=matcher)
    with factory() as s:
        assert s.get(Bill, AB1656).current_location == before


def test_the_enrolled_and_chaptered_prints_are_not_announced_as_amendments(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    with factory() as s:
        newest = min(v.version_num for v in s.execute(select(BillVersion).where(BillVersion.bill_id == AB1656)).scalars()) \
            if s.execute(select(BillVersion).where(BillVersion.bill_id == AB1656)).first() else 99
    prints = [VersionRecord(bill_version_id=f"20250AB1656{newest - 1:02d}ENR", bill_id=AB1656, version_num=newest - 1,
                            action_date=date(2026, 9, 1), action="Enrolled", subject="Mental health."),
              VersionRecord(bill_version_id=f"20250AB1656{newest - 2:02d}CHP", bill_id=AB1656, version_num=newest - 2,
                            action_date=date(2026, 9, 20), action="Chaptered", subject="Mental health.")]
    ingest_snapshot(factory, web(lambda b: b.versions.extend(prints)), matcher=matcher)
    assert "new_version" not in kinds(factory)


def test_a_calendar_still_listing_a_postponed_hearing_does_not_undo_the_postponement(factory, matcher, files) -> None:
    imported(factory, matcher, files)
    day = date(2026, 6, 30)
    listed = HearingRecord(bill_id=AB1656, hearing_date=day, committee_code="CS44")
    ingest_snapshot(factory, web(lambda b: (b.hearings.append(listed), b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 6, 25), action="June 30 hearing postponed by committee.")))),
        matcher=matcher)
    n = len(kinds(factory))
    for _ in range(2):  # the same data again, as every nightly import resends it
        ingest_snapshot(factory, web(lambda b: b.hearings.append(listed)), matcher=matcher)
    assert len(kinds(factory)) == n
    with factory() as s:
        assert s.execute(select(Hearing.status).where(Hearing.hearing_date == day)).scalar_one() == "postponed"


def test_a_same_day_action_arriving_in_a_later_delta_is_the_last_action(factory, matcher) -> None:
    bill = "202520260SB9"

    def bulk(*rows: tuple[str, str]) -> Snapshot:
        snap = Snapshot(source="pubinfo")
        for hid, text in rows:  # one day, one action_sequence (it repeats in the real data)
            snap.bundle(bill).actions.append(ActionRecord(bill_id=bill, action_date=date(2025, 9, 12), sequence=26,
                                                          history_id=hid, action=text))
        return snap

    ingest_snapshot(factory, bulk(("1100", "Consideration of Governor's veto pending."),
                                  ("1200", "In Senate. Consideration of Governor's veto pending.")), matcher=matcher)
    ingest_snapshot(factory, bulk(("1300", "Veto sustained.")), matcher=matcher)  # the nightly delta
    with factory() as s:
        assert s.get(Bill, bill).last_action == "Veto sustained."


def test_a_1999_days_actions_keep_their_order_though_that_archive_numbers_rows_downwards(
        factory, matcher, files) -> None:
    """In the 1999 archive a day's last action has the smallest row id: the vote that sent SB 2
    to the Assembly comes before "In Assembly. Read first time.", and Chapter 1's last action
    is the Governor's approval, not the enrollment."""
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/archive/1999"), matcher=matcher)
    with factory() as s:
        texts = [a.action for a in s.execute(select(BillAction).where(BillAction.bill_id == "199920001SB2")
                                              .order_by(BillAction.sort_key)).scalars()]
    passed = next(i for i, t in enumerate(texts) if t.startswith("Read third time.  Passed."))
    assert texts[passed + 1].startswith("In Assembly.  Read first time.")


def test_a_bill_with_no_history_takes_its_stage_from_its_bill_row(factory, matcher, files) -> None:
    """The 1989 archive has BILL_TBL rows ("Chaptered") but no history rows."""
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/archive/1989"), matcher=matcher)
    with factory() as s:
        stages = {b.stage for b in s.execute(select(Bill).where(Bill.history_count == 0)).scalars()}
    assert stages == {"chaptered"}


def test_a_new_action_and_its_event_carry_the_same_time(factory, matcher, files) -> None:
    # an event is told with the action that set its stage "by then": one import, one time
    imported(factory, matcher, files)
    ingest_snapshot(factory, web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=date(2026, 12, 1), action="Read third time. Passed. Ordered to the Assembly."))),
        matcher=matcher)
    with factory() as s:
        action = s.execute(select(BillAction.created_at).where(
            BillAction.bill_id == AB1656, BillAction.action.like("Read third time. Passed. Ordered to the Assembly.%")
        )).scalar_one()
        event = s.execute(select(ChangeEvent.created_at).where(ChangeEvent.kind == "new_action")).scalar_one()
    assert action == event


def test_a_concurrence_in_the_same_poll_as_its_pending_notice_is_told_as_a_stage_change(factory, matcher, files) -> None:
    # still "passed_house" before and after, but now both houses have passed it
    imported(factory, matcher, files)
    day = date(2026, 12, 1)
    ingest_snapshot(factory, web(lambda b: b.actions.append(ActionRecord(
        bill_id=AB1656, action_date=day, action="Read third time. Passed. Ordered to the Assembly. (Ayes 30. Noes 8.)"))),
        matcher=matcher)
    with factory() as s:
        assert s.get(Bill, AB1656).stage == "passed_house"
        before = s.execute(select(func.count()).select_from(ChangeEvent).where(ChangeEvent.kind == "stage_changed")).scalar_one()
    ingest_snapshot(factory, web(lambda b: b.actions.extend([
        ActionRecord(bill_id=AB1656, action_date=day + timedelta(days=1),
                     action="In Assembly. Concurrence in Senate amendments pending."),
        ActionRecord(bill_id=AB1656, action_date=day + timedelta(days=1),
                     action="Senate amendments concurred in. To Engrossing and Enrolling. (Ayes 70. Noes 0.)")])),
        matcher=matcher)
    with factory() as s:
        moves = list(s.execute(select(ChangeEvent).where(ChangeEvent.kind == "stage_changed")
                               .order_by(ChangeEvent.id)).scalars())[before:]
    assert [(e.before, e.after, e.summary) for e in moves] == [
        ("passed_house", "passed_house", "AB 1656 passed both houses")]
