"""A stage covers several situations; every text we write tells the one the bill is in.

"two_year" is a bill parked until January, one on the inactive file (back any day), or one a
deadline or the session's end killed; "floor" is a floor vote in the house it is in, or a bill
back in its first house to vote on the other house's changes. The matrix, the web app and the
sheet share these words (tracker.advocacy.matrix.stage_text); alerts tell the same."""

from __future__ import annotations

import pytest

from tracker.advocacy.matrix import stage_text
from tracker.alerts.phrases import describe, stage_meaning
from tracker.i18n import translations
from tracker.stages import died_at_deadline, on_inactive_file

EN = translations("en").gettext


@pytest.mark.parametrize("action", [
    "Died pursuant to Art. IV, Sec. 10(c) of the Constitution.",
    "Returned to Secretary of Senate pursuant to Joint Rule 56.",
    "From committee: Filed with the Chief Clerk pursuant to Joint Rule 56.",
    "From committee: Without further action pursuant to Joint Rule 62(a).",
    "Died on the inactive file",
])
def test_an_action_that_ends_the_bill_for_the_session_is_dead_not_parked(action: str) -> None:
    assert died_at_deadline(action) and not on_inactive_file(action)
    assert stage_text("two_year", "bill", "AB 1", action) == "Stopped for this session"


def test_a_first_year_deadline_only_parks_the_bill() -> None:
    action = "Failed Deadline pursuant to Rule 61(a)(2)."
    assert not died_at_deadline(action)
    assert stage_text("two_year", "bill", "AB 1", action) == "Two-year bill"


def test_a_dead_bills_event_says_it_cannot_move_again_this_session() -> None:
    text = describe("stage_changed", "in_committee", "two_year", "SB 679", "en", EN, lambda ids: "",
                    action="Returned to Secretary of Senate pursuant to Joint Rule 56.")
    assert text is not None and text.startswith("SB 679 has stopped for this session.")
    assert "January" not in text


def test_a_bill_back_for_concurrence_is_told_as_such_not_as_a_floor_vote() -> None:
    action = "In Assembly. Concurrence in Senate amendments pending."
    assert stage_text("floor", "bill", "AB 831", action, "Assembly") == \
        "Back in the Assembly for a vote on the Senate's changes"
    assert stage_meaning("floor", "AB 831", action) == "If it accepts the changes, the bill goes to the Governor."


def test_a_bill_on_the_floor_names_the_house_that_votes() -> None:
    assert stage_text("floor", "bill", "SB 275", "Read second time. Ordered to third reading.", "Senate") == \
        "Waiting for a vote of the whole Senate"


def test_a_bill_taken_off_the_inactive_file_is_told_so() -> None:
    text = describe("stage_changed", "two_year", "floor", "AB 831", "en", EN, lambda ids: "",
                    action="From inactive file.")
    assert text == "AB 831 was taken off the inactive file. It can now get a vote of the whole house."


def test_spanish_readers_get_the_dead_bill_wording() -> None:
    es = translations("es").gettext
    assert es(stage_text("two_year", "bill", "AB 1", "Died pursuant to Art. IV, Sec. 10(c) of the Constitution.")) \
        == "Detenido en esta sesión"


def test_a_suspense_file_placement_is_told_in_plain_words() -> None:
    text = describe("new_action", None, {"action": "August 3 hearing: Placed on APPR. suspense file."},
                    "AB 1656", "en", EN, lambda ids: "")
    assert text is not None and "suspense file" in text and "cost money" in text


def test_a_dead_bills_subject_line_says_it_stopped_like_its_body() -> None:
    from tracker.alerts.phrases import headline

    subject = headline([("stage_changed", "in_committee", "two_year")], "SB 679", "en", EN,
                       "Returned to Secretary of Senate pursuant to Joint Rule 56.")
    assert subject == "SB 679 has stopped for this session"


def test_a_move_after_passing_a_house_does_not_call_it_passed_the_assembly_or_senate() -> None:
    text = describe("stage_changed", "passed_house", "to_governor", "AB 1656", "en", EN, lambda ids: "")
    assert text is not None and text.startswith("AB 1656 is now “on the Governor's desk”.")
    assert "Assembly or Senate" not in text


def test_a_veto_says_what_it_means() -> None:
    assert stage_meaning("vetoed", "AB 1") is not None


def test_topics_are_listed_plainly_not_run_into_one_long_sentence() -> None:
    text = describe("new_bill", None, {"topics": ["a", "b"]}, "AB 1", "en", EN,
                    lambda ids: "; ".join(["Crisis services and 988", "Peer support and peer certification"]))
    assert text == "AB 1 is a new bill. Its topics: Crisis services and 988; Peer support and peer certification."
