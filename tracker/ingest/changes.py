"""What the diff works on: the stored state of one bill, and the changes it returns.

Plain data, shared by the diff's parts (bill fields, actions, hearings) and by the ingest
service that loads ``Known`` and applies ``BillChanges``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from tracker.items import VersionRecord


class KnownAction(NamedTuple):
    """A stored history action: a tuple, since a re-import loads one per stored action."""

    fingerprint: str
    action_date: date
    action: str
    sort_key: str
    history_id: str | None = None


@dataclass
class KnownHearing:
    id: int
    hearing_date: date
    status: str
    committee_code: str | None
    committee_name: str | None
    hearing_time: str | None
    room: str | None
    sources: list[Any]


@dataclass
class Known:
    """What the database holds for one bill (empty for a bill never seen)."""

    bill: dict[str, Any] | None = None
    version_ids: set[str] = field(default_factory=set)
    # stored prints with neither digest nor text (their CAML file was missing or unreadable):
    # read again when a source has their text, so the bill is not judged on its title forever
    textless: set[str] = field(default_factory=set)
    # stored prints by id → the legislature's time for the row we hold (None: stored before we kept it)
    version_times: dict[str, Any] = field(default_factory=dict)
    latest_version: VersionRecord | None = None
    actions: list[KnownAction] = field(default_factory=list)
    vote_keys: set[str] = field(default_factory=set)
    bare_votes: dict[str, int] = field(default_factory=dict)  # stored roll calls with no members: key → id
    # stored bulk roll calls by the bulk data's own identity (place, day, sequence, motion): key, id
    roll_calls: dict[tuple[Any, ...], tuple[str, int]] = field(default_factory=dict)
    vote_ids: dict[str, int] = field(default_factory=dict)  # stored roll calls: key → id
    vote_tallies: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)  # id → (ayes, noes)
    hearings: dict[str, KnownHearing] = field(default_factory=dict)
    author_keys: set[tuple[str, str, str | None, str | None]] = field(default_factory=set)
    veto: tuple[date | None, str | None] | None = None  # the stored veto message (date, text)


@dataclass
class EventDraft:
    kind: str
    summary: str
    before: Any
    after: Any
    key: str


@dataclass
class BillChanges:
    bill_id: str
    bill_values: dict[str, Any]
    is_new: bool
    new_versions: list[VersionRecord] = field(default_factory=list)
    filled_versions: list[VersionRecord] = field(default_factory=list)  # stored prints whose text arrived
    new_authors: list[dict[str, Any]] = field(default_factory=list)
    new_actions: list[dict[str, Any]] = field(default_factory=list)
    # stored bulk actions the legislature re-sent under their history id with other content:
    # (stored fingerprint, new values)
    corrected_actions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deleted_actions: list[str] = field(default_factory=list)  # fingerprints of stale bulk lines
    history_ids: list[tuple[str, str]] = field(default_factory=list)  # (fingerprint, bulk id) to record
    new_votes: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    corrected_votes: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (vote id, new values)
    vote_member_adds: list[dict[str, Any]] = field(default_factory=list)  # inserted unless already held
    vote_member_inserts: list[dict[str, Any]] = field(default_factory=list)
    hearing_inserts: list[dict[str, Any]] = field(default_factory=list)
    hearing_updates: list[dict[str, Any]] = field(default_factory=list)
    veto: dict[str, Any] | None = None
    events: list[EventDraft] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.events or self.new_actions or self.corrected_actions or self.deleted_actions or self.history_ids or self.new_versions or self.filled_versions
                    or self.hearing_inserts or self.hearing_updates or self.new_votes or self.corrected_votes or self.vote_member_adds or self.vote_member_inserts
                    or self.bill_values or self.new_authors or self.veto is not None)
