"""The replica's legislature: bills, versions, actions, votes and hearings that can change.

Loaded once from a PUBINFO directory (through the same reader the product uses) and then
advanced by the control API, so a test can say "add an action" and watch the tracker notice.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tracker.items import Snapshot, measure_of, parse_bill_id
from tracker.pubinfo.caml import parse_caml
from tracker.pubinfo.reader import read_snapshot

PACIFIC = ZoneInfo("America/Los_Angeles")


@dataclass
class RVersion:
    version_id: str
    version_num: int
    action_date: date | None
    action: str | None
    subject: str | None
    title: str | None
    digest: str | None
    text: str | None
    vote_required: str | None = None
    appropriation: str | None = None
    fiscal_committee: str | None = None
    local_program: str | None = None
    urgency: str | None = None
    lob_name: str | None = None
    lob_bytes: bytes | None = None
    trans_update: datetime | None = None  # when the legislature last wrote this print's row


@dataclass
class RAction:
    action_date: date
    action: str
    history_id: int
    sequence: int | None
    trans_update: datetime | None = None
    code: str | None = None
    status: str | None = None
    primary_location: str | None = None
    secondary_location: str | None = None
    ternary_location: str | None = None
    end_status: str | None = None


@dataclass
class RVote:
    vote_date: date
    location: str
    location_code: str
    motion: str
    result: str
    ayes: list[str]
    noes: list[str]
    nvr: list[str]
    seq: int = 1


@dataclass
class RBill:
    bill_id: str
    measure_state: str | None
    status: str | None
    house: str | None
    location: str | None
    secondary_loc: str | None
    chapter_year: str | None
    chapter_num: str | None
    lead_author: str
    authors: list[tuple[str, str, str]]  # name, house, contribution
    versions: list[RVersion]  # newest first
    actions: list[RAction]  # oldest first
    votes: list[RVote] = field(default_factory=list)
    modified: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    changed: bool = False  # since load: goes into the weekday delta zip
    trans_update: datetime | None = None  # BILL_TBL's "last changed", Pacific wall time like the real rows

    @property
    def measure(self) -> str:
        return measure_of(self.bill_id)

    @property
    def dash_measure(self) -> str:
        return self.measure.replace(" ", "-")

    @property
    def latest(self) -> RVersion:
        return self.versions[0]


@dataclass
class RHearing:
    id: int
    chamber: str  # "senate" | "assembly"
    committee: str
    hearing_date: date
    time: str
    room: str
    bill_ids: list[str]
    status: str = "scheduled"  # scheduled | canceled | postponed
    trans_update: datetime = field(default_factory=lambda: legislature_now())


def legislature_now() -> datetime:
    """Now as the legislature's rows write it: Pacific wall time, whole seconds, no zone."""
    return datetime.now(PACIFIC).replace(tzinfo=None, microsecond=0)


class ReplicaState:
    """Thread-safe mutable state; every mutation bumps ``modified`` so ETags change."""

    def __init__(self, pubinfo_dir: Path, scale: int = 0) -> None:
        self.pubinfo_dir = pubinfo_dir
        self.scale = scale
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            snap = read_snapshot(self.pubinfo_dir, source="replica")
            self.session_year = next(iter(snap.bundles))[:8] if snap.bundles else "20252026"
            self.bills: dict[str, RBill] = {}
            for bill_id, bundle in sorted(snap.bundles.items()):
                if bundle.bill is not None:
                    self.bills[bill_id] = _load_bill(snap, bill_id)
            if self.scale > len(self.bills):
                self._scale_up(self.scale)
            self.hearings: dict[int, RHearing] = {}
            self.next_hearing = 1
            #: (chamber, committee) → its location code, given once and kept (``CS91``), as the
            #: legislature's codes never change when another committee's hearing goes away
            self.committee_codes: dict[tuple[str, str], str] = {}
            self.modified = datetime.now(timezone.utc).replace(microsecond=0)
            self.generation = 0

    def _scale_up(self, target: int) -> None:
        """Synthetic copies of the real bills under new numbers (benchmarks only)."""
        originals = list(self.bills.values())
        n = 5000
        while len(self.bills) < target:
            src = originals[len(self.bills) % len(originals)]
            sy, num, mtype, _ = parse_bill_id(src.bill_id)
            n += 1
            new_id = f"{sy}{num}{mtype}{n}"
            year = sy[:4]
            versions = [
                RVersion(**{**v.__dict__, "version_id": f"{year}{num}{mtype}{n}{v.version_num:02d}{v.version_id[-3:]}"})
                for v in src.versions
            ]
            actions = [RAction(a.action_date, a.action, a.history_id + n * 1000, a.sequence) for a in src.actions]
            self.bills[new_id] = RBill(
                bill_id=new_id, measure_state=src.measure_state, status=src.status, house=src.house,
                location=src.location, secondary_loc=src.secondary_loc, chapter_year=None,
                chapter_num=None, lead_author=src.lead_author, authors=list(src.authors),
                versions=versions, actions=actions,
            )

    def touch(self, bill: RBill | None = None) -> None:
        """Record a change; a changed bill's BILL_TBL row moves forward in time, as the real one
        does, since the importer keeps a stored row newer than the one it is given."""
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.modified = max(now, self.modified)
        self.generation += 1
        if bill is not None:
            bill.modified = now
            bill.changed = True
            stamp = legislature_now()
            if bill.trans_update is not None and stamp <= bill.trans_update:
                stamp = bill.trans_update + timedelta(seconds=1)
            bill.trans_update = stamp

    def bill(self, bill_id: str) -> RBill:
        found = self.bills.get(bill_id)
        if found is None:
            raise KeyError(bill_id)
        return found

    # --- mutations (the control API) -------------------------------------------------------
    def add_action(self, bill_id: str, action: str, when: date | None = None,
                   status: str | None = None, location: str | None = None) -> None:
        with self.lock:
            bill = self.bill(bill_id)
            when = when or date.today()
            next_id = max((a.history_id for a in bill.actions), default=0) + 1
            seq = max((a.sequence or 0 for a in bill.actions if a.action_date == when), default=0) + 1
            if status:
                bill.status = status
            if location:
                bill.location = location
            self.touch(bill)
            bill.actions.append(RAction(when, action, next_id, seq, trans_update=bill.trans_update,
                                        status="Applied", primary_location=bill.house,
                                        end_status=bill.status))

    def amend(self, bill_id: str, *, title: str | None = None, subject: str | None = None,
              digest: str | None = None, text: str | None = None, action: str | None = None,
              when: date | None = None) -> str:
        """A new print; pass new title/subject/digest/text for a gut-and-amend."""
        with self.lock:
            bill = self.bill(bill_id)
            old = bill.latest
            when = when or date.today()
            house = "Senate" if (bill.house or "").lower().startswith("senate") else "Assembly"
            action = action or f"Amended {house}"
            sy, num, mtype, n = parse_bill_id(bill_id)
            vnum = min(v.version_num for v in bill.versions) - 1
            vid = f"{sy[:4]}{num}{mtype}{n}{vnum:02d}AMD"
            bill.versions.insert(0, RVersion(
                version_id=vid, version_num=vnum, action_date=when, action=action,
                subject=subject or old.subject, title=title or old.title,
                digest=digest or old.digest, text=text or old.text,
                vote_required=old.vote_required, appropriation=old.appropriation,
                fiscal_committee=old.fiscal_committee, local_program=old.local_program,
                urgency=old.urgency,
            ))
            bill.measure_state = action
            self.add_action(bill_id, "From committee chair, with author's amendments: Amend, and re-refer to committee. Read second time, amended, and re-referred.", when)
            bill.latest.trans_update = bill.trans_update
            return vid

    def set_hearing(self, chamber: str, committee: str, when: date, bill_ids: list[str],
                    time: str = "1:30 p.m.", room: str = "1021 O Street, Room 1200") -> int:
        with self.lock:
            for b in bill_ids:
                self.bill(b)
            hid = self.next_hearing
            self.next_hearing += 1
            prefix = "CS" if chamber == "senate" else "CX"
            self.committee_codes.setdefault((chamber, committee), f"{prefix}{91 + len(self.committee_codes)}")
            self.hearings[hid] = RHearing(hid, chamber, committee, when, time, room, list(bill_ids))
            self.touch()
            return hid

    def move_hearing(self, hid: int, when: date) -> None:
        with self.lock:
            self.hearings[hid].hearing_date = when
            self.hearings[hid].trans_update = legislature_now()
            self.touch()

    def cancel_hearing(self, hid: int, status: str = "canceled") -> None:
        with self.lock:
            self.hearings[hid].status = status
            self.hearings[hid].trans_update = legislature_now()
            self.touch()

    def drop_hearing(self, hid: int, bill_ids: list[str] | None = None) -> None:
        """Take bills off a hearing's agenda, or the whole hearing off the calendar, with no
        cancel or postpone note: as the legislature's pages and tables simply stop listing it."""
        with self.lock:
            hearing = self.hearings[hid]
            if bill_ids is None:
                del self.hearings[hid]
            else:
                hearing.bill_ids = [b for b in hearing.bill_ids if b not in bill_ids]
                hearing.trans_update = legislature_now()
            self.touch()

    def record_vote(self, bill_id: str, *, location: str, ayes: list[str], noes: list[str],
                    nvr: list[str] | None = None, motion: str = "Do pass", when: date | None = None,
                    location_code: str = "CX00") -> None:
        with self.lock:
            bill = self.bill(bill_id)
            result = "(PASS)" if len(ayes) > len(noes) else "(FAIL)"
            bill.votes.append(RVote(when or date.today(), location, location_code, motion, result,
                                    list(ayes), list(noes), list(nvr or []), len(bill.votes) + 1))
            self.touch(bill)

    def digest(self, *parts: Any) -> str:
        return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()


def _load_bill(snap: Snapshot, bill_id: str) -> RBill:
    bundle = snap.bundles[bill_id]
    rec = bundle.bill
    assert rec is not None
    versions: list[RVersion] = []
    for v in sorted(bundle.versions, key=lambda v: v.version_num):
        title = digest = text = None
        subject = v.subject
        lob_bytes = None
        if v.lob:
            try:
                lob_bytes = snap.read_lob(v.lob)
                doc = parse_caml(lob_bytes)
                title, digest, text = doc.title, doc.digest, doc.text
                subject = subject or doc.subject
            except (FileNotFoundError, ValueError):
                pass
        versions.append(RVersion(
            version_id=v.bill_version_id, version_num=v.version_num, action_date=v.action_date,
            action=v.action, subject=subject, title=title, digest=digest, text=text,
            vote_required=v.vote_required, appropriation=v.appropriation,
            fiscal_committee=v.fiscal_committee, local_program=v.local_program, urgency=v.urgency,
            lob_name=v.lob, lob_bytes=lob_bytes, trans_update=v.trans_update,
        ))
    if not versions:
        versions.append(RVersion(f"{bill_id[:4]}0X{bill_id[9:]}99INT", 99, None, "Introduced",
                                 None, None, None, None))
    latest = versions[0].version_id
    authors = [(a.name, a.house or "", a.contribution or "") for a in bundle.authors
               if a.bill_version_id == latest]
    lead = next((a[0] for a in authors if a[2] == "LEAD_AUTHOR"), authors[0][0] if authors else "")
    actions = [RAction(a.action_date, a.action, int(a.history_id or 0), a.sequence, rec.trans_update,
                       a.action_code, a.action_status, a.primary_location, a.secondary_location,
                       a.ternary_location, a.end_status)
               for a in sorted(bundle.actions, key=lambda a: (a.action_date, a.sequence or 0, int(a.history_id or 0)))]
    return RBill(
        bill_id=bill_id, measure_state=rec.measure_state, status=rec.current_status,
        house=rec.current_house, location=rec.current_location,
        secondary_loc=rec.current_secondary_loc, chapter_year=rec.chapter_year,
        chapter_num=rec.chapter_num, lead_author=lead, authors=authors, versions=versions,
        actions=actions, trans_update=rec.trans_update,
    )
