"""The topics file: the shipped one is valid and covers the issue's topics; errors name lines."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tracker.errors import TrackerError
from tracker.relevance import Matcher, check_file

TOPICS = Path(__file__).resolve().parents[1] / "config" / "topics.toml"


def test_shipped_topics_file_is_valid() -> None:
    assert check_file(TOPICS) == []


def test_every_topic_has_an_english_and_spanish_label_and_terms() -> None:
    data = tomllib.loads(TOPICS.read_text(encoding="utf-8"))
    ids = {t["id"] for t in data["topic"]}
    assert {"mental_health_services", "substance_use", "crisis_988", "suicide_prevention", "peer_support",
            "involuntary_treatment", "bh_funding", "medi_cal_parity", "housing_smi", "justice_diversion",
            "youth_school", "workforce", "veterans", "equity_access"} <= ids
    for t in data["topic"]:
        assert t["label"] and t["label_es"] and t["terms"]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "topics.toml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = '[[topic]]\nid = "a"\nlabel = "A"\nlabel_es = "A"\nterms = ["mental health"]\n'


def test_staff_can_add_a_topic_and_it_matches(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + '\n[[topic]]\nid = "tribal"\nlabel = "Tribal"\nlabel_es = "Tribal"\nterms = ["tribal behavioral wellness"]\n')
    from tracker.relevance import MatchInput
    assert Matcher.from_path(path).match(MatchInput(title="Tribal behavioral wellness centers.")).topics == ["tribal"]


def test_syntax_error_reports_its_line(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, GOOD + "[[topic]\n"))
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path / 'topics.toml'}:6:")


def test_unknown_key_is_reported_on_its_line(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, GOOD + 'wieght = 2\n'))
    assert problems == [f"{tmp_path / 'topics.toml'}:6: topic 'a': unknown key 'wieght' (expected one of "
                        "description, description_es, exclude, fields, id, label, label_es, sections, terms, weak_terms, weak_weight, weight)"]


def test_duplicate_id_and_missing_label_es_are_both_reported(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, GOOD + '\n[[topic]]\nid = "a"\nlabel = "B"\nterms = ["x"]\n'))
    assert any(":7:" in p and "label_es" in p for p in problems)
    assert len(problems) == 1  # the broken second topic is not also reported as a duplicate


def test_bad_watched_bill_number_is_reported_on_its_line(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, '[watch]\nbills = ["AB 13",\n  "ZZ 9"]\n\n' + GOOD))
    assert len(problems) == 1 and ":3:" in problems[0] and "ZZ 9" in problems[0]


def test_bad_field_name_and_bad_weight_are_reported(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, GOOD + 'fields = ["titel"]\nweight = -1\n'))
    assert any(":6:" in p and "fields" in p for p in problems)
    assert any(":7:" in p and "weight" in p for p in problems)


def test_loading_a_bad_file_raises_a_one_line_tracker_error(tmp_path: Path) -> None:
    with pytest.raises(TrackerError) as exc:
        Matcher.from_path(write(tmp_path, GOOD + "weight = 0\n"))
    assert "line 6" in str(exc.value) and "\n" not in str(exc.value)


def test_capitals_must_be_true_or_false(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, '[[topic]]\nid = "a"\nlabel = "A"\nlabel_es = "A"\n'
                                          'terms = [{ term = "CARE plan", capitals = "yes" }]\n'))
    assert any(p.endswith(":5: topic 'a': capitals of 'CARE plan' must be true or false") for p in problems)


def test_a_capitals_term_matches_only_in_capitals(tmp_path: Path) -> None:
    from tracker.relevance import MatchInput
    m = Matcher.from_path(write(tmp_path, '[[topic]]\nid = "a"\nlabel = "A"\nlabel_es = "A"\n'
                                          'terms = [{ term = "CARE plan", capitals = true }]\n'))
    assert m.match(MatchInput(title="CARE plans: counties.")).relevant
    assert not m.match(MatchInput(title="Care plans: counties.")).relevant


def test_a_bad_section_range_is_reported_on_its_line(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, GOOD + 'sections = ["Penal Code 1367-1376",\n  "Welfare Code 5000"]\n'))
    assert len(problems) == 1 and ":7:" in problems[0] and "unknown code 'Welfare'" in problems[0]


def test_capitals_on_a_phrase_without_capitals_is_reported(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, '[[topic]]\nid = "a"\nlabel = "A"\nlabel_es = "A"\n'
                                          'terms = [{ term = "care plan", capitals = true }]\n'))
    assert any("the phrase has no word in CAPITALS" in p for p in problems)


def test_sections_without_the_subject_field_are_reported(tmp_path: Path) -> None:
    problems = check_file(write(tmp_path, GOOD + 'fields = ["title"]\nsections = ["Penal Code 1367-1376"]\n'))
    assert len(problems) == 1 and ":7:" in problems[0] and "needs \"subject\"" in problems[0]
