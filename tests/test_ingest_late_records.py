"""Records that arrive after their bill was stored: kept, and announced only when they are news.

Extracts are partial (a first import without BILL_VERSION_AUTHORS_TBL or VETO_MESSAGE_TBL; a
veto message posted days after the veto) and archives fill in old roll calls: the rows must be
stored, and old ones must not reach members as today's news.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.db.models_core import BillAction, BillAuthor, BillVersion, ChangeEvent, VetoMessage, Vote, VoteMember
from tracker.ingest.service import ingest_snapshot
from tracker.items import Snapshot, VoteRecord
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT

MATCHER = load_matcher(PROJECT_ROOT / "config" / "topics.toml")
SB275 = "202520260SB275"


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


def _bill_row(folder: Path, measure_id: str, edit) -> None:  # type: ignore[no-untyped-def]
    path = folder / "BILL_TBL.dat"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(line) if line.startswith(f"`{measure_id}`") else line for line in lines),
                    encoding="utf-8")


def test_an_older_bill_row_does_not_roll_the_status_back(factory, files: Path, tmp_path: Path) -> None:
    """An old extract imported by mistake, or a delta applied after a newer snapshot."""
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    older = extract(files, tmp_path)
    _bill_row(older, "202520260AB2052", lambda line: line.replace("2026-06-11 20:09:11", "2026-03-02 10:00:00")
              .replace("`Third Reading`\t`Floor`\t`Senate`\t`In Floor Process`",
                       "`CS72`\tNULL\t`Senate`\t`In Committee Process`"))
    result = ingest_snapshot(factory, read_snapshot(older), matcher=MATCHER)
    assert result.events == 0
    with factory() as s:
        from tracker.db.models_core import Bill
        assert s.get(Bill, "202520260AB2052").current_status == "In Floor Process"


def test_a_newer_bill_row_still_moves_the_status(factory, files: Path, tmp_path: Path) -> None:
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    newer = extract(files, tmp_path)
    _bill_row(newer, "202520260AB2052", lambda line: line.replace("2026-06-11 20:09:11", "2026-06-20 10:00:00")
              .replace("`In Floor Process`", "`Enrolled`"))
    ingest_snapshot(factory, read_snapshot(newer), matcher=MATCHER)
    with factory() as s:
        kinds = list(s.execute(select(ChangeEvent.kind)).scalars())
    assert "status_changed" in kinds


def test_bill_row_times_compare_right_on_a_server_in_another_time_zone(db_url: str, files: Path, tmp_path: Path) -> None:
    """PostgreSQL hands stored times back in its own zone (a California server's default)."""
    url = db_url + "%20-ctimezone%3DEurope%2FBerlin" if db_url.startswith("postgresql") else db_url
    engine = make_engine(url)
    upgrade(engine)
    made = session_factory(engine)
    try:
        ingest_snapshot(made, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
        again = ingest_snapshot(made, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
        assert again.bills_changed == 0  # the same rows are not "changed" every night
        newer = extract(files, tmp_path)
        _bill_row(newer, "202520260AB2052", lambda line: line.replace("2026-06-11 20:09:11", "2026-06-11 20:39:11")
                  .replace("`In Floor Process`", "`Enrolled`"))
        assert ingest_snapshot(made, read_snapshot(newer), matcher=MATCHER).event_kinds.get("status_changed") == 1
    finally:
        engine.dispose()


def test_a_committee_roll_call_posted_after_its_report_action_is_still_news(factory, files: Path) -> None:
    """The roll call carries the hearing day; the 'Do pass' action is dated days later."""
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    with factory() as s:
        from tracker.db.models_core import Bill
        last = s.get(Bill, SB275).last_action_date
    late = Snapshot(source="web")
    late.bundle(SB275).votes.append(VoteRecord(bill_id=SB275, vote_date=last - timedelta(days=3), ayes=9, noes=2,
                                               result="(PASS)", location_code="CS61"))
    ingest_snapshot(factory, late, matcher=MATCHER)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(ChangeEvent).where(ChangeEvent.kind == "vote_recorded")) == 1


def test_a_history_row_the_legislature_corrects_replaces_the_stored_one_without_an_alert(
        factory, files: Path, tmp_path: Path) -> None:
    """A delta re-sends row 118204735 under its id with corrected text: one action, no new_action."""
    delta = tmp_path / "delta"
    delta.mkdir()
    rows = (files / "pubinfo/mini/BILL_HISTORY_TBL.dat").read_text(encoding="utf-8").splitlines()
    row = next(r for r in rows if "\t118204735\t" in r)
    (delta / "BILL_HISTORY_TBL.dat").write_text(
        row.replace("Re-referred to Coms. on  G.O. and  PUB. S.", "Re-referred to Com. on  PUB. S.") + "\n",
        encoding="utf-8")
    ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=MATCHER)
    before = count(factory, BillAction)
    result = ingest_snapshot(factory, read_snapshot(delta), matcher=MATCHER)
    assert result.event_kinds == {} and count(factory, BillAction) == before
    with factory() as s:
        texts = s.execute(select(BillAction.action).where(BillAction.history_id == "118204735")).scalars().all()
    assert texts == ["Re-referred to Com. on  PUB. S."]
    again = ingest_snapshot(factory, read_snapshot(delta), matcher=MATCHER)
    assert again.event_kinds == {} and count(factory, BillAction) == before


def _only(folder: Path, table: str, rows: list[str]) -> Path:
    folder.mkdir()
    (folder / f"{table}.dat").write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    return folder


def test_a_roll_call_resent_with_a_grown_tally_updates_the_stored_one_without_an_alert(
        factory, files: Path, tmp_path: Path) -> None:
    """Members add their votes after the roll call: the legislature re-sends the row, 35 → 36 ayes."""
    archive = files / "pubinfo/archive/1999"
    ingest_snapshot(factory, read_snapshot(archive), matcher=MATCHER)
    row = (archive / "BILL_SUMMARY_VOTE_TBL.dat").read_text(encoding="utf-8").splitlines()[0]
    assert "\t35\t1\t4\t" in row
    delta = _only(tmp_path / "delta", "BILL_SUMMARY_VOTE_TBL", [row.replace("\t35\t1\t4\t", "\t36\t1\t3\t")])
    before = count(factory, Vote)
    result = ingest_snapshot(factory, read_snapshot(delta), matcher=MATCHER)
    assert result.event_kinds == {} and count(factory, Vote) == before
    with factory() as s:
        tally = s.execute(select(Vote.ayes, Vote.abstain).where(
            Vote.bill_id == "199920001SCR2", Vote.location_code == "SFLOOR")).one()
    assert tuple(tally) == (36, 3)


def test_member_votes_sent_after_their_roll_call_join_it(factory, files: Path, tmp_path: Path) -> None:
    archive = files / "pubinfo/archive/1999"
    ingest_snapshot(factory, read_snapshot(extract_of(archive, tmp_path / "no-members", "BILL_DETAIL_VOTE_TBL")),
                    matcher=MATCHER)
    assert count(factory, VoteMember) == 0
    details = (archive / "BILL_DETAIL_VOTE_TBL.dat").read_text(encoding="utf-8").splitlines()
    result = ingest_snapshot(factory, read_snapshot(_only(tmp_path / "delta", "BILL_DETAIL_VOTE_TBL", details)),
                             matcher=MATCHER)
    assert result.event_kinds == {}
    assert count(factory, VoteMember) == len({tuple(r.split("\t")[:7]) for r in details})


def extract_of(source: Path, folder: Path, *leave_out: str) -> Path:
    shutil.copytree(source, folder)
    for name in leave_out:
        (folder / f"{name}.dat").unlink()
    return folder


def test_a_new_print_without_a_bill_row_makes_its_authors_the_bills_authors(files: Path, tmp_path: Path,
                                                                             factory) -> None:
    """The June amendment of AB 831 names Valencia; a delta without BILL_TBL must not keep Ramos."""
    from tracker.queries import current_authors

    mini = files / "pubinfo/mini"

    def part(name: str, keep: str, tables: tuple[str, ...]) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for table in tables:
            rows = (mini / f"{table}.dat").read_text(encoding="utf-8").splitlines()
            (folder / f"{table}.dat").write_text("".join(r + "\n" for r in rows if keep in r), encoding="utf-8")
        for lob in mini.glob("BILL_VERSION_TBL_*.lob"):
            shutil.copy(lob, folder / lob.name)
        return folder

    june = part("introduced", "AB83199INT", ("BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL"))
    bill_row = next(r for r in (mini / "BILL_TBL.dat").read_text(encoding="utf-8").splitlines() if "`202520260AB831`" in r)
    (june / "BILL_TBL.dat").write_text(bill_row.replace("`20250AB83194CHP`", "`20250AB83199INT`") + "\n", encoding="utf-8")
    ingest_snapshot(factory, read_snapshot(june), matcher=MATCHER)
    ingest_snapshot(factory, read_snapshot(part("amended", "AB83198AMD",
                                                ("BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL"))), matcher=MATCHER)
    with factory() as s:
        from tracker.db.models_core import Bill
        assert [a["name"] for a in current_authors(s, s.get(Bill, "202520260AB831"))] == ["Valencia"]


def test_a_print_the_legislature_corrects_later_is_read_again_without_an_amendment_alert(
        factory, files: Path, tmp_path: Path) -> None:
    """AB 831's June print re-sent under its id with a later row time and corrected text."""
    mini = files / "pubinfo/mini"
    ingest_snapshot(factory, read_snapshot(mini), matcher=MATCHER)
    delta = tmp_path / "delta"
    delta.mkdir()
    row = next(r for r in (mini / "BILL_VERSION_TBL.dat").read_text(encoding="utf-8").splitlines()
               if r.startswith("`20250AB83198AMD`"))
    (delta / "BILL_VERSION_TBL.dat").write_text(
        row.replace("2025-06-23 22:04:35", "2025-10-01 09:00:00") + "\n", encoding="utf-8")
    lob = (mini / "BILL_VERSION_TBL_5925.lob").read_text(encoding="utf-8")
    (delta / "BILL_VERSION_TBL_5925.lob").write_text(
        lob.replace("in the operation of any contest", "in the operation of any corrected contest"), encoding="utf-8")
    result = ingest_snapshot(factory, read_snapshot(delta), matcher=MATCHER)
    assert "new_version" not in result.event_kinds
    with factory() as s:
        digest = s.get(BillVersion, "20250AB83198AMD").digest
    assert "any corrected contest" in (digest or "")
    assert ingest_snapshot(factory, read_snapshot(delta), matcher=MATCHER).bills_changed == 0


def test_a_member_who_votes_after_the_roll_call_is_added_to_it(factory, files: Path, tmp_path: Path) -> None:
    """The tally grows 35 → 36 and the member rows now name one more senator."""
    archive = files / "pubinfo/archive/1999"
    ingest_snapshot(factory, read_snapshot(archive), matcher=MATCHER)
    summary = (archive / "BILL_SUMMARY_VOTE_TBL.dat").read_text(encoding="utf-8").splitlines()[0]
    details = [r for r in (archive / "BILL_DETAIL_VOTE_TBL.dat").read_text(encoding="utf-8").splitlines()
               if r.startswith("`199920001SCR2`\t`SFLOOR`")]
    late = details[0].replace("`Alarcon`", "`Latecomer`").replace("`ABS`", "`AYE`")
    delta = _only(tmp_path / "delta", "BILL_SUMMARY_VOTE_TBL", [summary.replace("\t35\t1\t4\t", "\t36\t1\t3\t")])
    (delta / "BILL_DETAIL_VOTE_TBL.dat").write_text("".join(r + "\n" for r in [*details, late]), encoding="utf-8")
    before = count(factory, VoteMember)
    assert ingest_snapshot(factory, read_snapshot(delta), matcher=MATCHER).event_kinds == {}
    assert count(factory, VoteMember) == before + 1


def test_member_rows_for_a_bill_we_do_not_hold_make_no_bill(factory, files: Path, tmp_path: Path) -> None:
    row = (files / "pubinfo/archive/1999/BILL_DETAIL_VOTE_TBL.dat").read_text(encoding="utf-8").splitlines()[0]
    delta = _only(tmp_path / "delta", "BILL_DETAIL_VOTE_TBL", [row.replace(row.split("\t")[0], "`199920001SB77`")])
    result = ingest_snapshot(factory, read_snapshot(delta), matcher=MATCHER)
    assert result.event_kinds == {} and count(factory, Vote) == 0
    assert any("199920001SB77" in w for w in result.warnings)


def test_a_member_row_with_a_damaged_bill_id_is_one_clear_error(files: Path, tmp_path: Path) -> None:
    from tracker.errors import InputError

    row = (files / "pubinfo/archive/1999/BILL_DETAIL_VOTE_TBL.dat").read_text(encoding="utf-8").splitlines()[0]
    delta = _only(tmp_path / "delta", "BILL_DETAIL_VOTE_TBL", [row.replace(row.split("\t")[0], "NULL")])
    with pytest.raises(InputError, match=r"BILL_DETAIL_VOTE_TBL\.dat:1: bad value"):
        read_snapshot(delta)


def test_a_new_print_whose_author_rows_have_not_come_keeps_the_last_known_authors(
        files: Path, tmp_path: Path, factory) -> None:
    from tracker.db.models_core import Bill
    from tracker.queries import current_authors

    mini = files / "pubinfo/mini"
    first = tmp_path / "first"
    first.mkdir()
    for table, keep in (("BILL_VERSION_TBL", "AB83199INT"), ("BILL_VERSION_AUTHORS_TBL", "AB83199INT")):
        rows = (mini / f"{table}.dat").read_text(encoding="utf-8").splitlines()
        (first / f"{table}.dat").write_text("".join(r + "\n" for r in rows if keep in r), encoding="utf-8")
    ingest_snapshot(factory, read_snapshot(first), matcher=MATCHER)
    later = tmp_path / "later"
    later.mkdir()
    rows = (mini / "BILL_VERSION_TBL.dat").read_text(encoding="utf-8").splitlines()
    (later / "BILL_VERSION_TBL.dat").write_text("".join(r + "\n" for r in rows if "AB83198AMD" in r), encoding="utf-8")
    ingest_snapshot(factory, read_snapshot(later), matcher=MATCHER)
    with factory() as s:
        assert [a["name"] for a in current_authors(s, s.get(Bill, "202520260AB831"))] == ["Ramos"]
