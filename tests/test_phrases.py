"""Subject lines and sentences members read: true to what happened, in their language."""

from __future__ import annotations

import pytest

from tracker.alerts import phrases
from tracker.i18n import translations


def headline(events: list[tuple[str, object, object]], lang: str = "en") -> str:
    return phrases.headline(events, "AB 13", lang, translations(lang).gettext)


@pytest.mark.parametrize(("stage", "subject"), [
    ("held_in_committee", "AB 13 was held in committee"),
    ("failed", "AB 13 was voted down"),
    ("withdrawn", "AB 13 was withdrawn"),
    ("two_year", "AB 13 is on hold"),
    ("in_committee", "AB 13 is now in committee"),
    ("passed_house", "AB 13 moved forward"),
    ("chaptered", "AB 13 was signed into law"),
])
def test_a_stage_change_subject_says_what_happened(stage: str, subject: str) -> None:
    assert headline([("stage_changed", "floor", stage)]) == subject


def test_a_bill_that_stopped_is_not_said_to_move_forward_in_spanish() -> None:
    assert headline([("stage_changed", "in_committee", "held_in_committee")], "es") == (
        "AB 13 quedó detenido en comité")


def test_a_hearing_that_gains_its_time_and_room_is_not_said_to_have_changed() -> None:
    before = {"status": "scheduled", "time": None, "room": None, "committee": "Senate Health"}
    after = {"status": "scheduled", "time": "1:30 p.m.", "room": "1200", "committee": "Senate Health",
             "date": "2026-07-07"}
    sentence = phrases.describe("hearing_changed", before, after, "AB 13", "en", str, str)
    assert sentence == ("AB 13: the time and place of the July 7, 2026 hearing in Senate Health are now known. "
                        "Time and place: 1:30 p.m., 1200.")
    assert headline([("hearing_changed", before, after)]) == "AB 13: time and place of the hearing"


def test_a_hearing_whose_room_moved_has_changed() -> None:
    before = {"status": "scheduled", "time": "1:30 p.m.", "room": "1200", "committee": "Senate Health"}
    after = before | {"room": "2100", "date": "2026-07-07"}
    assert "hearing in Senate Health changed" in phrases.describe(
        "hearing_changed", before, after, "AB 13", "en", str, str)
    assert headline([("hearing_changed", before, after)]) == "AB 13: hearing changed"


def test_a_postponed_hearing_subject_says_postponed() -> None:
    after = {"status": "postponed", "date": "2026-07-07", "committee": "Senate Health"}
    assert headline([("hearing_canceled", {"status": "scheduled"}, after)]) == "AB 13: hearing postponed"


def test_a_bill_amended_into_our_issues_is_announced_as_such_whatever_else_moved() -> None:
    events = [("stage_changed", "floor", "in_committee"), ("became_relevant", {}, {"relevant": True})]
    assert headline(events) == "AB 13 is now a bill to watch"
    assert headline(events, "es") == "AB 13 ahora es un proyecto a seguir"


def test_a_hearing_known_only_by_a_committee_code_names_the_house_not_the_code() -> None:
    after = {"status": "scheduled", "date": "2026-07-07", "committee": "CS61"}
    assert phrases.describe("hearing_set", None, after, "AB 13", "en", str, str) == (
        "AB 13: hearing set for July 7, 2026 in a Senate committee.")
    es = translations("es").gettext
    assert "un comité de la Asamblea" in phrases.describe(
        "hearing_set", None, after | {"committee": "CX25"}, "AB 13", "es", es, str)


def test_a_vote_result_in_the_bulk_datas_parentheses_still_says_passed() -> None:
    after = {"result": "(PASS)", "ayes": 3, "noes": 1}
    assert phrases.describe("vote_recorded", None, after, "AB 13", "en", str, str) == (
        "AB 13 passed a vote (3 yes, 1 no).")


def test_a_moved_hearing_is_said_as_a_move() -> None:
    after = {"status": "scheduled", "date": "2026-12-17", "moved_from": "2026-12-14", "committee": "Health"}
    before = {"status": "scheduled", "date": "2026-12-14", "time": None, "room": None, "committee": "Health"}
    assert phrases.describe("hearing_changed", before, after, "AB 13", "en", str, str) == (
        "AB 13: the hearing in Health moved from December 14, 2026 to December 17, 2026.")
    assert headline([("hearing_changed", before, after)]) == "AB 13: hearing moved to December 17, 2026"


def test_a_bill_followed_because_staff_changed_the_topics_is_not_said_to_have_changed() -> None:
    after = {"relevant": True, "topics": [], "watched": True, "reason": "topics_changed"}
    assert phrases.describe("became_relevant", None, after, "AB 13", "en", str, str) == (
        "AB 13 is now on our watch list.")
    gone = {"relevant": False, "topics": [], "reason": "topics_changed"}
    assert "changed our list of topics" in phrases.describe("no_longer_relevant", None, gone, "AB 13", "en", str, str)


def _said(measure: str, after: str, lang: str = "en") -> tuple[str, str | None]:
    _ = translations(lang).gettext
    return (phrases.headline([("stage_changed", "floor", after)], measure, lang, _),
            phrases.describe("stage_changed", "floor", after, measure, lang, _, lambda topics: ""))


def test_a_resolution_is_adopted_and_filed_never_signed_into_law() -> None:
    subject, body = _said("SCR 64", "chaptered")
    assert subject == "SCR 64 was adopted"
    assert body is not None and "Secretary of State" in body and "Governor" not in body
    assert "Gobernador" not in "".join(str(x) for x in _said("SCR 64", "chaptered", "es"))


def test_a_constitutional_amendment_passed_by_both_houses_goes_to_the_voters() -> None:
    subject, body = _said("ACA 1", "chaptered")
    assert subject == "ACA 1 goes to the voters" and body is not None and "Governor" not in body


def test_a_resolution_passed_by_both_houses_is_not_said_to_go_to_the_governor() -> None:
    _subject, body = _said("SJR 31", "enrolled")
    assert body is not None and "Governor" not in body


@pytest.mark.parametrize(("after", "sentence"), [
    ({"location": "SFLOOR"}, "AB 13 passed a vote on the Senate floor (30 yes, 8 no)."),
    ({"location": "AFLOOR"}, "AB 13 passed a vote on the Assembly floor (30 yes, 8 no)."),
    ({"location": "CS61", "committee": "Senate Health"}, "AB 13 passed a vote in the Senate Health Committee (30 yes, 8 no)."),
    ({"location": "CX25", "committee": "Assembly Committee on Health"},
     "AB 13 passed a vote in the Assembly Committee on Health (30 yes, 8 no)."),
    ({"location": "CS99"}, "AB 13 passed a vote in a Senate committee (30 yes, 8 no)."),
])
def test_a_vote_says_which_committee_or_floor_took_it(after: dict[str, str], sentence: str) -> None:
    """'passed a vote' alone reads as the bill passing, when it was one committee's vote."""
    vote = {"result": "(PASS)", "ayes": 30, "noes": 8} | after
    assert phrases.describe("vote_recorded", None, vote, "AB 13", "en", str, str) == sentence


def test_a_floor_vote_is_said_in_spanish() -> None:
    es = translations("es").gettext
    vote = {"location": "SFLOOR", "result": "(FAIL)", "ayes": 12, "noes": 25}
    assert phrases.describe("vote_recorded", None, vote, "AB 13", "es", es, str) == (
        "AB 13 no se aprobó en una votación en el pleno del Senado (12 a favor, 25 en contra).")


def test_the_official_status_reads_in_spanish_or_is_left_out() -> None:
    es = translations("es").gettext

    def status(value: str, lang: str) -> str | None:
        gettext = es if lang == "es" else str
        return phrases.describe("status_changed", None, {"current_status": value}, "AB 1656", lang, gettext, str)

    assert status("In Floor Process", "es") == "Estado oficial de AB 1656: en el pleno, para votación."
    assert status("In Committee Process", "es") == "Estado oficial de AB 1656: en estudio en un comité."
    assert status("Some status we have never seen", "es") is None  # never raw English to a Spanish reader
    assert status("In Floor Process", "en") == "Official status of AB 1656: In Floor Process."


def describe_stage(after: str, measure: str, action: str | None, lang: str = "en") -> str:
    return phrases.describe("stage_changed", "floor", after, measure, lang, translations(lang).gettext,
                            lambda ids: "", action=action) or ""


def test_a_concurrence_is_told_as_passing_both_houses_on_the_way_to_the_governor() -> None:
    text = describe_stage("passed_house", "AB 13", "Senate amendments concurred in. To Engrossing and Enrolling.")
    assert text == "AB 13 passed both houses. Next it goes to the Governor."


def test_a_second_house_passage_is_told_as_going_back_to_the_first_house_in_spanish() -> None:
    text = describe_stage("passed_house", "SB 5", "Read third time. Passed. Ordered to the Senate.", "es")
    assert text == ("SB 5 se aprobó también en la Asamblea. Vuelve al Senado. "
                    "Si la Asamblea lo cambió, el Senado tiene que aceptar los cambios.")


def test_a_resolution_that_passed_both_houses_is_not_sent_to_the_governor() -> None:
    text = describe_stage("passed_house", "ACR 5", "Senate amendments concurred in.")
    assert text == "ACR 5 passed both houses."


def test_a_house_passage_without_its_action_says_only_what_is_true_in_every_case() -> None:
    text = describe_stage("passed_house", "AB 13", None)
    assert "other house" not in text and text.endswith("The whole Assembly or Senate voted yes.")
