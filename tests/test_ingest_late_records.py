"""Records that arrive after their bill was stored: kept, and announced only when they are news.

Extracts are partial (a first import without BILL_VERSION_AUTHORS_TBL or VETO_MESSAGE_TBL; a
veto message posted days after the veto) and archives fill in old roll calls: the rows must be
stored, and old ones must not reach members as today's news.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.db.models_core import BillAuthor, ChangeEvent, VetoMessage
from tracker.ingest.service import ingest_snapshot
from tracker.items import Snapshot, VoteRecord
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT

MATCHER = load_matcher(PROJECT_ROOT / "config" / "topics.toml")
SB275 = "202520260SB275"


@pytest.fixture
def factory(db_url: str) -> sessionmaker[Session]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def extract(files: Path, tmp_path: Path, *leave_out: str) -> Path:
    """The mini extract without some tables."""
    folder = tmp_path / ("without-" + "-".join(leave_out))
    shutil.copytree(files / "pubinfo/mini", folder)
    for name in leave_out:
        (folder / f"{name}.dat").unlink()
    return folder


def count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_authors_that_arrive_after_their_bill_are_stored(factory, files: Path, tmp_path: Path) -> None:
    ingest_snapshot(factory, read_snapshot(extract(files, tmp_path, "BILL_VERSION_AUTHORS_TBL")), matcher=MATCHER)
    assert count(factory, BillAuthor) == 0
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    assert count(factory, BillAuthor) > 0
    again = ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    assert (again.bills_changed, again.events) == (0, 0)


def test_a_veto_message_posted_after_the_veto_is_stored(factory, files: Path, tmp_path: Path) -> None:
    ingest_snapshot(factory, read_snapshot(extract(files, tmp_path, "VETO_MESSAGE_TBL")), matcher=MATCHER)
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    with factory() as s:  # the sample's message text (its .lob) is not published; its date is
        assert s.get(VetoMessage, SB275).veto_date == date(2025, 10, 10)
    again = ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    assert again.bills_changed == 0


def test_a_roll_call_older_than_the_known_history_is_stored_without_an_alert(factory, files: Path) -> None:
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    late = Snapshot(source="pubinfo")
    late.bundle(SB275).votes.append(VoteRecord(bill_id=SB275, vote_date=date(2025, 4, 1), ayes=5, noes=0,
                                               result="(PASS)", location_code="CS61"))
    ingest_snapshot(factory, late, matcher=MATCHER)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(ChangeEvent).where(ChangeEvent.kind == "vote_recorded")) == 0
