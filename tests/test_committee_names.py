"""Committee names readers see: with their house, never a bare code."""

from __future__ import annotations

from tracker.committees import place_words


def test_a_committee_name_without_its_house_gets_the_house_its_code_belongs_to() -> None:
    assert place_words("CS44", "Health", None) == "Senate Health"
    assert place_words("CX08", "Health", None) == "Assembly Health"


def test_a_name_that_already_says_its_house_is_kept() -> None:
    assert place_words("CS44", "Health", "Senate Health Committee") == "Senate Health"
    assert place_words("AFLOOR", "Assembly Floor", None) == "Assembly Floor"
    assert place_words("CONFCM", None, "Conference Committee") == "Conference Committee"


def test_a_place_that_is_no_committee_keeps_its_own_name() -> None:
    assert place_words("AF0150", "Third Reading", None) == "Third Reading"
