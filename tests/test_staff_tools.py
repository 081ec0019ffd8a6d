"""The tools advocacy staff use every week, as they use them: a positions file loaded with
``tracker positions import``, the staff pages of the web app (triage, a bill's position, the
packet builder), ``tracker show`` and ``tracker sheet``/``packet``.

Staff are not programmers: a file or a form that cannot mean what they meant is refused in one
plain line that says what to write instead, and nothing half-done is stored or printed.
Real sample data (the 2025-26 bills in tests/files/pubinfo/mini and the 1999-2000 archive),
real CLI in a subprocess, the real web app, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from tests.clirun import tracker
from tests.test_docs_common import ARCHIVE_1999, MINI, ingest
from tracker.advocacy.positions import get_position, set_position
from tracker.db.base import transaction
from tracker.db.models_core import Bill
from tracker.replica.datwriter import write_zip
from tracker.replica.state import ReplicaState
from tracker.settings import get_settings
from tracker.web.app import create_app
from tracker.web.auth import create_admin

AB1656 = "202520260AB1656"
AB2052 = "202520260AB2052"
SB275 = "202520260SB275"
SBX1_1 = "199920001SB1"  # the 1999-2000 first extraordinary session's SBX1 1
STAFF = ("staffer", "correct horse battery")


def _one_line_refusal(proc: subprocess.CompletedProcess[str]) -> str:
    """The error a refused command printed, after checking it is one plain line and exit 2."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr


# Positions files: a list written as text, the same bill twice ----------------------------------

@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    """A database holding the 2025-26 sample bills, as ``tracker`` sees it."""
    e = {"TRACKER_DATABASE_URL": db_url}
    tracker("init", env=e)
    tracker("import-pubinfo", str(MINI), env=e)
    return e


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _undecided(env: dict[str, str], bill: str) -> bool:
    return "not yet decided" in tracker("positions", "show", bill, env=env).stdout


def test_a_talking_point_written_as_text_not_a_list_is_refused_naming_file_bill_and_field(
        env: dict[str, str], tmp_path: Path) -> None:
    """TOML ``talking_points = "one"`` was taken apart into the points 'o', 'n', 'e'."""
    path = _write(tmp_path, "positions.toml",
                  '[[bill]]\nbill = "AB 1656"\nposition = "support"\ntalking_points = "one"\n')
    err = _one_line_refusal(tracker("positions", "import", str(path), env=env, check=False))
    assert "positions.toml" in err and "AB 1656" in err and "talking_points must be a list" in err
    assert 'talking_points = ["one", "two"]' in err
    assert _undecided(env, "AB 1656")


def test_a_supporter_written_as_text_is_refused_not_printed_letter_by_letter(
        env: dict[str, str], tmp_path: Path) -> None:
    """``supporters = "NAMI CA"`` became 'N; A; M; I; C; A' on the printed sheet."""
    path = _write(tmp_path, "positions.toml",
                  '[[bill]]\nbill = "AB 1656"\nposition = "support"\nsupporters = "NAMI CA"\n')
    err = _one_line_refusal(tracker("positions", "import", str(path), env=env, check=False))
    assert "AB 1656" in err and "supporters must be a list" in err and "supporters = [" in err
    assert _undecided(env, "AB 1656")


def test_a_long_talking_point_written_as_text_is_called_not_a_list_rather_than_too_many_points(
        env: dict[str, str], tmp_path: Path) -> None:
    """One sentence of 40 letters was '40 talking points given', which sent staff counting."""
    path = _write(tmp_path, "positions.toml", '[[bill]]\nbill = "AB 1656"\nposition = "support"\n'
                  'talking_points = "Peers answer crisis calls in every county."\n')
    err = _one_line_refusal(tracker("positions", "import", str(path), env=env, check=False))
    assert "talking_points must be a list" in err and "talking points given" not in err


def test_the_same_bill_on_two_spreadsheet_rows_is_refused_naming_both_lines(
        env: dict[str, str], tmp_path: Path) -> None:
    """'SB 275,Support' then 'SB275,oppose': the last row won without a word."""
    path = _write(tmp_path, "positions.csv", "bill,position\nAB 1656,watch\nSB 275,Support\nSB275,oppose\n")
    err = _one_line_refusal(tracker("positions", "import", str(path), env=env, check=False))
    assert "positions.csv" in err and "line 3 and line 4" in err and "SB 275" in err
    assert _undecided(env, "SB 275") and _undecided(env, "AB 1656")  # nothing imported


def test_the_same_bill_in_two_toml_tables_is_refused_naming_both_lines(
        env: dict[str, str], tmp_path: Path) -> None:
    path = _write(tmp_path, "positions.toml", '[[bill]]\nbill = "SB 275"\nposition = "support"\n\n'
                  '[[bill]]\nbill = "SB 275"\nposition = "oppose"\n')
    err = _one_line_refusal(tracker("positions", "import", str(path), env=env, check=False))
    assert "line 1" in err and "line 5" in err and "SB 275" in err
    assert _undecided(env, "SB 275")


# The staff pages ---------------------------------------------------------------------------------

@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """The 2025-26 sample bills and the 1999-2000 archive; AB 2052 matches two topics (as a
    scoring run would mark it) and waits for a decision; a staff login exists."""
    made = ingest(db_url, MINI, ARCHIVE_1999)
    with transaction(made) as s:
        bill = s.get(Bill, AB2052)
        assert bill is not None
        bill.relevant, bill.topics = True, ["justice_diversion", "crisis_988"]
        create_admin(s, *STAFF)
    yield made
    made.kw["bind"].dispose()


@pytest.fixture
def staff(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """A logged-in staff member's browser."""
    with TestClient(create_app(get_settings(), factory)) as client:
        token = _token(client.get("/staff/login").text)
        client.post("/staff/login", data={"csrf_token": token, "username": STAFF[0], "password": STAFF[1]})
        yield client


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(("lang", "label"), [
    ("en", "Justice involvement and diversion (mental health courts, competency)"),
    ("es", "Sistema de justicia y desvío (tribunales de salud mental, competencia)"),
])
def test_triage_names_each_bills_topics_in_the_page_language(staff: TestClient, lang: str, label: str) -> None:
    page = staff.get(f"/staff?lang={lang}").text
    row = page.split(">AB 2052</a>", 1)[1].split("</tr>", 1)[0]
    assert label in row and "justice_diversion" not in page and "crisis_988" not in page


def _position_choice(staff: TestClient) -> str:
    return staff.get("/staff/bills/AB-2052").text.split('<select id="position"', 1)[1].split("</select>", 1)[0]


def test_the_position_choice_says_not_decided_yet_until_staff_decide(
        staff: TestClient, factory: sessionmaker[Session]) -> None:
    """An undecided bill opened with 'Support' selected, so saving the talking points alone
    would have set Support without anyone choosing it."""
    undecided = _position_choice(staff)
    assert undecided.count(" selected") == 1 and '<option value="" selected>Not decided yet' in undecided
    with transaction(factory) as s:
        set_position(s, AB2052, position="oppose")
    decided = _position_choice(staff)
    assert '<option value="oppose" selected>' in decided and 'value=""' not in decided


def test_saving_without_choosing_a_position_is_refused_and_stores_nothing(
        staff: TestClient, factory: sessionmaker[Session]) -> None:
    token = _token(staff.get("/staff/bills/AB-2052?lang=es").text)
    r = staff.post("/staff/bills/AB-2052?lang=es", data={"csrf_token": token, "position": "",
                                                         "ask": "Vote sí."})
    assert r.status_code == 400 and "Elija nuestra posición antes de guardar" in r.text
    assert "Vote sí." in r.text  # what was typed is kept
    with factory() as s:
        assert get_position(s, AB2052) is None


def test_supporters_opponents_contact_and_story_prompt_are_saved_from_the_bill_page(
        staff: TestClient, factory: sessionmaker[Session]) -> None:
    """The printed sheet shows them; staff without the command line must be able to set them.
    Names pasted from the positions spreadsheet (separated by ';') stay separate names."""
    token = _token(staff.get("/staff/bills/AB-2052").text)
    r = staff.post("/staff/bills/AB-2052", data={
        "csrf_token": token, "position": "support", "supporters": "NAMI California\nCal Voices; Disability Rights CA",
        "opponents": "  County Sheriffs  \n\n", "contact": "Maria, (916) 555-0100",
        "story_prompt": "Did a court wait keep you from care?"})
    assert r.status_code == 200 and "Saved." in r.text
    with factory() as s:
        p = get_position(s, AB2052)
    assert p is not None
    assert p["supporters"] == ["NAMI California", "Cal Voices", "Disability Rights CA"]
    assert p["opponents"] == ["County Sheriffs"] and p["contact"] == "Maria, (916) 555-0100"
    assert p["story_prompt"] == "Did a court wait keep you from care?"
    page = staff.get("/staff/bills/AB-2052").text  # shown again, one name per line
    assert ">NAMI California\nCal Voices\nDisability Rights CA</textarea>" in page


def _packet_row(page: str, measure: str) -> str:
    """The packet form's line (checkbox and label) for one bill."""
    return next(row for row in page.split("</p>") if f'">{measure}' in row and 'name="bills"' in row)


@pytest.mark.parametrize(("lang", "label"), [("en", "1999–2000 session"), ("es", "sesión 1999–2000")])
def test_the_packet_page_says_an_older_sessions_bill_is_older_and_does_not_pre_check_it(
        staff: TestClient, factory: sessionmaker[Session], lang: str, label: str) -> None:
    with transaction(factory) as s:
        set_position(s, SBX1_1, position="support")
        set_position(s, SB275, position="oppose")
    page = staff.get(f"/staff/packet?lang={lang}").text
    old, current = _packet_row(page, "SBX1 1"), _packet_row(page, "SB 275")
    assert label in old and " checked" not in old
    assert " checked" in current and "session" not in current and "sesión" not in current


def test_the_packet_page_builds_a_legislators_packet_with_their_cover_page(
        staff: TestClient, factory: sessionmaker[Session]) -> None:
    """As ``tracker packet --legislator``: Senator Alpert voted on AB 1 in 1999."""
    with transaction(factory) as s:
        set_position(s, "199920000AB1", position="support")
    token = _token(staff.get("/staff/packet").text)
    r = staff.post("/staff/packet", data={"csrf_token": token, "legislator": "Senator Alpert",
                                          "bills": ["199920000AB1", "202520260AB831"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 3 and "Alpert" in text and "How this legislator voted on our bills" in text


def test_a_legislator_the_packet_cannot_find_shows_the_form_again_with_the_bills_still_chosen(
        staff: TestClient) -> None:
    token = _token(staff.get("/staff/packet").text)
    r = staff.post("/staff/packet", data={"csrf_token": token, "legislator": "Nobody Atall",
                                          "bills": [AB2052]})
    assert r.status_code == 400 and "Nobody Atall" in r.text and 'role="alert"' in r.text
    assert " checked" in _packet_row(r.text, "AB 2052") and 'value="Nobody Atall"' in r.text


# tracker show ----------------------------------------------------------------------------------

@pytest.fixture
def show_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    """AB 1656 sent to a Senate committee known by its code (CS44), with three roll calls: in
    CS44, on the Senate floor (SFLOOR), and in CS91. The first nightly extract has no location
    table, so the votes are stored with codes only; the next one names CS44 (not CS91)."""
    state = ReplicaState(MINI)
    state.add_action(AB1656, "Re-referred to Com. on HEALTH.", date(2026, 6, 1),
                     status="In Committee Process", location="CS44")
    for code, place, day in [("CS91", "Senate Public Safety", 5), ("CS44", "Senate Health", 10),
                             ("SFLOOR", "Senate Floor", 20)]:
        state.record_vote(AB1656, location=place, location_code=code, ayes=["A", "B", "C"], noes=["D"],
                          when=date(2026, 6, day))
    full = write_zip(state, tmp_path / "full.zip")
    first, places = tmp_path / "first.zip", tmp_path / "places"
    places.mkdir()
    with zipfile.ZipFile(full) as src, zipfile.ZipFile(first, "w") as out:
        for name in src.namelist():
            out.writestr(name, b"" if name == "LOCATION_CODE_TBL.dat" else src.read(name))
        rows = [r for r in src.read("LOCATION_CODE_TBL.dat").splitlines(keepends=True) if b"`CS44`" in r]
    (places / "LOCATION_CODE_TBL.dat").write_bytes(b"".join(rows))
    e = {"TRACKER_DATABASE_URL": db_url}
    tracker("init", env=e)
    tracker("import-pubinfo", str(first), env=e)
    tracker("import-pubinfo", str(places), env=e)
    return e


def test_show_names_the_committee_a_bill_sits_in_and_where_each_vote_was_taken(show_env: dict[str, str]) -> None:
    out = tracker("show", "AB 1656", env=show_env).stdout
    assert "Status: In Committee Process · Senate Health\n" in out
    assert "2026-06-10  Senate Health  PASS" in out and "2026-06-20  Senate floor  PASS" in out


def test_show_calls_a_committee_the_location_table_does_not_name_by_its_house_never_its_code(
        show_env: dict[str, str]) -> None:
    out = tracker("show", "AB 1656", env=show_env).stdout
    assert "2026-06-05  A Senate committee  PASS" in out
    assert not any(code in out for code in ("CS91", "CS44", "SFLOOR"))


# tracker sheet / packet: file endings ----------------------------------------------------------

@pytest.mark.parametrize("command", [["sheet", "AB 831"], ["packet", "--bills", "AB 831"]])
def test_a_sheet_or_packet_named_docx_is_refused_in_one_line_listing_pdf_and_html(
        env: dict[str, str], tmp_path: Path, command: list[str]) -> None:
    """A PDF named .docx opens in nothing; staff would find out at the printer."""
    out = tmp_path / "ab831.docx"
    err = _one_line_refusal(tracker(*command, "--out", str(out), env=env, check=False))
    assert "ab831.docx" in err and ".pdf" in err and ".html" in err
    assert not out.exists()


def test_a_format_that_contradicts_the_file_ending_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    """``--format html --out sheet.pdf`` wrote a web page named .pdf."""
    out = tmp_path / "sheet.pdf"
    err = _one_line_refusal(tracker("sheet", "AB 831", "--format", "html", "--out", str(out), env=env, check=False))
    assert "sheet.pdf" in err and "html" in err and not out.exists()
