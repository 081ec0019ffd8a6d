"""Code sections named in a bill's long title, and the section ranges topics name.

The golden file is real long titles with the references a reviewer read off each one
(tests/files/long_titles/SOURCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.relevance import MatchInput, Matcher
from tracker.relevance.sections import cited_sections, parse_range

TITLES = Path(__file__).parent / "files" / "long_titles"
TOPICS = Path(__file__).resolve().parents[1] / "config" / "topics.toml"
ABBREVIATION = {"Welfare and Institutions": "WIC", "Health and Safety": "HSC", "Government": "GOV",
                "Education": "EDC", "Business and Professions": "BPC", "Labor": "LAB",
                "Public Resources": "PRC", "Financial": "FIN", "Family": "FAM", "Revenue and Taxation": "RTC",
                "Water": "WAT", "Insurance": "INS", "Civil Procedure": "CCP", "Penal": "PEN"}
GOLDEN = json.loads((TITLES / "titles_golden.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_path(TOPICS)


@pytest.mark.parametrize("row", GOLDEN, ids=[r["title"][:60] for r in GOLDEN])
def test_every_code_section_of_a_real_long_title_is_found_with_its_code(row: dict) -> None:
    want = sorted((r["code"], r["section"]) for r in row["refs"] if r["code"] != "CONS")  # not a code
    assert sorted((ABBREVIATION[c.code], c.section) for c in cited_sections(row["title"])) == want


def test_each_list_belongs_to_the_code_named_after_it() -> None:
    cited = [(c.code, c.section) for c in cited_sections((TITLES / "ab46_2019.txt").read_text(encoding="utf-8"))]
    assert ("Harbors and Navigation", "4005") in cited and ("Welfare and Institutions", "4005") not in cited
    assert ("Penal", "1367") in cited and ("Penal", "4497.10") in cited
    assert [n for c, n in cited if c == "Welfare and Institutions"] == ["4242", "5213", "5300"]


def test_lists_wrapped_over_lines_are_read_whole() -> None:
    cited = [(c.code, c.section) for c in cited_sections((TITLES / "ab1470_2012_excerpt.txt").read_text(encoding="utf-8"))]
    assert ("Penal", "1370") in cited and ("Penal", "1203e") in cited
    assert [n for c, n in cited if c == "Government"] == ["1322"]


def test_an_uncodified_statute_before_a_code_does_not_borrow_the_code() -> None:
    title = ("An act to amend Section 10 of Chapter 14 of the Statutes of 2003, and to amend Section 1370 "
             "of the Penal Code, relating to criminal procedure.")
    assert [(c.code, c.section) for c in cited_sections(title)] == [("Penal", "1370")]
    assert [(c.code, c.section) for c in cited_sections(title.upper())] == [("Penal", "1370")]


def test_a_range_includes_its_ends_and_the_decimals_of_its_last_section() -> None:
    r = parse_range("Welfare and Institutions Code 5000-5556")
    assert r.covers("Welfare and Institutions", "5000") and r.covers("Welfare and Institutions", "5556.5")
    assert not r.covers("Welfare and Institutions", "5557") and not r.covers("Penal", "5150")


def test_section_numbers_compare_part_by_part() -> None:
    diversion = parse_range("Penal Code 1001.35-1001.36")
    assert diversion.covers("Penal", "1001.36") and not diversion.covers("Penal", "1001.4")
    parity = parse_range("Insurance Code 10144.5")
    assert parity.covers("Insurance", "10144.5") and not parity.covers("Insurance", "10144.51")


@pytest.mark.parametrize(("text", "message"), [
    ("Welfare Code 5000", "unknown code"),
    ("Penal Code 1376-1367", "comes before"),
    ("section 5150", "is not like"),
])
def test_a_bad_range_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_range(text)


def test_a_budget_bill_with_a_vague_title_is_found_by_the_sections_it_changes(matcher: Matcher) -> None:
    subject = (TITLES / "ab1470_2012_excerpt.txt").read_text(encoding="utf-8")
    result = matcher.match(MatchInput(title="Public safety.", subject=subject))
    assert result.relevant and "justice_diversion" in result.topics
    assert "Penal Code section 1026" in result.matched
    why = next(e for e in result.explanation if e["term"] == "Penal Code section 1026")
    assert "1203e, 1369.1" in why["snippet"]  # cut where 1026 is named, not at "10265" or the start


def test_sections_outside_every_range_change_nothing(matcher: Matcher) -> None:
    row = next(r for r in GOLDEN if "Section 12670" in r["title"])
    result = matcher.match(MatchInput(title="State government.", subject=row["title"]))
    assert not result.relevant and result.matched == []


def test_a_care_act_section_makes_a_courts_bill_relevant(matcher: Matcher) -> None:
    row = next(r for r in GOLDEN if "Section 5977 " in r["title"])
    result = matcher.match(MatchInput(title="Courts.", subject=row["title"]))
    assert result.relevant and "involuntary_treatment" in result.topics


def test_sections_count_only_in_the_long_title_not_in_the_digest(matcher: Matcher) -> None:
    digest = "Existing law, Section 5150 of the Welfare and Institutions Code, is cited for a definition."
    assert not matcher.match(MatchInput(title="Vehicles.", digest=digest)).relevant


def test_a_run_of_sections_is_read_as_a_run_and_counts_where_it_overlaps_a_range(matcher: Matcher) -> None:
    title = "An act to repeal Sections 1001.20 to 1001.36, inclusive, of the Penal Code, relating to diversion."
    assert [(c.code, c.section, c.through) for c in cited_sections(title)] == [("Penal", "1001.20", "1001.36")]
    result = matcher.match(MatchInput(title="Criminal procedure.", subject=title))
    assert result.relevant and "Penal Code section 1001.20 to 1001.36" in result.matched


def test_one_section_is_compared_as_written() -> None:
    parity = parse_range("Insurance Code 10144.5")
    assert not parity.covers("Insurance", "10144.05")
    school = parse_range("Education Code 49428")
    assert school.covers("Education", "49428.1") and not school.covers("Education", "494281")


def test_the_code_of_civil_procedure_is_named_as_bills_name_it() -> None:
    assert parse_range("Code of Civil Procedure 1000").code == "Civil Procedure"
    title = "An act to amend Section 4 of Proposition 47, and Section 1000 of the Code of Civil Procedure."
    assert [(c.code, c.section) for c in cited_sections(title)] == [("Civil Procedure", "1000")]
