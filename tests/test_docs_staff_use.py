"""Advocacy Day documents as staff use them: the right legislator on the cover, a
positions spreadsheet that never loses text, sessions said and never swapped, what changed in
the last amendment, Spanish spreadsheets, the progress line, tight sheets, page numbers.

Real sample data: the 2025-26 bills in tests/files/pubinfo/mini, the 1999-2000 and 1989-90
archives, and LEGISLATOR_TBL rows in the official format for two legislators who share a last
name (Assembly Member Blanca E. Rubio, author name "Blanca Rubio"; Senator Susan Rubio, author
name "Rubio"), imported like a nightly run. The 1999 vote rolls name two people "Wright": the
Assembly Member and the Senator.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from tests.clirun import tracker
from tests.test_docs_common import ARCHIVE_1989, ARCHIVE_1999, AS_OF, MINI, ingest
from tracker.advocacy.facts import bill_facts
from tracker.advocacy.matrix import matrix_rows
from tracker.advocacy.matrix_export import write_matrix
from tracker.advocacy.packet import build_packet, render_sheets_html
from tracker.advocacy.positions import get_position, set_position
from tracker.advocacy.positions_io import import_positions
from tracker.advocacy.sheet import MAX_LEVEL
from tracker.db.base import transaction
from tracker.db.models_core import Bill, BillAuthor
from tracker.errors import InputError
from tracker.replica.datwriter import dat_lines
from tracker.settings import get_settings

AB1656 = "202520260AB1656"
LEGISLATOR_TBL = [  # district, session, name, house, author name, first, last, ..., party, active
    ["AD48", "20252026", "Blanca E. Rubio", "A", "Blanca Rubio", "Blanca", "Rubio", None, None, None, None,
     "D", "Y", "X", "2026-01-01 00:00:00", "Y"],
    ["SD22", "20252026", "Susan Rubio", "S", "Rubio", "Susan", "Rubio", None, None, None, None,
     "D", "Y", "X", "2026-01-01 00:00:00", "Y"],
]
FULL = {"ask": "Vote yes on AB 1656.", "summary": "Trials move faster.", "why": "Waiting hurts.",
        "talking_points": ["Delays hurt survivors.", "Judges still decide.", "It costs nothing."],
        "supporters": ["NAMI California"], "contact": "Maria", "story_prompt": "Tell us about a wait."}
WORDS = "People with lived experience of psychiatric disability deserve a say in their care. "


def _legislators(tmp_path: Path) -> Path:
    folder = tmp_path / "legislators"
    folder.mkdir()
    (folder / "LEGISLATOR_TBL.dat").write_bytes(dat_lines(LEGISLATOR_TBL))
    return folder


@pytest.fixture
def factory(tmp_path: Path) -> sessionmaker[Session]:
    return ingest(f"sqlite:///{tmp_path / 't.db'}", MINI, ARCHIVE_1999, ARCHIVE_1989, _legislators(tmp_path))


@pytest.fixture
def env(factory: sessionmaker[Session], tmp_path: Path) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}


def _cover(factory: sessionmaker[Session], legislator: str, bills: list[str] | None = None) -> str:
    with factory() as s:
        html = build_packet(s, bills or ["AB 1656"], settings=get_settings(), as_of=AS_OF,
                            legislator=legislator, fmt="html").content.decode()
    return html.split('<section class="cover"', 1)[1].split("</section>", 1)[0]


def _heading(cover: str) -> str:
    return cover.split('<h2 id="cover-h">', 1)[1].split("</h2>", 1)[0]


def _full_record(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        set_position(s, AB1656, position="support", **FULL)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# 2 and 15: which legislator the cover is for --------------------------------------------------

@pytest.mark.parametrize("name", ["Senator Rubio", "Sen. Rubio", "Senadora Rubio"])
def test_a_senate_title_gives_the_senator_when_two_legislators_share_a_last_name(factory, name) -> None:
    assert _heading(_cover(factory, name)) == "Senator Susan Rubio"


@pytest.mark.parametrize("name", ["Assembly Member Rubio", "Asm. Rubio", "Assemblymember Rubio"])
def test_an_assembly_title_gives_the_assembly_member(factory, name) -> None:
    assert _heading(_cover(factory, name)) == "Assembly Member Blanca E. Rubio"


def test_an_exact_author_name_beats_a_last_name_match(factory) -> None:
    """'Rubio' is the Senator's author name (what bills and vote rolls print); for the
    Assembly Member it is only the last name."""
    assert _heading(_cover(factory, "Rubio")) == "Senator Susan Rubio"


def test_a_name_two_legislators_share_stops_with_one_line_naming_both(env, tmp_path) -> None:
    proc = tracker("packet", "--legislator", "Wright", "--bills", "ABX1 1", "--out", str(tmp_path / "p.pdf"),
                   env=env, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "Assembly Member Wright" in proc.stderr and "Senator Wright" in proc.stderr
    assert not (tmp_path / "p.pdf").exists()


def test_the_cover_shows_only_votes_in_the_legislators_own_house(factory) -> None:
    """Senator Cathie Wright voted no on ABX1 1 on the Senate floor; Assembly Member Roderick
    Wright's Assembly votes on it are someone else's record."""
    cover = _cover(factory, "Senator Wright", ["ABX1 1"])
    rows = cover.split("How this legislator voted on our bills</h3>", 1)[1].count('<tr><th scope="row">')
    assert rows == 1 and "Senate floor" in cover and "Assembly floor" not in cover


def test_a_legislator_name_matches_without_its_accents(factory) -> None:
    assert "Limón" in _heading(_cover(factory, "Limon"))


def test_an_empty_legislator_name_is_one_clear_line(env, tmp_path) -> None:
    proc = tracker("packet", "--legislator", "", "--bills", "AB 1656", "--out", str(tmp_path / "p.pdf"),
                   env=env, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "no legislator name given" in proc.stderr
    assert not (tmp_path / "p.pdf").exists()


# 3 and 9: the positions spreadsheet -----------------------------------------------------------

def test_a_positions_csv_with_an_unknown_column_is_refused_naming_it(factory, tmp_path) -> None:
    _full_record(factory)
    path = _write(tmp_path, "p.csv", "bill,position,ask,talking_points,notes\nAB 1656,oppose,No.,x,y\n")
    with pytest.raises(InputError) as err, transaction(factory) as s:
        import_positions(s, path, "20252026")
    message = str(err.value)
    assert "unknown column(s): talking_points, notes" in message and "talking_point_1" in message
    with factory() as s:
        assert get_position(s, AB1656)["position"] == "support"  # type: ignore[index]


def test_columns_left_out_of_a_positions_csv_keep_their_text(factory, tmp_path) -> None:
    _full_record(factory)
    path = _write(tmp_path, "p.csv", "bill,session,position\nAB 1656,20252026,watch\n")
    with transaction(factory) as s:
        assert import_positions(s, path, "20252026") == 1
    with factory() as s:
        after = get_position(s, AB1656)
    assert after is not None and after["position"] == "watch"
    assert {k: after[k] for k in FULL} == FULL


def test_an_empty_cell_in_a_present_column_still_clears_the_field(factory, tmp_path) -> None:
    _full_record(factory)
    path = _write(tmp_path, "p.csv", "bill,position,ask,talking_point_2\nAB 1656,support,,\n")
    with transaction(factory) as s:
        import_positions(s, path, "20252026")
    with factory() as s:
        after = get_position(s, AB1656)
    assert after is not None and after["ask"] == "" and after["summary"] == FULL["summary"]
    assert after["talking_points"] == []  # the numbered columns are one field: present and empty


def test_importing_the_same_talking_point_columns_twice_gives_the_same_list(factory, tmp_path) -> None:
    _full_record(factory)
    path = _write(tmp_path, "p.csv", "bill,position,talking_point_1,talking_point_3\nAB 1656,support,First,Third\n")
    for _ in range(3):
        with transaction(factory) as s:
            import_positions(s, path, "20252026")
        with factory() as s:
            assert get_position(s, AB1656)["talking_points"] == ["First", "Third"]


def test_positions_import_help_says_what_a_left_out_column_does() -> None:
    text = " ".join(tracker("positions", "import", "--help").stdout.split())
    assert "keeps its current value; an empty cell clears it" in text


@pytest.mark.parametrize("text", [
    "bill;position;summary\r\nAB 1656;support;Servicios en Limón, para todos\r\n",   # Spanish Excel
    "bill\tposition\tsummary\r\nAB 1656\tsupport\tServicios en Limón, para todos\r\n",  # "Text (tab)"
])
def test_a_positions_csv_separated_by_semicolons_or_tabs_imports(factory, tmp_path, text) -> None:
    path = _write(tmp_path, "p.csv", text, "cp1252")
    with transaction(factory) as s:
        assert import_positions(s, path, "20252026") == 1
    with factory() as s:
        assert get_position(s, AB1656)["summary"] == "Servicios en Limón, para todos"  # type: ignore[index]


def test_positions_csv_headers_are_read_in_any_case_and_spacing(factory, tmp_path) -> None:
    path = _write(tmp_path, "p.csv", " Bill , Position ,Talking Point 1\nAB 1656,Support,First.\n")
    with transaction(factory) as s:
        import_positions(s, path, "20252026")
    with factory() as s:
        p = get_position(s, AB1656)
    assert p is not None and p["position"] == "support" and p["talking_points"] == ["First."]


def test_blank_rows_excel_leaves_at_the_end_are_skipped(factory, tmp_path) -> None:
    path = _write(tmp_path, "p.csv", "bill,position\r\nAB 1656,support\r\n,\r\n\r\n , \r\n,,\r\n")
    with transaction(factory) as s:
        assert import_positions(s, path, "20252026") == 1


# 4 and 5: sessions ----------------------------------------------------------------------------

@pytest.mark.parametrize("session", ["2025-26", "2025–26", "2025-2026", "20252026", " 2025 - 26 "])
def test_a_session_is_accepted_as_staff_write_it(factory, tmp_path, session) -> None:
    path = _write(tmp_path, "p.csv", f"bill,session,position\nAB 1656,{session},support\n")
    with transaction(factory) as s:
        assert import_positions(s, path, "20252026") == 1
    with factory() as s:
        assert get_position(s, AB1656) is not None


@pytest.mark.parametrize("session", ["2025", "2026-27", "next year"])
def test_a_session_that_is_not_one_is_one_clear_error(factory, tmp_path, session) -> None:
    path = _write(tmp_path, "p.csv", f"bill,session,position\nAB 1656,{session},support\n")
    with pytest.raises(InputError, match=r"line 2: session .* write it like 2025-26"), transaction(factory) as s:
        import_positions(s, path, "20252026")


def test_a_session_named_in_the_positions_file_is_never_swapped_for_an_older_one(factory, tmp_path) -> None:
    """There is no AB 1 in 2025-26; the file says 2025-26, so the 1999 AB 1 must not get it."""
    path = _write(tmp_path, "p.csv", "bill,session,position\nAB 1,20252026,support\n")
    with pytest.raises(InputError, match=r"'AB 1': not in the database for session 2025-26"), \
            transaction(factory) as s:
        import_positions(s, path, "20252026")
    with factory() as s:
        assert get_position(s, "199920000AB1") is None


def test_a_sheet_of_an_older_bill_says_its_session_and_the_command_says_it_used_it(env, tmp_path) -> None:
    out = tmp_path / "scr39.html"
    proc = tracker("sheet", "SCR 39", "--out", str(out), "--as-of", "2026-11-23", env=env)
    assert '<span class="measure">SCR 39</span> <span class="session">(1989–90 session)</span>' \
        in out.read_text(encoding="utf-8")
    assert "note: SCR 39 is not in the 2025–26 session; used SCR 39 of the 1989–90 session" in proc.stderr


# 6: committees on the cover -------------------------------------------------------------------

@pytest.mark.parametrize("lang,words", [
    ("en", "2 Senate committees whose names are not in our data"),
    ("es", "2 comités del Senado cuyos nombres no figuran en nuestros datos"),
])
def test_the_cover_says_the_house_of_committees_known_only_by_a_code(factory, lang, words) -> None:
    with transaction(factory) as s:
        set_position(s, "199920000AB1", position="support")
    with factory() as s:
        html = build_packet(s, ["AB 1"], settings=get_settings(), as_of=AS_OF, legislator="Alpert",
                            lang=lang, fmt="html").content.decode()
    committees = html.split("</dt><dd>", 4)[4].split("</dd>", 1)[0]
    assert committees == words and "CS44" not in html and "CS61" not in html


# 7: what changed in the last amendment ---------------------------------------------------------

def test_what_changed_skips_prints_that_differ_only_in_spacing(factory) -> None:
    """ABX1 1 (1999): the enrolled and chaptered prints re-flow the March 18 text; the last
    real amendment is March 11 → March 18."""
    with factory() as s:
        facts = bill_facts(s, "199920001AB1", get_settings(), AS_OF)
    assert facts.changes_from and facts.changes_to
    assert (str(facts.changes_from["date"]), str(facts.changes_to["date"])) == ("1999-03-11", "1999-03-18")
    assert not facts.changes.empty


# 10 and 11: the matrix as spreadsheets --------------------------------------------------------

def test_a_spanish_matrix_csv_and_xlsx_are_in_spanish(factory) -> None:
    with transaction(factory) as s:
        set_position(s, "202520260SB275", position="oppose")
    with factory() as s:
        rows = matrix_rows(s, as_of=AS_OF)
    data = write_matrix(rows, "csv", lang="es", as_of=AS_OF, settings=get_settings()).decode("utf-8-sig")
    parsed = {r["Proyecto de ley"]: r for r in csv.DictReader(io.StringIO(data))}
    assert parsed["SB 275"]["Posición"] == "En contra" and parsed["SB 275"]["Estado"].startswith("Vetado")
    ws = load_workbook(io.BytesIO(write_matrix(rows, "xlsx", lang="es", as_of=AS_OF, settings=get_settings()))).active
    assert ws.title == "Matriz legislativa" and [c.value for c in ws[1]][:2] == ["Proyecto de ley", "Asunto"]
    assert "En contra" in [c.value for c in next(r for r in ws.iter_rows(min_row=2) if r[0].value == "SB 275")]


def test_xlsx_cells_starting_like_a_formula_are_text_without_an_apostrophe(factory) -> None:
    with transaction(factory) as s:
        set_position(s, "202520260SB275", position="oppose", summary="-5% cut to peer programs")
    with factory() as s:
        rows = matrix_rows(s, as_of=AS_OF)
    data = write_matrix(rows, "xlsx", as_of=AS_OF, settings=get_settings())
    ws = load_workbook(io.BytesIO(data)).active
    cell = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "SB 275")[2]
    assert cell.value == "-5% cut to peer programs"
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert f'<c r="{cell.coordinate}" s="2" t="inlineStr"><is><t>-5% cut' in sheet_xml and "<f>" not in sheet_xml


# 12: the progress line -------------------------------------------------------------------------

def _progress(factory: sessionmaker[Session], bill: str) -> str:
    with factory() as s:
        html = build_packet(s, [bill], settings=get_settings(), as_of=AS_OF, fmt="html").content.decode()
    return html.split('<ol class="progress', 1)[1].split("</ol>", 1)[0]


def test_a_chaptered_bill_ends_on_became_law_not_governor_now(factory) -> None:
    line = _progress(factory, "AB 831")
    assert '<li class="law"><strong>Became law</strong></li>' in line and "(now)" not in line


def test_a_bill_whose_stage_is_not_known_has_no_now_marker(factory) -> None:
    line = _progress(factory, "SCR 39")  # 1989: no history in the archive
    assert "(now)" not in line and 'class="current"' not in line


# 13: sheets that do not fit ----------------------------------------------------------------------

def test_at_the_tightest_fit_the_coauthor_count_still_shows(factory) -> None:
    with factory() as s:
        facts = bill_facts(s, "198919900SJR31", get_settings(), AS_OF)  # 6 authors, 7 coauthors
    html = render_sheets_html([facts], [MAX_LEVEL], settings=get_settings())
    assert "<strong>Coauthors:</strong> 7 coauthors" in html


@pytest.fixture
def crowded(env: dict[str, str], factory: sessionmaker[Session]) -> dict[str, str]:
    """AB 831 with a title of 1,200 characters and more staff text than any sheet holds."""
    with transaction(factory) as s:
        s.execute(update(Bill).where(Bill.bill_id == "202520260AB831").values(title=(WORDS * 15)[:1200]))
        set_position(s, "202520260AB831", position="support", summary=WORDS * 8, why=WORDS * 2,
                     story_prompt=WORDS)
    return env


def test_the_warning_names_the_sections_a_tight_sheet_left_out(crowded, tmp_path) -> None:
    proc = tracker("packet", "--bills", "AB 831", "--out", str(tmp_path / "p.pdf"), "--as-of", "2026-11-23",
                   env=crowded)
    assert ("warning: AB 831: left out to fit one page: why it matters, story prompt (in the position "
            "record); what changed in the last amendment (in the bill text)") in proc.stderr.splitlines()


def test_a_sheet_still_over_one_page_is_warned_about_in_one_line(crowded, tmp_path) -> None:
    proc = tracker("packet", "--bills", "AB 831", "--out", str(tmp_path / "p.pdf"), "--as-of", "2026-11-23",
                   env=crowded)
    over = [line for line in proc.stderr.splitlines() if "even at the tightest fit" in line]
    assert over == ["warning: AB 831: the sheet takes 2 pages even at the tightest fit (a very long title "
                    "or text): check the printout"]


# 14: one bill written several ways ---------------------------------------------------------------

def test_one_bill_written_several_ways_gets_one_sheet(factory) -> None:
    with factory() as s:
        packet = build_packet(s, ["AB1656", "ab 1656", "AB-1656", "SB 275"], settings=get_settings(), as_of=AS_OF)
    assert packet.bills == [AB1656, "202520260SB275"]
    assert packet.pages == 2 and packet.levels == [0, 0]


# 15: page numbers and the PDF title --------------------------------------------------------------

@pytest.mark.parametrize("lang,first,last", [("en", "Page 1 of 3", "Page 3 of 3"), ("es", "Página 1 de 3", "Página 3 de 3")])
def test_packet_pages_are_numbered_across_the_whole_packet(factory, tmp_path, lang, first, last) -> None:
    """AB 831's overlong staff text makes its sheet be fitted again alone; the numbers still
    count the cover and every sheet."""
    with transaction(factory) as s:
        set_position(s, "202520260AB831", position="support", summary=WORDS * 30, talking_points=[WORDS * 4] * 5)
    with factory() as s:
        packet = build_packet(s, ["AB 831", "AB 1656"], settings=get_settings(), as_of=AS_OF, lang=lang,
                              legislator="Valencia")
    assert packet.levels[0] > 0
    out = tmp_path / "p.pdf"
    out.write_bytes(packet.content)
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(out).pages]
    assert pages[0].endswith(first) and pages[2].endswith(last)


def test_a_single_sheet_pdf_is_titled_with_its_bill(factory) -> None:
    with factory() as s:
        packet = build_packet(s, ["AB 1656"], settings=get_settings(), as_of=AS_OF)
    assert PdfReader(io.BytesIO(packet.content)).metadata.title == "AB 1656 · Briefing sheet · Capitol Watch"


def test_a_name_beginning_with_an_accented_capital_finds_its_bills_on_sqlite(factory) -> None:
    """SQLite's lower() leaves 'Á' alone: the cover must still find the author's bill."""
    with transaction(factory) as s:
        s.execute(update(BillAuthor).where(BillAuthor.name == "Limón").values(name="Álvarez Limón"))
    cover = _cover(factory, "Alvarez Limon", ["SB 275"])
    assert "Álvarez Limón" in _heading(cover)
    assert "None of our bills" not in cover and "SB 275" in cover.split("authored or co-authored", 1)[1]
