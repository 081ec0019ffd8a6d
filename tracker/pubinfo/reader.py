"""Read a PUBINFO extract (a ``.zip`` or a directory of ``.dat``/``.lob`` files) into records.

The reader only parses and validates; it never touches the database. CAML side files are not
parsed here: the ingest asks for a version's text only when it has not stored that version yet,
so a nightly re-read of an unchanged session costs no XML parsing.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from tracker.committees import place_words
from tracker.errors import InputError
from tracker.gcpause import gc_paused
from tracker.items import (
    ACTIONS,
    AuthorRecord,
    BillRecord,
    HearingRecord,
    LegislatorRecord,
    LocationRecord,
    Snapshot,
    VersionRecord,
    VetoRecord,
    VoteMemberRecord,
    VoteRecord,
)
from tracker.pubinfo.datfile import Row, iter_table
from tracker.pubinfo.tables import IGNORED, TABLES

Opener = Callable[[], IO[bytes]]
T = TypeVar("T")
BATCH = 5000  # rows validated per call: large enough to amortise, small enough for memory
BILLS: TypeAdapter[list[BillRecord]] = TypeAdapter(list[BillRecord])
VERSIONS: TypeAdapter[list[VersionRecord]] = TypeAdapter(list[VersionRecord])
AUTHORS: TypeAdapter[list[AuthorRecord]] = TypeAdapter(list[AuthorRecord])


_VERSION_ID = re.compile(r"^(\d{4})(\d)([A-Z]+)(\d+)(\d{2})([A-Z]{3})$")


def bill_id_of_version(version_id: str) -> str | None:
    """``20250AB83199INT`` → ``202520260AB831``: a version id names its bill (leginfo.md §1),
    so author rows still find their bill in an extract without BILL_VERSION_TBL."""
    m = _VERSION_ID.match(version_id)
    if not m:
        return None
    start = int(m.group(1))
    return f"{start}{start + 1}{m.group(2)}{m.group(3)}{int(m.group(4))}"


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value[:19]) if value else None


def _int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


class _Source:
    """Uniform access to the files of a directory or a zip archive."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.names: dict[str, str] = {}
        if path.is_dir():
            for child in path.iterdir():
                if child.is_file():
                    self.names[child.name] = str(child)
        elif path.is_file() and path.suffix.lower() in (".dat", ".lob"):
            raise InputError(str(path), "one table file: give the folder that holds the extract's "
                             "tables (or its .zip)")
        elif path.is_file():
            try:
                self.zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise InputError(str(path), "not a valid zip file (truncated or corrupt?)") from None
            for info in self.zip.infolist():
                if not info.is_dir():
                    self.names[Path(info.filename).name] = info.filename
        else:
            raise InputError(str(path), "no such file or directory")

    def label(self, name: str) -> str:
        return f"{self.path}!{name}" if self.zip else self.names[name]

    def open(self, name: str) -> IO[bytes]:
        if self.zip is not None:
            return self.zip.open(self.names[name])
        return open(self.names[name], "rb")

    def read(self, name: str) -> bytes:
        """A side file's bytes. A damaged member of the zip (a transfer cut short or corrupted)
        stops the import with one line naming it, as a damaged table does: the next download
        is whole, and nothing is stored from a half-read extract."""
        if name not in self.names:
            raise FileNotFoundError(name)
        try:
            with self.open(name) as fh:
                return fh.read()
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputError(self.label(name), f"corrupt compressed data ({exc})") from None


def _plain_rows(src: _Source, table: str) -> Iterator[tuple[int, Row]]:
    """Rows of a small table with every "no value" as ``None`` (not ``""``)."""
    for line, r in _rows(src, table):
        yield line, [v or None for v in r]


def _rows(src: _Source, table: str) -> Iterator[tuple[int, Row]]:
    name = f"{table}.dat"
    label = src.label(name)
    try:
        with src.open(name) as fh:
            yield from iter_table(fh, name=label, columns=len(TABLES[table]))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(label, f"corrupt compressed data ({exc})") from None


def _validated(adapter: TypeAdapter[list[T]], rows: Iterable[tuple[int, Any]], label: str) -> Iterator[tuple[int, T]]:
    """Validate ``(line, raw)`` pairs in slices of ``BATCH`` (pydantic's core loops, not Python).

    A bad row is reported with its line, as if rows were checked one by one; raw rows never pile
    up (validation copies every string, so holding both for a whole table would double it).
    """
    lines: list[int] = []
    raw: list[Any] = []

    def flush() -> list[tuple[int, T]]:
        try:
            done = list(zip(lines, adapter.validate_python(raw)))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = err["loc"]
            index = loc[0] if loc and isinstance(loc[0], int) else 0
            field = f" ({loc[-1]})" if len(loc) > 1 and isinstance(loc[-1], str) else ""
            raise InputError(label, f"bad value{field}: {err['msg']}", lines[index]) from None
        lines.clear()
        raw.clear()
        return done

    for line, row in rows:
        lines.append(line)
        raw.append(row)
        if len(raw) >= BATCH:
            yield from flush()
    if raw:
        yield from flush()


def _check(label: str, line: int, build: Callable[[], object]) -> object:
    try:
        return build()
    except (ValidationError, ValueError) as exc:
        msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise InputError(label, f"bad value: {msg}", line) from None


def read_snapshot(path: Path, source: str = "pubinfo") -> Snapshot:
    """Parse every table we use; a missing table is a warning (deltas are partial)."""
    with gc_paused():
        return _read_snapshot(path, source)


def _read_snapshot(path: Path, source: str) -> Snapshot:
    src = _Source(path)
    snap = Snapshot(source=source)
    present = {n[:-4] for n in src.names if n.endswith(".dat")}
    unknown = sorted(present - set(TABLES) - IGNORED)
    if not present:
        raise InputError(str(path), "no .dat files found (is this a PUBINFO extract?)")
    if not present & (set(TABLES) | IGNORED):  # every file unknown: not an extract at all
        raise InputError(str(path), "none of the .dat files is a PUBINFO table (found "
                         + ", ".join(f"{n}.dat" for n in unknown[:5]) + (" ..." if len(unknown) > 5 else "") + ")")
    for name in unknown:
        snap.warnings.append(f"{name}.dat: unknown table, skipped")
    others = sorted(n for n in src.names if not n.endswith((".dat", ".lob")))
    if others:  # e.g. the load scripts of pubinfo_load.zip unpacked into the same folder
        snap.warnings.append(f"{len(others)} file(s) that are not PUBINFO tables, skipped: "
                             + ", ".join(others[:5]) + (" ..." if len(others) > 5 else ""))
    for table in TABLES:
        if table not in present and table != "BILL_MOTION_TBL":
            snap.warnings.append(f"{table}.dat missing: skipped")
    parsers: list[tuple[str, Callable[[_Source, Snapshot, str], None]]] = [
        ("LOCATION_CODE_TBL", _locations), ("LEGISLATOR_TBL", _legislators),
        ("BILL_TBL", _bills), ("BILL_VERSION_TBL", _versions),
        ("BILL_VERSION_AUTHORS_TBL", _authors), ("BILL_HISTORY_TBL", _history),
        ("BILL_SUMMARY_VOTE_TBL", _votes), ("COMMITTEE_HEARING_TBL", _hearings),
        ("VETO_MESSAGE_TBL", _vetoes),
    ]
    for table, parse in parsers:
        if table in present:
            parse(src, snap, src.label(f"{table}.dat"))
        elif table == "BILL_SUMMARY_VOTE_TBL" and "BILL_DETAIL_VOTE_TBL" in present:  # members sent later
            parse(src, snap, src.label("BILL_DETAIL_VOTE_TBL.dat"))
    orphans = [b for b, bundle in snap.bundles.items() if bundle.bill is None]
    if orphans and "BILL_TBL" in present:
        snap.warnings.append(
            f"{len(orphans)} bill(s) have rows but no BILL_TBL row (stored as incomplete): "
            + ", ".join(sorted(orphans)[:10])
        )
    snap._lob_reader = src.read
    return snap


def _bills(src: _Source, snap: Snapshot, label: str) -> None:
    raw = ((line, {"bill_id": r[0] or "", "session_year": r[1] or "", "session_num": r[2] or "0",
                   "measure_type": r[3] or "", "measure_num": r[4] or 0, "measure_state": r[5] or None,
                   "chapter_year": r[6] or None, "chapter_num": r[9] or None,
                   "latest_version_id": r[10] or None, "current_location": r[14] or None,
                   "current_secondary_loc": r[15] or None, "current_house": r[16] or None,
                   "current_status": r[17] or None, "trans_update": (r[13] or "")[:19] or None})
           for line, r in _rows(src, "BILL_TBL"))
    for _, rec in _validated(BILLS, raw, label):
        snap.bundle(rec.bill_id).bill = rec


def _versions(src: _Source, snap: Snapshot, label: str) -> None:
    raw = ((line, {"bill_version_id": r[0] or "", "bill_id": r[1] or "", "version_num": r[2] or 0,
                   "action_date": (r[3] or "")[:10] or None, "action": r[4] or None,
                   "subject": r[6] or None, "vote_required": r[7] or None,
                   "appropriation": r[8] or None, "fiscal_committee": r[9] or None,
                   "local_program": r[10] or None, "urgency": r[12] or None, "lob": r[14] or None,
                   "trans_update": (r[17] or "")[:19] or None})
           for line, r in _rows(src, "BILL_VERSION_TBL"))
    for _, rec in _validated(VERSIONS, raw, label):
        snap.bundle(rec.bill_id).versions.append(rec)


def _authors(src: _Source, snap: Snapshot, label: str) -> None:
    by_version = {v.bill_version_id: b for b, bundle in snap.bundles.items() for v in bundle.versions}
    raw = ((line, {"bill_version_id": r[0] or "", "author_type": r[1] or None, "house": r[2] or None,
                   "name": r[3] or "", "contribution": r[4] or None, "primary": r[9] == "Y"})
           for line, r in _rows(src, "BILL_VERSION_AUTHORS_TBL"))
    unknown: list[str] = []
    for line, rec in _validated(AUTHORS, raw, label):
        bill_id = by_version.get(rec.bill_version_id) or bill_id_of_version(rec.bill_version_id)
        if bill_id is None:
            unknown.append(f"{rec.bill_version_id} (line {line})")
            continue
        snap.bundle(bill_id).authors.append(rec)
    if unknown:  # one warning for the lot, not one per row
        snap.warnings.append(f"{label}: {len(unknown)} author row(s) with an unreadable version "
                             f"id, skipped: " + ", ".join(unknown[:5])
                             + (" ..." if len(unknown) > 5 else ""))


def _history(src: _Source, snap: Snapshot, label: str) -> None:
    # One shared object per distinct value: a session's ~100,000 rows repeat a few thousand
    # texts, codes and places (and validation keeps the objects it is given).
    one = {}.setdefault

    def shared(value: str | None) -> str | None:
        return one(value, value) if value else None

    # bill, date, text, history id, sequence, then code, status, three places, end status
    raw = ((line, (shared(r[0]) or "", (r[2] or "")[:10] or None, shared((r[3] or "").strip()) or "",
                   r[1] or None, r[6] or None, *map(shared, r[7:13])))
           for line, r in _rows(src, "BILL_HISTORY_TBL"))
    bundles = snap.bundles
    seen: set[str] = set()
    for _, a in _validated(ACTIONS, raw, label):
        (bundles.get(a.bill_id) or snap.bundle(a.bill_id)).actions.append(a)
        seen.add(a.bill_id)
    for bill_id in seen:
        bundles[bill_id].actions_complete = True


def _votes(src: _Source, snap: Snapshot, label: str) -> None:
    motions: dict[str, str] = {}
    if "BILL_MOTION_TBL.dat" in src.names:
        for _, r in _plain_rows(src, "BILL_MOTION_TBL"):
            if r[0]:
                motions[r[0]] = r[1] or ""
    members: dict[tuple[str | None, ...], list[VoteMemberRecord]] = {}
    first_line: dict[tuple[str | None, ...], int] = {}
    dlabel = label
    if "BILL_DETAIL_VOTE_TBL.dat" in src.names:
        dlabel = src.label("BILL_DETAIL_VOTE_TBL.dat")
        for line, r in _plain_rows(src, "BILL_DETAIL_VOTE_TBL"):
            # Members carry the roll call's time (13:23); the summary row only its day
            # (00:00:00): the day, sequence and motion identify the roll call.
            key = (r[0], r[1], (r[3] or "")[:10], r[4], r[6])
            rec = _check(dlabel, line, lambda: VoteMemberRecord(name=r[2] or "", code=r[5] or ""))
            assert isinstance(rec, VoteMemberRecord)
            found = members.setdefault(key, [])
            first_line.setdefault(key, line)
            if all(m.name != rec.name for m in found):
                found.append(rec)
    seen: set[tuple[str | None, ...]] = set()
    names = _location_names(snap)
    summaries = _plain_rows(src, "BILL_SUMMARY_VOTE_TBL") if "BILL_SUMMARY_VOTE_TBL.dat" in src.names else iter(())
    for line, r in summaries:
        key = (r[0], r[1], r[2], r[3], r[4])
        if key in seen:  # keyless table: deltas resend rows
            continue
        seen.add(key)
        roll_call = (r[0], r[1], (r[2] or "")[:10], r[3], r[4])
        when = _datetime(r[2])
        rec = _check(label, line, lambda: VoteRecord(
            bill_id=r[0] or "", location_code=r[1], location_name=names.get(r[1] or ""),
            vote_datetime=when,
            vote_date=when.date() if when else None, vote_seq=r[3], motion_id=r[4],
            motion_text=motions.get(r[4] or ""), ayes=_int(r[5]), noes=_int(r[6]),
            abstain=_int(r[7]), result=(r[8] or "").strip("()") or None,
            members=tuple(members.pop(roll_call, ())),
        ))
        assert isinstance(rec, VoteRecord)
        snap.bundle(rec.bill_id).votes.append(rec)
    # Member rows whose summary row is not in this extract (a delta sends them days later): a
    # roll call with no tally, which the diff gives to the stored roll call it belongs to.
    for (bill_id, code, day, seq, motion), names_of in members.items():
        rec = _check(dlabel, first_line[(bill_id, code, day, seq, motion)], lambda: VoteRecord(
            bill_id=bill_id or "", location_code=code, vote_date=_date(day), vote_seq=seq, motion_id=motion,
            members=tuple(names_of)))
        assert isinstance(rec, VoteRecord)
        snap.bundle(rec.bill_id).votes.append(rec)


def _location_names(snap: Snapshot) -> dict[str, str]:
    """Committee and floor names by code, so people read "Senate Health", not "CS44"."""
    return {loc.code: place_words(loc.code, loc.description, loc.long_description) for loc in snap.locations}


def _hearings(src: _Source, snap: Snapshot, label: str) -> None:
    names = _location_names(snap)
    for line, r in _plain_rows(src, "COMMITTEE_HEARING_TBL"):
        rec = _check(label, line, lambda: HearingRecord(
            bill_id=r[0] or "", hearing_date=_date(r[3]), committee_code=r[4],
            committee_name=names.get(r[4] or ""),
        ))
        assert isinstance(rec, HearingRecord)
        snap.bundle(rec.bill_id).hearings.append(rec)


def _locations(src: _Source, snap: Snapshot, label: str) -> None:
    for line, r in _plain_rows(src, "LOCATION_CODE_TBL"):
        rec = _check(label, line, lambda: LocationRecord(
            session_year=r[0] or "", code=r[1] or "", location_type=r[2], description=r[4],
            long_description=r[5],
        ))
        assert isinstance(rec, LocationRecord)
        snap.locations.append(rec)


def _legislators(src: _Source, snap: Snapshot, label: str) -> None:
    for line, r in _plain_rows(src, "LEGISLATOR_TBL"):
        rec = _check(label, line, lambda: LegislatorRecord(
            district=r[0], session_year=r[1] or "", full_name=r[2], house=r[3] or "",
            author_name=r[4] or r[6] or "", first_name=r[5], last_name=r[6], party=r[11],
            active=(r[15] or r[12] or "Y") == "Y",
        ))
        assert isinstance(rec, LegislatorRecord)
        snap.legislators.append(rec)


def _vetoes(src: _Source, snap: Snapshot, label: str) -> None:
    for line, r in _plain_rows(src, "VETO_MESSAGE_TBL"):
        message = None
        if r[2]:
            try:
                message = src.read(r[2]).decode("utf-8", errors="replace")
            except FileNotFoundError:
                snap.warnings.append(f"{label}:{line}: veto message file {r[2]} missing")
        rec = _check(label, line, lambda: VetoRecord(bill_id=r[0] or "", veto_date=_date(r[1]), message=message))
        assert isinstance(rec, VetoRecord)
        snap.bundle(rec.bill_id).veto = rec
