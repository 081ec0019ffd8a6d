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


def test_a_history_text_shorthand_is_the_committee_it_stands_for() -> None:
    from tracker.committees import expand_shorthand

    assert expand_shorthand("APPR.") == "Appropriations"
    assert expand_shorthand("PUB.  S.") == "Public Safety"
    assert expand_shorthand("Senate Health") == "Senate Health"


def test_the_bill_page_never_shows_a_shorthand_for_a_hearing(db_url: str) -> None:
    from tests.test_docs_common import ingest
    from tracker.queries import bill_detail

    factory = ingest(db_url)  # SB 275's history: "April 7 hearing: ... APPR. suspense file."
    with factory() as s:
        names = [h["committee"] for h in bill_detail(s, "202520260SB275")["hearings"]]
    assert names and "APPR." not in names
    assert any("Appropriations" in (n or "") for n in names)
