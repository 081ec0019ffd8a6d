"""Content fingerprints for rows the legislature gives no key.

The website and the bulk data describe the same action or vote in different ways; hashing the
normalised content (not the source's row id) is what makes both converge on one stored row
and therefore one change event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from tracker.items import ActionRecord, VoteRecord, normalise_space


def _h(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()


def ordered_actions(actions: Sequence[ActionRecord]) -> tuple[list[ActionRecord], bool]:
    """Oldest first, and whether this bill's bulk ids fall with time (``ids_descend``, which
    orders a day's rows); bulk rows are unordered and resent by deltas, so dedupe on history id."""
    seen: set[str] = set()
    unique: list[ActionRecord] = []
    for a in actions:
        if a.history_id:
            if a.history_id in seen:
                continue
            seen.add(a.history_id)
        unique.append(a)
    def order(way: int) -> list[ActionRecord]:
        indexed = list(enumerate(unique))
        indexed.sort(key=lambda ia: (
            ia[1].action_date,
            ia[1].sequence if ia[1].sequence is not None else -1,
            way * int(ia[1].history_id) if (ia[1].history_id or "").isdigit() else 0,
            ia[0],
        ))
        return [a for _, a in indexed]

    rising = order(1)
    if ids_descend(rising):  # rare (old archives): sort again with the day's ids falling
        return order(-1), True
    return rising, False


def ids_descend(by_day: Sequence[ActionRecord]) -> bool:
    """Do this bill's bulk row ids fall as its days go on? (actions in day order)

    Today's rows get rising ids, so a day's actions are in id order. The 1999 archive numbers
    them the other way (the day's last action has the smallest id), which put "In Assembly.
    Read first time." before the vote that sent the bill there. Which way a bill's ids run is
    read from its own rows on different days; a bill with no such pair keeps rising order.
    """
    score = 0
    prev_day, prev_id = None, None
    for a in by_day:
        hid = a.history_id
        if not hid or not hid.isdigit():
            continue
        n = int(hid)
        if prev_day is not None and a.action_date != prev_day:
            score += 1 if n > prev_id else -1  # type: ignore[operator]
        prev_day, prev_id = a.action_date, n
    return score < 0


@lru_cache(maxsize=65536)
def _normalised(action: str) -> str:
    """Cached: a session repeats a few thousand action texts ~100,000 times."""
    return normalise_space(action).lower()


def sort_key(day: date, sequence: int | None, tie: str) -> str:
    """``day|sequence|tie``: the order of a bill's stored history (see ``action_keys``)."""
    return f"{day.isoformat()}|{sequence or 0:06d}|{tie}"


def action_keys(bill_id: str, actions: Iterable[ActionRecord], descending: bool = False) -> list[tuple[str, str]]:
    """(fingerprint, sort_key) per action, for actions already in oldest-first order.

    ``sort_key`` is ``day|sequence|tie``: the tie is the bulk row id (``h`` + 12 digits) when
    there is one, else the position in this import.

    The fingerprint hashes ``bill|date|normalised text|occurrence`` (the same text on the same
    day twice is two actions). ``descending`` (from ``ordered_actions``): the bill's bulk ids
    fall with time, so the tie counts down to keep the day's order.
    """
    counts: dict[tuple[date, str], int] = {}
    out: list[tuple[str, str]] = []
    top = 10**12 - 1 if descending else 0
    for pos, a in enumerate(actions):
        norm = _normalised(a.action)
        day = a.action_date.isoformat()
        n = counts.get((a.action_date, norm), 0)
        counts[(a.action_date, norm)] = n + 1
        # Same day, same sequence (it repeats): the bulk row id orders them across imports; a
        # position in this import would put a delta's newer row before the stored ones.
        hid = a.history_id or ""
        tie = f"h{abs(top - int(hid)):012d}" if hid.isdigit() else f"{pos:06d}"
        out.append((_h(bill_id, day, norm, n), sort_key(a.action_date, a.sequence, tie)))
    return out


def _day(v: VoteRecord) -> object:
    return v.vote_date or (v.vote_datetime.date() if v.vote_datetime else "")


def vote_keys(votes: Sequence[VoteRecord]) -> list[tuple[VoteRecord, str]]:
    """(vote, key) per roll call, in the order the roll calls were taken.

    A roll call is its bill, day, tally and which of that day's roll calls with that tally it
    is. The bulk data names the place by code and time (``SFLOOR``, 13:23) and the website by
    name and day ("Senate Floor", 06/25/26), so neither place nor time can be in the key if a
    vote seen on both is to be one row. A floor session often takes several roll calls with one
    tally (motions to table amendments, then passage: 43-31 twice on one 1999 day), so the
    occurrence counts; the first keeps the plain key it always had.
    """
    def order(v: VoteRecord) -> tuple[str, int, str]:
        seq = v.vote_seq or ""
        return (str(_day(v)), int(seq) if seq.isdigit() else 0, v.vote_datetime.isoformat() if v.vote_datetime else "")

    counts: dict[tuple[object, ...], int] = {}
    out: list[tuple[VoteRecord, str]] = []
    for v in sorted(votes, key=order):
        tally = (v.bill_id, _day(v), v.ayes, v.noes)
        n = counts.get(tally, 0)
        counts[tally] = n + 1
        out.append((v, _h(*tally) if n == 0 else _h(*tally, n)))
    return out


def free_vote_key(v: VoteRecord, taken: set[str], claimable: Callable[[str], bool] = lambda _k: False) -> str:
    """The first later occurrence key of ``v``'s tally that day that no stored roll call holds,
    or that a ``claimable`` one holds (the website's row, with no identity of the bulk data's
    yet): for a roll call of the bulk data that arrives after another with the same tally that
    day (an urgency clause after the passage vote), which is a roll call of its own."""
    tally = (v.bill_id, _day(v), v.ayes, v.noes)
    n = 1
    while _h(*tally, n) in taken and not claimable(_h(*tally, n)):
        n += 1
    return _h(*tally, n)


def hearing_key(bill_id: str, day: date, committee: str | None = None) -> str:
    """A hearing's fingerprint: its bill, day and committee (code, else name), since one bill can
    be heard by two committees on one day. Only an identity: sources name committees differently
    (``CS44``, 'Senate Health', 'HEALTH'), so statements find their hearing by content
    (``tracker.ingest.diff_hearings``), never by recomputing this. Without a committee it is the
    key every hearing had before committees were told apart, so stored rows keep theirs."""
    return _h(bill_id, day.isoformat(), committee) if committee else _h(bill_id, day.isoformat())


def event_key(bill_id: str | None, kind: str, *discriminator: Any) -> str:
    payload = json.dumps(discriminator, sort_keys=True, default=str) if discriminator else "[]"
    return hashlib.sha256(f"{bill_id}|{kind}|{payload}".encode()).hexdigest()
