"""Write the replica's state as a PUBINFO extract (``.dat`` tables + CAML ``.lob`` files).

Format per leginfo.md §3.3: tab-separated, LF, strings in backticks with MySQL backslash
escapes, numbers and datetimes bare, NULL bare. Written to a zip on disk so the download is
served as a file (the bulk spider streams it, like the real 1 GB daily zip).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path

from tracker.items import parse_bill_id
from tracker.replica.state import RAction, RBill, ReplicaState, RVersion, legislature_now


class Bare(str):
    """A string written without backticks: a LOB file name, as the real extracts write it."""


Cell = str | int | date | datetime | Bare | None
#: Who the rows say wrote them: the legislature's own loader, as in the real extracts.
UID = "LEG_ESI"


def _cell(value: Cell) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, (int, Bare)):
        return str(value)
    text = (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("`", "\\`"))
    return f"`{text}`"


def dat_lines(rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    for row in rows:
        out.write("\t".join(_cell(c) for c in row) + "\n")
    return out.getvalue().encode("utf-8")


def _caml(bill: RBill, v: RVersion) -> bytes:
    """A minimal CAML document for prints the replica invented (amendments)."""
    paras = "".join(f"<p>{escape(p)}</p>" for p in (v.text or "").split("\n") if p.strip())
    digest = "".join(f"<p>{escape(p)}</p>" for p in (v.digest or "").split("\n") if p.strip())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<caml:MeasureDoc xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:caml="http://lc.ca.gov/legalservices/schemas/caml.1#">'
        f"<caml:Description><caml:Id>{v.version_id}</caml:Id><caml:VersionNum>{v.version_num}</caml:VersionNum>"
        f"<caml:Title>{escape(v.title or '')}</caml:Title><caml:Subject>{escape(v.subject or '')}</caml:Subject>"
        f"<caml:DigestText>{digest}</caml:DigestText></caml:Description>"
        f"<caml:Bill><caml:BillSection><caml:Content>{paras}</caml:Content></caml:BillSection></caml:Bill>"
        "</caml:MeasureDoc>"
    ).encode("utf-8")


def _31st_day(bill: RBill) -> date | None:
    """BILL_TBL's days_31st_in_print: 31 days after the introduced print (as the real rows)."""
    introduced = bill.versions[-1].action_date
    return introduced + timedelta(days=31) if introduced else None


def _bill_row(bill: RBill, stamp: datetime) -> tuple[Cell, ...]:
    sy, num, mtype, n = parse_bill_id(bill.bill_id)
    return (bill.bill_id, sy, num, mtype, n, bill.measure_state, bill.chapter_year,
            "CHP" if bill.chapter_num else None, "0" if bill.chapter_num else None,
            bill.chapter_num, bill.latest.version_id, "Y", UID, bill.trans_update or stamp,
            bill.location, bill.secondary_loc, bill.house, bill.status, _31st_day(bill))


def _version_row(bill: RBill, v: RVersion, lob: str, stamp: datetime) -> tuple[Cell, ...]:
    # request_num and substantive_changes are NULL in the real rows too; taxlevy is not kept
    # by the reader the replica loads from, so it stays NULL rather than a guess.
    return (v.version_id, bill.bill_id, v.version_num, v.action_date, v.action, None, v.subject,
            v.vote_required, v.appropriation, v.fiscal_committee, v.local_program, None, v.urgency,
            None, Bare(lob), "Y", UID, v.trans_update or stamp)


def _history_row(bill: RBill, a: RAction, stamp: datetime) -> tuple[Cell, ...]:
    return (bill.bill_id, a.history_id, a.action_date, a.action, UID, a.trans_update or stamp,
            a.sequence, a.code, a.status, a.primary_location, a.secondary_location,
            a.ternary_location, a.end_status)


def extract_files(state: ReplicaState, *, only_changed: bool = False) -> dict[str, bytes]:
    """File name → bytes for a full snapshot (or, for a delta, only bills changed since load).

    Rows are shaped like the real ones (leginfo.md §3.3, ``tracker/sample_data/pubinfo_2025``):
    numbers, datetimes and LOB names bare, strings backticked, ``trans_update`` the time the row
    was last written. A bill the control API changes gets a newer ``trans_update`` (see
    ``ReplicaState.touch``): the importer keeps a stored BILL_TBL row newer than the one it is
    given, so a fixed stamp would make every replica change invisible after a real import.
    """
    stamp = legislature_now()  # rows without a time of their own (a bill made up by scaling)
    bills = [b for b in state.bills.values() if b.changed or not only_changed]
    files: dict[str, bytes] = {}
    bill_rows, version_rows, author_rows, history_rows, hearing_rows = [], [], [], [], []
    for bill in bills:
        bill_rows.append(_bill_row(bill, stamp))
        for v in bill.versions:
            lob = v.lob_name or f"BILL_VERSION_TBL_{v.version_id}.lob"
            files[lob] = v.lob_bytes if v.lob_bytes is not None else _caml(bill, v)
            version_rows.append(_version_row(bill, v, lob, stamp))
            for name, house, contribution in bill.authors:
                author_rows.append((v.version_id, "Legislator", house, name, contribution, None,
                                    "Y", UID, v.trans_update or stamp, "Y" if contribution == "LEAD_AUTHOR" else "N"))
        history_rows.extend(_history_row(bill, a, stamp) for a in bill.actions)
    codes = committee_codes(state)
    for h in state.hearings.values():
        if h.status == "scheduled":
            code = codes[(h.chamber, h.committee)]
            for b in h.bill_ids:
                if b in {x.bill_id for x in bills}:
                    hearing_rows.append((b, code[:2], int(code[2:]), h.hearing_date, code, UID, h.trans_update))
    files["LOCATION_CODE_TBL.dat"] = dat_lines(
        (state.session_year, code, "B", None, name, f"{chamber.title()} {name} Committee", "Y", UID, stamp, "N")
        for (chamber, name), code in sorted(codes.items(), key=lambda kv: kv[1]))
    files["BILL_TBL.dat"] = dat_lines(bill_rows)
    files["BILL_VERSION_TBL.dat"] = dat_lines(version_rows)
    files["BILL_VERSION_AUTHORS_TBL.dat"] = dat_lines(author_rows)
    files["BILL_HISTORY_TBL.dat"] = dat_lines(history_rows)
    files["COMMITTEE_HEARING_TBL.dat"] = dat_lines(hearing_rows)
    summary_rows, detail_rows, motion_rows, vote_places = _vote_rows(bills, stamp)
    files["BILL_SUMMARY_VOTE_TBL.dat"] = dat_lines(summary_rows)
    files["BILL_DETAIL_VOTE_TBL.dat"] = dat_lines(detail_rows)
    files["BILL_MOTION_TBL.dat"] = dat_lines(motion_rows)
    named = set(codes.values())
    files["LOCATION_CODE_TBL.dat"] += dat_lines(
        (state.session_year, code, "B", None, place, f"{place} Committee", "Y", UID, stamp, "N")
        for code, place in sorted(vote_places.items()) if code not in named and not code.endswith("FLOOR"))
    for empty in ("LEGISLATOR_TBL", "VETO_MESSAGE_TBL"):
        files[f"{empty}.dat"] = b""  # present (so the extract is complete) but without rows
    return files


def _vote_rows(bills: list[RBill], stamp: datetime) -> tuple[list[tuple[Cell, ...]], list[tuple[Cell, ...]],
                                                           list[tuple[Cell, ...]], dict[str, str]]:
    """Roll calls the control API recorded, as the real vote tables carry them: a summary row
    (the day at midnight, a sequence, the tally), one row per member (the roll call's time) and
    the motion's text; and the committees they took place in (code → name) for the location
    table, so the bulk poll can say which committee voted."""
    summary, detail, motions, places = [], [], [], {}
    for bill in bills:
        for v in bill.votes:
            motion = int(hashlib.sha1(f"{bill.bill_id}|{v.seq}|{v.motion}".encode()).hexdigest()[:6], 16)
            day = datetime.combine(v.vote_date, datetime.min.time())
            seq = 1000 + v.seq
            summary.append((bill.bill_id, v.location_code, day, seq, motion, len(v.ayes), len(v.noes),
                            len(v.nvr), v.result, UID, stamp, None, None, None, None))
            members = [(n, "AYE") for n in v.ayes] + [(n, "NOE") for n in v.noes] + [(n, "ABS") for n in v.nvr]
            detail.extend((bill.bill_id, v.location_code, name, day.replace(hour=13, minute=30), seq, code,
                           motion, UID, stamp, None, None, None) for name, code in members)
            motions.append((motion, v.motion, UID, stamp))
            places.setdefault(v.location_code, v.location)
    return summary, detail, motions, places


#: What the ``bad_extract`` fault adds to BILL_TBL.dat: a row with too few columns, a whole zip
#: that downloads fine and fails to import (as a real extract cut short by the export would).
BAD_ROW = b"`202520260AB1`\t`20252026`\n"


def write_zip(state: ReplicaState, path: Path, *, only_changed: bool = False, broken: bool = False) -> Path:
    """Write atomically (temp file + rename) so a concurrent download never sees half a zip."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in extract_files(state, only_changed=only_changed).items():
            zf.writestr(name, data + BAD_ROW if broken and name == "BILL_TBL.dat" else data)
    tmp.replace(path)
    return path


def committee_codes(state: ReplicaState) -> dict[tuple[str, str], str]:
    """A location code per calendar committee, as the real hearing table carries (``CS91``).

    Numbered from 91 in the order committees first appear, and kept when hearings come and go
    (``ReplicaState.committee_codes``), so they never collide with the real codes in the bundled
    sample rows; the location table names them, as the real one does, so the bulk poll can say
    which committee.
    """
    with state.lock:
        return dict(state.committee_codes)
