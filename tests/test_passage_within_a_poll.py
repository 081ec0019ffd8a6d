"""A house passing a bill is news even when the bill moves on within the same poll.

The real 2025-09-08 history of AB 831: "Read third time. Passed. Ordered to the Assembly." and
"In Assembly. Concurrence in Senate amendments pending." on one day. The stage went from
"floor" (the Senate's) to "floor" (the Assembly's, for concurrence); without its own event the
digest said nothing about the Senate passing the bill. Real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts.messages import Renderer
from tracker.db.base import utcnow
from tracker.db.models_alerts import OutboxMessage
from tracker.db.models_core import ChangeEvent
from tracker.ingest.runs import start_run
from tracker.ingest.service import ingest_snapshot
from tracker.items import ActionRecord, Snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT

AB1656 = "202520260AB1656"  # on the Senate floor in the real mini extract
PASSED = "Read third time. Passed. Ordered to the Assembly. (Ayes 38. Noes 0.)"
BACK = "In Assembly. Concurrence in Senate amendments pending."


@pytest.fixture
def matcher():  # type: ignore[no-untyped-def]
    return load_matcher(PROJECT_ROOT / "config" / "topics.toml")


def poll(factory: sessionmaker[Session], matcher, *actions: str) -> list[ChangeEvent]:  # type: ignore[no-untyped-def]
    snap = Snapshot(source="web")
    bundle = snap.bundle(AB1656)
    for text in actions:
        bundle.actions.append(ActionRecord(bill_id=AB1656, action_date=date(2026, 6, 15), action=text))
    before = _last_id(factory)
    ingest_snapshot(factory, snap, matcher=matcher, run_id=start_run(factory, "web", "replica"))  # as a poll does
    with factory() as s:
        return list(s.execute(select(ChangeEvent).where(ChangeEvent.id > before, ChangeEvent.kind == "stage_changed")
                              .order_by(ChangeEvent.id)).scalars())


def _last_id(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return max(s.execute(select(ChangeEvent.id)).scalars(), default=0)


def test_passing_the_second_house_and_returning_for_concurrence_in_one_poll_is_two_stage_events(
        factory, matcher, files) -> None:  # type: ignore[no-untyped-def]
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)
    events = poll(factory, matcher, PASSED, BACK)
    assert [(e.before, e.after) for e in events] == [("floor", "passed_house"), ("passed_house", "floor")]


def test_the_alert_says_the_senate_passed_it_and_it_is_back_for_concurrence(factory, matcher, files) -> None:  # type: ignore[no-untyped-def]
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)
    first = _last_id(factory)
    poll(factory, matcher, PASSED, BACK)
    with factory() as s:
        ids = list(s.execute(select(ChangeEvent.id).where(ChangeEvent.id > first)).scalars())
        row = OutboxMessage(id=1, key="k", kind="alert", event_ids=ids, reasons={AB1656: [f"bill:{AB1656}"]})
        text = Renderer(s, utcnow()).render(row, "en").text
    assert "AB 1656 passed the Senate" in text
    assert "AB 1656 is back in the Assembly for a vote on the Senate's changes." in text


def test_the_same_poll_again_tells_nothing_new(factory, matcher, files) -> None:  # type: ignore[no-untyped-def]
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)
    poll(factory, matcher, PASSED, BACK)
    assert poll(factory, matcher, PASSED, BACK) == []


def test_an_ordinary_passage_is_still_one_stage_event(factory, matcher, files) -> None:  # type: ignore[no-untyped-def]
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)
    events = poll(factory, matcher, PASSED)
    assert [(e.before, e.after) for e in events] == [("floor", "passed_house")]
