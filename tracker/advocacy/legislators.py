"""The legislator cover page of an Advocacy Day packet.

Members walking into an office need: who this is (house, district, party), which committees
they sit on (as far as our data shows: the committees they voted in), and their record on our
bills (which they authored or co-authored, how they voted). PUBINFO names legislators by their
"author name" (usually the last name), which is also the name used on vote rolls, so that is
the key we match on. Two legislators may share a last name, one in each house (Assembly Member
Blanca Rubio, Senator Susan Rubio): the title staff type says which, and only roll calls and
bills of that legislator's own house are theirs.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.advocacy.facts import district_label, session_label
from tracker.committees import committee_house, location_name
from tracker.db.models_core import Bill, BillAuthor, Legislator, Vote, VoteMember
from tracker.errors import TrackerError
from tracker.queries import current_authors, tracked
from tracker.settings import Settings

#: Titles staff put before a name, as folded text (lower case, no accents), longest first
#: where one begins another, with the house each names ('' when it names none).
_TITLES: tuple[tuple[str, str], ...] = (
    ("assembly member", "Assembly"), ("assemblymember", "Assembly"),
    ("assemblywoman", "Assembly"), ("assemblyman", "Assembly"), ("assembly", "Assembly"),
    ("miembro de la asamblea", "Assembly"), ("asambleista", "Assembly"),
    ("asm.", "Assembly"), ("asm", "Assembly"),
    ("senator", "Senate"), ("senador(a)", "Senate"), ("senadora", "Senate"),
    ("senador", "Senate"), ("senate", "Senate"), ("sen.", "Senate"), ("sen", "Senate"),
    ("the honorable", ""), ("honorable", ""), ("hon.", ""),
)
_FLOOR = ("AFLOOR", "SFLOOR")


def fold(text: str | None) -> str:
    """Text as compared when matching names: accents dropped, case folded, spaces collapsed.

    Staff type 'Limon' for 'Limón' (and a CSV saved on another machine may do the same), so
    a name must match whatever accents were typed.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def parse_name(name: str) -> tuple[str, str]:
    """'Senator Rubio' → ('rubio', 'Senate'); 'Asm. Blanca Rubio' → ('blanca rubio', 'Assembly').

    The title is kept as a house because it is often the only thing that tells two
    legislators with one last name apart (Assembly Member Blanca Rubio, Senator Susan Rubio).
    """
    text = fold(name)
    house = ""
    stripped = True
    while stripped:  # 'The Honorable Senator Rubio'
        stripped = False
        for title, title_house in _TITLES:
            if text == title or text.startswith(title + " "):
                text = text[len(title):].strip()
                house = house or title_house
                stripped = True
                break
    return text, house


def house_name(house: str | None) -> str:
    """PUBINFO's house ('A', 'S', 'ASSEMBLY', 'Senate') as 'Assembly' / 'Senate' / ''."""
    letter = (house or "").strip()[:1].upper()
    return {"A": "Assembly", "S": "Senate"}.get(letter, "")


def _vote_house(location_code: str | None) -> str:
    """The house a roll call was taken in, from its location code (floor or committee)."""
    code = (location_code or "").strip().upper()
    return {"AFLOOR": "Assembly", "SFLOOR": "Senate"}.get(code) or committee_house(code)


def _title(house: str) -> str:
    """How a member of ``house`` is addressed in messages ('Senator ', 'Assembly Member ')."""
    return {"Assembly": "Assembly Member ", "Senate": "Senator "}.get(house, "")


def _describe(row: Legislator) -> str:
    """'Senator Susan Rubio (District 22)': enough to tell candidates apart in one line."""
    district = district_label(row.district)
    where = f" (District {district})" if district else ""
    return f"{_title(house_name(row.house))}{row.full_name or row.author_name}{where}"


def _tier(row: Legislator, wanted: str) -> int | None:
    """How well a Legislator row matches: 0 author name (the name PUBINFO and vote rolls use),
    1 full name, 2 first and last name, 3 last name only; None for no match."""
    if fold(row.author_name) == wanted:
        return 0
    if fold(row.full_name) == wanted:
        return 1
    if fold(f"{row.first_name or ''} {row.last_name or ''}") == wanted:
        return 2
    if fold(row.last_name) == wanted:
        return 3
    return None


def _from_table(s: Session, name: str, wanted: str, house: str,
                session_year: str) -> dict[str, Any] | None:
    """The one Legislator row ``wanted`` names, None when none does; several is an error."""
    scored = [(t, r) for r in s.execute(select(Legislator)).scalars()
              if (t := _tier(r, wanted)) is not None]
    if not scored:
        return None
    in_house = [(t, r) for t, r in scored if not house or house_name(r.house) == house]
    if not in_house:
        others = sorted({_describe(r) for _t, r in scored})
        raise TrackerError(f"{name!r}: no one in the {house} by that name in our data "
                           f"(found: {'; '.join(others)})")
    # this session's legislators first (the visit is now), else the newest session's
    year = session_year if any(r.session_year == session_year for _t, r in in_house) \
        else max(r.session_year for _t, r in in_house)
    in_session = [(t, r) for t, r in in_house if r.session_year == year]
    best = min(t for t, _r in in_session)
    rows = [r for t, r in in_session if t == best]
    people = {(house_name(r.house), fold(r.author_name)): r for r in
              sorted(rows, key=lambda r: r.active)}  # an active row wins for one person
    if len(people) > 1:
        listed = "; ".join(sorted(_describe(r) for r in people.values()))
        raise TrackerError(f"{name!r} could be more than one legislator: {listed}. Add the title "
                           f"(\"Senator ...\" or \"Assembly Member ...\") or give the full name")
    r = next(iter(people.values()))
    return {"key": r.author_name, "display_name": r.full_name or r.author_name,
            "house": house_name(r.house), "district": district_label(r.district),
            "party": r.party or "", "known": True}


def _folded_names(s: Session, column: Any, wanted: str) -> list[str]:
    """Stored names in ``column`` that fold to ``wanted``: the exact lower-case match first (a
    query the index answers), then, only when that finds nothing, accent-insensitively over
    the distinct names ('Limon' finds 'Limón')."""
    exact = list(s.execute(select(column).where(func.lower(column) == wanted).distinct()).scalars())
    if exact:
        return exact
    return [n for n in s.execute(select(column).distinct()).scalars() if fold(n) == wanted]


def _from_records(s: Session, name: str, wanted: str, house: str) -> dict[str, Any]:
    """Who ``wanted`` is when the Legislator table does not know them: bill authors, then votes.

    The house comes from the author rows, else from where the person voted (a floor or a
    committee of one house), so a title can still tell two people with one name apart.
    """
    people: dict[tuple[str, str], str] = {}  # (house, folded name) → name as stored
    authors = _folded_names(s, BillAuthor.name, wanted)
    if authors:
        for author, author_house in s.execute(select(BillAuthor.name, BillAuthor.house)
                                              .where(BillAuthor.name.in_(authors)).distinct()).all():
            people.setdefault((house_name(author_house), fold(author)), author)
    else:
        voters = _folded_names(s, VoteMember.legislator_name, wanted)
        if voters:
            for voter, code in s.execute(select(VoteMember.legislator_name, Vote.location_code).join(Vote)
                                         .where(VoteMember.legislator_name.in_(voters)).distinct()).all():
                people.setdefault((_vote_house(code), fold(voter)), voter)
    if not people:
        raise TrackerError(f"unknown legislator {name!r}: not found among legislators, "
                           "bill authors or vote records")
    if house:
        matching = {k: v for k, v in people.items() if k[0] in (house, "")}
        if not matching:
            found = "; ".join(sorted(f"{_title(h)}{n}" for (h, _f), n in people.items()))
            raise TrackerError(f"{name!r}: no one in the {house} by that name in our data (found: {found})")
        people = matching
    named_houses = {h for h, _f in people if h}
    if len(named_houses) > 1:
        listed = "; ".join(sorted(f"{_title(h)}{n}" for (h, _f), n in people.items() if h))
        raise TrackerError(f"{name!r} could be more than one legislator: {listed}. Add the title "
                           "(\"Senator ...\" or \"Assembly Member ...\")")
    (found_house, _f), key = min(people.items(), key=lambda kv: kv[0][0] == "")
    return {"key": key, "display_name": key, "house": found_house or house, "district": "",
            "party": "", "known": False}


def find_legislator(s: Session, name: str, session_year: str) -> dict[str, Any]:
    """Who ``name`` is: from the Legislator table, or failing that from authors and votes.

    A title ('Senator', 'Sen.', 'Assembly Member', 'Asm.', 'Senador(a)'...) limits the search
    to that house; an exact author name (what PUBINFO and the vote rolls print) beats a
    last-name match; accents do not matter. When two legislators still fit, the command stops
    with one line naming them rather than printing a cover for the wrong person.
    """
    wanted, house = parse_name(name)
    if not wanted:
        raise TrackerError("no legislator name given: use a name such as --legislator \"Senator Limón\", "
                           "or leave --legislator out for sheets without a cover page")
    return (_from_table(s, name, wanted, house, session_year)
            or _from_records(s, name, wanted, house))


def tracked_bill_ids(s: Session, session_year: str | None = None) -> set[str]:
    """Bills we follow (relevant, watched, or with a position), of one session when given."""
    q = select(Bill.bill_id).where(tracked())
    if session_year:
        q = q.where(Bill.session_year == session_year)
    return set(s.execute(q).scalars())


def _named(column: Any, exact: str) -> Any:
    """``column`` names this person, in any letter case. SQLite's ``lower()`` lowers only
    ASCII, so 'Ávila' would never equal 'ávila' there: the exact spelling is tried too."""
    return or_(column == exact, func.lower(column) == exact.lower())


def _roles(s: Session, key: str, house: str, bills: dict[str, Bill], exact: str = "") -> dict[str, str]:
    """bill_id → 'author' / 'coauthor' for the bills whose *current* version names ``key``.

    Author rows are stored for every print of a bill; an author dropped by an amendment is
    no longer the author, so only the bill's current version counts (``current_authors``).
    When the legislator's house is known, an author of the same name in the other house
    (Senator Rubio, Assembly Member Rubio) is someone else.
    """
    candidates = set(s.execute(select(BillAuthor.bill_id).where(
        _named(BillAuthor.name, exact or key), BillAuthor.bill_id.in_(list(bills)))).scalars())
    roles: dict[str, str] = {}
    for bill_id in sorted(candidates):
        for a in current_authors(s, bills[bill_id]):
            if a["name"].lower() != key or (house and house_name(a["house"]) not in (house, "")):
                continue
            role = "author" if a["contribution"] in (None, "", "LEAD_AUTHOR") else "coauthor"
            if roles.get(bill_id) != "author":
                roles[bill_id] = role
    return roles


_VOTE_LABEL = {"AYE": "yes", "NOE": "no", "ABS": "absent"}


def cover_page(s: Session, name: str, agenda: list[str], *, settings: Settings) -> dict[str, Any]:
    """Template context for the cover: identity, committees, authorship and votes on our bills.

    "Our bills" are the tracked bills of the configured session plus the bills on the agenda
    (an agenda may name an older bill on purpose, and then says which session it is from);
    committees come from votes in those sessions. Only roll calls of the legislator's own
    house count: the other house may have a member of the same name.
    """
    who = find_legislator(s, name, settings.session_year)
    key = who["key"].lower()
    house = who["house"]
    ours = tracked_bill_ids(s, settings.session_year) | set(agenda)
    sessions = {settings.session_year} | {b[:8] for b in agenda}
    bills = {b.bill_id: b for b in s.execute(select(Bill).where(Bill.bill_id.in_(ours))).scalars()}

    def other_session(bill_id: str) -> str:
        year = bills[bill_id].session_year
        return session_label(year) if year != settings.session_year else ""

    roles = _roles(s, key, house, bills, who["key"])
    authored = [{"measure": bills[b].measure, "title": bills[b].title or "", "role": r,
                 "on_agenda": b in agenda, "session": other_session(b)}
                for b, r in sorted(roles.items()) if b in bills]
    votes = []
    named: set[str] = set()
    unnamed: dict[str, set[str]] = defaultdict(set)  # house ('' unknown) → codes without a name
    for vote, code in s.execute(
            select(Vote, VoteMember.vote_code).join(VoteMember)
            .where(_named(VoteMember.legislator_name, who["key"]))
            .order_by(Vote.vote_date, Vote.id)).all():
        loc = vote.location_code or ""
        if house and _vote_house(loc) not in (house, ""):
            continue
        # the location table's name first: a name stored with an older roll call may be spelt
        # otherwise, and one committee would be listed twice
        place = location_name(s, vote.bill_id[:8], loc) or vote.location_name
        if loc and loc not in _FLOOR and vote.bill_id[:8] in sessions:
            if place:
                named.add(place)
            else:
                unnamed[committee_house(loc)].add(loc)
        if vote.bill_id in bills:
            votes.append({"measure": bills[vote.bill_id].measure, "date": vote.vote_date,
                          "session": other_session(vote.bill_id),
                          "where": "floor" if loc in _FLOOR else place,
                          "committee_house": committee_house(loc),
                          "house": {"AFLOOR": "Assembly", "SFLOOR": "Senate"}.get(loc, ""),
                          "vote": _VOTE_LABEL.get(code, code.lower()), "result": vote.result or "",
                          "motion": vote.motion_text or ""})
    return {
        **who,
        "committees": sorted(named),
        # committees known only by a code: said by their house and how many, never the code
        "unnamed_committees": [{"house": h, "count": len(unnamed[h])}
                               for h in ("Senate", "Assembly", "") if unnamed.get(h)],
        "authored": authored,
        "votes": votes[-30:],
        "more_votes": max(0, len(votes) - 30),
        "agenda": [{"measure": bills[b].measure, "session": other_session(b)} for b in agenda if b in bills],
    }
