"""Everything a briefing sheet says about one bill, read from the database once.

Facts are gathered here (queries) and fitted to the page elsewhere (``tracker.advocacy.sheet``),
so a sheet that overflows can be re-fitted with a tighter text budget without asking the
database again. Output is plain data; dates stay ``date`` objects so each language formats them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.advocacy.positions import get_position
from tracker.alerts.phrases import is_policy_committee
from tracker.advocacy.progress import Progress, bill_progress
from tracker.advocacy.text import Changes, compare
from tracker.committees import committee_house, location_name
from tracker.db.models_core import Bill, BillAction, BillVersion, Hearing, Legislator
from tracker.errors import TrackerError
from tracker.queries import current_authors
from tracker.settings import Settings
from tracker.stages import stage_action

LEGINFO_BILL_URL = "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id={bill_id}"
LEGINFO_TEXT_URL = "https://leginfo.legislature.ca.gov/faces/billTextClient.xhtml?bill_id={bill_id}"
_CLOSED_HEARING = {"canceled", "cancelled", "heard", "postponed"}


@dataclass
class BillFacts:
    """The raw material of one sheet (before it is shortened to fit)."""

    bill_id: str
    measure: str
    title: str
    session: str
    authors: list[dict[str, Any]]
    position: dict[str, Any] | None
    progress: Progress
    status: str
    location: str
    last_action: str
    last_action_date: date | None
    introduced: date | None
    last_amended: date | None
    digest: str
    hearing: dict[str, Any] | None
    letter_deadline: date | None
    changes: Changes
    changes_from: dict[str, Any] | None
    changes_to: dict[str, Any] | None
    public_url: str
    leginfo_url: str
    text_url: str
    as_of: date
    topics: list[str] = field(default_factory=list)
    #: '1989–90' when the bill is not of the configured session (printed so nobody mistakes
    #: an old bill for this year's), '' for a bill of the configured session
    other_session: str = ""


def url_measure(measure: str) -> str:
    """'AB 13' → 'AB-13' (the public site's bill URLs)."""
    return "-".join(measure.split())


def _house_letter(house: str | None) -> str:
    return (house or "?").strip()[:1].upper()


def legislator_lookup(s: Session, session_year: str) -> dict[tuple[str, str], Legislator]:
    """Legislators by (author name, house letter); PUBINFO spells houses 'A'/'S' or in full."""
    rows = s.execute(select(Legislator).where(Legislator.session_year == session_year)).scalars()
    return {(r.author_name.lower(), _house_letter(r.house)): r for r in rows}


def session_label(session_year: str) -> str:
    """'20252026' → '2025–26', '19992000' → '1999–2000' (how sessions are written)."""
    start, end = session_year[:4], session_year[4:8]
    if len(end) != 4:
        return session_year
    return f"{start}–{end[2:]}" if start[:2] == end[:2] else f"{start}–{end}"


def district_label(district: str | None) -> str:
    """'AD67' / 'SD12' / '67' → '67' (the house is printed separately)."""
    digits = "".join(ch for ch in (district or "") if ch.isdigit())
    return str(int(digits)) if digits else ""


def authors_with_details(s: Session, bill: Bill,
                         lookup: dict[tuple[str, str], Legislator] | None = None) -> list[dict[str, Any]]:
    """Current authors with party and district when the Legislator table knows them."""
    lookup = lookup if lookup is not None else legislator_lookup(s, bill.session_year)
    out = []
    for a in current_authors(s, bill):
        house = "Assembly" if _house_letter(a["house"]) == "A" else "Senate" if _house_letter(a["house"]) == "S" else ""
        leg = lookup.get((a["name"].lower(), _house_letter(a["house"])))
        out.append({
            "name": a["name"], "house": house, "contribution": a["contribution"] or "",
            "lead": (a["contribution"] or "") in ("LEAD_AUTHOR", "") or bool(a["primary"]),
            "full_name": (leg.full_name if leg else None) or a["name"],
            "party": (leg.party if leg else None) or "",
            "district": district_label(leg.district) if leg else "",
            "known": leg is not None,
        })
    return out


def _versions(s: Session, bill_id: str) -> list[BillVersion]:
    """Oldest first. PUBINFO numbers versions downwards (99 = introduced), so sort by date."""
    rows = list(s.execute(select(BillVersion).where(BillVersion.bill_id == bill_id)).scalars())
    return sorted(rows, key=lambda v: (v.action_date or date.min, -v.version_num))


def _squeezed(text: str | None) -> str:
    """Text with every space and line break taken out, for "does it read the same?".

    Prints of one text differ in layout: the enrolled and chaptered prints re-flow the last
    amended text ('Constitution.(4)' / 'Constitution. (4)', 'funds ,allocations' /
    'funds, allocations'). Those are not amendments; only a change in the words is.
    """
    return "".join((text or "").split())


def _reads_differently(old: BillVersion, new: BillVersion) -> bool:
    """Did the bill change between two prints? Its text decides when both prints have it (the
    Legislative Counsel also polishes the digest when a bill is enrolled, which is no amendment);
    otherwise the digest does."""
    if old.full_text and new.full_text:
        return _squeezed(old.full_text) != _squeezed(new.full_text)
    return (_squeezed(old.digest) != _squeezed(new.digest)
            or _squeezed(old.full_text) != _squeezed(new.full_text))


def _changes(versions: list[BillVersion]) -> tuple[Changes, BillVersion | None, BillVersion | None]:
    """Compare the newest version with the one before it that reads differently.

    Enrolled and chaptered prints repeat the last amended text; comparing those would say
    "nothing changed", so we walk back to the last pair whose words differ (layout and
    spacing do not count), and show the digest's changes, or the text's when the digest
    reads the same.
    """
    for i in range(len(versions) - 1, 0, -1):
        new, old = versions[i], versions[i - 1]
        if not _reads_differently(old, new):
            continue
        if _squeezed(new.digest) != _squeezed(old.digest):
            return compare(old.digest, new.digest), old, new
        return compare(old.full_text, new.full_text), old, new
    return Changes(), None, None


def hearing_committee(s: Session, h: Hearing) -> str:
    """The committee's name: as the calendar gave it, else from the location table, else ''."""
    return h.committee_name or location_name(s, h.bill_id[:8], h.committee_code)


def letter_deadline(hearing_date: date, committee: str | None, settings: Settings) -> date | None:
    """When position letters are due for a hearing, or None when letters are not the ask.

    Letters go to policy committees; fiscal committees (Appropriations) and floor sessions do
    not take position letters on the same schedule, so no deadline is printed for them (the
    same rule as the member and staff digests, ``tracker.alerts.phrases.is_policy_committee``).
    """
    if not is_policy_committee(committee):
        return None
    return hearing_date - timedelta(days=settings.alerts.letter_deadline_days)


def next_hearing(s: Session, bill_id: str, as_of: date) -> dict[str, Any] | None:
    """The first hearing on or after ``as_of`` that has not been heard, canceled or postponed."""
    rows = s.execute(select(Hearing).where(Hearing.bill_id == bill_id, Hearing.hearing_date >= as_of)
                     .order_by(Hearing.hearing_date)).scalars()
    for h in rows:
        if h.status not in _CLOSED_HEARING:
            name = hearing_committee(s, h)
            # No raw code on paper: an unnamed committee is said by its house in the template.
            return {"date": h.hearing_date, "committee": name, "committee_name": name,
                    "committee_house": "" if name else committee_house(h.committee_code),
                    "time": h.hearing_time or "", "room": h.room or "", "status": h.status}
    return None


def _version_ref(v: BillVersion | None) -> dict[str, Any] | None:
    return {"date": v.action_date, "action": v.action or ""} if v else None


def bill_facts(s: Session, bill_id: str, settings: Settings, as_of: date,
               lookup: dict[tuple[str, str], Legislator] | None = None) -> BillFacts:
    """Read one bill's facts; ``as_of`` decides which hearing is "next" and is printed."""
    bill = s.get(Bill, bill_id)
    if bill is None:
        raise TrackerError(f"unknown bill {bill_id!r}")
    versions = _versions(s, bill_id)
    latest = versions[-1] if versions else None
    history = list(s.execute(select(BillAction.stage, BillAction.action).where(BillAction.bill_id == bill_id)
                             .order_by(BillAction.sort_key)).tuples())
    action_stages = [stage for stage, _text in history]
    amended = [v.action_date for v in versions if (v.action or "").lower().startswith("amended")]
    changes, old, new = _changes(versions)
    hearing = next_hearing(s, bill_id, as_of)
    deadline = (letter_deadline(hearing["date"], hearing["committee_name"], settings)
                if hearing else None)
    base = settings.public_base_url.rstrip("/")
    return BillFacts(
        bill_id=bill_id, measure=bill.measure,
        title=bill.title or (latest.subject if latest else None) or bill.subject or "",
        session=bill.session_year,
        authors=authors_with_details(s, bill, lookup),
        position=get_position(s, bill_id),
        progress=bill_progress(bill.stage, bill.measure_type, bill.current_house, action_stages,
                               stage_action(history, bill.stage)),
        status=bill.current_status or "",
        location=location_name(s, bill.session_year, bill.current_location),
        last_action=" ".join((bill.last_action or "").split()), last_action_date=bill.last_action_date,
        introduced=versions[0].action_date if versions else None,
        last_amended=max((d for d in amended if d), default=None),
        digest=(latest.digest if latest else None) or "",
        hearing=hearing, letter_deadline=deadline,
        changes=changes, changes_from=_version_ref(old), changes_to=_version_ref(new),
        public_url=f"{base}/bills/{url_measure(bill.measure)}",
        leginfo_url=LEGINFO_BILL_URL.format(bill_id=bill_id),
        text_url=LEGINFO_TEXT_URL.format(bill_id=bill_id),
        as_of=as_of, topics=list(bill.topics or []),
        other_session=session_label(bill.session_year) if bill.session_year != settings.session_year else "",
    )
