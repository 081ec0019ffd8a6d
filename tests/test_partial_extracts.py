"""Deltas and extracts are partial; what they leave out is not news and loses nothing.

A bill first seen in history rows alone (a delta without its BILL_TBL row) is stored as
incomplete, and its bill row arriving later is no status change; a new print that came without
its author rows keeps the authors every view shows. Real mini extract rows, real databases
(SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db.base import transaction
from tracker.db.models_core import Bill, BillVersion, ChangeEvent
from tracker.queries import current_authors, export_bills
from tracker.ingest.service import ingest_snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT

ORPHAN = "202520260AB9999"
HISTORY_ROW = (b"`202520260AB9999`\t1\t2026-01-05 00:00:00\t`Read first time. To print.`\tNULL\tNULL\t1\tNULL"
               b"\tNULL\tNULL\tNULL\tNULL\tNULL\n")


@pytest.fixture
def matcher():  # type: ignore[no-untyped-def]
    return load_matcher(PROJECT_ROOT / "config" / "topics.toml")


def extract(src: Path, dest: Path, *, bill_row: bool) -> Path:
    dest.mkdir()
    (dest / "BILL_HISTORY_TBL.dat").write_bytes((src / "BILL_HISTORY_TBL.dat").read_bytes() + HISTORY_ROW)
    bills = (src / "BILL_TBL.dat").read_bytes()
    if bill_row:  # AB 2052's real row, renumbered
        row = next(line for line in bills.splitlines(keepends=True) if line.startswith(b"`202520260AB2052`"))
        bills += row.replace(b"202520260AB2052", ORPHAN.encode()).replace(b"`2052`", b"`9999`").replace(
            b"\t2052\t", b"\t9999\t")
    (dest / "BILL_TBL.dat").write_bytes(bills)
    return dest


def test_the_bill_row_arriving_for_an_incomplete_bill_is_no_status_change(
        factory: sessionmaker[Session], matcher, files: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = files / "pubinfo/mini"
    ingest_snapshot(factory, read_snapshot(extract(src, tmp_path / "delta", bill_row=False)), matcher=matcher)
    ingest_snapshot(factory, read_snapshot(extract(src, tmp_path / "full", bill_row=True)), matcher=matcher)
    with factory() as s:
        bill = s.get(Bill, ORPHAN)
        assert bill is not None and bill.current_status  # filled in from the bill row
        kinds = list(s.execute(select(ChangeEvent.kind).where(ChangeEvent.bill_id == ORPHAN)).scalars())
    assert "status_changed" not in kinds


def test_a_new_print_without_its_author_rows_keeps_the_authors_in_the_export(
        factory: sessionmaker[Session], matcher, files: Path) -> None:  # type: ignore[no-untyped-def]
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)
    bill_id = "202520260AB1656"
    with transaction(factory) as s:  # as a delta carrying only BILL_VERSION_TBL leaves it
        s.add(BillVersion(bill_version_id="20250AB165690AMD", bill_id=bill_id, version_num=90))
        s.get(Bill, bill_id).latest_version_id = "20250AB165690AMD"
    with factory() as s:
        shown = [a["name"] for a in current_authors(s, s.get(Bill, bill_id))]
        exported = next(b for b in export_bills(s) if b["bill_id"] == bill_id)["authors"]
    assert shown and exported == shown
