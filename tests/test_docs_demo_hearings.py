"""Hearings on sheets and in the matrix, after the demo's scripted day in the legislature.

``tracker demo`` polls the replica, then AB 2052 passes a Senate policy committee
(its location becomes Senate Appropriations' code) and is set for a hearing in Senate Appropriations in "1021 O Street, Room
2100". We add a policy-committee hearing for AB 1656 the way the Senate calendar lists one
(a bare room number), take a position on AB 2052, then print sheets and the matrix as staff do.
"""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from sqlalchemy import select

from tests.clirun import tracker
from tracker.db import make_engine, session_factory
from tracker.db.base import transaction
from tracker.db.models_core import Hearing

POLICY_COMMITTEE = "Health"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    d = tmp_path_factory.mktemp("demo")
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{d / 't.db'}", "TRACKER_SMTP__OUTBOX_DIR": str(d / "outbox"),
           "TRACKER_DATA_DIR": str(d / "var")}
    tracker("demo", env=env, timeout=300)
    tracker("positions", "set", "AB 2052", "--position", "support", env=env)  # so the matrix lists it
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    with transaction(session_factory(engine)) as s:
        appropriations = s.execute(select(Hearing).where(Hearing.bill_id == "202520260AB2052",
                                                         Hearing.status == "scheduled")).scalar_one()
        policy_day = appropriations.hearing_date + timedelta(days=3)
        s.add(Hearing(bill_id="202520260AB1656", fingerprint="calendar-health", committee_name=POLICY_COMMITTEE,
                      hearing_date=policy_day, hearing_time="1:30 p.m.", room="4202", status="scheduled"))
        fiscal_day = appropriations.hearing_date
    engine.dispose()
    return {"env": env, "dir": d, "fiscal_day": fiscal_day, "policy_day": policy_day}


def _sheets(demo: dict[str, object], tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "packet.html"
    tracker("packet", "--bills", "AB 2052,AB 1656", "--out", str(out), env=demo["env"])  # type: ignore[arg-type]
    html = out.read_text(encoding="utf-8")
    first, second = html.split('id="sheet-202520260AB1656"')
    return {"AB 2052": first, "AB 1656": second}


def test_no_letter_deadline_for_an_appropriations_hearing_but_one_for_a_policy_committee(demo, tmp_path) -> None:
    sheets = _sheets(demo, tmp_path)
    assert "Appropriations" in sheets["AB 2052"]
    assert "Letters due" not in sheets["AB 2052"]
    deadline = demo["policy_day"] - timedelta(days=7)  # alerts.letter_deadline_days
    assert f"Letters due:</strong> {format_date(deadline, 'long', locale='en')}" in sheets["AB 1656"]


def test_matrix_leaves_the_letter_deadline_empty_for_fiscal_hearings(demo, tmp_path) -> None:
    out = tmp_path / "m.csv"
    tracker("matrix", "--out", str(out), env=demo["env"])  # type: ignore[arg-type]
    rows = {r["Bill"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert rows["AB 2052"]["Next hearing"] == f"{demo['fiscal_day'].isoformat()} Senate Appropriations"
    assert rows["AB 2052"]["Letter deadline"] == ""
    assert rows["AB 1656"]["Letter deadline"] == (demo["policy_day"] - timedelta(days=7)).isoformat()


def test_room_is_printed_once_and_only_before_a_bare_room_number(demo, tmp_path) -> None:
    sheets = _sheets(demo, tmp_path)
    assert "<br>1021 O Street, Room 2100</p>" in sheets["AB 2052"]
    assert "Room 1021" not in sheets["AB 2052"]
    assert "<br>Room 4202</p>" in sheets["AB 1656"]


def test_official_status_names_the_committee_not_its_code(demo, tmp_path) -> None:
    # the demo's bill sits in the replica's code for Senate Appropriations, which the bulk
    # location table names
    sheet = _sheets(demo, tmp_path)["AB 2052"]
    assert "Official status: In Committee Process (Senate Appropriations)." in sheet
    assert not re.search(r"\bC[SX]\d+\b", sheet)


def test_spanish_matrix_groups_under_the_configured_spanish_topic_names(demo, tmp_path) -> None:
    out = tmp_path / "matriz.html"
    tracker("matrix", "--group-by", "topic", "--lang", "es", "--out", str(out), env=demo["env"])  # type: ignore[arg-type]
    html = out.read_text(encoding="utf-8")
    headings = re.findall(r'<h2 id="group-\d+">(.*?)</h2>', html)
    # AB 1656's first topic is crisis_988 (label_es in config/topics.toml); AB 2052 has none
    assert headings == ["Servicios de crisis y la línea 988", "Otros proyectos que seguimos"]
    assert "Crisis 988" not in html
