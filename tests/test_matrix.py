"""The legislative matrix: CSV/Excel/HTML from the same rows, grouped by topic or position."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.clirun import tracker
from tests.test_docs_common import AS_OF, MINI, ingest
from tracker.advocacy.matrix import matrix_rows
from tracker.advocacy.matrix_export import write_matrix
from tracker.advocacy.positions import set_position
from tracker.db.base import transaction
from tracker.db.models_core import Bill
from tracker.settings import get_settings


def _tracked(s) -> set[str]:
    return {b.measure for b in s.query(Bill).all() if b.relevant or b.watched}


def test_rows_cover_tracked_and_positioned_bills(db_url: str) -> None:
    factory = ingest(db_url)
    with transaction(factory) as s:
        set_position(s, "202520260SB275", position="oppose", summary="Plain summary.")
    with factory() as s:
        rows = matrix_rows(s, as_of=AS_OF)
        expected = _tracked(s) | {"SB 275"}
        by_pos = matrix_rows(s, group_by="position", as_of=AS_OF)
        by_topic = matrix_rows(s, group_by="topic", as_of=AS_OF)
    assert {r["measure"] for r in rows} == expected
    sb = next(r for r in rows if r["measure"] == "SB 275")
    assert sb["implications"] == "Plain summary." and sb["position_label"] == "Oppose"
    assert sb["status"] == "Vetoed (Vetoed)" and sb["introduced"].isoformat() == "2025-02-04"
    assert by_pos[0]["group"] == "Oppose" and len(by_pos) == len(rows) == len(by_topic)
    assert all("group" in r for r in by_topic)


def test_csv_xlsx_html(db_url: str) -> None:
    factory = ingest(db_url)
    with transaction(factory) as s:
        set_position(s, "202520260AB831", position="support", summary="Closes a loophole, \"online\".")
    with factory() as s:
        rows = matrix_rows(s, group_by="topic", as_of=AS_OF)
    st = get_settings()
    parsed = list(csv.DictReader(io.StringIO(write_matrix(rows, "csv", group_by="topic", as_of=AS_OF, settings=st).decode("utf-8-sig"))))
    assert len(parsed) == len(rows)
    assert {"Group", "Bill", "Subject", "Implications", "Status", "Introduced", "Last amended", "Position"} <= set(parsed[0])
    ab = next(r for r in parsed if r["Bill"] == "AB 831")
    assert ab["Implications"] == 'Closes a loophole, "online".' and ab["Position"] == "Support"
    wb = load_workbook(io.BytesIO(write_matrix(rows, "xlsx", group_by="topic", as_of=AS_OF, settings=st)))
    ws = wb.active
    assert [c.value for c in ws[1]][:3] == ["Group", "Bill", "Subject"] and ws.max_row == len(rows) + 1
    html = write_matrix(rows, "html", group_by="topic", lang="es", as_of=AS_OF, settings=st).decode()
    assert '<html lang="es">' in html and "Matriz legislativa" in html and "AB 831" in html


def test_matrix_cli_contract(tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    tracker("init", env=env)
    tracker("import-pubinfo", str(MINI), env=env)
    tracker("positions", "set", "SB 275", "--position", "watch", env=env)
    out = tmp_path / "m.csv"
    tracker("matrix", "--format", "csv", "--out", str(out), env=env)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert {"Bill", "Subject", "Status", "Position"} <= set(rows[0])
    assert len({r["Bill"] for r in rows}) == len(rows) and "SB 275" in {r["Bill"] for r in rows}
    for fmt in ("xlsx", "html"):
        tracker("matrix", "--format", fmt, "--out", str(tmp_path / f"m.{fmt}"), "--group-by", "position", env=env)
        assert (tmp_path / f"m.{fmt}").stat().st_size > 1000


def test_topic_groups_come_in_the_order_of_the_names_staff_read(db_url: str) -> None:
    factory = ingest(db_url)
    with transaction(factory) as s:
        set_position(s, "202520260SB275", position="oppose")
    with factory() as s:
        rows = matrix_rows(s, group_by="topic", as_of=AS_OF)
    row = rows[0]  # one bill under topics whose ids (as matrix_rows sorts them) run against their names
    rows = [{**row, "group": "bh_funding"}, {**row, "group": "crisis_988"}, {**row, "group": "workforce"}]
    parsed = list(csv.DictReader(io.StringIO(write_matrix(
        rows, "csv", group_by="topic", as_of=AS_OF, settings=get_settings()).decode("utf-8-sig"))))
    assert [r["Group"] for r in parsed] == ["Behavioral health workforce", "Crisis services and 988",
                                            "MHSA, Prop 1 and Behavioral Health Services Act funding and oversight"]
