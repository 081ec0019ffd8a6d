"""The legislator cover page of an Advocacy Day packet.

Members walking into an office need: who this is (house, district, party), which committees
they sit on (as far as our data shows: the committees they voted in), and their record on our
bills (which they authored or co-authored, how they voted). PUBINFO names legislators by their
"author name" (usually the last name), which is also the name used on vote rolls, so that is
the key we match on.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.advocacy.facts import district_label
from tracker.committees import committee_house, location_name
from tracker.db.models_core import Bill, BillAuthor, Legislator, Vote, VoteMember
from tracker.queries import current_authors, tracked
from tracker.errors import TrackerError
from tracker.settings import Settings

_TITLES = ("assembly member", "assemblymember", "assemblywoman", "assemblyman", "senator", "sen.", "asm.")
_FLOOR = ("AFLOOR", "SFLOOR")


def _clean_name(name: str) -> str:
    text = " ".join(name.split())
    low = text.lower()
    for t in _TITLES:
        if low.startswith(t + " "):
            return text[len(t) + 1:].strip()
    return text


def house_name(house: str | None) -> str:
    letter = (house or "").strip()[:1].upper()
    return {"A": "Assembly", "S": "Senate"}.get(letter, "")


def find_legislator(s: Session, name: str, session_year: str) -> dict[str, Any]:
    """Who ``name`` is, from the Legislator table, or failing that from authors and votes."""
    wanted = _clean_name(name).lower()
    if not wanted:
        raise TrackerError("no legislator name given")
    rows = list(s.execute(select(Legislator).where(or_(
        func.lower(Legislator.author_name) == wanted, func.lower(Legislator.full_name) == wanted,
        func.lower(Legislator.last_name) == wanted))).scalars())
    if rows:
        rows.sort(key=lambda r: (r.session_year != session_year, not r.active, r.session_year))
        r = rows[0]
        return {"key": r.author_name, "display_name": r.full_name or r.author_name,
                "house": house_name(r.house), "district": district_label(r.district),
                "party": r.party or "", "known": True}
    author = s.execute(select(BillAuthor.name, BillAuthor.house)
                       .where(func.lower(BillAuthor.name) == wanted).limit(1)).first()
    voter = s.execute(select(VoteMember.legislator_name, Vote.location_code).join(Vote)
                      .where(func.lower(VoteMember.legislator_name) == wanted).limit(1)).first()
    if author is None and voter is None:
        raise TrackerError(f"unknown legislator {name!r}: not found among legislators, "
                           "bill authors or vote records")
    key = author.name if author else voter.legislator_name
    house = house_name(author.house) if author else ""
    if not house and voter and voter.location_code:
        house = {"A": "Assembly", "S": "Senate"}.get(voter.location_code[:1], "")
        house = house or {"CX": "Assembly", "CS": "Senate"}.get(voter.location_code[:2], "")
    return {"key": key, "display_name": key, "house": house, "district": "", "party": "",
            "known": False}


def tracked_bill_ids(s: Session, session_year: str | None = None) -> set[str]:
    """Bills we follow (relevant, watched, or with a position), of one session when given."""
    q = select(Bill.bill_id).where(tracked())
    if session_year:
        q = q.where(Bill.session_year == session_year)
    return set(s.execute(q).scalars())


def _roles(s: Session, key: str, bills: dict[str, Bill]) -> dict[str, str]:
    """bill_id → 'author' / 'coauthor' for the bills whose *current* version names ``key``.

    Author rows are stored for every print of a bill; an author dropped by an amendment is
    no longer the author, so only the bill's current version counts (``current_authors``).
    """
    candidates = set(s.execute(select(BillAuthor.bill_id).where(
        func.lower(BillAuthor.name) == key, BillAuthor.bill_id.in_(list(bills)))).scalars())
    roles: dict[str, str] = {}
    for bill_id in sorted(candidates):
        for a in current_authors(s, bills[bill_id]):
            if a["name"].lower() != key:
                continue
            role = "author" if a["contribution"] in (None, "", "LEAD_AUTHOR") else "coauthor"
            if roles.get(bill_id) != "author":
                roles[bill_id] = role
    return roles


_VOTE_LABEL = {"AYE": "yes", "NOE": "no", "ABS": "absent"}


def cover_page(s: Session, name: str, agenda: list[str], *, settings: Settings) -> dict[str, Any]:
    """Template context for the cover: identity, committees, authorship and votes on our bills.

    "Our bills" are the tracked bills of the configured session plus the bills on the agenda
    (an agenda may name an older bill on purpose); committees come from votes in those sessions.
    """
    who = find_legislator(s, name, settings.session_year)
    key = who["key"].lower()
    ours = tracked_bill_ids(s, settings.session_year) | set(agenda)
    sessions = {settings.session_year} | {b[:8] for b in agenda}
    bills = {b.bill_id: b for b in s.execute(select(Bill).where(Bill.bill_id.in_(ours))).scalars()}
    roles = _roles(s, key, bills)
    authored = [{"measure": bills[b].measure, "title": bills[b].title or "", "role": r,
                 "on_agenda": b in agenda} for b, r in sorted(roles.items()) if b in bills]
    votes = []
    committees: dict[str, str] = {}
    for vote, code in s.execute(
            select(Vote, VoteMember.vote_code).join(VoteMember)
            .where(func.lower(VoteMember.legislator_name) == key)
            .order_by(Vote.vote_date, Vote.id)).all():
        loc = vote.location_code or ""
        if loc and loc not in _FLOOR and vote.bill_id[:8] in sessions:
            committees.setdefault(loc, vote.location_name or location_name(s, vote.bill_id[:8], loc) or loc)
        if vote.bill_id in bills:
            votes.append({"measure": bills[vote.bill_id].measure, "date": vote.vote_date,
                          "where": "floor" if loc in _FLOOR else (vote.location_name or location_name(s, vote.bill_id[:8], loc)),
                          "committee_house": committee_house(loc),
                          "house": {"AFLOOR": "Assembly", "SFLOOR": "Senate"}.get(loc, ""),
                          "vote": _VOTE_LABEL.get(code, code.lower()), "result": vote.result or "",
                          "motion": vote.motion_text or ""})
    by_bill: dict[str, int] = defaultdict(int)
    for v in votes:
        by_bill[v["measure"]] += 1
    named = sorted(n for c, n in committees.items() if n != c)
    return {
        **who,
        "committees": named,
        "committee_codes": sorted(c for c, n in committees.items() if n == c),
        "authored": authored,
        "votes": votes[-30:],
        "more_votes": max(0, len(votes) - 30),
        "agenda": [bills[b].measure for b in agenda if b in bills],
    }
