"""Calendar parsers on the synthetic fixtures in tests/files/calendars (see SOURCE.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from spiders.parsers import LayoutError, PageProblem
from spiders.parsers.calendars import (
    parse_assembly_agenda,
    parse_assembly_daily_file,
    parse_senate_calendar,
)
from tracker.replica.calendars import senate_calendar
from tracker.replica.faults import MAINTENANCE_PAGE, change_layout
from tracker.replica.state import ReplicaState

CAL = Path(__file__).parent / "files" / "calendars"
SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample_data" / "pubinfo_2025"
SY = "20252026"
APRIL = (date(2025, 4, 1), date(2025, 4, 30))


def test_senate_calendar() -> None:
    html = (CAL / "senate_calendar.html").read_text()
    records = parse_senate_calendar(html, "https://www.senate.ca.gov/calendar", SY)
    got = {(r.bill_id, r.hearing_date, r.committee_name, r.status) for r in records}
    assert got == {
        ("202520260SB275", date(2025, 4, 8), "Health", "scheduled"),
        ("202520260AB1656", date(2025, 4, 8), "Health", "scheduled"),
        ("202520260AB2052", date(2025, 4, 8), "Public Safety", "canceled"),
        ("202520260SCR10", date(2025, 4, 9), "Appropriations", "scheduled"),
    }
    health = next(r for r in records if r.bill_id == "202520260SB275")
    assert (health.hearing_time, health.room) == ("1:30 p.m. (or upon adjournment)", "1021 O Street, Room 1200")


def test_senate_calendar_broken() -> None:
    html = (CAL / "senate_calendar.html").read_text()
    with pytest.raises(LayoutError):
        parse_senate_calendar(change_layout(html), "u", SY)
    with pytest.raises(PageProblem):
        parse_senate_calendar(MAINTENANCE_PAGE, "u", SY, 503)
    with pytest.raises(PageProblem):
        parse_senate_calendar(html[: len(html) // 2], "u", SY)
    empty = '<html><body><div class="page-events"><p class="page-events__empty">No events.</p></div></body></html>'
    assert parse_senate_calendar(empty, "u", SY) == []
    with pytest.raises(LayoutError):  # no events and no "no events" note: not an empty calendar
        parse_senate_calendar('<html><body><div class="page-events"></div></body></html>', "u", SY)


def senate_hearings(*bill_lists: list[str]) -> ReplicaState:
    """The replica's legislature with one Senate hearing on 8 April 2025 per list of bills."""
    state = ReplicaState(SAMPLE)
    for bills in bill_lists:
        state.set_hearing("senate", "Health", date(2025, 4, 8), bills)
    return state


def test_senate_calendar_reads_the_bills_of_agendas_shown_inline() -> None:
    html = senate_calendar(senate_hearings(["202520260SB275", "202520260AB1656"]), *APRIL)
    records = parse_senate_calendar(html, "u", SY)
    assert [(r.bill_id, r.hearing_date) for r in records] == [
        ("202520260SB275", date(2025, 4, 8)), ("202520260AB1656", date(2025, 4, 8))]


def test_senate_calendar_whose_agendas_load_in_a_modal_is_a_layout_error_not_no_hearings() -> None:
    html = senate_calendar(senate_hearings(["202520260SB275"], ["202520260AB1656"]), *APRIL, agenda_modal=True)
    with pytest.raises(LayoutError, match="modal"):
        parse_senate_calendar(html, "u", SY)


def test_a_senate_hearing_whose_agenda_is_behind_a_modal_is_reported_unread_beside_inline_ones() -> None:
    state = senate_hearings(["202520260SB275"], ["202520260AB1656"])
    html = senate_calendar(state, *APRIL, agenda_modal={max(state.hearings)})
    unread: list[date] = []
    records = parse_senate_calendar(html, "u", SY, unread=unread)
    assert [r.bill_id for r in records] == ["202520260SB275"] and unread == [date(2025, 4, 8)]


def test_senate_hearings_without_bills_or_agenda_links_are_no_bills() -> None:
    html = senate_calendar(senate_hearings([]), *APRIL)  # an informational hearing
    assert parse_senate_calendar(html, "u", SY) == []


def test_assembly_daily_file_and_agenda() -> None:
    rows = parse_assembly_daily_file((CAL / "assembly_daily_file.html").read_text(), "https://www.assembly.ca.gov/x")
    assert [(r.hearing_date, r.committee_name, r.status, r.agenda_url) for r in rows] == [
        (date(2025, 4, 8), "Health", "scheduled", "/api/dailyfile/agenda/7"),
        (date(2025, 4, 9), "Appropriations", "postponed", "/api/dailyfile/agenda/8"),
    ]
    records = parse_assembly_agenda((CAL / "assembly_agenda_7.html").read_text(), "u", rows[0], SY)
    assert [r.bill_id for r in records] == ["202520260AB1656", "202520260SB275"]
    assert records[0].room == "1021 O Street, Room 1100"
    with pytest.raises(LayoutError):
        parse_assembly_daily_file(change_layout((CAL / "assembly_daily_file.html").read_text()), "u")
