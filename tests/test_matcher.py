"""Relevance matcher: hard cases, false friends, field weighting and the explanation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.relevance import Matcher, MatchInput, load_matcher

TOPICS = Path(__file__).resolve().parents[1] / "config" / "topics.toml"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_path(TOPICS)


def rel(m: Matcher, **kw: str) -> bool:
    return m.match(MatchInput(**kw)).relevant


@pytest.mark.parametrize("title", [
    "Mental health services: assisted outpatient treatment.",
    "Lanterman-Petris-Short Act: conservatorships.",
    "Behavioral health.",
    "Suicide prevention: pupils.",
    "Substance use disorder treatment: recovery residences.",
    "Peer support specialist certification.",
    "No Place Like Home Program: establishment.",
    "Crisis stabilization units: 988 Suicide and Crisis Lifeline.",
    "Criminal procedure: defendants incompetent to stand trial.",
    "Opioid overdose prevention: naloxone in schools.",
    "Incompetence to stand trial.",
    "Eating disorders: treatment.",
    "Juvenile justice: youth mental health.",
    "Crisis intervention training: peace officers.",
    "Pretrial diversion: borderline personality disorder.",
    "State 988 advisory group.",
    "Firearms: California Do Not Sell List.",
    "Full-service partnerships.",
    "Behavioral sciences.",
    "Juveniles: psychotropic medications: medical information.",
    "Foster care: short-term residential therapeutic programs.",
    "Health facilities: seclusion and restraint.",
    "Firearms: persons detained or apprehended for examination of mental condition.",
    "National Fentanyl Awareness Day.",
    "Veterans: treatment courts and treatment review calendars.",
    # yearly awareness resolutions whose whole subject is behavioral health
    "International Overdose Awareness Day.",
    "National Recovery Month.",
    "Alcohol Awareness Month.",
    "Problem Gambling Awareness Month.",
    "988 Day.",
    "Childhood Trauma Awareness Month.",
    # titles naming the behavioral health professions, services and funds themselves
    "Sobering centers.",
    "Psychologists: licensure.",
    "Marriage and family therapists: associates.",
    "Licensed professional clinical counselors.",
    "Incompetent defendants: treatment.",
    "Opioid settlement funds.",
])
def test_behavioral_health_titles_are_relevant(matcher: Matcher, title: str) -> None:
    assert rel(matcher, title=title)


def test_housing_bill_without_mental_health_words_in_the_title_is_relevant_by_its_digest(matcher: Matcher) -> None:
    assert rel(matcher, title="Housing: permanent supportive housing.",
               digest="This bill would fund permanent supportive housing for persons with serious mental "
                      "illness who are homeless.")


def test_5150_hold_in_the_digest_is_relevant(matcher: Matcher) -> None:
    assert rel(matcher, title="Firearms: prohibited persons.",
               digest="Existing law prohibits a person taken into custody under Section 5150 of the Welfare "
                      "and Institutions Code because that person is a danger to self or others, as a result "
                      "of a mental health disorder, from possessing a firearm.")


@pytest.mark.parametrize("title", [
    "Environmental quality: fundamental review.",
    "Developmental services: regional centers.",
    "Health care coverage: health.",
    "Housing crisis: streamlined approval.",
    "Climate crisis: greenhouse gases.",
    "Health facilities: peer review.",
    "Hazardous substances: cleanup.",
    "Wastewater treatment plants.",
    "Probate: conservatorship of the estate.",
    "Emergency medical services: pediatric trauma centers.",
    "Veterans: employment preference.",
])
def test_false_friends_are_not_relevant(matcher: Matcher, title: str) -> None:
    assert not rel(matcher, title=title, digest=title)


def test_generic_health_alone_is_never_relevant(matcher: Matcher) -> None:
    result = matcher.match(MatchInput(title="Health.", digest="Health health health public health."))
    assert (result.relevant, result.score, result.matched) == (False, 0, [])


def test_weak_term_alone_is_not_relevant_but_adds_a_topic_to_a_relevant_bill(matcher: Matcher) -> None:
    assert not rel(matcher, title="Homelessness: encampments.")
    result = matcher.match(MatchInput(title="Homelessness: serious mental illness: encampments."))
    assert result.relevant and "housing_smi" in result.topics


def test_an_incidental_mention_in_long_body_text_is_not_enough(matcher: Matcher) -> None:
    body = ("The agency shall provide reasonable accommodation for a physical or mental health need. "
            + "The district shall maintain roads and bridges in good repair. " * 2000)
    assert not rel(matcher, title="Transportation: roads.", text=body)


def test_repeated_substantial_body_text_can_make_a_bill_relevant(matcher: Matcher) -> None:
    body = ("The county shall provide mental health services and substance use disorder treatment "
            "to persons with serious mental illness. ") * 10
    assert rel(matcher, title="Counties: services.", text=body)


def test_a_title_hit_weighs_more_than_the_same_hit_in_text(matcher: Matcher) -> None:
    in_title = matcher.match(MatchInput(title="Mental health.")).score
    in_text = matcher.match(MatchInput(title="Counties.", text="mental health")).score
    assert in_title > in_text > 0


def test_plurals_are_found(matcher: Matcher) -> None:
    assert "mental illness" in matcher.match(MatchInput(title="Persons with mental illnesses.")).matched


def test_curly_apostrophes_and_punctuation_do_not_matter(matcher: Matcher) -> None:
    assert "Laura's Law" in matcher.match(MatchInput(title="Assisted treatment: Laura’s law.")).matched


def test_explanation_names_term_field_snippet_and_weight_and_is_json(matcher: Matcher) -> None:
    result = matcher.match(MatchInput(title="Fees.", digest="This bill would fund 988 crisis centers in each county."))
    first = result.explanation[0]
    assert {"topic", "term", "field", "snippet", "weight"} <= set(first)
    assert first["field"] == "digest" and "988 crisis" in first["snippet"]
    json.dumps(result.explanation)


def test_result_lists_topic_ids_for_a_relevant_bill(matcher: Matcher) -> None:
    result = matcher.match(MatchInput(title="CARE Court: Lanterman-Petris-Short Act: gravely disabled."))
    assert result.topics[0] == "involuntary_treatment"


def test_load_matcher_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(TOPICS.read_text(encoding="utf-8"), encoding="utf-8")
    first = load_matcher(path)
    assert load_matcher(path) is first
    import os
    os.utime(path, ns=(1, 10**18))
    assert load_matcher(path) is not first


def test_watched_bills_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(TOPICS.read_text(encoding="utf-8").replace("bills = []", 'bills = ["ab13", "SB-043"]'),
                    encoding="utf-8")
    assert Matcher.from_path(path).watched == {"AB 13", "SB 43"}


def test_alcohol_and_drug_programs_and_state_hospitals_are_behavioral_health() -> None:
    from tracker.relevance import MatchInput, load_matcher
    from tracker.settings import PROJECT_ROOT

    m = load_matcher(PROJECT_ROOT / "config" / "topics.toml")
    assert m.match(MatchInput(title="Alcohol and drug programs: licensing.")).relevant
    assert m.match(MatchInput(title="Department of State Hospitals: forensic conditional release.")).relevant
    assert m.match(MatchInput(title="Drug paraphernalia: fentanyl test strips.")).relevant


def test_an_exclusion_also_covers_its_plural(matcher: Matcher) -> None:
    # "managed care plan" is excluded from "CARE plan" (CARE Court); "managed care plans" must be too
    digest = ("Existing law provides for dental services under Medi-Cal, and dental managed care plans. "
              "This bill would require a payment adjustment for dental services for Medi-Cal beneficiaries.")
    assert not rel(matcher, title="Medi-Cal: benefits: dental care.", digest=digest)



def test_community_crisis_response_without_police_is_relevant_by_its_program_name(matcher: Matcher) -> None:
    digest = ("This bill would enact the Community Response Initiative to Strengthen Emergency Systems Act, "
              "or the C.R.I.S.E.S. Act, to award grants to community organizations for emergency response "
              "activities that do not require a law enforcement officer.")
    assert rel(matcher, title="Emergency services: community response: grant program.", digest=digest)


def test_syringe_access_bills_are_relevant_by_their_title_and_digest(matcher: Matcher) -> None:
    digest = ("This bill would permit the State Department of Public Health to authorize entities to provide "
              "hypodermic needle and syringe exchange services.")
    assert rel(matcher, title="Hypodermic needles and syringes: exchange services.", digest=digest)



def test_a_clinical_social_worker_in_a_list_of_treatment_providers_is_not_enough(matcher: Matcher) -> None:
    digest = ("Existing law requires employers to provide medical, surgical, chiropractic, acupuncture, licensed "
              "clinical social worker, and hospital treatment reasonably required to cure or relieve the injured "
              "worker. This bill would require an employee to schedule treatment outside of work hours. The "
              "treatment would be paid as specified.")
    assert not rel(matcher, title="Workers' compensation: medical treatment.", digest=digest)


@pytest.mark.parametrize(("title", "subject", "digest"), [
    ("Local agencies: fiscal crises.", None, None),  # "C.R.I.S.E.S." must not become "crises"
    ("Water supply: drought and climate crises.", None, None),
    ("Works of fine art.", "An act to amend Section 988 of the Civil Code, relating to property.", None),
    ("Vehicles: registration.", None, "This bill would amend Section 4000 of the Vehicle Code, proposed by "
     "AB 988, and would incorporate amendments proposed by AB 988, to take effect if both bills are enacted."),
    ("Privacy: Do Not Sell List.", None, "This bill would require a data broker to honor a do not sell list."),
    ("Community care facilities: fire clearance.", None, "Community care facilities include adult residential "
     "facilities, group homes and foster family agencies. This bill would require adult residential facilities "
     "and other adult residential facilities with more than 6 beds to obtain a fire clearance."),
    ("Crime victims: compensation.", None, "Existing law authorizes the board to reimburse a crime victim for "
     "peer counseling services provided by a rape crisis center."),
    ("Parole.", None, "Existing law excludes persons released after serving a term for a crime where the person "
     "is required to undergo treatment by the State Department of State Hospitals because the person has a "
     "severe mental disorder. This bill would require all offenders released from prison to be subject to "
     "parole supervision by the department."),
    ("Hypodermic needles and syringes: disposal.", None, "This bill would require a pharmacy to take back "
     "home-generated sharps waste, including hypodermic needles and syringes, and drugs."),
])
def test_new_terms_do_not_catch_ordinary_bills(matcher: Matcher, title: str, subject: str | None,
                                                digest: str | None) -> None:
    assert not matcher.match(MatchInput(title=title, subject=subject, digest=digest)).relevant


_AUTISM = ("Existing law requires health care service plan contracts to provide coverage for behavioral health "
           "treatment{} for pervasive developmental disorder or autism{} This bill would extend these provisions.")


@pytest.mark.parametrize(("title", "digest"), [
    ("Health care coverage: autism.", _AUTISM.format("", ", and defines 'behavioral health treatment' to mean "
                                                     "services provided by a qualified autism service professional.")),
    ("Health care coverage: pervasive developmental disorder or autism.", _AUTISM.format(", as defined,", ".")),
    ("Behavioral health treatment plans.", _AUTISM.format("", ".")),
    ("Pervasive developmental disorder or autism.",
     "Existing law requires health care service plan contracts to provide coverage for the diagnosis and "
     "treatment of severe mental illnesses, including pervasive developmental disorder or autism, under the "
     "same terms and conditions applied to other medical conditions. This bill would extend those provisions."),
])
def test_autism_coverage_bills_are_not_relevant(matcher: Matcher, title: str, digest: str) -> None:
    # California law defines "behavioral health treatment" as the autism (ABA) coverage benefit
    assert not rel(matcher, title=title, digest=digest)


def test_behavioral_health_treatment_services_still_count(matcher: Matcher) -> None:
    justice = ("This bill would add a representative of a community-based organization with experience in "
               "providing behavioral health treatment services to persons who have been convicted of a "
               "criminal offense to the Community Corrections Partnership.")
    assert "behavioral health treatment services" in matcher.match(
        MatchInput(title="Community corrections.", digest=justice)).matched



def test_drug_checking_equipment_is_harm_reduction(matcher: Matcher) -> None:
    digest = ("Existing law defines drug paraphernalia and prohibits its sale and possession. Existing law "
              "excludes from these prohibitions any testing equipment that is designed to be used to analyze a "
              "substance for the presence of fentanyl, ketamine, or any analog of fentanyl. This bill would "
              "additionally exclude testing equipment for other substances.")
    assert rel(matcher, title="Controlled substances: analyzing and testing.", digest=digest)


@pytest.mark.parametrize(("title", "digest"), [
    ("Medi-Cal: comprehensive perinatal services.",
     "This bill would require the care plan for a pregnant beneficiary to include postpartum visits."),
    ("Preventive Care Act.", "This bill would enact the Preventive Care Act, relating to insulin production."),
])
def test_an_ordinary_care_plan_or_care_act_is_not_the_care_act(matcher: Matcher, title: str, digest: str) -> None:
    assert not rel(matcher, title=title, digest=digest)


@pytest.mark.parametrize("title", ["CARE Court: CARE plans.", "Mental health: the CARE Act.",
                                   "Community Assistance, Recovery, and Empowerment (CARE) Act: CARE agreements."])
def test_the_care_act_in_capitals_is_relevant(matcher: Matcher, title: str) -> None:
    assert rel(matcher, title=title)


def test_a_capitals_term_in_a_prefix_position_of_body_text_is_checked_on_the_text_itself(matcher: Matcher) -> None:
    body = "The county shall prepare a care plan. " * 20
    assert matcher.match(MatchInput(title="Counties.", text=body)).matched == []
    assert "CARE plan" in matcher.match(MatchInput(title="Counties.", text=body.replace("care plan", "CARE plan"))).matched


def test_the_plural_of_a_capitals_term_is_found(matcher: Matcher) -> None:
    assert "IST" in matcher.match(MatchInput(
        title="Criminal procedure.", digest="The bill would require reports on felony ISTs admitted to a state hospital.")).matched


def test_the_snippet_of_a_capitals_term_shows_the_capitals(matcher: Matcher) -> None:
    digest = ("Existing law requires a care plan for each resident. This bill would require the court to "
              "review each CARE plan under the CARE Act annually.")
    why = next(e for e in matcher.match(MatchInput(title="Courts.", digest=digest)).explanation
               if e["term"] == "CARE plan")
    assert "CARE plan" in why["snippet"] and "care plan for each resident" not in why["snippet"]


def test_fentanyl_use_prevention_is_relevant_and_fentanyl_penalties_are_not(matcher: Matcher) -> None:
    assert rel(matcher, title="Pupil instruction: health education courses: fentanyl.",
               digest="This bill would require a course in health education to include instruction in the "
                      "dangers associated with fentanyl use, as provided.")
    assert not rel(matcher, title="Controlled substances: fentanyl.",
                   digest="This bill would increase the penalty for possession for sale of fentanyl.")


def test_server_training_on_alcohol_is_not_an_alcohol_awareness_month(matcher: Matcher) -> None:
    assert not rel(matcher, title="Alcoholic beverages: responsible beverage service training.",
                   digest="This bill would require alcohol awareness training for servers of alcoholic beverages.")


def test_a_voting_bill_quoting_the_constitutions_mentally_incompetent_electors_is_not_relevant(matcher: Matcher) -> None:
    assert not rel(matcher, title="Voting: felons.", digest=(
        "The California Constitution requires the Legislature to provide for the disqualification of "
        "electors while mentally incompetent or imprisoned or on parole for the conviction of a felony."))


def test_a_person_found_mentally_incompetent_to_stand_trial_is_still_relevant(matcher: Matcher) -> None:
    assert rel(matcher, title="Criminal procedure.", digest=(
        "This bill would require the court to suspend proceedings when a defendant is found mentally "
        "incompetent, and would require treatment to restore competency."))



def test_a_long_title_printed_inside_the_summary_is_read_for_the_sections_it_cites(matcher: Matcher) -> None:
    """Some sources print the long title in the summary and have no subject field: a "Health."
    budget bill amending the Welfare and Institutions Code's mental-health sections is still one."""
    digest = ("An act to amend Section 5961.4 of the Welfare and Institutions Code, and to repeal Section "
              "11756.8 of the Health and Safety Code, relating to health, and making an appropriation therefor.")
    assert matcher.match(MatchInput(title="Health.", digest=digest)).relevant
    budget = digest.replace("5961.4 of the Welfare and Institutions", "14105 of the Welfare and Institutions")
    assert not matcher.match(MatchInput(title="Health.", digest=budget.replace("11756.8", "1250"))).relevant


def test_the_statutes_words_for_a_5150_detention_are_involuntary_treatment(matcher: Matcher) -> None:
    res = matcher.match(MatchInput(title="Emergency medical services: transport.", digest=(
        "This bill would require a local emergency medical services agency to adopt a policy on the transport of "
        "a person who is subject to a 5150 hold and would require the 5150 application to travel with the "
        "person.")))
    assert res.relevant and "involuntary_treatment" in res.topics


def test_the_abbreviation_sud_counts_only_in_capitals(matcher) -> None:
    assert "SUD" in matcher.match(MatchInput(title="Youth SUD Treatment Continuum.")).matched
    assert not matcher.match(MatchInput(title="Sud Street improvements.")).matched


def test_a_school_linked_behavioral_health_bill_is_filed_under_youth_and_school_mental_health(matcher: Matcher) -> None:
    result = matcher.match(MatchInput(title="Budget Act of 2023.",
                                      digest="Statewide school-linked behavioral health provider network. The "
                                             "department will contract with an entity to administer this network "
                                             "as part of the Children and Youth Behavioral Health Initiative."))
    assert result.relevant and "youth_school" in result.topics


def test_a_bill_amending_the_988_fund_sections_is_filed_under_crisis_and_988(matcher: Matcher) -> None:
    result = matcher.match(MatchInput(title="Budget Act of 2023: health.",
                                      subject="An act to amend Sections 53123.1.5, 53123.3 and 53123.4 of the "
                                              "Government Code, and to amend Sections 5600 and 5892 of the Welfare "
                                              "and Institutions Code, relating to health."))
    assert "crisis_988" in result.topics
