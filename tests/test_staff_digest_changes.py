"""The weekly staff digest tells staff what happened to the hearings they plan letters for.

Staff plan position letters by hearing dates, so the digest says when a hearing of a tracked
bill was canceled, postponed, moved or put back on that week (which committee by name, the old
and new day, and what became of the letter deadline), and it keeps a letter deadline that has
already passed on an upcoming hearing, marked as passed, so staff know to call instead. Only
policy committees get letter deadlines.

Real databases (SQLite and PostgreSQL through ``db_url``); events shaped as the diff stores them
(``tracker.ingest.diff_hearings``), and two that the ingest itself writes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts.digest import digest_context, render_staff_digest
from tracker.alerts.testing import add_bill, add_events, add_run, database
from tracker.clock import local_today
from tracker.db.base import transaction, utcnow
from tracker.db.models_core import Bill, Hearing, LocationCode
from tracker.ingest.service import ingest_snapshot
from tracker.items import ActionRecord, HearingRecord, Snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT, get_settings

WEEK = "2025-W15"  # Monday April 7 to Sunday April 13, 2025
DURING = datetime(2025, 4, 9, 18, 0, tzinfo=timezone.utc)  # when the week's events were stored
MONDAY_AFTER = datetime(2025, 4, 14, 14, 0, tzinfo=timezone.utc)  # 7 a.m. in California: the digest runs
CHANGES_EN = "Hearings canceled or moved"
CHANGES_ES = "Audiencias canceladas o cambiadas de fecha"
NONE_EN = "No hearing was canceled or moved this week."


@pytest.fixture
def factory(db_url: str, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    return database(db_url)


def followed_bill(s: Session, measure: str, **kw: Any) -> str:
    """A bill we have followed since January (so it is not new to triage this week)."""
    bill_id = add_bill(s, measure, **kw)
    s.get(Bill, bill_id).created_at = datetime(2025, 1, 6, tzinfo=timezone.utc)
    return bill_id


def hearing(s: Session, bill_id: str, day: date, committee: str | None, status: str = "scheduled",
            code: str | None = None) -> None:
    s.add(Hearing(bill_id=bill_id, fingerprint=f"h{day.isoformat()}", committee_name=committee,
                  committee_code=code, hearing_date=day, status=status, sources=["senate"]))


def store(s: Session, bill_id: str, kind: str, before: Any, after: Any, when: datetime = DURING) -> None:
    add_events(s, bill_id, add_run(s, started_at=when, finished_at=when), [(kind, before, after)], created_at=when)


def canceled(s: Session, bill_id: str, day: date, committee: str, status: str = "canceled") -> None:
    """A hearing closed as the diff records it: the row closed, one ``hearing_canceled`` event."""
    hearing(s, bill_id, day, committee, status)
    store(s, bill_id, "hearing_canceled",
          {"status": "scheduled", "time": None, "room": None, "committee": committee},
          {"status": status, "time": None, "room": None, "committee": committee, "date": day.isoformat()})


def moved(s: Session, bill_id: str, old: date, new: date, committee: str | None, code: str | None = None) -> None:
    """A move as the diff records it: the old day postponed, the new one set, one event."""
    hearing(s, bill_id, old, committee, "postponed", code=code)
    hearing(s, bill_id, new, committee, code=code)
    where = committee or code
    store(s, bill_id, "hearing_changed",
          {"status": "scheduled", "date": old.isoformat(), "time": None, "room": None, "committee": where},
          {"date": new.isoformat(), "committee": where, "time": "1:30 p.m.", "room": None,
           "status": "scheduled", "moved_from": old.isoformat()})


def digest(factory: sessionmaker[Session], lang: str = "en", week: str = WEEK,
           now: datetime = MONDAY_AFTER) -> str:
    with factory() as s:
        return render_staff_digest(s, week, lang, now).text


def section(text: str, heading: str) -> str:
    """The lines of one section of the plain-text digest, without its heading."""
    start = text.index(f"== {heading} ==") + len(heading) + 6
    end = text.find("\n== ", start)
    return text[start:end if end >= 0 else None].strip()


# --- hearings canceled, postponed, moved or back on -------------------------------------------

def test_a_canceled_hearing_is_listed_with_its_bill_committee_and_day(factory) -> None:
    with transaction(factory) as s:
        canceled(s, followed_bill(s, "AB 13"), date(2025, 4, 22), "Assembly Health")
    assert section(digest(factory), CHANGES_EN).startswith(
        "- AB 13: the April 22, 2025 hearing in Assembly Health was canceled.")


def test_a_canceled_hearings_letter_deadline_is_said_to_no_longer_apply(factory) -> None:
    with transaction(factory) as s:
        canceled(s, followed_bill(s, "AB 13"), date(2025, 4, 22), "Assembly Health")
    assert "The position-letter deadline of April 15, 2025 no longer applies." in section(digest(factory), CHANGES_EN)


def test_a_postponed_hearing_is_said_to_be_postponed(factory) -> None:
    with transaction(factory) as s:
        canceled(s, followed_bill(s, "AB 13"), date(2025, 4, 22), "Assembly Health", status="postponed")
    assert "the April 22, 2025 hearing in Assembly Health was postponed." in section(digest(factory), CHANGES_EN)


def test_a_moved_hearing_gives_its_old_and_new_day(factory) -> None:
    with transaction(factory) as s:
        moved(s, followed_bill(s, "AB 13"), date(2025, 4, 22), date(2025, 5, 6), "Assembly Health")
    assert section(digest(factory), CHANGES_EN).startswith(
        "- AB 13: the hearing in Assembly Health moved from April 22, 2025 to May 6, 2025.")


def test_a_moved_hearing_gives_its_old_and_new_letter_deadline(factory) -> None:
    with transaction(factory) as s:
        moved(s, followed_bill(s, "AB 13"), date(2025, 4, 22), date(2025, 5, 6), "Assembly Health")
    assert ("Position-letter deadline changed from April 15, 2025 to April 29, 2025. "
            "http://127.0.0.1:8000/bills/AB-13") in section(digest(factory), CHANGES_EN)


def test_a_hearing_moved_closer_says_its_new_letter_deadline_has_passed(factory) -> None:
    with transaction(factory) as s:
        moved(s, followed_bill(s, "AB 13"), date(2025, 4, 29), date(2025, 4, 16), "Assembly Health")
    assert ("Position-letter deadline changed from April 22, 2025 to April 9, 2025 (deadline passed)."
            in section(digest(factory), CHANGES_EN))


def test_a_hearing_change_names_a_committee_known_only_by_its_code(factory) -> None:
    with transaction(factory) as s:
        s.add(LocationCode(session_year="20252026", code="CS61", description="Health"))
        moved(s, followed_bill(s, "AB 13"), date(2025, 4, 22), date(2025, 5, 6), None, code="CS61")
    changes = section(digest(factory), CHANGES_EN)
    assert "the hearing in Senate Health moved from April 22, 2025 to May 6, 2025." in changes
    assert "CS61" not in changes
    assert "Position-letter deadline changed from April 15, 2025 to April 29, 2025." in changes


def test_a_fiscal_committee_hearing_change_gets_no_letter_deadline(factory) -> None:
    with transaction(factory) as s:
        canceled(s, followed_bill(s, "AB 13"), date(2025, 4, 22), "Senate Appropriations")
    changes = section(digest(factory), CHANGES_EN)
    assert "the April 22, 2025 hearing in Senate Appropriations was canceled." in changes
    assert "deadline" not in changes


def test_a_canceled_hearing_put_back_on_is_told_with_its_letter_deadline(factory) -> None:
    with transaction(factory) as s:
        bill_id = followed_bill(s, "AB 13")
        hearing(s, bill_id, date(2025, 4, 29), "Assembly Health")
        store(s, bill_id, "hearing_changed",
              {"status": "canceled", "time": None, "room": None, "committee": "Assembly Health"},
              {"status": "scheduled", "time": None, "room": None, "committee": "Assembly Health",
               "date": "2025-04-29"})
    assert ("- AB 13: the April 29, 2025 hearing in Assembly Health is on again. Position letter due April 22, 2025."
            in section(digest(factory), CHANGES_EN))


def test_a_hearings_time_and_room_filled_in_is_no_change_of_date(factory) -> None:
    with transaction(factory) as s:
        bill_id = followed_bill(s, "AB 13")
        hearing(s, bill_id, date(2025, 4, 29), "Assembly Health")
        store(s, bill_id, "hearing_changed",
              {"status": "scheduled", "time": None, "room": None, "committee": "Assembly Health"},
              {"status": "scheduled", "time": "1:30 p.m.", "room": "1021 O Street",
               "committee": "Assembly Health", "date": "2025-04-29"})
    assert section(digest(factory), CHANGES_EN) == NONE_EN


def test_hearing_changes_of_bills_we_do_not_follow_are_left_out(factory) -> None:
    with transaction(factory) as s:
        canceled(s, followed_bill(s, "SB 5", relevant=False, topics=[]), date(2025, 4, 22), "Senate Transportation")
    assert section(digest(factory), CHANGES_EN) == NONE_EN


def test_hearing_changes_belong_to_the_week_they_happened(factory) -> None:
    with transaction(factory) as s:
        canceled(s, followed_bill(s, "AB 13"), date(2025, 4, 22), "Assembly Health")
    assert section(digest(factory, week="2025-W16", now=MONDAY_AFTER + timedelta(days=7)),
                   CHANGES_EN) == NONE_EN
    assert "AB 13" in section(digest(factory), CHANGES_EN)


def test_a_bills_hearing_changes_are_told_together_in_the_order_they_happened(factory) -> None:
    with transaction(factory) as s:
        sb5 = followed_bill(s, "SB 5")
        ab13 = followed_bill(s, "AB 13")
        moved(s, sb5, date(2025, 4, 22), date(2025, 5, 6), "Senate Health")
        moved(s, ab13, date(2025, 4, 23), date(2025, 4, 30), "Assembly Health")
        hearing(s, ab13, date(2025, 5, 14), "Assembly Health")
        store(s, ab13, "hearing_changed",
              {"status": "scheduled", "date": "2025-04-30", "committee": "Assembly Health"},
              {"date": "2025-05-14", "committee": "Assembly Health", "status": "scheduled",
               "moved_from": "2025-04-30"}, when=DURING + timedelta(hours=1))
    lines = section(digest(factory), CHANGES_EN).splitlines()
    assert [line.split(" moved from ")[1][:27] for line in lines] == [
        "April 23, 2025 to April 30,", "April 30, 2025 to May 14, 2", "April 22, 2025 to May 6, 20"]
    assert [line[:7] for line in lines] == ["- AB 13", "- AB 13", "- SB 5:"]


def test_hearing_changes_read_in_spanish(factory) -> None:
    with transaction(factory) as s:
        bill_id = followed_bill(s, "AB 13")
        canceled(s, bill_id, date(2025, 4, 22), "Assembly Health")
        moved(s, bill_id, date(2025, 4, 23), date(2025, 5, 7), "Assembly Health")
    changes = section(digest(factory, "es"), CHANGES_ES)
    assert ("- AB 13: la audiencia del 22 de abril de 2025 en el Comité de Salud de la Asamblea se canceló. "
            "La fecha límite del 15 de abril de 2025 para la carta de postura ya no se aplica.") in changes
    assert ("- AB 13: la audiencia en el Comité de Salud de la Asamblea se cambió del 23 de abril de 2025 "
            "al 7 de mayo de 2025.") in changes
    assert ("La fecha límite para la carta de postura cambió del 16 de abril de 2025 al 30 de abril de 2025."
            in changes)
    assert "deadline" not in changes and "Assembly Health" not in changes


def test_the_html_digest_lists_hearing_changes_under_their_own_heading(factory) -> None:
    with transaction(factory) as s:
        canceled(s, followed_bill(s, "AB 13"), date(2025, 4, 22), "Assembly Health")
    with factory() as s:
        html = render_staff_digest(s, WEEK, "en", MONDAY_AFTER).html
    block = html[html.index(f">{CHANGES_EN}</h2>"):]
    block = block[:block.index("</ul>")]
    assert ("<li>AB 13: the April 22, 2025 hearing in Assembly Health was canceled. The position-letter "
            "deadline of April 15, 2025 no longer applies. <a href=\"http://127.0.0.1:8000/bills/AB-13\"") in block


# --- upcoming hearings: a letter deadline that has passed ---------------------------------------

def test_an_upcoming_hearings_passed_letter_deadline_is_shown_as_passed(factory) -> None:
    with transaction(factory) as s:
        hearing(s, followed_bill(s, "AB 13"), date(2025, 4, 16), "Assembly Health")
    assert ("- April 16, 2025, Assembly Health: AB 13: Mental health: crisis services\n"
            "  Position letter due April 9, 2025 (deadline passed).") in section(
        digest(factory), "Hearings in the next 14 days")


def test_a_passed_letter_deadline_reads_in_spanish(factory) -> None:
    with transaction(factory) as s:
        hearing(s, followed_bill(s, "AB 13"), date(2025, 4, 16), "Assembly Health")
    assert "  Carta de postura para el 9 de abril de 2025 (plazo vencido)." in section(
        digest(factory, "es"), "Audiencias en los próximos 14 días")


def test_a_letter_deadline_still_ahead_is_not_marked_passed(factory) -> None:
    with transaction(factory) as s:
        hearing(s, followed_bill(s, "AB 13"), date(2025, 4, 24), "Assembly Health")
    with factory() as s:
        (h,) = digest_context(s, WEEK, "en", MONDAY_AFTER)["hearings"]
    assert (h["deadline"], h["deadline_passed"]) == ("April 17, 2025", False)


def test_a_fiscal_committee_hearing_gets_no_letter_deadline_even_once_past(factory) -> None:
    with transaction(factory) as s:
        hearing(s, followed_bill(s, "AB 13"), date(2025, 4, 16), "Assembly Appropriations")
    with factory() as s:
        (h,) = digest_context(s, WEEK, "en", MONDAY_AFTER)["hearings"]
    assert (h["committee"], h["deadline"], h["deadline_passed"]) == ("Assembly Appropriations", "", False)


# --- through the ingest: the events the diff itself writes ----------------------------------------

AB1656 = "202520260AB1656"


def health(days_ahead: int) -> HearingRecord:
    return HearingRecord(bill_id=AB1656, hearing_date=local_today() + timedelta(days=days_ahead),
                         committee_name="Senate Health", hearing_time="1:30 p.m.")


def this_week() -> str:
    year, week, _day = local_today().isocalendar()
    return f"{year}-W{week:02d}"


@pytest.fixture
def polled(factory, files: Path) -> sessionmaker[Session]:
    """AB 1656 from the real bulk sample, on staff's watch list, then a hearing set in Senate
    Health 20 days ahead."""
    matcher = load_matcher(PROJECT_ROOT / "config" / "topics.toml")
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)
    with transaction(factory) as s:
        s.get(Bill, AB1656).watched = True
    snap = Snapshot(source="hearings")
    snap.bundle(AB1656).hearings.append(health(20))
    ingest_snapshot(factory, snap, matcher=matcher)
    return factory


def test_a_move_the_calendar_shows_is_in_that_weeks_digest(polled) -> None:
    snap = Snapshot(source="hearings")
    snap.bundle(AB1656).hearings.append(health(27))
    ingest_snapshot(polled, snap, matcher=load_matcher(PROJECT_ROOT / "config" / "topics.toml"))
    old, new = (local_today() + timedelta(days=n) for n in (20, 27))
    changes = section(digest(polled, week=this_week(), now=utcnow()), CHANGES_EN)
    assert (f"AB 1656: the hearing in Senate Health moved from {old:%B} {old.day}, {old.year} "
            f"to {new:%B} {new.day}, {new.year}.") in changes
    assert "Position-letter deadline changed from" in changes


def test_a_cancellation_in_the_bill_history_is_in_that_weeks_digest(polled) -> None:
    snap = Snapshot(source="hearings")
    snap.bundle(AB1656).actions.append(ActionRecord(
        AB1656, local_today(), "In committee: Hearing canceled at the request of author."))
    ingest_snapshot(polled, snap, matcher=load_matcher(PROJECT_ROOT / "config" / "topics.toml"))
    day = local_today() + timedelta(days=20)
    changes = section(digest(polled, week=this_week(), now=utcnow()), CHANGES_EN)
    assert f"AB 1656: the {day:%B} {day.day}, {day.year} hearing in Senate Health was canceled." in changes
    assert "no longer applies" in changes
