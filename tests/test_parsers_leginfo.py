"""Parsers on the real saved bill page and on replica pages; broken pages are flagged.

The real page is tests/files/pages/billNavClient-SB190-2021.html (see SOURCE.md). Broken
copies are derived here; each must raise a PageError, never yield "no actions".
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from spiders.parsers import LayoutError, PageError, PageProblem
from spiders.parsers.bill import parse_history, parse_status, parse_text, parse_votes
from spiders.parsers.search import parse_search
from tracker.replica import pages
from tracker.replica.faults import FORBIDDEN_PAGE, MAINTENANCE_PAGE, change_layout
from tracker.replica.state import ReplicaState

REAL_URL = "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id=202120220SB190"
SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample_data" / "pubinfo_2025"


@pytest.fixture(scope="module")
def real_page() -> str:
    return (Path(__file__).parent / "files" / "pages" / "billNavClient-SB190-2021.html").read_text("utf-8")


@pytest.fixture(scope="module")
def state() -> ReplicaState:
    return ReplicaState(SAMPLE)


def test_real_text_page(real_page: str) -> None:
    v = parse_text(real_page, REAL_URL)
    assert v.bill_id == "202120220SB190"
    assert v.bill_version_id == "20210SB19098AMD"
    assert v.version_num == 98
    assert v.action_date == date(2022, 8, 26)
    assert v.action == "Amended Assembly"
    assert v.subject == "Higher education budget trailer bill."
    assert v.title and v.title.startswith("An act to amend Sections 17201")
    assert "relating to the Budget Act of 2021" not in v.title  # struck text dropped
    assert v.digest and v.digest.startswith("(1) Existing law establishes")
    assert v.full_text and "SECTION 1." in v.full_text and len(v.full_text) > 100_000
    assert (v.vote_required, v.appropriation, v.fiscal_committee, v.local_program) == (
        "Majority", "Yes", "Yes", "No")


@pytest.mark.parametrize("breakage", ["bill_all_removed", "versions_removed", "forbidden",
                                      "maintenance", "truncated", "empty"])
def test_broken_real_page_is_flagged(real_page: str, breakage: str) -> None:
    status = 200
    if breakage == "bill_all_removed":
        text = real_page.replace('id="bill_all"', 'id="something_else"')
    elif breakage == "versions_removed":
        text = re.sub(r'<select id="version".*?</select>', "", real_page, flags=re.S)
    elif breakage == "forbidden":
        text, status = FORBIDDEN_PAGE, 403
    elif breakage == "maintenance":
        text, status = MAINTENANCE_PAGE, 200  # some maintenance pages even answer 200
    elif breakage == "truncated":
        text = real_page[: len(real_page) // 2]
    else:
        text = ""
    with pytest.raises(PageError):
        parse_text(text, REAL_URL, status)


def test_replica_history_and_status(state: ReplicaState) -> None:
    bill = state.bills["202520260AB831"]
    url = f"http://replica/faces/billHistoryClient.xhtml?bill_id={bill.bill_id}"
    actions = parse_history(pages.history_page(bill, state), url)
    assert len(actions) == len(bill.actions) == 37
    assert actions[0].action_date <= actions[-1].action_date  # oldest first after parsing
    assert "  " in " ".join(a.action for a in actions)  # raw double spaces kept
    record, recent = parse_status(pages.status_page(bill, state), url.replace("History", "Status"))
    assert record.bill_id == bill.bill_id and record.subject == bill.latest.subject
    assert len(recent) == 5 and recent[-1] == actions[-1]


def test_replica_search_and_votes(state: ReplicaState) -> None:
    rows = parse_search(pages.search_page(state), "http://replica/faces/billSearchClient.xhtml")
    assert {r.bill_id for r in rows} == set(state.bills)
    assert {r.status for r in rows} >= {"Chaptered", "Vetoed"}
    bill = state.bills["202520260SB275"]
    url = f"http://replica/faces/billVotesClient.xhtml?bill_id={bill.bill_id}"
    assert parse_votes(pages.votes_page(bill, state), url) == []  # explicit "no votes"
    state.record_vote(bill.bill_id, location="Senate Labor", ayes=["A", "B", "C"], noes=["D"],
                      when=date(2025, 4, 2))
    votes = parse_votes(pages.votes_page(bill, state), url)
    assert len(votes) == 1 and (votes[0].ayes, votes[0].noes, votes[0].abstain) == (3, 1, 0)
    assert votes[0].vote_date == date(2025, 4, 2) and len(votes[0].members) == 4
    state.reset()


@pytest.mark.parametrize("page", ["history", "status", "search", "votes"])
def test_changed_layout_is_a_layout_error(state: ReplicaState, page: str) -> None:
    bill = state.bills["202520260AB831"]
    state.record_vote(bill.bill_id, location="X", ayes=["A"], noes=[])
    html = {"history": lambda: pages.history_page(bill, state), "status": lambda: pages.status_page(bill, state),
            "search": lambda: pages.search_page(state), "votes": lambda: pages.votes_page(bill, state)}[page]()
    parser = {"history": parse_history, "status": parse_status, "search": parse_search,
              "votes": parse_votes}[page]
    url = f"http://replica/faces/x.xhtml?bill_id={bill.bill_id}"
    parser(html, url)  # the unchanged page parses
    with pytest.raises(LayoutError):
        parser(change_layout(html), url)
    state.reset()


def test_history_table_without_rows_is_not_no_actions(state: ReplicaState) -> None:
    bill = state.bills["202520260AB831"]
    html = re.sub(r"<tbody>.*?</tbody>", "<tbody></tbody>", pages.history_page(bill, state), flags=re.S)
    with pytest.raises(LayoutError):
        parse_history(html, "http://replica/faces/billHistoryClient.xhtml?bill_id=202520260AB831")


def test_search_count_mismatch_and_bad_dates(state: ReplicaState) -> None:
    html = pages.search_page(state).replace("4 bill(s) returned", "5 bill(s) returned")
    with pytest.raises(LayoutError, match="says 5"):
        parse_search(html, "http://replica/faces/billSearchClient.xhtml")
    bill = state.bills["202520260AB831"]
    html = re.sub(r"<td scope=\"row\">(\d\d)/(\d\d)/(\d\d)</td>", r"<td scope=\"row\">20\3-\1-\2</td>",
                  pages.history_page(bill, state))
    with pytest.raises(LayoutError, match="MM/DD/YY"):
        parse_history(html, "http://replica/faces/billHistoryClient.xhtml?bill_id=202520260AB831")
    with pytest.raises(PageProblem):
        parse_search(FORBIDDEN_PAGE, "http://replica/faces/billSearchClient.xhtml", 403)


def test_status_page_authors_become_author_records(state: ReplicaState) -> None:
    from spiders.parsers.bill import parse_status_authors

    bill = state.bills["202520260AB1656"]
    url = "http://replica/faces/billStatusClient.xhtml?bill_id=202520260AB1656"
    authors = parse_status_authors(pages.status_page(bill, state), url, "web:202520260AB1656")
    lead = [a for a in authors if a.contribution == "LEAD_AUTHOR"]
    assert [a.name for a in lead] == ["Davies"] and lead[0].primary
    assert all(a.bill_version_id == "web:202520260AB1656" for a in authors)


def test_status_page_without_lead_authors_is_a_layout_error(state: ReplicaState) -> None:
    from spiders.parsers.bill import parse_status_authors

    bill = state.bills["202520260AB1656"]
    html = pages.status_page(bill, state).replace('id="leadAuthors"', 'id="somethingElse"')
    with pytest.raises(LayoutError):
        parse_status_authors(html, "http://replica/faces/billStatusClient.xhtml?bill_id=x", "v")


@pytest.mark.parametrize(("status", "says"), [(429, "rate-limited (HTTP 429)"), (404, "not served (HTTP 404)")])
def test_a_rate_limit_or_missing_page_is_named_for_what_it_is(state: ReplicaState, status: int, says: str) -> None:
    with pytest.raises(PageProblem, match=re.escape(says)):
        parse_search(pages.search_page(state)[:200], "http://replica/faces/billSearchClient.xhtml", status)


REFUSAL_SUBJECT = "Public records: access denied to peace officer files."
MAINTENANCE_SUBJECT = "Crisis lines: service temporarily unavailable during scheduled maintenance."


def test_a_bill_whose_subject_says_access_denied_is_read_not_refused(real_page: str) -> None:
    page = real_page.replace("Higher education budget trailer bill.", REFUSAL_SUBJECT)
    assert page.count(REFUSAL_SUBJECT) == 4  # <meta name="description">, <title>, heading, subject
    v = parse_text(page, REAL_URL)
    assert v.subject == REFUSAL_SUBJECT


def test_a_bill_whose_subject_speaks_of_maintenance_is_read_not_a_maintenance_page(real_page: str) -> None:
    v = parse_text(real_page.replace("Higher education budget trailer bill.", MAINTENANCE_SUBJECT), REAL_URL)
    assert v.subject == MAINTENANCE_SUBJECT


def test_a_listing_and_status_page_naming_such_subjects_are_read(state: ReplicaState) -> None:
    bill = state.bills["202520260AB1656"]
    state.amend(bill.bill_id, subject=REFUSAL_SUBJECT)
    try:
        rows = parse_search(pages.search_page(state), "http://replica/faces/billSearchClient.xhtml")
        assert REFUSAL_SUBJECT in {r.subject for r in rows}
        record, _ = parse_status(pages.status_page(bill, state),
                                 f"http://replica/faces/billStatusClient.xhtml?bill_id={bill.bill_id}")
        assert record.subject == REFUSAL_SUBJECT
    finally:
        state.reset()


def test_a_refusal_page_served_with_200_is_still_a_refusal() -> None:
    with pytest.raises(PageProblem, match="refused"):
        parse_history(FORBIDDEN_PAGE, "http://replica/faces/billHistoryClient.xhtml?bill_id=202520260AB831", 200)
