"""What a crawl hands back to the poller: parsed records, page problems and fetch metadata.

Spiders never touch the database; the poller (``tracker.polling``) passes one ``Collector`` in,
and after the crawl decides what to ingest, what to warn about and which ETags to remember.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.items import ActionRecord, AuthorRecord, BillRecord, HearingRecord, VersionRecord, VoteRecord


@dataclass
class Problem:
    """One unusable page or refused request, with whether staff must be told."""

    url: str
    kind: str  # layout | page problem | http | network | robots
    message: str
    status: int | None = None


@dataclass
class Fetched:
    """Validators of a page that returned 200 (stored in FetchState once its data is saved)."""

    url: str
    status: int
    etag: str | None
    last_modified: str | None


@dataclass
class BillDetail:
    """The detail pages of one bill; ``failed`` means none of it may be stored."""

    bill_id: str
    status_record: BillRecord | None = None
    recent_actions: list[ActionRecord] = field(default_factory=list)
    authors: list[AuthorRecord] = field(default_factory=list)
    actions: list[ActionRecord] | None = None  # complete history (None: 304 or not fetched)
    votes: list[VoteRecord] | None = None
    version: VersionRecord | None = None
    pending: int = 0
    failed: bool = False
    fetched: list[Fetched] = field(default_factory=list)


@dataclass
class Collector:
    listing: list[Any] | None = None  # ListingRow list; None = not fetched / not modified
    listing_not_modified: bool = False
    listing_fetched: Fetched | None = None
    details: dict[str, BillDetail] = field(default_factory=dict)
    hearings: list[HearingRecord] = field(default_factory=list)
    hearing_pages_failed: int = 0
    files: list[tuple[str, str]] = field(default_factory=list)  # (url, local path)
    fetched: list[Fetched] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    robots_blocked: bool = False
    host_down: bool = False  # a host failed several requests in a row; the rest were skipped
    stats: dict[str, Any] = field(default_factory=dict)

    def problem(self, url: str, kind: str, message: str, status: int | None = None) -> Problem:
        """Record a problem; returned so a later line about the same host can be added to it."""
        found = Problem(url, kind, message, status)
        self.problems.append(found)
        return found
