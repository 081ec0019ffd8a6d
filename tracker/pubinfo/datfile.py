"""Reader for PUBINFO ``.dat`` files (MySQL ``LOAD DATA`` exports).

Format: UTF-8, tab-separated, LF-terminated, no header. Strings are wrapped in backticks, numbers
and datetimes are bare, NULL is the bare word ``NULL``, and MySQL backslash escapes occur. A
backtick closes a string only before a tab, a newline or the end of the file, so a string may
contain raw tabs and newlines.

Two readers share one exact state machine (``_Exact``):

* ``iter_rows`` runs every line through it: NULL is ``None``, an empty string is ``""``.
* ``iter_table`` (the importer's) reads blocks of a few MB and proves, with a handful of scans
  that run at C speed, that a block holds nothing the state machine is needed for: no backslash,
  no quoted ``NULL``, no backtick except at a field's edge, exactly ``columns - 1`` tabs per
  line. Such a block is split with ``str.split`` after dropping its backticks (they can only be
  delimiters there), which is what makes a full session's history quick to read. Any other
  block goes through the state machine, line by line. Its rows say "no value" with a falsy
  field: ``None`` or ``""``; callers write ``field or None``.
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
# A backtick with no separator on either side: inside a string, so the block needs the machine.
_INNER_BACKTICK = re.compile(r"`(?<=[^\t\n]`)(?=[^\t\n])")
# A field that opens a string and does not close it on the same line.
_UNCLOSED = re.compile(r"`(?<![^\t\n]`)[^`\t\n]*+(?![^\t\n])")
# The bare word NULL as a whole field (only used on blocks already proven simple).
_BARE_NULL = re.compile(r"NULL(?<![^\t\n]NULL)(?![^\t\n])")
BLOCK_BYTES = 1 << 20

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
        line = line_no + raw.count(b"\n", 0, exc.start)
        start = raw.rfind(b"\n", 0, exc.start) + 1
        raise InputError(
            path, f"invalid UTF-8 at byte {exc.start - start} of the row (is the file corrupt?)", line
        ) from None


class _Exact:
    """The state machine, fed one line at a time; a string may continue onto the next line."""

    def __init__(self, path: str, columns: int | None) -> None:
        self.path = path
        self.columns = columns
        self.pending: list[str] | None = None  # tokens of a row that continues on the next line
        self.start_line = 0

    def _check(self, n: int, line_no: int) -> None:
        if self.columns is not None and n != self.columns:
            raise InputError(
                self.path, f"expected {self.columns} columns, found {n} (layout changed?)", line_no
            )

    def feed(self, line_no: int, text: str) -> tuple[int, Row] | None:
        if self.pending is None and _SIMPLE_ROW.fullmatch(text):
            if not text:
                return None
            simple = [t[1:-1] if t[:1] == "`" else (None if t == "NULL" else t) for t in text.split("\t")]
            self._check(len(simple), line_no)
            return line_no, simple
        tokens = text.split("\t")
        if self.pending is not None:
            self.pending[-1] = self.pending[-1] + "\n" + tokens[0]
            tokens = self.pending + tokens[1:]
            self.pending = None
        elif not text:
            return None  # blank line (e.g. trailing newline at end of file)
        else:
            self.start_line = line_no
        fields: list[str] = []
        open_token: str | None = None
        for token in tokens:
            if open_token is not None:
                open_token = open_token + "\t" + token
                if _closes(open_token):
                    fields.append(open_token)
                    open_token = None
            elif token.startswith("`") and not _closes(token):
                open_token = token
            else:
                fields.append(token)
        if open_token is not None:
            self.pending = fields + [open_token]
            return None
        self._check(len(fields), self.start_line)
        return self.start_line, [_value(f) for f in fields]

    def finish(self) -> None:
        if self.pending is not None:
            raise InputError(self.path, "file ends inside a quoted string (truncated file?)", self.start_line)


def _blocks(source: BinaryIO, size: int) -> Iterator[bytes]:
    """Complete lines, a few MB at a time, without their final newline."""
    rest = b""
    while True:
        data = source.read(size)
        if not data:
            break
        data = rest + data if rest else data
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        yield data[:cut]
    if rest:
        yield rest


def _simple_block(text: str, columns: int) -> bool:
    """True when splitting on tabs (after dropping backticks) reads the block exactly."""
    if "\\" in text or "`NULL`" in text or "\r" in text or "\x00" in text:
        return False
    if text.count("\t") != (columns - 1) * (text.count("\n") + 1):
        return False  # a raw tab or newline inside a string, a blank line, or a bad row
    if _INNER_BACKTICK.search(text) or _UNCLOSED.search(text):
        return False
    # then every backtick opens or closes a field; as many must open as close
    total = text.count("`")
    opening = text.count("\t`") + text.count("\n`") + text.startswith("`")
    closing = text.count("`\t") + text.count("`\n") + text.endswith("`")
    return opening == closing and opening + closing == total


def iter_rows(
    source: Path | BinaryIO, *, name: str | None = None, columns: int | None = None
) -> Iterator[tuple[int, Row]]:
    """Yield ``(line_number, fields)`` for each row; ``columns`` enforces the column count."""
    if isinstance(source, Path):
        with source.open("rb") as fh:
            yield from iter_rows(fh, name=name or str(source), columns=columns)
        return
    machine = _Exact(name or getattr(source, "name", "<stream>"), columns)
    line_no = 0
    for raw in source:
        line_no += 1
        text = _decode(raw, machine.path, line_no)
        row = machine.feed(line_no, text[:-1] if text.endswith("\n") else text)
        if row is not None:
            yield row
    machine.finish()


def iter_table(source: BinaryIO, *, name: str, columns: int, block_bytes: int = BLOCK_BYTES) -> Iterator[tuple[int, Row]]:
    """Like ``iter_rows`` with a column count, fast on ordinary blocks; "no value" is falsy."""
    machine = _Exact(name, columns)
    line_no = 1  # number of the block's first line
    for block in _blocks(source, block_bytes):
        text = _decode(block, name, line_no)
        n_lines = text.count("\n") + 1
        if machine.pending is None and _simple_block(text, columns):
            plain = _BARE_NULL.sub("", text).replace("`", "")
            rows = [line.split("\t") for line in plain.split("\n")]
            if set(map(len, rows)) == {columns}:
                yield from enumerate(rows, line_no)  # type: ignore[misc]
                line_no += n_lines
                continue
        for offset, line in enumerate(text.split("\n")):
            row = machine.feed(line_no + offset, line)
            if row is not None:
                yield row
        line_no += n_lines
    machine.finish()
