"""Positions as a file staff keep under version control (TOML or CSV), both ways.

Export then import gives the same records back (a round trip), so staff can edit the file,
review the diff, and load it. TOML is the friendlier format for long text; CSV is for people
who prefer a spreadsheet. An import is all-or-nothing: the caller runs it in one transaction
and any bad entry raises an error naming the file and the entry. A field the file leaves out
keeps its current value; an unknown column or key is an error, never silently dropped.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tracker.advocacy.positions import (
    LIST_FIELDS,
    MAX_TALKING_POINTS,
    TEXT_FIELDS,
    list_positions,
    set_position,
)
from tracker.advocacy.text import safe_cell, unsafe_cell
from tracker.errors import InputError, TrackerError
from tracker.items import measure_of
from tracker.queries import find_bill_id, parse_session

CSV_LIST_SEP = "; "
CSV_COLUMNS: list[str] = (
    ["bill", "session", "position", *TEXT_FIELDS]
    + [f"talking_point_{i}" for i in range(1, MAX_TALKING_POINTS + 1)]
    + ["supporters", "opponents"]
)
TOML_HEADER = """\
# Capitol Watch: the organisation's positions on bills.
# Edit, commit, then load with: tracker positions import {name}
# position is one of: support, support_if_amended, oppose, oppose_unless_amended, watch, neutral
"""


def _toml_str(value: str) -> str:
    """A TOML basic string; long text stays on one line so diffs stay one line per field."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def to_toml(records: list[dict[str, Any]], name: str = "positions.toml") -> str:
    """Serialise position records (tomllib can read it; no extra dependency to write it)."""
    lines = [TOML_HEADER.format(name=name)]
    for r in records:
        lines.append("[[bill]]")
        lines.append(f"bill = {_toml_str(r['measure'])}")
        if r.get("session"):
            lines.append(f"session = {_toml_str(r['session'])}")
        lines.append(f"position = {_toml_str(r['position'])}")
        for field in TEXT_FIELDS:
            lines.append(f"{field} = {_toml_str(r.get(field) or '')}")
        for field in LIST_FIELDS:
            items = r.get(field) or []
            if not items:
                lines.append(f"{field} = []")
            else:
                lines.append(f"{field} = [")
                lines += [f"  {_toml_str(v)}," for v in items]
                lines.append("]")
        lines.append("")
    return "\n".join(lines)


def to_csv(records: list[dict[str, Any]]) -> str:
    """Cells that a spreadsheet would run as a formula get a leading apostrophe (read back
    exactly by the import); the file is written with a byte-order mark for Excel."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        row: dict[str, str] = {"bill": r["measure"], "session": r.get("session") or "",
                               "position": r["position"]}
        row.update({f: r.get(f) or "" for f in TEXT_FIELDS})
        points = r.get("talking_points") or []
        row.update({f"talking_point_{i + 1}": (points[i] if i < len(points) else "")
                    for i in range(MAX_TALKING_POINTS)})
        row.update({f: CSV_LIST_SEP.join(r.get(f) or []) for f in ("supporters", "opponents")})
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return buf.getvalue()


#: A ``[[bill]]`` header line, for the line numbers in messages (tomllib gives none).
_TOML_TABLE = re.compile(r"^\s*\[\[\s*(?:bill|\"bill\"|'bill')\s*\]\]\s*(?:#.*)?$")


def _table_lines(text: str, count: int) -> list[int | None]:
    """The line of each ``[[bill]]`` header, or no lines when the headers cannot be told apart
    from the text (then messages name the entry by its number and bill only)."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if _TOML_TABLE.match(line)]
    return list(found) if len(found) == count else [None] * count


#: How each list is written in TOML, for the messages that show it.
_LIST_EXAMPLES = {"talking_points": '["one", "two"]', "supporters": '["Group A", "Group B"]',
                  "opponents": '["Group A", "Group B"]'}


def _toml_shape_problem(entry: dict[str, Any]) -> str | None:
    """What is wrong with the kinds of value in one ``[[bill]]`` table, in words, or None.

    TOML tells text from lists, and a list written as text must never be taken apart: Python
    turns ``talking_points = "one"`` into the points 'o', 'n', 'e' (and ``supporters = "NAMI
    CA"`` into eight one-letter supporters on a printed sheet) without a word.
    """
    for field in LIST_FIELDS:
        if field not in entry:
            continue
        value = entry[field]
        example = f"{field} = {_LIST_EXAMPLES[field]}"
        if not isinstance(value, list):
            got = "one piece of text" if isinstance(value, str) else f"a {_toml_kind(value)}"
            return (f"{field} must be a list, even with one item, such as {example} "
                    f"(the file gives {got})")
        if not all(isinstance(item, str) for item in value):
            return f"{field} must be a list of text in quotes, such as {example}"
    for field in ("bill", "position", *TEXT_FIELDS):
        if field in entry and not isinstance(entry[field], str):
            return (f'{field} must be text in quotes, such as {field} = "..." '
                    f"(the file gives a {_toml_kind(entry[field])})")
    if "session" in entry and (isinstance(entry["session"], bool)
                               or not isinstance(entry["session"], str | int)):
        return f'session must be written like session = "2025-26" (the file gives a {_toml_kind(entry["session"])})'
    return None


def _toml_kind(value: Any) -> str:
    """A TOML value's kind as staff would call it."""
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, str):
        return "piece of text"
    return "date or time"


def _read_toml(path: Path) -> list[tuple[str, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"not valid TOML ({exc})") from None
    entries = data.get("bill", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError(str(path), "expected [[bill]] tables")
    unknown_top = set(data) - {"bill"}
    if unknown_top:
        raise InputError(str(path), f"unexpected top-level keys: {', '.join(sorted(unknown_top))}")
    out = []
    for i, (entry, line) in enumerate(zip(entries, _table_lines(text, len(entries)), strict=True), 1):
        where = f"entry {i} ({entry.get('bill', '?')})"
        where = f"line {line}, {where}" if line is not None else where
        problem = _toml_shape_problem(entry)
        if problem:
            raise InputError(str(path), f"{where}: {problem}")
        out.append((where, entry))
    return out


#: UTF-8 for the accented letters and punctuation of Spanish and English text (lead byte 0xC2
#: or 0xC3, or 0xE2 0x80 for dashes, quotes and '…'). Read as Windows-1252 these are 'Ã³', 'Â¿',
#: 'â€œ': text a spreadsheet user would never have typed, unlike 'Í”' (0xCD 0x94), which is.
_UTF8_LETTER = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2\x80[\x80-\xbf]")


def _decode_csv(path: Path) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252.

    Excel's "CSV" (not "CSV UTF-8") saves in Windows-1252 on a US Windows machine, so 'Limón'
    arrives as one byte 0xF3. Anything neither encoding can read is one clear error.
    """
    raw = path.read_bytes()
    if b"\x00" in raw:  # UTF-16 ("Unicode Text") or not a text file at all
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError(str(path), "cannot read the text (UTF-16 or binary): save it from the "
                         "spreadsheet as \"CSV UTF-8\"", line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A file that is mostly UTF-8 (it has valid multi-byte letters) with one bad byte is a
        # damaged UTF-8 file: read as Windows-1252 it would store 'LimÃ³n' without a word.
        if _UTF8_LETTER.search(raw):
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError(str(path), "damaged UTF-8 text (a byte that is not part of any "
                             "letter): save it again from the spreadsheet as \"CSV UTF-8\"", line) from None
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(str(path), "cannot read the text: save it from the spreadsheet as "
                         "\"CSV UTF-8\" (neither UTF-8 nor Windows-1252)", line) from None


def _column_key(header: str) -> str:
    """A header as staff may type it ('Bill', ' Talking point 1 ', 'Story-prompt') as our
    column name ('bill', 'talking_point_1', 'story_prompt')."""
    return "_".join(header.replace("-", " ").lower().split())


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab, whichever separates the header line's names.

    Excel in Spanish (and most of Europe) saves "CSV" with semicolons, and "Text" with tabs;
    a header line never contains those characters inside a column name.
    """
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(where, entry) pairs; an entry holds only the columns the file has, so a field whose
    column is missing is left as it is (an empty cell in a present column clears it)."""
    text = _decode_csv(path)
    with io.StringIO(text, newline="") as fh:
        reader = csv.reader(fh, delimiter=_delimiter(text))
        try:
            header = next(reader, [])
        except csv.Error as exc:
            raise InputError(str(path), f"not valid CSV ({exc})", 1) from None
        keys = [_column_key(h) for h in header]
        named = [k for k in keys if k]
        unknown = [h.strip() for h, k in zip(header, keys, strict=True) if k and k not in CSV_COLUMNS]
        if unknown:
            raise InputError(str(path), f"unknown column(s): {', '.join(unknown)} "
                             f"(the columns are: {', '.join(CSV_COLUMNS)})", 1)
        repeated = sorted({k for k in named if named.count(k) > 1})
        if repeated:
            raise InputError(str(path), f"column(s) given twice: {', '.join(repeated)}", 1)
        missing = {"bill", "position"} - set(named)
        if missing:
            raise InputError(str(path), f"missing column(s): {', '.join(sorted(missing))}", 1)
        out = []
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InputError(str(path), f"not valid CSV ({exc})", reader.line_num) from None
            if not any(c.strip() for c in cells):  # a blank row, or Excel's trailing ',,,'
                continue
            extra = [c for c in cells[len(keys):] if c.strip()]
            nameless = [c for k, c in zip(keys, cells, strict=False) if not k and c.strip()]
            if extra or nameless:
                raise InputError(str(path), "a cell under no column name: add the column's name "
                                 "to the first line or delete the cell", reader.line_num)
            row = {k: unsafe_cell(c) for k, c in zip(keys, cells, strict=False) if k}
            row.update({k: "" for k in named if k not in row})  # a short row: empty cells
            entry: dict[str, Any] = {k: v for k, v in row.items()
                                     if not k.startswith("talking_point_") and k not in LIST_FIELDS}
            points = {int(k.rsplit("_", 1)[1]): v for k, v in row.items() if k.startswith("talking_point_")}
            if points:
                entry["talking_points"] = points  # numbered: only these slots change
            for f in ("supporters", "opponents"):
                if f in row:
                    entry[f] = [x.strip() for x in row[f].split(";") if x.strip()]
            out.append((f"line {reader.line_num}", entry))
    return out


def read_positions_file(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(where, entry) pairs; ``where`` names the entry in error messages."""
    if not path.is_file():
        raise InputError(str(path), "no such file")
    if path.suffix.lower() == ".toml":
        return _read_toml(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    raise InputError(str(path), "use a .toml or .csv file")


def _talking_points(given: list[str] | dict[int, str]) -> list[str]:
    """The talking points after an import: a list replaces them, and so do numbered CSV cells
    ({1: 'First', 3: ''} → ['First']): the numbered columns are one field, so importing the
    same file twice gives the same list (changing slots one by one shifted the others, since
    empty slots close up). A field the file leaves out never gets here: it keeps its value."""
    if isinstance(given, dict):
        return [given[number] for number in sorted(given)]
    return given


def _same_bill_twice(path: Path, resolved: list[tuple[str, str, str]]) -> None:
    """Refuse a file naming one bill twice ('SB 275' and 'SB275', or two rows for SB 275).

    Loading it would keep whichever row comes last without a word, so a position staff
    thought they set (Support on the first row) would silently be something else.
    """
    first: dict[str, str] = {}
    for where, bill_id, measure in resolved:
        if bill_id in first:
            kind = "row" if path.suffix.lower() == ".csv" else "[[bill]] table"
            raise InputError(str(path), f"{first[bill_id]} and {where} both name {measure}: "
                             f"keep one {kind} per bill (nothing was imported)")
        first[bill_id] = where


def import_positions(s: Session, path: Path, session_year: str,
                     on_other_session: Callable[[str, str], None] | None = None) -> int:
    """Load every entry (all or nothing: the caller's transaction).

    A field the file leaves out (a column not in the CSV, a key not in a TOML table) keeps its
    current value, as ``tracker positions set`` does with options left out: staff often keep
    a short sheet (bill, position, ask), and loading it must not wipe the talking points. An
    empty value clears a field on purpose. A session given in the file is used as given; a
    bill found only in an older session (no session given) is reported to
    ``on_other_session(measure, bill_id)``. Every entry is checked and its bill found before
    anything is written, so a bill named twice is refused as a whole.
    """
    entries = read_positions_file(path)
    allowed = {"bill", "session", "position", *TEXT_FIELDS, *LIST_FIELDS}
    resolved: list[tuple[str, str, str]] = []
    for where, entry in entries:
        extra = set(entry) - allowed
        if extra:
            raise InputError(str(path), f"{where}: unknown field(s) {', '.join(sorted(extra))} "
                             f"(the fields are: {', '.join(sorted(allowed))})")
        if not str(entry.get("bill") or "").strip() or not str(entry.get("position") or "").strip():
            raise InputError(str(path), f"{where}: 'bill' and 'position' are required")
        given = str(entry.get("session") or "").strip()
        try:
            bill_id = find_bill_id(s, str(entry["bill"]), given or session_year, exact_session=bool(given))
        except TrackerError as exc:
            raise InputError(str(path), f"{where}: {exc}") from None
        resolved.append((where, bill_id, measure_of(bill_id)))
    _same_bill_twice(path, resolved)
    for (where, entry), (_where, bill_id, measure) in zip(entries, resolved, strict=True):
        values: dict[str, Any] = {f: str(entry[f] or "") for f in TEXT_FIELDS if f in entry}
        values.update({f: entry[f] or [] for f in ("supporters", "opponents") if f in entry})
        if "talking_points" in entry:
            values["talking_points"] = _talking_points(entry["talking_points"] or [])
        try:
            set_position(s, bill_id, position=str(entry["position"]), changed_by=f"import:{path.name}",
                         **values)
        except TrackerError as exc:
            raise InputError(str(path), f"{where}: {exc}") from None
        if not str(entry.get("session") or "").strip() and bill_id[:8] != parse_session(session_year) \
                and on_other_session:
            on_other_session(measure, bill_id)
    return len(entries)


def export_positions(s: Session, path: Path) -> int:
    """Write every position to ``path`` (.toml or .csv, chosen by the suffix)."""
    records = list_positions(s)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        text = to_toml(records, path.name)
    elif suffix == ".csv":
        text = to_csv(records)
    else:
        raise TrackerError(f"{path}: use a .toml or .csv file name")
    path.write_text(text, encoding="utf-8-sig" if suffix == ".csv" else "utf-8")
    return len(records)
