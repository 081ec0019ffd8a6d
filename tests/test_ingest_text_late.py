"""A bill text that was missing when its print was first stored is read when it arrives.

Extracts can lack a print's CAML file (``BILL_VERSION_TBL_*.lob``) or carry an unreadable one;
the print is stored without text and the import warns. The file used to be read only for prints
not stored yet, so the text never came and the bill could stay "not relevant" for good. Now a
stored print with no digest and no text is read again when an extract has its file: its text is
stored, relevance is decided again ("going by its bill text"), and it is not told as an
amendment. On the real mini extract, whose AB 1656 newest print is ``BILL_VERSION_TBL_14928.lob``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.test_relevance_rescan import COURT_TOPIC, SHIPPED  # a topic whose term is in AB 1656's digest
from tracker.db.models_core import Bill, BillVersion, ChangeEvent
from tracker.ingest.service import IngestResult, ingest_snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import Matcher, load_matcher

AB1656, NEWEST = "202520260AB1656", "20250AB165697AMD"
LOB = "BILL_VERSION_TBL_14928.lob"


@pytest.fixture
def without_text(files: Path, tmp_path: Path) -> Path:
    """The mini extract without AB 1656's newest bill text."""
    folder = tmp_path / "mini-without-14928"
    shutil.copytree(files / "pubinfo/mini", folder)
    (folder / LOB).unlink()
    return folder


@pytest.fixture
def court(tmp_path: Path) -> Matcher:
    path = tmp_path / "court.toml"
    path.write_text(SHIPPED.read_text(encoding="utf-8") + COURT_TOPIC, encoding="utf-8")
    return load_matcher(path)


def ingest(factory: sessionmaker[Session], folder: Path, matcher: Matcher) -> IngestResult:
    return ingest_snapshot(factory, read_snapshot(folder), matcher=matcher)


def newest_print(factory: sessionmaker[Session]) -> BillVersion:
    with factory() as s:
        row = s.get(BillVersion, NEWEST)
        assert row is not None
        s.expunge(row)
        return row


def test_a_print_stored_without_its_text_gets_it_when_the_file_arrives(factory, files, without_text) -> None:
    first = ingest(factory, without_text, load_matcher(SHIPPED))
    assert any(LOB in w for w in first.warnings)
    assert (newest_print(factory).digest, newest_print(factory).full_text) == (None, None)
    ingest(factory, files / "pubinfo/mini", load_matcher(SHIPPED))
    stored = newest_print(factory)
    assert stored.digest and "great weight" in stored.digest
    assert stored.full_text and stored.title and stored.title.startswith("An act to amend Section 1050")


def test_text_that_arrives_late_is_not_told_as_an_amendment(factory, files, without_text) -> None:
    ingest(factory, without_text, load_matcher(SHIPPED))
    later = ingest(factory, files / "pubinfo/mini", load_matcher(SHIPPED))
    assert "new_version" not in later.event_kinds
    assert later.events == 0


def test_a_bill_relevant_by_its_late_text_is_told_going_by_its_bill_text(factory, files, without_text, court) -> None:
    ingest(factory, without_text, court)
    with factory() as s:
        assert s.get(Bill, AB1656).relevant is False  # judged on its title alone
    ingest(factory, files / "pubinfo/mini", court)
    with factory() as s:
        assert s.get(Bill, AB1656).topics == ["court_delays"]
        event = s.execute(select(ChangeEvent).where(ChangeEvent.kind == "became_relevant")).scalar_one()
    assert event.bill_id == AB1656 and event.after["backfill"] is True
    assert "going by its bill text" in event.summary


def test_importing_again_after_the_text_arrived_changes_nothing(factory, files, without_text, court) -> None:
    ingest(factory, without_text, court)
    ingest(factory, files / "pubinfo/mini", court)
    again = ingest(factory, files / "pubinfo/mini", court)
    assert (again.bills_changed, again.events) == (0, 0)


def test_a_text_file_still_missing_is_warned_about_once(factory, without_text) -> None:
    ingest(factory, without_text, load_matcher(SHIPPED))
    again = ingest(factory, without_text, load_matcher(SHIPPED))
    assert not any(LOB in w for w in again.warnings)
    assert (again.bills_changed, again.events) == (0, 0)
