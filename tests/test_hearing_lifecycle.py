"""A hearing's life across imports: set, moved, moved back, dropped, and two on one day.

Each test imports a sequence of bulk extracts built from the real fixture tables
(``tests/files/pubinfo/mini``: BILL_TBL, BILL_HISTORY_TBL, ...) plus the hearing and location
rows the fixtures lack, and calendar polls or website actions where a test needs another source. No real COMMITTEE_HEARING_TBL / LOCATION_CODE_TBL rows exist
(leginfo.md §10): those rows are synthetic, in the official column order, with the real
committee codes and names of the fixtures' own BILL_ANALYSIS_TBL (CS72 Senate Public Safety,
CS56 Senate Labor, Public Employment and Retirement). Dates are relative to today, so the
hearings are always still to come. Every sequence runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.advocacy.facts import bill_facts
from tracker.clock import local_today
from tracker.db.models_core import ChangeEvent, Hearing
from tracker.ingest.keys import hearing_key
from tracker.ingest.service import CalendarSpan, HearingCoverage, IngestResult, ingest_snapshot
from tracker.items import ActionRecord, HearingRecord, Snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT, get_settings

MINI = Path(__file__).parent / "files" / "pubinfo" / "mini"
MATCHER = load_matcher(PROJECT_ROOT / "config" / "topics.toml")
AB2052, SB275 = "202520260AB2052", "202520260SB275"
PUBLIC_SAFETY, LABOR = "CS72", "CS56"
#: code → (description, long description), as the fixtures' analyses name these committees
LOCATIONS = {PUBLIC_SAFETY: ("Public Safety", "Senate Public Safety"),
             LABOR: ("Labor, Public Employment and Retirement",
                     "Senate Committee on Labor, Public Employment and Retirement")}
TODAY = local_today()


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def spoken(d: date) -> str:
    """A day as action text writes it, double space and all ("December  15")."""
    return f"{d:%B}  {d.day}"


def extract(tmp_path: Path, name: str, hearings: Iterable[tuple[str, date, str]] = (),
            history: Iterable[str] = (), hearing_table: bool = True) -> Path:
    """The real mini extract plus a location table and the given COMMITTEE_HEARING_TBL rows
    (bill, day, code), and history rows appended to the real BILL_HISTORY_TBL."""
    d = tmp_path / name
    shutil.copytree(MINI, d)
    (d / "LOCATION_CODE_TBL.dat").write_text("".join(
        f"`20252026`\t`{code}`\t`B`\tNULL\t`{short}`\t`{long}`\t`Y`\t`LEG`\t2025-01-01 00:00:00\tNULL\n"
        for code, (short, long) in LOCATIONS.items()))
    if hearing_table:
        (d / "COMMITTEE_HEARING_TBL.dat").write_text("".join(
            f"`{bill}`\t`{code[:2]}`\t`{code[2:]}`\t{when} 00:00:00\t`{code}`\t`LEG`\t2026-06-01 00:00:00\n"
            for bill, when, code in hearings))
    with (d / "BILL_HISTORY_TBL.dat").open("a") as fh:
        fh.writelines(history)
    return d


def delta(tmp_path: Path, name: str, bill_id: str) -> Path:
    """A weekday delta: the day's changed bill only, and a hearing table without its rows."""
    d = tmp_path / name
    d.mkdir()
    (d / "BILL_TBL.dat").write_text("".join(
        line for line in (MINI / "BILL_TBL.dat").read_text().splitlines(keepends=True)
        if line.startswith(f"`{bill_id}`")))
    (d / "COMMITTEE_HEARING_TBL.dat").write_text("")
    return d


def history_row(real_id: str, new_id: str, acted: date, text: str) -> str:
    """A real BILL_HISTORY_TBL row (found by its history id) as a new action: another id, date
    and text, the row's own location columns kept."""
    line = next(x for x in (MINI / "BILL_HISTORY_TBL.dat").read_text().splitlines() if f"\t{real_id}\t" in x)
    cells = line.split("\t")
    cells[1], cells[2], cells[3] = new_id, f"{acted} 00:00:00", f"`{text}`"
    return "\t".join(cells) + "\n"


def imported(factory: sessionmaker[Session], path: Path) -> IngestResult:
    return ingest_snapshot(factory, read_snapshot(path), matcher=MATCHER)


def calendar(*hearings: HearingRecord) -> Snapshot:
    snap = Snapshot(source="hearings")
    for h in hearings:
        snap.bundle(h.bill_id).hearings.append(h)
    return snap


def on_calendar(bill_id: str, when: date, committee: str = "Public Safety") -> HearingRecord:
    return HearingRecord(bill_id=bill_id, hearing_date=when, committee_name=committee,
                         hearing_time="9 a.m.", room="1021 O Street, Room 2100")


def hearing_events(factory: sessionmaker[Session]) -> list[ChangeEvent]:
    with factory() as s:
        return list(s.execute(select(ChangeEvent).where(ChangeEvent.kind.like("hearing%"))
                              .order_by(ChangeEvent.id)).scalars())


def hearings(factory: sessionmaker[Session], bill_id: str, since: date = TODAY - timedelta(days=30),
             ) -> dict[tuple[date, str | None], str]:
    """(day, committee code) → status of a bill's stored hearings from ``since`` on (the
    fixtures' own history holds hearings of 2025 and spring 2026)."""
    with factory() as s:
        return {(h.hearing_date, h.committee_code): h.status
                for h in s.execute(select(Hearing).where(Hearing.bill_id == bill_id,
                                                         Hearing.hearing_date >= since)).scalars()}


def nothing(result: IngestResult) -> bool:
    return (result.events, result.bills_changed) == (0, 0)


@pytest.fixture
def base(factory: sessionmaker[Session], tmp_path: Path) -> sessionmaker[Session]:
    """The four fixture bills stored from a full extract with an empty hearing table."""
    imported(factory, extract(tmp_path, "base"))
    return factory


def test_a_hearing_moved_back_to_its_first_day_is_one_change_and_the_other_day_is_closed(base, tmp_path) -> None:
    first, second = day(10), day(12)
    imported(base, extract(tmp_path, "set", [(AB2052, first, PUBLIC_SAFETY)]))
    imported(base, extract(tmp_path, "moved", [(AB2052, second, PUBLIC_SAFETY)]))
    back = extract(tmp_path, "back", [(AB2052, first, PUBLIC_SAFETY)])
    imported(base, back)
    told = hearing_events(base)
    assert [e.kind for e in told] == ["hearing_set", "hearing_changed", "hearing_changed"]
    assert f"moved back to {first:%B} {first.day}" in told[-1].summary
    assert (told[-1].after["date"], told[-1].after["moved_from"]) == (first.isoformat(), second.isoformat())
    assert hearings(base, AB2052) == {(first, PUBLIC_SAFETY): "scheduled", (second, PUBLIC_SAFETY): "postponed"}
    with base() as s:
        facts = bill_facts(s, AB2052, get_settings(), TODAY)
    assert (facts.hearing["date"], facts.letter_deadline) == (first, first - timedelta(days=7))
    assert nothing(imported(base, back))


def test_only_the_source_that_moved_a_hearing_moves_it_back(base, tmp_path) -> None:
    """The bulk data moved the calendar's hearing; the calendar still showing the first day
    does not undo that (two sources disagreeing is no news), the bulk data listing it again does."""
    first, second = day(10), day(12)
    ingest_snapshot(base, calendar(on_calendar(AB2052, first)), matcher=MATCHER)
    imported(base, extract(tmp_path, "moved", [(AB2052, second, PUBLIC_SAFETY)]))
    assert nothing(ingest_snapshot(base, calendar(on_calendar(AB2052, first)), matcher=MATCHER))
    assert hearings(base, AB2052)[(first, None)] == "postponed"
    imported(base, extract(tmp_path, "back", [(AB2052, first, PUBLIC_SAFETY)]))
    assert [e.kind for e in hearing_events(base)] == ["hearing_set", "hearing_changed", "hearing_changed"]
    assert hearings(base, AB2052) == {(first, PUBLIC_SAFETY): "scheduled", (second, PUBLIC_SAFETY): "postponed"}


def test_a_hearing_to_come_that_a_full_snapshot_no_longer_lists_is_closed_and_told(base, tmp_path) -> None:
    """Deltas and extracts without the hearing table are partial: their silence means nothing.
    A past day that drops off is history, not a cancellation."""
    coming, past = day(10), day(-20)
    imported(base, extract(tmp_path, "set", [(AB2052, coming, PUBLIC_SAFETY), (AB2052, past, PUBLIC_SAFETY)]))
    assert nothing(imported(base, extract(tmp_path, "no-table", hearing_table=False)))
    assert nothing(imported(base, delta(tmp_path, "delta", AB2052)))
    full = extract(tmp_path, "full")
    imported(base, full)
    told = hearing_events(base)
    assert [e.kind for e in told] == ["hearing_set", "hearing_canceled"]
    assert "no longer on the agenda" in told[-1].summary and "Public Safety" in told[-1].summary
    assert hearings(base, AB2052) == {(coming, PUBLIC_SAFETY): "canceled", (past, PUBLIC_SAFETY): "scheduled"}
    with base() as s:
        facts = bill_facts(s, AB2052, get_settings(), TODAY)
    assert (facts.hearing, facts.letter_deadline) == (None, None)
    assert nothing(imported(base, full))


def test_a_hearing_the_calendar_still_lists_stays_until_the_calendar_drops_it_too(base, tmp_path) -> None:
    coming = day(10)
    ingest_snapshot(base, calendar(on_calendar(AB2052, coming)), matcher=MATCHER)
    imported(base, extract(tmp_path, "set", [(AB2052, coming, PUBLIC_SAFETY)]))
    assert imported(base, extract(tmp_path, "full")).events == 0
    assert hearings(base, AB2052) == {(coming, PUBLIC_SAFETY): "scheduled"}
    read_in_full = HearingCoverage(spans=(CalendarSpan(TODAY, day(30)),))
    ingest_snapshot(base, calendar(), matcher=MATCHER, hearings_complete=read_in_full)
    told = hearing_events(base)
    assert [e.kind for e in told] == ["hearing_set", "hearing_canceled"]
    assert "(the committee calendars no longer list it)" in told[-1].summary
    assert nothing(ingest_snapshot(base, calendar(), matcher=MATCHER, hearings_complete=read_in_full))


def test_a_calendar_closes_only_hearings_on_the_days_and_chambers_it_read_in_full(base) -> None:
    soon, later = day(10), day(40)
    ingest_snapshot(base, calendar(on_calendar(AB2052, soon), on_calendar(AB2052, later, "Senate Health")),
                    matcher=MATCHER)
    ingest_snapshot(base, calendar(), matcher=MATCHER)  # no coverage said: a calendar's silence is nothing
    ingest_snapshot(base, calendar(), matcher=MATCHER,  # the Assembly's days: 'Public Safety' may be the Senate's
                    hearings_complete=HearingCoverage(spans=(CalendarSpan(TODAY, day(60), "Assembly"),)))
    assert set(hearings(base, AB2052).values()) == {"scheduled"}
    ingest_snapshot(base, calendar(), matcher=MATCHER,
                    hearings_complete=HearingCoverage(spans=(CalendarSpan(TODAY, day(14)),)))
    assert hearings(base, AB2052) == {(soon, None): "canceled", (later, None): "scheduled"}


def test_two_committees_hearing_a_bill_on_one_day_are_two_hearings_in_either_row_order(base, tmp_path) -> None:
    when = day(10)
    rows = [(AB2052, when, PUBLIC_SAFETY), (AB2052, when, LABOR)]
    imported(base, extract(tmp_path, "both", rows))
    told = hearing_events(base)
    assert [e.kind for e in told] == ["hearing_set", "hearing_set"]
    assert {e.after["committee"] for e in told} == {"Senate Public Safety",
                                                    "Senate Labor, Public Employment and Retirement"}
    assert nothing(imported(base, extract(tmp_path, "reversed", rows[::-1])))
    assert nothing(imported(base, extract(tmp_path, "again", rows)))
    assert hearings(base, AB2052) == {(when, PUBLIC_SAFETY): "scheduled", (when, LABOR): "scheduled"}


def test_hearings_stored_before_committees_were_told_apart_keep_their_rows(base, tmp_path) -> None:
    """A stored row keyed by bill and day alone is still its committee's hearing; the day's other
    committee is a hearing of its own. A row stored before listings were kept counts as listed by
    the source that stored it: a full snapshot that no longer lists it closes it (a hearing
    dropped before the upgrade does not stay "scheduled" for good)."""
    when, other = day(10), day(20)
    with base.begin() as s:
        for d in (when, other):
            s.add(Hearing(bill_id=AB2052, fingerprint=hearing_key(AB2052, d), committee_code=PUBLIC_SAFETY,
                          committee_name="Senate Public Safety", hearing_date=d, status="scheduled",
                          sources=["pubinfo"]))
    both = extract(tmp_path, "both", [(AB2052, when, PUBLIC_SAFETY), (AB2052, when, LABOR)])
    imported(base, both)
    assert sorted((e.kind, e.after["committee"]) for e in hearing_events(base)) == [
        ("hearing_canceled", "Senate Public Safety"), ("hearing_set", "Senate Labor, Public Employment and Retirement")]
    with base() as s:
        kept = s.execute(select(Hearing).where(Hearing.fingerprint == hearing_key(AB2052, when))).scalar_one()
    assert (kept.committee_code, kept.status) == (PUBLIC_SAFETY, "scheduled")
    assert hearings(base, AB2052)[(other, PUBLIC_SAFETY)] == "canceled"
    assert nothing(imported(base, both))


def test_history_text_finds_its_hearing_by_its_rows_committee_or_as_the_days_only_hearing(base, tmp_path) -> None:
    """'Hearing postponed' in a row placed in CS56 is the Labor committee's, not Public
    Safety's the same day; 'Set for hearing' with no committee at all is the calendar's only
    hearing of the bill that day, not a second one."""
    both, alone = day(10), day(17)
    imported(base, extract(tmp_path, "both", [(AB2052, both, PUBLIC_SAFETY), (AB2052, both, LABOR)]))
    ingest_snapshot(base, calendar(on_calendar(AB2052, alone, "Senate Health")), matcher=MATCHER)
    postponed = history_row("118278254", "918278254", TODAY, f"{spoken(both)} hearing postponed by committee.")
    postponed = postponed.replace(f"`{SB275}`", f"`{AB2052}`")
    imported(base, extract(tmp_path, "postponed", [(AB2052, both, PUBLIC_SAFETY), (AB2052, both, LABOR)],
                           history=[postponed]))
    web = Snapshot(source="web")
    web.bundle(AB2052).actions.append(ActionRecord(AB2052, TODAY, f"Set for hearing {spoken(alone)}."))
    ingest_snapshot(base, web, matcher=MATCHER)
    assert hearings(base, AB2052) == {(both, PUBLIC_SAFETY): "scheduled", (both, LABOR): "postponed",
                                      (alone, None): "scheduled"}


def test_a_hearing_set_in_history_text_is_in_the_committee_its_row_is_in(base, tmp_path) -> None:
    """SB 275's real 'Set for hearing March  26.' row is placed in CS56: the same row setting a
    hearing still to come names that committee, and its letter deadline is given."""
    when = day(12)
    row = history_row("118278254", "918278254", TODAY, f"Set for hearing {spoken(when)}.")
    imported(base, extract(tmp_path, "set", history=[row]))
    assert hearings(base, SB275)[(when, LABOR)] == "scheduled"
    with base() as s:
        facts = bill_facts(s, SB275, get_settings(), TODAY)
    assert facts.hearing["committee"] == "Senate Labor, Public Employment and Retirement"
    assert facts.letter_deadline == when - timedelta(days=7)


def test_a_committees_report_is_no_hearing_in_the_committee_it_sent_the_bill_to(factory, tmp_path) -> None:
    """SB 275's real history: 'Set for hearing March 26.' (row in CS56), then 'From committee: Do
    pass and re-refer to Com. on APPR. ... (March 26).', a row already placed in CS61: one
    hearing on March 26, Labor's, heard."""
    imported(factory, extract(tmp_path, "first"))
    march_26 = date(2025, 3, 26)
    assert {k: v for k, v in hearings(factory, SB275, march_26).items() if k[0] == march_26} == {
        (march_26, LABOR): "heard"}


def test_a_hearing_back_on_the_agenda_after_it_was_dropped_is_told(base, tmp_path) -> None:
    coming = day(10)
    on = extract(tmp_path, "set", [(AB2052, coming, PUBLIC_SAFETY)])
    imported(base, on)
    ingest_snapshot(base, calendar(on_calendar(AB2052, coming)), matcher=MATCHER)  # fills in the time
    read_in_full = HearingCoverage(spans=(CalendarSpan(TODAY, day(30)),))
    imported(base, extract(tmp_path, "dropped"))
    ingest_snapshot(base, calendar(), matcher=MATCHER, hearings_complete=read_in_full)
    assert hearing_events(base)[-1].kind == "hearing_canceled"
    ingest_snapshot(base, calendar(on_calendar(AB2052, coming)), matcher=MATCHER, hearings_complete=read_in_full)
    told = hearing_events(base)[-1]
    assert told.kind == "hearing_changed" and "is on again" in told.summary
    assert hearings(base, AB2052)[(coming, PUBLIC_SAFETY)] == "scheduled"


def test_a_hearing_stored_before_listings_were_kept_is_closed_when_its_source_drops_it(base, tmp_path) -> None:
    coming = day(10)
    imported(base, extract(tmp_path, "set", [(AB2052, coming, PUBLIC_SAFETY)]))
    with base.begin() as s:  # as the release before listings left its rows
        for h in s.execute(select(Hearing).where(Hearing.bill_id == AB2052, Hearing.hearing_date == coming)).scalars():
            h.listed_by = None
    imported(base, extract(tmp_path, "full"))
    assert hearing_events(base)[-1].kind == "hearing_canceled"


def test_a_daily_snapshot_without_the_hearing_table_closes_nothing_as_the_bulk_poll_passes_it(base, tmp_path) -> None:
    from tracker.ingest.service import hearing_table_read

    coming = day(10)
    imported(base, extract(tmp_path, "set", [(AB2052, coming, PUBLIC_SAFETY)]))
    snap = read_snapshot(extract(tmp_path, "no-table", hearing_table=False))
    result = ingest_snapshot(base, snap, matcher=MATCHER,
                             hearings_complete=HearingCoverage(whole_session=hearing_table_read(snap)))
    assert nothing(result) and hearings(base, AB2052)[(coming, PUBLIC_SAFETY)] == "scheduled"
