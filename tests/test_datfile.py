"""The .dat reader: MySQL LOAD DATA format as the legislature exports it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tracker.errors import InputError
from tracker.pubinfo.datfile import iter_rows, iter_table


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


# --- iter_table: the importer's block reader must read exactly what the state machine reads ---

def table(data: bytes, columns: int, block_bytes: int = 1 << 20) -> list[tuple[int, list[str | None]]]:
    return list(iter_table(io.BytesIO(data), name="T.dat", columns=columns, block_bytes=block_bytes))


def falsy_as_none(rows: list[tuple[int, list[str | None]]]) -> list[tuple[int, list[str | None]]]:
    return [(n, [v or None for v in r]) for n, r in rows]


def real_dat_files(files: Path) -> list[Path]:
    return sorted(p for p in (files / "pubinfo").rglob("*.dat"))


def test_table_reader_reads_every_real_file_as_the_state_machine_does(files: Path) -> None:
    checked = 0
    for path in real_dat_files(files):
        exact = list(iter_rows(path))
        if not exact:
            continue
        width = len(exact[0][1])
        for block in (1 << 20, 97):  # one block, and blocks that cut rows and strings apart
            with path.open("rb") as fh:
                fast = list(iter_table(fh, name=str(path), columns=width, block_bytes=block))
            assert falsy_as_none(fast) == falsy_as_none(exact), (path, block)
        checked += 1
    assert checked >= 10


def test_table_reader_keeps_quoted_null_as_text_and_bare_null_empty() -> None:
    assert falsy_as_none(table(b"`AB`\t13\tNULL\t`NULL`\n`SB`\tNULL\t`x`\t`y`\n", 4)) == [
        (1, ["AB", "13", None, "NULL"]), (2, ["SB", None, "x", "y"])]


def test_table_reader_decodes_escapes_and_inner_backticks_like_the_state_machine() -> None:
    data = b"`a\\tb\\nc\\\\d\\`e`\t1\n`say `hi` now`\t2\n`plain`\t3\n"
    assert falsy_as_none(table(data, 2)) == [
        (1, ["a\tb\nc\\d`e", "1"]), (2, ["say `hi` now", "2"]), (3, ["plain", "3"])]


def test_table_reader_follows_a_string_across_lines_and_blocks() -> None:
    data = b"`one\ttwo\nthree`\t`x`\n`next`\t`y`\n"
    for block in (1 << 20, 5, 12):
        assert falsy_as_none(table(data, 2, block)) == [(1, ["one\ttwo\nthree", "x"]), (3, ["next", "y"])]


def test_table_reader_names_the_line_of_a_row_with_the_wrong_width() -> None:
    data = b"".join(b"`r%d`\t%d\n" % (i, i) for i in range(1, 40)) + b"`bad`\t1\t2\n"
    for block in (1 << 20, 50):
        with pytest.raises(InputError, match=r"T.dat:40: expected 2 columns, found 3"):
            table(data, 2, block)


def test_table_reader_names_the_line_of_invalid_utf8() -> None:
    with pytest.raises(InputError, match=r"T.dat:3: invalid UTF-8"):
        table(b"`a`\t1\n`b`\t2\n`\xff`\t3\n", 2)


def test_table_reader_reports_a_file_ending_inside_a_string() -> None:
    with pytest.raises(InputError, match="truncated"):
        table(b"`a`\t1\n`unfinished\tstring", 2)


def test_table_reader_never_splits_a_string_left_open_on_one_line() -> None:
    # one line alone looks like a well-formed 2-column row; it is the start of a longer string
    assert falsy_as_none(table(b"`one\ttwo\nthree`\t`x`\n", 2, 9)) == [(1, ["one\ttwo\nthree", "x"])]


def test_table_reader_does_not_trade_a_tab_in_one_row_for_a_missing_field_in_another() -> None:
    data = b"`a\tb`\t`c`\n`d`\n"  # the tab count adds up over the block; the rows do not
    with pytest.raises(InputError, match=r"T.dat:2: expected 2 columns, found 1"):
        table(data, 2)
