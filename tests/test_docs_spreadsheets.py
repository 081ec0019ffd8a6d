"""Files staff open in Excel: the matrix (CSV, XLSX) and the positions file (CSV), both ways.

A cell a spreadsheet would run as a formula (= + - @, tab, carriage return first) is written
with a leading apostrophe; real dates stay dates; CSV carries a UTF-8 byte-order mark so Excel
reads accents; a positions CSV that Excel saved (Windows-1252) imports as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.clirun import tracker
from tests.test_docs_common import AS_OF, MINI, ingest
from tracker.advocacy.matrix import matrix_rows
from tracker.advocacy.matrix_export import write_matrix
from tracker.advocacy.positions import get_position, set_position
from tracker.advocacy.positions_io import export_positions, import_positions
from tracker.db.base import transaction
from tracker.errors import InputError
from tracker.settings import get_settings

AB831 = "202520260AB831"
SB275 = "202520260SB275"
LINK = '=HYPERLINK("http://x","Click")'


@pytest.fixture
def factory(tmp_path: Path):
    f = ingest(f"sqlite:///{tmp_path / 't.db'}")
    with transaction(f) as s:
        set_position(s, AB831, position="oppose", summary=LINK, why="+1 for people in Limón County",
                     ask="@everyone vote no", talking_points=["-5% for peer programs", "Plain point."],
                     supporters=["=1+2", "Org B"], contact="-")
        set_position(s, SB275, position="support", summary="Helps people in Limón.")
    return f


def test_matrix_csv_has_a_bom_and_no_live_formulas(factory) -> None:
    with factory() as s:
        rows = matrix_rows(s, as_of=AS_OF)
    data = write_matrix(rows, "csv", as_of=AS_OF, settings=get_settings())
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = {r["Bill"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
    assert parsed["AB 831"]["Implications"] == "'" + LINK
    assert parsed["SB 275"]["Implications"] == "Helps people in Limón."
    assert parsed["SB 275"]["Introduced"] == "2025-02-04"


def test_matrix_xlsx_keeps_formulas_as_text_and_dates_as_dates(factory) -> None:
    with factory() as s:
        rows = matrix_rows(s, as_of=AS_OF)
    ws = load_workbook(io.BytesIO(write_matrix(rows, "xlsx", as_of=AS_OF, settings=get_settings()))).active
    header = [c.value for c in ws[1]]
    cells = {row[0].value: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)}
    implications = cells["AB 831"]["Implications"]
    assert implications.data_type == "s" and implications.value == LINK  # text, not a formula
    introduced = cells["SB 275"]["Introduced"]
    assert isinstance(introduced.value, dt.datetime) and introduced.value.date() == dt.date(2025, 2, 4)


def test_positions_csv_is_safe_and_imports_back_exactly(factory, tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    with factory() as s:
        before = get_position(s, AB831)
        export_positions(s, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    row = next(r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))) if r["bill"] == "AB 831")
    assert row["summary"] == "'" + LINK and row["why"] == "'+1 for people in Limón County"
    assert row["ask"] == "'@everyone vote no" and row["talking_point_1"] == "'-5% for peer programs"
    assert row["supporters"] == "'=1+2; Org B" and row["contact"] == "'-"
    assert row["session"] == "20252026" and row["talking_point_2"] == "Plain point."
    with transaction(factory) as s:
        set_position(s, AB831, position="watch", summary="", why="", ask="", talking_points=[],
                     supporters=[], contact="")
        import_positions(s, path, "20252026")
    with factory() as s:
        after = get_position(s, AB831)
    keys = ("position", "summary", "why", "ask", "talking_points", "supporters", "contact")
    assert {k: after[k] for k in keys} == {k: before[k] for k in keys}


EXCEL_CSV = "bill,position,summary\r\nAB 831,support,Servicios en Limón – para todos\r\n"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_positions_csv_saved_by_excel_imports(factory, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "from-excel.csv"
    path.write_bytes(EXCEL_CSV.encode(encoding))
    with transaction(factory) as s:
        assert import_positions(s, path, "20252026") == 1
    with factory() as s:
        assert get_position(s, AB831)["summary"] == "Servicios en Limón – para todos"


def test_unreadable_positions_file_is_one_clear_line(tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    tracker("init", env=env)
    tracker("import-pubinfo", str(MINI), env=env)
    path = tmp_path / "unicode-text.csv"  # Excel's "Unicode Text": UTF-16
    path.write_bytes(EXCEL_CSV.encode("utf-16"))
    proc = tracker("positions", "import", str(path), env=env, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and str(path) in proc.stderr and "CSV UTF-8" in proc.stderr


def test_damaged_utf8_positions_file_is_refused_not_garbled(factory, tmp_path: Path) -> None:
    """One bad byte in an otherwise UTF-8 file must not turn every 'ó' into 'Ã³' silently."""
    path = tmp_path / "damaged.csv"
    path.write_bytes(EXCEL_CSV.encode("utf-8") + b"AB 13,oppose,caf\xe9 \xff\r\n")
    with transaction(factory) as s, pytest.raises(InputError) as err:
        import_positions(s, path, "20252026")
    assert "CSV UTF-8" in str(err.value) and ":3" in str(err.value)


def test_a_windows_1252_csv_with_accented_capitals_and_smart_quotes_imports(factory, tmp_path: Path) -> None:
    """'Í' then '”' (0xCD 0x94) happens to look like a UTF-8 letter; it is still Excel's text."""
    path = tmp_path / "excel.csv"
    path.write_bytes("bill,position,summary\r\nAB 831,support,Campaña “SÍ” a la salud mental\r\n".encode("cp1252"))
    with transaction(factory) as s:
        assert import_positions(s, path, "20252026") == 1
    with factory() as s:
        assert get_position(s, AB831)["summary"] == "Campaña “SÍ” a la salud mental"
