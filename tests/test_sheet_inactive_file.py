"""Advocacy Day sheets: a bill on the inactive file is told as one that can come
back any day, not as a parked two-year bill; a bill parked by a first-year deadline still is, and one a deadline ended is dead for the session. The real
bulk sample, imported into SQLite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.test_docs_common import AS_OF, MINI, ingest
from tracker.advocacy.facts import bill_facts
from tracker.advocacy.packet import render_sheets_html
from tracker.advocacy.sheet import MAX_LEVEL
from tracker.db.base import transaction
from tracker.db.models_core import Bill, BillAction
from tracker.settings import get_settings

AB2052 = "202520260AB2052"


@pytest.fixture
def factory(tmp_path: Path) -> sessionmaker[Session]:
    return ingest(f"sqlite:///{tmp_path / 't.db'}", MINI)


def _parked(factory: sessionmaker[Session], action: str) -> str:
    """AB 2052's sheet after ``action`` (a ``two_year`` action) was stored as its newest."""
    with transaction(factory) as s:
        s.add(BillAction(bill_id=AB2052, fingerprint="review9", action_date=date(2026, 8, 31), action=action,
                         sort_key="2026-08-31|9999", stage="two_year", source="pubinfo"))
        s.get(Bill, AB2052).stage = "two_year"
    with factory() as s:
        facts = bill_facts(s, AB2052, get_settings(), AS_OF)
    return render_sheets_html([facts], [MAX_LEVEL], settings=get_settings())


def test_a_sheet_tells_the_inactive_file_as_able_to_come_back_any_day(factory) -> None:
    html = _parked(factory, "Ordered to inactive file at the request of Senator Umberg.")
    assert "On the inactive file: set aside before a floor vote; it can be brought back at any time." in html
    assert "Parked as a two-year bill" not in html


def test_a_sheet_still_tells_a_bill_parked_by_a_first_year_deadline_as_a_two_year_bill(factory) -> None:
    html = _parked(factory, "Failed Deadline pursuant to Rule 61(a)(2).")
    assert "Parked as a two-year bill: no action for now." in html


def test_a_sheet_tells_a_bill_filed_under_joint_rule_56_as_dead_for_the_session(factory) -> None:
    html = _parked(factory, "From committee: Filed with the Chief Clerk pursuant to Joint Rule 56.")
    assert "Stopped for this session: it missed a deadline, or the session ended." in html
    assert "Parked as a two-year bill" not in html
