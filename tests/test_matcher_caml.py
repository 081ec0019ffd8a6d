"""Matching real CAML bill versions: gut-and-amend, and long texts with passing mentions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.pubinfo.caml import parse_caml
from tracker.relevance import Matcher, MatchInput

ROOT = Path(__file__).resolve().parents[1]
CAML = ROOT / "tests" / "files" / "caml"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_path(ROOT / "config" / "topics.toml")


def version(name: str) -> MatchInput:
    doc = parse_caml((CAML / name).read_bytes())
    return MatchInput(title=doc.subject, subject=doc.title, digest=doc.digest, text=doc.text)


def test_real_gaming_and_sweepstakes_versions_are_not_relevant(matcher: Matcher) -> None:
    assert not matcher.match(version("BILL_VERSION_TBL_1532.lob")).relevant
    assert not matcher.match(version("BILL_VERSION_TBL_5925.lob")).relevant


def test_long_text_mentioning_mental_disability_in_passing_is_not_relevant(matcher: Matcher) -> None:
    item = version("20230AB55795CHP.lob")
    assert len(item.text or "") > 40_000
    assert not matcher.match(item).relevant


def test_gut_and_amend_into_behavioral_health_is_judged_on_the_new_title_and_digest(matcher: Matcher) -> None:
    old = version("BILL_VERSION_TBL_5925.lob")  # body text still about sweepstakes
    amended = MatchInput(title="Mental Health Services Fund: county jails.",
                         subject="An act to amend Section 5813.5 of the Welfare and Institutions Code, relating to mental health.",
                         digest="This bill would authorize counties to use Mental Health Services Act funds for "
                                "mental health services for persons in county jails.",
                         text=old.text)
    assert not matcher.match(old).relevant
    result = matcher.match(amended)
    assert result.relevant and "bh_funding" in result.topics
