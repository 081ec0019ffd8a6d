"""Hearings as advocacy staff read them in the weekly digest: dates and letter deadlines.

Staff plan position letters by hearing dates, so they are told more than members are:

- an upcoming hearing keeps its letter deadline even once it has passed, marked as passed (as
  the briefing sheet does), so staff know to call the office rather than silently miss it
  (the member alert's ``messages.hearing_view`` drops a past deadline: no use to a member);
- every hearing of a tracked bill canceled, postponed, moved to another day or back on that
  week gets one line: which bill, which committee (by name, never by code), the old and new
  day, and what became of the letter deadline.

Only policy committees take position letters on that schedule
(``phrases.is_policy_committee``): a fiscal committee or a floor session gets no deadline, in
the upcoming list or in a change line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.advocacy.facts import letter_deadline
from tracker.alerts import phrases
from tracker.alerts.story import stored_hearing
from tracker.committees import committee_text, looks_like_code, named, room_words
from tracker.db.models_core import Bill, ChangeEvent, Hearing
from tracker.i18n import translations
from tracker.queries import tracked_ids
from tracker.settings import get_settings

Gettext = Callable[[str], str]
CLOSED = ("canceled", "postponed")


def _known_name(s: Session, bill_id: str, *values: str | None) -> str:
    """The first of ``values`` that is (or the location table turns into) a committee's name;
    '' when only codes are known. A code is never shown to staff either."""
    for value in values:
        name = named(s, bill_id[:8], value) if value else None
        if name and not looks_like_code(name.strip()):
            return name
    return ""


def deadline_line(deadline: date, as_of: date, lang: str, _: Gettext) -> str:
    """'Position letter due April 15, 2025.', marked when that day is already behind us."""
    text = (_("Position letter due %(date)s (deadline passed).") if deadline < as_of
            else _("Position letter due %(date)s."))
    return text % {"date": phrases.fmt_date(deadline, lang)}


def upcoming_view(s: Session, h: Hearing, lang: str, as_of: date) -> dict[str, Any]:
    """A scheduled hearing for the staff digest: when, where, and its letter deadline, passed or
    not (``deadline_passed``), so a missed deadline is seen rather than dropped."""
    _ = translations(lang).gettext
    name = _known_name(s, h.bill_id, h.committee_name, h.committee_code)
    deadline = letter_deadline(h.hearing_date, name, get_settings())
    return {"date": phrases.fmt_date(h.hearing_date, lang),
            # an unnamed committee is said by its house ("a Senate committee")
            "committee": committee_text(name or h.committee_code, _, lang),
            "time": h.hearing_time or "", "room": room_words(h.room, _),
            "deadline": phrases.fmt_date(deadline, lang) if deadline else "",
            "deadline_passed": bool(deadline and deadline < as_of)}


def _change_kind(e: ChangeEvent) -> str | None:
    """'moved', 'closed' (canceled or postponed), 'on_again', or None for other hearing news
    (a time or room filled in, a new hearing set: the upcoming list tells those)."""
    a = e.after if isinstance(e.after, dict) else {}
    b = e.before if isinstance(e.before, dict) else {}
    if not a.get("date"):
        return None
    if e.kind == "hearing_canceled":
        return "closed"
    if e.kind == "hearing_changed" and a.get("moved_from"):
        return "moved"
    if e.kind == "hearing_changed" and a.get("status") == "scheduled" and b.get("status") in CLOSED:
        return "on_again"
    return None


def _change_line(s: Session, e: ChangeEvent, what: str, measure: str, stored: dict[tuple[str, str], list[Hearing]],
                 lang: str, as_of: date) -> str:
    """One plain line: the hearing news in the members' words, then the letter deadline."""
    _ = translations(lang).gettext
    a = dict(e.after)
    bill_id = str(e.bill_id)
    day = date.fromisoformat(str(a["date"]))
    row = stored_hearing(stored.get((bill_id, day.isoformat()), []), a)
    before = e.before if isinstance(e.before, dict) else {}
    name = _known_name(s, bill_id, a.get("committee"), before.get("committee"),
                       row.committee_name if row else None, row.committee_code if row else None)
    a["committee"] = name or a.get("committee") or before.get("committee")
    if what == "on_again":
        text = _("%(bill)s: the %(date)s hearing in %(committee)s is on again.") % {
            "bill": measure, "date": phrases.fmt_date(day, lang),
            "committee": committee_text(a["committee"], _, lang)}
    else:
        text = phrases.describe(e.kind, e.before, a, measure, lang, _, str) or ""
    deadline = letter_deadline(day, name, get_settings())
    if deadline is None:
        return text
    if what == "moved":
        # a move keeps the committee (``diff_hearings._moved_from``), so the same rule dates both
        old = letter_deadline(date.fromisoformat(str(a["moved_from"])), name, get_settings()) or deadline
        said = (_("Position-letter deadline changed from %(old)s to %(new)s (deadline passed).")
                if deadline < as_of else _("Position-letter deadline changed from %(old)s to %(new)s."))
        return f"{text} {said % {'old': phrases.fmt_date(old, lang), 'new': phrases.fmt_date(deadline, lang)}}"
    if what == "closed":
        return f"{text} " + _("The position-letter deadline of %(date)s no longer applies.") % {
            "date": phrases.fmt_date(deadline, lang)}
    return f"{text} {deadline_line(deadline, as_of, lang, _)}"


def hearing_changes(s: Session, t0: datetime, t1: datetime, lang: str, as_of: date,
                    url: Callable[[str, str], str]) -> list[dict[str, Any]]:
    """The week's canceled, postponed, moved and reinstated hearings of tracked bills, one line
    each, by bill then in the order they happened (a hearing moved twice reads as two steps).

    Told from the events, as they happened: a later line (moved again, back on) corrects an
    earlier one, as the legislature's own history does.
    """
    found = [(e, kind) for e in s.execute(select(ChangeEvent).where(
        ChangeEvent.created_at >= t0, ChangeEvent.created_at < t1,
        ChangeEvent.kind.in_(("hearing_canceled", "hearing_changed"))).order_by(ChangeEvent.id)).scalars()
        if e.bill_id and (kind := _change_kind(e))]
    followed = tracked_ids(s, sorted({str(e.bill_id) for e, _kind in found}))
    found = [(e, kind) for e, kind in found if e.bill_id in followed]
    if not found:
        return []
    bills = {b.bill_id: b for b in s.execute(select(Bill).where(Bill.bill_id.in_(followed))).scalars()}
    stored: dict[tuple[str, str], list[Hearing]] = defaultdict(list)
    for h in s.execute(select(Hearing).where(Hearing.bill_id.in_(followed))).scalars():
        stored[(h.bill_id, h.hearing_date.isoformat())].append(h)
    found.sort(key=lambda pair: (bills[str(pair[0].bill_id)].measure_type,
                                 bills[str(pair[0].bill_id)].measure_num, pair[0].id))
    out: list[dict[str, Any]] = []
    for e, kind in found:
        b = bills[str(e.bill_id)]
        out.append({"measure": b.measure, "title": b.title or "", "url": url(b.measure, lang),
                    "text": _change_line(s, e, kind, b.measure, stored, lang, as_of)})
    return out
