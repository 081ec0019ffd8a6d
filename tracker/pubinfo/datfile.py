"""Reader for PUBINFO ``.dat`` files (MySQL ``LOAD DATA`` exports).

Format: UTF-8, tab-separated, LF-terminated, no header. Strings are wrapped in backticks, numbers
and datetimes are bare, NULL is the bare word ``NULL``, and MySQL backslash escapes occur. A
backtick closes a string only before a tab, a newline or the end of the file, so a string may
contain raw tabs and newlines. The fast path splits each line on tabs (C speed) and only
stitches fields back together when a string turns out to continue past a separator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tracker.errors import InputError

_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
_ESCAPE_RE = re.compile(r"\\(.)", re.S)
# A whole row whose strings hold no tab, backtick or backslash: the common case, split in C.
_SIMPLE_ROW = re.compile(r"(?:`[^`\t\\]*`|[^`\t\\]*)(?:\t(?:`[^`\t\\]*`|[^`\t\\]*))*")

Row = list[str | None]


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def _closes(token: str) -> bool:
    """True when a backtick-opened token ends with an unescaped closing backtick."""
    if len(token) < 2 or not token.endswith("`"):
        return False
    backslashes = len(token) - 1 - len(token[:-1].rstrip("\\"))
    return backslashes % 2 == 0


def _value(token: str) -> str | None:
    if token.startswith("`"):
        return _unescape(token[1:-1])
    if token == "NULL":
        return None
    return _unescape(token)


def _decode(raw: bytes, path: str, line_no: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"invalid UTF-8 at byte {exc.start} of the row (is the file corrupt?)", line_no
        ) from None


def iter_rows(
    source: Path | BinaryIO, *, name: str | None = None, columns: int | None = None
) -> Iterator[tuple[int, Row]]:
    """Yield ``(line_number, fields)`` for each row; ``columns`` enforces the column count."""
    if isinstance(source, Path):
        with source.open("rb") as fh:
            yield from iter_rows(fh, name=name or str(source), columns=columns)
        return
    path = name or getattr(source, "name", "<stream>")
    pending: list[str] | None = None  # tokens of a row that continues on the next line
    start_line = 0
    line_no = 0
    for raw in source:
        line_no += 1
        text = _decode(raw, path, line_no)
        if text.endswith("\n"):
            text = text[:-1]
        if pending is None and _SIMPLE_ROW.fullmatch(text):
            if not text:
                continue
            simple = [t[1:-1] if t[:1] == "`" else (None if t == "NULL" else t) for t in text.split("\t")]
            if columns is not None and len(simple) != columns:
                raise InputError(
                    path, f"expected {columns} columns, found {len(simple)} (layout changed?)", line_no
                )
            yield line_no, simple
            continue
        tokens = text.split("\t")
        if pending is not None:
            pending[-1] = pending[-1] + "\n" + tokens[0]
            tokens = pending + tokens[1:]
            pending = None
        elif not text and not tokens[0]:
            continue  # blank line (e.g. trailing newline at end of file)
        else:
            start_line = line_no
        fields: list[str] = []
        i = 0
        open_token: str | None = None
        while i < len(tokens):
            token = tokens[i]
            if open_token is not None:
                open_token = open_token + "\t" + token
                if _closes(open_token):
                    fields.append(open_token)
                    open_token = None
            elif token.startswith("`") and not _closes(token):
                open_token = token
            else:
                fields.append(token)
            i += 1
        if open_token is not None:
            pending = fields + [open_token]
            continue
        if columns is not None and len(fields) != columns:
            raise InputError(
                path, f"expected {columns} columns, found {len(fields)} (layout changed?)",
                start_line,
            )
        yield start_line, [_value(f) for f in fields]
    if pending is not None:
        raise InputError(path, "file ends inside a quoted string (truncated file?)", start_line)
