"""Hearings from action text: kind, committee, and the year inferred from the action date."""

from __future__ import annotations

from datetime import date

from tracker.hearing_text import HearingMention, extract_hearings


def one(action: str, on: date) -> HearingMention:
    found = extract_hearings(action, on)
    assert len(found) == 1, found
    return found[0]


def test_set_for_hearing_gives_a_set_hearing_on_that_day() -> None:
    m = one("Set for hearing April 9.", date(2025, 4, 1))
    assert (m.kind, m.hearing_date, m.committee) == ("set", date(2025, 4, 9), None)


def test_hearing_outcome_names_the_committee_as_written() -> None:
    m = one("April 7 hearing: Placed on APPR. suspense file.", date(2025, 4, 8))
    assert (m.kind, m.hearing_date, m.committee) == ("heard", date(2025, 4, 7), "APPR.")


def test_canceled_at_the_request_of_author_has_no_date() -> None:
    m = one("In committee: Set, first hearing. Hearing canceled at the request of author.", date(2026, 4, 7))
    assert (m.kind, m.hearing_date) == ("canceled", None)


def test_a_dated_setting_canceled_at_the_request_of_author_cancels_that_day() -> None:
    m = one("June 24 set for first hearing canceled at the request of author.", date(2025, 6, 20))
    assert (m.kind, m.hearing_date) == ("canceled", date(2025, 6, 24))


def test_postponed_hearing_with_double_space_in_the_date() -> None:
    m = one("March  5 hearing postponed by committee.", date(2025, 3, 3))
    assert (m.kind, m.hearing_date) == ("postponed", date(2025, 3, 5))


def test_may_be_heard_in_committee_is_a_deadline_date() -> None:
    m = one("From printer.  May be heard in committee  March  24.", date(2025, 2, 21))
    assert (m.kind, m.hearing_date, m.deadline) == ("set", date(2025, 3, 24), True)


def test_a_december_action_setting_a_january_hearing_means_next_year() -> None:
    assert one("Set for hearing January 8.", date(2025, 12, 15)).hearing_date == date(2026, 1, 8)


def test_a_january_report_of_a_december_vote_means_last_year() -> None:
    m = one("From committee: Do pass. (Ayes 5. Noes 0.) (December 30).", date(2026, 1, 5))
    assert (m.kind, m.hearing_date) == ("heard", date(2025, 12, 30))


def test_set_for_hearing_in_a_named_committee() -> None:
    m = one("Set for hearing April 29 in JUD. pending receipt.", date(2025, 4, 8))
    assert (m.hearing_date, m.committee) == (date(2025, 4, 29), "JUD.")


def test_actions_without_hearings_give_nothing() -> None:
    assert extract_hearings("Referred to Com. on HEALTH.", date(2025, 3, 1)) == []
    assert extract_hearings("Read second time. Ordered to third reading.", date(2025, 3, 1)) == []


def test_a_day_first_set_for_hearing_outcome_is_that_days_hearing() -> None:
    m = one("July 16 set for first hearing. Placed on APPR. suspense file.", date(2025, 7, 16))
    assert (m.kind, m.hearing_date, m.committee) == ("heard", date(2025, 7, 16), "APPR.")
