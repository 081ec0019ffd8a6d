"""Plain, validated records that every source produces and the ingest consumes.

Parsers (bulk files, web pages, calendars) only build these; they never touch the database.
Validation happens here, once, for every source, so a change seen first on the website and
later in the bulk data reaches the diff in the same shape and yields one event, not two.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal, NamedTuple

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, TypeAdapter

BILL_ID_RE = re.compile(r"^(\d{8})(\d)([A-Z]+)(\d+)$")
MEASURE_TYPES = {"AB", "ACA", "ACR", "AJR", "HR", "SB", "SCA", "SCR", "SJR", "SR", "GRP"}
WS_RE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Collapse the legislature's irregular whitespace ("Com. on  INS.")."""
    return WS_RE.sub(" ", text).strip()


def parse_bill_id(bill_id: str) -> tuple[str, str, str, int]:
    """Split ``202520260AB13`` into (session_year, session_num, measure_type, number)."""
    m = BILL_ID_RE.match(bill_id)
    if not m:
        raise ValueError(f"not a bill id: {bill_id!r}")
    return m.group(1), m.group(2), m.group(3), int(m.group(4))


def measure_of(bill_id: str) -> str:
    """Display measure: ``AB 13`` (special sessions: ``SBX1 2``)."""
    _, num, mtype, n = parse_bill_id(bill_id)
    return f"{mtype} {n}" if num == "0" else f"{mtype}X{num} {n}"


def bill_id_of(measure: str, session_year: str) -> str:
    """``AB 13`` / ``AB-13`` / ``ab13`` / ``SBX1 2`` → ``202520260AB13``."""
    m = re.match(r"^\s*([A-Za-z]+?)(?:X(\d))?[\s\-.]*0*(\d+)\s*$", measure)
    if not m:
        raise ValueError(f"not a bill number: {measure!r} (expected something like 'AB 13')")
    mtype, special, num = m.group(1).upper(), m.group(2) or "0", m.group(3)
    if mtype not in MEASURE_TYPES:
        raise ValueError(f"unknown measure type {mtype!r} in {measure!r}")
    return f"{session_year}{special}{mtype}{int(num)}"


BillId = Annotated[str, StringConstraints(pattern=BILL_ID_RE.pattern)]
ActionText = Annotated[str, StringConstraints(min_length=1)]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class BillRecord(Record):
    bill_id: BillId
    session_year: str
    session_num: str = "0"
    measure_type: str
    measure_num: int
    measure_state: str | None = None
    current_house: str | None = None
    current_location: str | None = None
    current_secondary_loc: str | None = None
    current_status: str | None = None
    chapter_year: str | None = None
    chapter_num: str | None = None
    latest_version_id: str | None = None
    title: str | None = None
    subject: str | None = None
    trans_update: datetime | None = None  # when the legislature last changed this BILL_TBL row


class VersionRecord(Record):
    bill_version_id: str
    bill_id: BillId
    version_num: int
    action_date: date | None = None
    action: str | None = None
    subject: str | None = None
    title: str | None = None
    digest: str | None = None
    full_text: str | None = None
    vote_required: str | None = None
    appropriation: str | None = None
    fiscal_committee: str | None = None
    local_program: str | None = None
    urgency: str | None = None
    lob: str | None = None  # bulk only: the CAML side file, parsed lazily by the ingest
    trans_update: datetime | None = None  # when the legislature last changed this print's row


class AuthorRecord(Record):
    bill_version_id: str
    name: str
    house: str | None = None
    author_type: str | None = None
    contribution: str | None = None
    primary: bool = False


class ActionRecord(NamedTuple):
    """One history action.

    A named tuple validated in batches (``ACTIONS``), not a model validated one by one: a
    session has ~100,000 actions, and this keeps each small in memory and the whole history
    validated at the speed of pydantic's core. The text may not be empty (sources strip it;
    validation keeps the string objects it is given, so repeated values stay shared); the bill
    id must be well formed.
    """

    bill_id: BillId
    action_date: date
    action: ActionText
    history_id: str | None = None
    sequence: int | None = None
    action_code: str | None = None
    action_status: str | None = None
    primary_location: str | None = None
    secondary_location: str | None = None
    ternary_location: str | None = None
    end_status: str | None = None


# Rows in field order (raw strings are converted); the first error's location is the row index.
ACTIONS: TypeAdapter[list[ActionRecord]] = TypeAdapter(list[ActionRecord])


class VoteMemberRecord(Record):
    name: str
    code: str  # AYE / NOE / ABS


class VoteRecord(Record):
    bill_id: BillId
    location_code: str | None = None
    location_name: str | None = None
    vote_datetime: datetime | None = None
    vote_date: date | None = None
    vote_seq: str | None = None
    motion_id: str | None = None
    motion_text: str | None = None
    ayes: int | None = None
    noes: int | None = None
    abstain: int | None = None
    result: str | None = None
    members: tuple[VoteMemberRecord, ...] = ()


class HearingRecord(Record):
    bill_id: str
    hearing_date: date
    committee_code: str | None = None
    committee_name: str | None = None
    hearing_time: str | None = None
    room: str | None = None
    status: Literal["scheduled", "canceled", "postponed", "heard"] = "scheduled"
    note: str | None = None


class LegislatorRecord(Record):
    session_year: str
    house: str
    author_name: str
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    district: str | None = None
    party: str | None = None
    active: bool = True


class LocationRecord(Record):
    session_year: str
    code: str
    location_type: str | None = None
    description: str | None = None
    long_description: str | None = None


class VetoRecord(Record):
    bill_id: str
    veto_date: date | None = None
    message: str | None = None


class BillBundle(BaseModel):
    """Everything one source said about one bill in one run.

    ``actions_complete`` says the source listed the whole history (bulk, history page), as
    opposed to a few recent actions (status page): only a complete list sets the bill's
    history count and current stage.
    """

    bill_id: str
    bill: BillRecord | None = None
    versions: list[VersionRecord] = Field(default_factory=list)
    authors: list[AuthorRecord] = Field(default_factory=list)
    actions: list[ActionRecord] = Field(default_factory=list)
    actions_complete: bool = False
    votes: list[VoteRecord] = Field(default_factory=list)
    hearings: list[HearingRecord] = Field(default_factory=list)
    veto: VetoRecord | None = None


class Snapshot(BaseModel):
    """One source run's findings: per-bill bundles plus reference tables and warnings."""

    source: str
    bundles: dict[str, BillBundle] = Field(default_factory=dict)
    legislators: list[LegislatorRecord] = Field(default_factory=list)
    locations: list[LocationRecord] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    _lob_reader: Callable[[str], bytes] | None = PrivateAttr(default=None)

    def read_lob(self, name: str) -> bytes:
        """Bytes of a bulk side file (CAML text); only the bulk reader sets a lob source."""
        if self._lob_reader is None:
            raise FileNotFoundError(name)
        return self._lob_reader(name)

    def bundle(self, bill_id: str) -> BillBundle:
        found = self.bundles.get(bill_id)
        if found is None:
            found = self.bundles[bill_id] = BillBundle(bill_id=bill_id)
        return found
