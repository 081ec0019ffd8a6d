"""Stage classifier: each action → one stage (stages.md), and a bill's current stage."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.stages import STAGES, classify_action, current_stage


def test_vocabulary_is_the_closed_list_in_stages_md_order() -> None:
    assert STAGES == ("introduced", "in_committee", "passed_committee", "amended", "floor",
                      "passed_house", "enrolled", "to_governor", "chaptered", "vetoed",
                      "held_in_committee", "failed", "two_year", "withdrawn", "other")


@pytest.mark.parametrize(("action", "stage"), [
    ("Introduced. Read first time. To Com. on RLS. for assignment. To print.", "introduced"),
    ("From printer. May be heard in committee February 23.", "introduced"),
    ("Referred to Coms. on HEALTH and JUD.", "in_committee"),
    ("May 12 hearing: Placed on APPR. suspense file.", "in_committee"),
    ("From committee: Be adopted.", "passed_committee"),
    ("From committee with author's amendments. Read second time and amended. Re-referred to Com. on JUD.", "amended"),
    ("In Assembly. Concurrence in Senate amendments pending.", "floor"),
    ("Senate amendments concurred in. To Engrossing and Enrolling.", "passed_house"),
    ("In Senate. Read first time. To Com. on RLS. for assignment.", "passed_house"),
    ("In Assembly. Ordered to Engrossing and Enrolling.", "enrolled"),
    ("Enrolled and presented to the Governor at 4 p.m.", "to_governor"),
    ("Approved by the Governor.", "chaptered"),
    ("Consideration of Governor's veto pending.", "vetoed"),
    ("May 23 hearing: Held in committee and under submission.", "held_in_committee"),
    ("Failed passage in committee. (Ayes 1. Noes 4.) Reconsideration granted.", "failed"),
    ("Returned to Secretary of Senate pursuant to Joint Rule 56.", "two_year"),
    ("Withdrawn from committee.", "withdrawn"),
    ("Assembly Rule 77(a) suspended.", "other"),
    ("Stricken from file.", "other"),
])
def test_each_stages_md_example_gets_its_stage(action: str, stage: str) -> None:
    assert classify_action(action) == stage


def test_double_spaces_and_case_do_not_matter() -> None:
    assert classify_action("Referred to Com. on  PUB. S.") == "in_committee"
    assert classify_action("READ THIRD TIME.  PASSED.  ORDERED TO THE SENATE.") == "passed_house"


def test_an_outcome_wins_over_amended_which_wins_over_a_referral() -> None:
    assert classify_action("From committee: Do pass as amended and re-refer to Com. on APPR. (Ayes 9. Noes 0.)") == "passed_committee"
    assert classify_action("Read second time and amended. Re-referred to Com. on APPR.") == "amended"


def test_leaving_the_inactive_file_is_floor_but_going_there_is_two_year() -> None:
    assert classify_action("From inactive file.") == "floor"
    assert classify_action("Ordered to inactive file at the request of Senator Gonzalez.") == "two_year"


def test_a_rule_reference_in_a_referral_is_not_a_house_vote() -> None:
    assert classify_action("Re-referred to Com. on G.O. pursuant to Senate Rule 29.10(a).") == "in_committee"


def test_current_stage_skips_other_actions() -> None:
    d = date(2025, 8, 28)
    assert current_stage([(d, "Vetoed by Governor."), (date(2026, 1, 22), "Stricken from file.")]) == "vetoed"


def test_amended_and_re_referred_means_in_committee() -> None:
    assert current_stage([(date(2025, 3, 1), "Referred to Com. on HEALTH."),
                          (date(2025, 3, 20), "From committee chair, with author's amendments: Amend, and "
                           "re-refer to Com. on HEALTH. Read second time and amended.")]) == "in_committee"


def test_amended_and_ordered_to_a_reading_means_floor() -> None:
    assert current_stage([(date(2026, 6, 10), "From committee: Amend, and do pass as amended. (Ayes 6. Noes 0.)"),
                          (date(2026, 6, 11), "Read second time and amended.  Ordered to third reading.")]) == "floor"


def test_amended_with_no_destination_keeps_the_stage_before() -> None:
    assert current_stage([(date(2025, 5, 5), "Read second time. Ordered to third reading."),
                          (date(2025, 5, 8), "Read third time and amended.")]) == "floor"


def test_same_day_actions_keep_source_order_and_dates_sort_the_rest() -> None:
    acts = [(date(2025, 6, 27), "Read. Adopted. (Ayes 75. Noes 0.) Ordered to the Senate."),
            (date(2025, 6, 27), "In Senate. Ordered to engrossing and enrolling."),
            (date(2025, 6, 1), "Referred to Com. on RLS.")]
    assert current_stage(acts) == "enrolled"


def test_no_moving_action_means_no_stage() -> None:
    assert current_stage([]) is None
    assert current_stage([(None, "Coauthors revised.")]) is None


def test_withdrawn_from_committee_onto_the_floor_is_floor_not_withdrawn() -> None:
    from tracker.stages import classify_action

    assert classify_action("Withdrawn from committee. Ordered to second reading.") == "floor"
    assert classify_action("Withdrawn from committee.") == "withdrawn"


def test_a_named_committee_reporting_out_is_passed_committee() -> None:
    from tracker.stages import classify_action

    assert classify_action(
        "From Senate committee on Health: Be ordered to second reading pursuant to Senate Rule 28.8."
    ) == "passed_committee"


def test_withdrawn_from_one_committee_into_another_is_in_committee() -> None:
    from tracker.stages import classify_action

    assert classify_action("Withdrawn from committee. Re-referred to Com. on APPR.") == "in_committee"


def test_a_missed_joint_rule_61_deadline_is_two_year_not_a_failed_vote() -> None:
    from tracker.stages import classify_action

    assert classify_action(
        "Failed Deadline pursuant to Rule 61(a)(2). (Last location was HEALTH on 3/1/2025)") == "two_year"
    assert classify_action(
        "Failed Deadline pursuant to Rule 61(b)(11). (Last location was APPR. SUSPENSE FILE on 5/7/2025)"
    ) == "two_year"
    assert classify_action("Failed passage in committee. (Ayes 1. Noes 4.) Reconsideration granted.") == "failed"


def test_a_committee_recommending_concurrence_is_passed_committee_not_the_house_vote() -> None:
    from tracker.stages import classify_action

    assert classify_action(
        "From committee: That the Senate amendments be concurred in. (Ayes 12. Noes 0.) (August 20)."
    ) == "passed_committee"
    assert classify_action("Senate amendments concurred in. To Engrossing and Enrolling.") == "passed_house"


@pytest.mark.parametrize(("action", "stage"), [
    # the undone step is not where the bill is
    ("Action rescinded whereby the bill was read third time, passed, and ordered to the Senate. "
     "Ordered to third reading.", "floor"),
    ("In Assembly. Held at Desk. Action rescinded whereby the bill was read third time, passed, and "
     "ordered to the Senate. Ordered to third reading.", "floor"),
    ("Action rescinded whereby the bill was read third time and passed.", "floor"),
    ("Action rescinded whereby the bill was read third time, passed, and ordered to the Senate. (Page 5120.)",
     "floor"),
    ("Action rescinded whereby the bill was read third time and passed on Aug. 31.", "floor"),
    ("Action rescinded whereby Assembly amendments were concurred in.", "floor"),
    ("Action rescinded whereby the bill was ordered to Engrossing and Enrolling.", "floor"),
    ("Action rescinded whereby the bill was read third time and passed. Re-referred to Com. on APPR.",
     "in_committee"),
    ("Action rescinded whereby the bill was referred to Com. on JUD.", "other"),
    # end-of-session disposal from committee is not a favourable report
    ("From committee: Without further action pursuant to Joint Rule 62(a).", "two_year"),
    ("From Senate committee without further action.", "two_year"),
    ("From committee: Be placed on second reading file pursuant to Senate Rule 28.8.", "passed_committee"),
    ("Senate concurs in Assembly amendments to Senate amendments. (Ayes 30) To enrollment.", "passed_house"),
    ("In Senate. Concurrence in Assembly amendments pending. Ordered to the Assembly.", "floor"),
    ("Assembly Rule 56 suspended. (pending re-refer to Com. on NAT. RES.)", "other"),
    ("Reconsideration granted. (Ayes 40. Noes 0.)", "floor"),
    ("Held at desk.", "introduced"),
    ("Withdrawn from Engrossing and Enrolling.", "floor"),
    ("Withdrawn from Engrossing and Enrolling. Ordered to inactive file.", "two_year"),
    ("Reconsideration granted. Re-referred to Com. on APPR.", "in_committee"),
    ("Withdrawn from engrossing and enrolling. Ordered to third reading.", "floor"),
    ("Held at Desk by unanimous consent until November 1, 2023.", "other"),
    ("Introduced measure version corrected.", "other"),
    ("Measure version as amended on April 5 corrected.", "other"),
    ("Referred to Com. on HEALTH. Introduced measure version corrected.", "in_committee"),
    # older (2009) wordings
    ("In Assembly. To enrollment.", "enrolled"),
    ("Enrolled and to the Governor at 2:30 p.m.", "to_governor"),
])
def test_rare_and_older_wordings_get_their_stage(action: str, stage: str) -> None:
    assert classify_action(action) == stage


def test_a_rescinded_passage_is_no_longer_the_current_stage() -> None:
    history = [(date(2024, 8, 26), "Read third time. Passed. Ordered to the Senate. (Ayes 70. Noes 0.)"),
               (date(2024, 8, 27), "Action rescinded whereby the bill was read third time, passed, and "
                                   "ordered to the Senate. (Page 5120.)")]
    assert current_stage(history) == "floor"


def test_the_1990s_wording_enrolled_to_governor_is_sent_to_the_governor() -> None:
    assert classify_action("Enrolled.  To Governor at 9 a.m.") == "to_governor"
    assert classify_action("Enrolled.") == "enrolled"


def test_a_resolution_or_amendment_refused_adoption_failed() -> None:
    # a constitutional amendment short of two thirds ("Refused adoption") fails as a bill does
    # on "Refused passage"
    assert classify_action("Read. Refused adoption. (Ayes 50. Noes 23. Page 2329.)") == "failed"


def test_an_introduction_sending_the_bill_to_a_policy_committee_is_in_committee() -> None:
    # the 1990s Senate referred on introduction; Rules "for assignment" still awaits a committee
    assert classify_action("Introduced. Read first time. To Com. on ED.") == "in_committee"
    assert classify_action("Introduced. Read first time. To Com. on RLS. for assignment. To print.") == "introduced"


# "passed_house" covers three situations; the action that set it and the house of origin tell which.
from tracker.stages import BOTH_HOUSES, FIRST_HOUSE, SECOND_HOUSE, house_passage, origin_house, stage_action  # noqa: E402


@pytest.mark.parametrize(("measure", "house"), [
    ("AB 13", "Assembly"), ("ACR 5", "Assembly"), ("AJR 2", "Assembly"), ("ACA 1", "Assembly"),
    ("HR 7", "Assembly"), ("SB 275", "Senate"), ("SCR 64", "Senate"), ("SJR 1", "Senate"),
    ("SR 3", "Senate"), ("202520260AB1656", "Assembly"), ("202520260SB275", "Senate"),
])
def test_a_measure_starts_in_the_house_its_letters_name(measure: str, house: str) -> None:
    assert origin_house(measure) == house


def test_passing_the_house_of_origin_sends_the_bill_to_the_other_house() -> None:
    assert house_passage("Read third time. Passed. Ordered to the Senate. (Ayes 69. Noes 0.)", "AB 1656") == FIRST_HOUSE
    assert house_passage("Read third time. Passed. Ordered to the Assembly. (Ayes 30. Noes 8.)", "SB 275") == FIRST_HOUSE


def test_arriving_in_the_other_house_is_still_the_first_passage() -> None:
    assert house_passage("In Senate.  Read first time.  To Com. on RLS. for assignment.", "AB 1656") == FIRST_HOUSE


def test_passing_the_second_house_sends_the_bill_back_to_its_first_house() -> None:
    assert house_passage("Read third time. Passed. Ordered to the Assembly. (Ayes 30. Noes 8.)", "AB 1656") == SECOND_HOUSE
    assert house_passage("Read third time. Passed. Ordered to the Senate.", "SB 275") == SECOND_HOUSE


def test_a_concurrence_means_both_houses_passed_the_bill() -> None:
    assert house_passage("Senate amendments concurred in. To Engrossing and Enrolling. (Ayes 70. Noes 0.)",
                         "AB 1656") == BOTH_HOUSES
    assert house_passage("Assembly amendments concurred in. (Ayes 38. Noes 0.) Ordered to engrossing and enrolling.",
                         "SB 275") == BOTH_HOUSES


def test_an_action_that_names_no_house_leaves_the_situation_unknown() -> None:
    assert house_passage("Adopted.", "HR 7") is None
    assert house_passage("", "AB 1") is None


def test_the_action_that_set_a_stage_is_the_latest_one_with_that_stage() -> None:
    history = [("passed_house", "Read third time. Passed. Ordered to the Senate."),
               ("passed_house", "In Senate. Read first time."), ("in_committee", "Referred to Com. on HEALTH."),
               ("passed_house", "Read third time. Passed. Ordered to the Assembly."), ("other", "Coauthors revised.")]
    assert stage_action(history, "passed_house") == "Read third time. Passed. Ordered to the Assembly."
    assert stage_action(history, "vetoed") is None


def test_a_bill_ordered_to_the_inactive_file_is_told_apart_from_a_two_year_bill() -> None:
    from tracker.stages import on_inactive_file

    assert on_inactive_file("Ordered to inactive file at the request of Senator Gonzalez.")
    assert not on_inactive_file("Returned to Secretary of Senate pursuant to Joint Rule 56.")
    assert not on_inactive_file("From inactive file. Ordered to third reading.")
