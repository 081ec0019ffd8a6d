"""Two roll calls of one bill on one day with the same tally are two votes, whatever order the
extracts bring them in: the passage vote, then an urgency clause, both 38-0. The bulk data names
each by place, sequence and motion; a roll call it names is never relabelled as another, each
is told once, and importing the same extract again tells nothing. Real databases (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db.models_core import ChangeEvent, Vote
from tracker.ingest.runs import start_run
from tracker.ingest.service import IngestResult, ingest_snapshot
from tracker.items import Snapshot, VoteMemberRecord, VoteRecord
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT

AB1656 = "202520260AB1656"  # on the Senate floor in the real mini extract
DAY = date(2026, 6, 25)


@pytest.fixture
def matcher():  # type: ignore[no-untyped-def]
    return load_matcher(PROJECT_ROOT / "config" / "topics.toml")


def roll_call(seq: str, motion: str, text: str) -> VoteRecord:
    return VoteRecord(bill_id=AB1656, location_code="SFLOOR", vote_date=DAY, vote_seq=seq, motion_id=motion,
                      motion_text=text, ayes=38, noes=0, result="(PASS)",
                      members=tuple(VoteMemberRecord(name=f"Senator {n}", code="AYE") for n in range(38)))


PASSAGE = roll_call("2", "8", "Third reading.")
URGENCY = roll_call("1", "9", "Urgency clause.")
LATER = roll_call("3", "10", "Reconsideration.")


def bulk(factory: sessionmaker[Session], matcher, *votes: VoteRecord) -> IngestResult:  # type: ignore[no-untyped-def]
    snap = Snapshot(source="pubinfo")
    snap.bundle(AB1656).votes.extend(votes)
    return ingest_snapshot(factory, snap, matcher=matcher, run_id=start_run(factory, "pubinfo", "extract"))


def stored(factory: sessionmaker[Session]) -> list[tuple[str | None, str | None, str | None]]:
    with factory() as s:
        return sorted((v.vote_seq, v.motion_id, v.motion_text) for v in s.execute(select(Vote)).scalars())


def told(factory: sessionmaker[Session]) -> list[str]:
    with factory() as s:
        return [str(e.after["motion"]) for e in s.execute(select(ChangeEvent).where(
            ChangeEvent.kind == "vote_recorded").order_by(ChangeEvent.id)).scalars()]


@pytest.fixture
def known(factory: sessionmaker[Session], matcher, files: Path) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)
    bulk(factory, matcher, PASSAGE)
    return factory


def test_an_earlier_roll_call_with_the_same_tally_arriving_later_is_its_own_vote(known, matcher) -> None:  # type: ignore[no-untyped-def]
    bulk(known, matcher, PASSAGE, URGENCY)
    assert stored(known) == [("1", "9", "Urgency clause."), ("2", "8", "Third reading.")]
    assert told(known) == ["Third reading.", "Urgency clause."]


def test_importing_the_same_extract_again_tells_nothing(known, matcher) -> None:  # type: ignore[no-untyped-def]
    bulk(known, matcher, PASSAGE, URGENCY)
    again = bulk(known, matcher, PASSAGE, URGENCY)
    assert again.events == 0 and again.bills_changed == 0
    assert told(known) == ["Third reading.", "Urgency clause."]


def test_a_delta_carrying_only_a_later_roll_call_with_the_same_tally_tells_it(known, matcher) -> None:  # type: ignore[no-untyped-def]
    bulk(known, matcher, LATER)
    assert stored(known) == [("2", "8", "Third reading."), ("3", "10", "Reconsideration.")]
    assert told(known) == ["Third reading.", "Reconsideration."]
    bulk(known, matcher, PASSAGE, LATER)  # the next full extract: nothing new
    assert told(known) == ["Third reading.", "Reconsideration."]


def test_the_websites_row_of_a_second_roll_call_takes_the_bulk_datas_identity_not_a_third_row(known, matcher) -> None:  # type: ignore[no-untyped-def]
    web = Snapshot(source="web")
    for text in ("Third reading.", "Urgency clause."):  # the votes page: no sequence, no motion id
        web.bundle(AB1656).votes.append(VoteRecord(bill_id=AB1656, location_name="Senate Floor", vote_date=DAY,
                                                   motion_text=text, ayes=38, noes=0, result="(PASS)"))
    ingest_snapshot(known, web, matcher=matcher, run_id=start_run(known, "web", "pages"))
    bulk(known, matcher, PASSAGE, URGENCY)
    with known() as s:
        assert len(list(s.execute(select(Vote)).scalars())) == 2
    assert len(told(known)) == 2
    assert bulk(known, matcher, PASSAGE, URGENCY).events == 0
