"""The .dat reader: MySQL LOAD DATA format as the legislature exports it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tracker.errors import InputError
from tracker.pubinfo.datfile import iter_rows


def rows(data: bytes, columns: int | None = None) -> list[list[str | None]]:
    return [r for _, r in iter_rows(io.BytesIO(data), name="T.dat", columns=columns)]


def test_backticked_strings_bare_numbers_and_null() -> None:
    assert rows(b"`AB`\t13\tNULL\t`NULL`\n") == [["AB", "13", None, "NULL"]]


def test_backslash_escapes_are_decoded() -> None:
    assert rows(b"`a\\tb\\nc\\\\d\\`e`\n") == [["a\tb\nc\\d`e"]]


def test_string_may_hold_raw_tabs_and_newlines() -> None:
    assert rows(b"`one\ttwo\nthree`\t`x`\n`next`\t`y`\n") == [["one\ttwo\nthree", "x"], ["next", "y"]]


def test_backtick_inside_string_does_not_close_it() -> None:
    assert rows(b"`say `hi` now`\t1\n") == [["say `hi` now", "1"]]


def test_line_numbers_point_at_the_start_of_each_row() -> None:
    numbered = list(iter_rows(io.BytesIO(b"`a\nb`\t1\n`c`\t2\n"), name="T.dat"))
    assert [n for n, _ in numbered] == [1, 3]


def test_wrong_column_count_names_file_and_line() -> None:
    with pytest.raises(InputError, match=r"T.dat:2: expected 2 columns, found 3"):
        rows(b"`a`\t1\n`b`\t2\t3\n", columns=2)


def test_invalid_utf8_names_file_and_line() -> None:
    with pytest.raises(InputError, match=r"T.dat:2: invalid UTF-8"):
        rows(b"`a`\n`\xff\xfe`\n")


def test_file_ending_inside_a_string_is_reported_as_truncated() -> None:
    with pytest.raises(InputError, match="truncated"):
        rows(b"`a`\t1\n`unfinished\tstring")


def test_real_escaped_rows_fixture_parses_with_constant_width(files: Path) -> None:
    parsed = [r for _, r in iter_rows(files / "pubinfo/datfiles/escaped_rows.dat")]
    assert len(parsed) == 10
    assert {len(r) for r in parsed} == {18}
    assert any("\n" in (r[13] or "") for r in parsed)


def test_real_history_table_has_thirteen_columns(files: Path) -> None:
    parsed = [r for _, r in iter_rows(files / "pubinfo/mini/BILL_HISTORY_TBL.dat", columns=13)]
    assert len(parsed) == 89
    assert parsed[0][0] == "202520260AB831"
