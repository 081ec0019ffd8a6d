"""One bill's changes told as a story: what happened in time order, and how things stand now.

A daily or weekly digest gathers every change event of its period. Replayed one by one they
contradict each other ("moved from on the floor to in committee", then "from in committee to
passed committee", then back; two hearings set, one canceled, one moved), so a member cannot
tell where the bill is. Here a bill's events are ordered by when they happened (by poll, and
within one poll what matters most first), stage moves fold into one (from the first "before" to
the last "after"), and each hearing is told once, as it stands now (the stored hearing row is
the present; the events only say which hearings this message is about).
"""

from __future__ import annotations

from collections.abc import Callable
import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.alerts import phrases
from tracker.alerts.kinds import HEARING_KINDS
from tracker.committees import committee_key, looks_like_code, named, same_committee, with_committee_name
from tracker.db.models_core import Bill, ChangeEvent, Hearing
from tracker.queries import event_stage_action
from tracker.stages import measure_kind

Gettext = Callable[[str], str]

#: A bill in one of these stages is over: no hearing to attend, no letter to send.
ENDED_STAGES: tuple[str, ...] = ("chaptered", "vetoed", "withdrawn", "failed")
#: Kinds where only the latest event still says something true (a later one replaces it).
_LATEST_ONLY: dict[str, str] = {"status_changed": "status", "title_changed": "title",
                                "became_relevant": "relevance", "no_longer_relevant": "relevance"}
_FLOORS = ("AFLOOR", "SFLOOR")
#: Where a bill that passed its house went, as the legislature's action text names it.
_TO_HOUSE = re.compile(r"\bordered to the (senate|assembly)\b|^in (senate|assembly)\.", re.IGNORECASE)
#: Stage moves that leave a house's floor for a committee: the bill crossed to the other house
#: when a "passed" action was stored with them (else it was sent back to a committee).
_LEFT_FLOOR = ("floor", "passed_house")
_TO_COMMITTEE = ("in_committee", "introduced")
#: Stages past both houses: a "passed one house" right before one of them crossed nowhere.
_PAST_BOTH_HOUSES = ("enrolled", "to_governor", "chaptered", "vetoed")
_CONCURRED = re.compile(r"\bconcurr", re.IGNORECASE)


def in_time_order(events: list[ChangeEvent]) -> list[ChangeEvent]:
    """Events by the poll that found them (earliest first), and within one poll by importance.

    Event ids grow with time; the events of one poll carry one ``source_run_id``, and the order
    inside a poll is ``phrases.ORDER`` (the stage before its hearing, amendments after).
    """
    first: dict[int, int] = {}
    for e in sorted(events, key=lambda e: e.id):
        if e.source_run_id is not None:
            first.setdefault(e.source_run_id, e.id)

    def key(e: ChangeEvent) -> tuple[int, int, int]:
        when = first.get(e.source_run_id, e.id) if e.source_run_id is not None else e.id
        return (when, phrases.ORDER.get(e.kind, 99), e.id)

    return sorted(events, key=key)


def now_line(s: Session, bill: Bill | None, measure: str, _: Gettext) -> str:
    """"Where it stands now: in committee." from the bill's current stage ('' when unknown).

    "Passed one house" would be wrong after the second house or a concurrence, and "on hold"
    wrong for a bill on the inactive file, so those two stages are told from the action that
    set them."""
    stage = bill.stage if bill is not None else None
    if not stage or stage == "other" or stage not in phrases.STAGE_WORDS:
        return ""
    kind_of = measure_kind(measure)
    action = (event_stage_action(s, bill.bill_id, stage, None)
              if bill is not None and stage in ("passed_house", "two_year") else None)
    passage = phrases.passage_text(action, measure) if stage == "passed_house" else None
    if passage is not None:
        words = _(passage[0])
    elif stage == "two_year" and (parked := phrases.two_year_text(action)) is not None:
        words = _(parked[0])
    elif stage == "chaptered" and kind_of == "resolution":
        words = _("adopted")
    elif stage == "chaptered" and kind_of == "amendment":
        words = _("passed by both houses; it goes to the voters")
    else:
        words = phrases.stage_words(stage, _)
    return _("Where it stands now: %(stage)s.") % {"stage": words}


def sentences(s: Session, bill_id: str, measure: str, events: list[ChangeEvent], lang: str, _: Gettext,
              topic_names: Callable[[list[str]], str], today: date,
              stored: dict[str, list[Hearing]]) -> list[str]:
    """Plain sentences for one bill's events (already ``in_time_order``), folded as the module
    docstring says; ``stored``: the bill's hearings by day (ISO date), as they stand now."""
    session = bill_id[:8]
    kinds = {e.kind for e in events}
    stage_moves = [e for e in events if e.kind == "stage_changed"]
    latest: dict[str, ChangeEvent] = {}
    for e in events:
        if e.kind in _LATEST_ONLY:
            latest[_LATEST_ONLY[e.kind]] = e
    hearings = _hearing_story(events, stored, today)
    out: list[str] = []

    def say(kind: str, before: Any, after: Any, action: str | None = None) -> None:
        text = phrases.describe(kind, before, after, measure, lang, _, topic_names, action=action)
        if text and text not in out:
            out.append(text)

    for e in events:
        if e.kind == "stage_changed":
            if e is not stage_moves[-1]:
                continue  # told once, at the last move, from where it was to where it went
            action = event_stage_action(s, bill_id, str(e.after), e.created_at)
            told = e.after == "passed_house" and phrases.passage_text(action, measure) is not None
            passed, before = _milestones(s, bill_id, measure, stage_moves, _, _committee_vote_passed(events), told)
            for text in passed:
                if text not in out:
                    out.append(text)
            after = e.after
            if before == after and not told:
                continue  # it went back where it was: the "now" line says where that is
            say(e.kind, before, after, action)
        elif e.kind in HEARING_KINDS:
            for kind, before, after in hearings.get(e.id, []):
                say(kind, before, with_committee_name(s, session, after))
        elif e.kind in _LATEST_ONLY:
            if latest.get(_LATEST_ONLY[e.kind]) is not e:
                continue
            if e.kind == "status_changed" and kinds & {"stage_changed", "new_action"}:
                continue  # the stage sentence and the official actions already say it
            say(e.kind, e.before, e.after)
        elif e.kind == "vote_recorded":
            say(e.kind, e.before, _vote_with_place(s, session, e.after))
        else:
            say(e.kind, e.before, with_committee_name(s, session, e.after))
    return out


def _committee_vote_passed(events: list[ChangeEvent]) -> bool:
    """A passing committee roll call is in these events: its sentence names the committee."""
    for e in events:
        a = e.after if isinstance(e.after, dict) else {}
        if (e.kind == "vote_recorded" and str(a.get("result") or "").strip("() ").lower().startswith("pass")
                and str(a.get("location") or "").strip().upper() not in ("", *_FLOORS)):
            return True
    return False


def _milestones(s: Session, bill_id: str, measure: str, moves: list[ChangeEvent],
                _: Gettext, vote_told: bool = False, last_told: bool = False) -> tuple[list[str], Any]:
    """What a member must not lose when stage moves fold: each committee the bill passed and each
    time it passed a house and went to the other, in order, as plain sentences; and the stage
    the remaining fold starts from (after the last milestone, else the first "before").

    Only true back-and-forth with nothing passed in between folds away. Leaving the floor for a
    committee is a crossing only when a "passed" action was stored with these moves (its text
    names the house the bill went to); otherwise the bill was sent back to a committee.
    ``vote_told``: a passing committee vote is already told (naming the committee), so passing
    a committee needs no second sentence. ``last_told``: the last move's own sentence says which
    house passed the bill and where it goes ("passed the Senate too"), so it gets no milestone.
    """
    crossings = _crossings(s, bill_id, moves)
    out: list[str] = []
    start: Any = moves[0].before
    prev: Any = moves[0].before
    for i, m in enumerate(moves):
        cur = m.after
        nxt = moves[i + 1].after if i + 1 < len(moves) else None
        if cur == "passed_house" and nxt in _PAST_BOTH_HOUSES:
            pass  # its last passage (or a concurrence): "passed both houses" follows and says it
        elif cur == "passed_house" and i + 1 == len(moves) and last_told:
            pass  # the stage sentence tells this passage itself
        elif cur == "passed_committee" and prev != "passed_committee":
            if not vote_told:
                out.append(_("%(bill)s passed a committee vote.") % {"bill": measure})
            start = cur
        elif (cur == "passed_house" and prev != "passed_house") or (
                prev in _LEFT_FLOOR and cur in _TO_COMMITTEE and crossings):
            to = crossings.pop(0) if crossings else ""
            if (prev == "passed_house" and not to) or (not to and _one_house(measure)):
                # told already; or a House or Senate resolution, adopted by its one house, goes
                # nowhere else (the stage sentence says it passed)
                prev = cur
                continue
            out.append(_("%(bill)s passed the Assembly and went to the Senate.") if to == "senate" else
                       _("%(bill)s passed the Senate and went to the Assembly.") if to == "assembly" else
                       _("%(bill)s passed one house and went to the other house."))
            out[-1] = out[-1] % {"bill": measure}
            start = cur
        prev = cur
    return out, start


def _one_house(measure: str) -> bool:
    """HR and SR are resolutions of one house: adopting them there is the whole journey."""
    return measure.split(" ", 1)[0].upper() in ("HR", "SR")


def _crossings(s: Session, bill_id: str, moves: list[ChangeEvent]) -> list[str]:
    """The houses ("senate"/"assembly") this bill went to by passing a house, from the actions
    the same polls as these stage moves found new (their ``new_action`` events). Actions stored
    by time were no guide: an earlier poll minutes before (the first import, which tells no
    action) would lend its old passages to a bill that was only sent back to a committee."""
    runs = {m.source_run_id for m in moves if m.source_run_id is not None}
    if not runs:
        return []
    found = [e.after for e in s.execute(select(ChangeEvent).where(
        ChangeEvent.bill_id == bill_id, ChangeEvent.kind == "new_action",
        ChangeEvent.source_run_id.in_(runs)).order_by(ChangeEvent.id)).scalars()]
    passed = sorted((a for a in found if isinstance(a, dict) and a.get("stage") == "passed_house"),
                    key=lambda a: str(a.get("date") or ""))  # stable: same-day passages keep their order
    rows = [str(a.get("action") or "") for a in passed]
    out: list[str] = []
    for text in rows:
        if _CONCURRED.search(str(text)):
            continue  # agreeing to the other house's amendments sends the bill nowhere new
        m = _TO_HOUSE.search(" ".join(str(text).split()))
        to = (m.group(1) or m.group(2)).lower() if m else ""
        if to and (not out or out[-1] != to):  # "Ordered to the Senate" then "In Senate." is one crossing
            out.append(to)
        elif not to and not out:
            out.append("")
    return out


def hearings_now(events: list[ChangeEvent], stored: dict[str, list[Hearing]],
                 today: date) -> list[tuple[str, Any, dict[str, Any]]]:
    """The hearings these events touch, each once and as its stored row stands now: what a
    subject line may name (a hearing set and then canceled or postponed is no "hearing set")."""
    return [item for items in _hearing_story(events, stored, today).values() for item in items]


def _vote_with_place(s: Session, session: str, after: Any) -> Any:
    """A roll call's ``after`` with its committee's name (from the location code) added."""
    if not isinstance(after, dict):
        return after
    code = str(after.get("location") or "").strip()
    if not code or code.upper() in _FLOORS:
        return after
    name = named(s, session, code)
    return after | {"committee": name} if name and not looks_like_code(name) else after


def _committee_of(after: dict[str, Any]) -> tuple[str | None, str | None]:
    """An event's committee as (code, name): events carry whichever the source gave."""
    value = str(after.get("committee") or "").strip()
    return (value, None) if looks_like_code(value) else (None, value or None)


def stored_hearing(rows: list[Hearing], after: dict[str, Any]) -> Hearing | None:
    """The stored hearing an event is about, among that day's: its committee's, else the day's
    only one (one bill can be heard by two committees on one day)."""
    code, name = _committee_of(after)
    value = code or name
    mine = [h for h in rows if value in (h.committee_name, h.committee_code)
            or same_committee(h.committee_code, h.committee_name, code, name)]
    if len(mine) == 1:
        return mine[0]
    return rows[0] if len(rows) == 1 else None


def _which(stored: dict[str, list[Hearing]], day: str, after: dict[str, Any]) -> str:
    """Which of a day's hearings an event is about: '' when the day has one hearing (sources
    name its committee differently: 'CS44', 'Senate Health'), else the stored row it matches
    (or its committee's name)."""
    rows = stored.get(day, [])
    if len(rows) <= 1:
        return ""
    row = stored_hearing(rows, after)
    return f"#{row.id}" if row is not None else committee_key(" ".join(x for x in _committee_of(after) if x))


def _hearing_story(events: list[ChangeEvent], stored: dict[str, list[Hearing]],
                   today: date) -> dict[int, list[tuple[str, Any, dict[str, Any]]]]:
    """Each hearing these events touch, once, as it stands now, keyed by the id of the last
    event about it (where it is told): (kind, before, after) to describe.

    A hearing is a day and a committee (Health in the morning, Judiciary in the afternoon are
    two hearings, each told). A hearing moved from one day to another is one hearing (told as
    the move from its first day, or as set for its new day when it was first set within these
    events); a hearing set and then canceled is told as canceled; days already past are left
    out (nothing to attend), as are hearings that took place.
    """
    chains: dict[tuple[str, str], dict[str, Any]] = {}  # (day it is on now, committee) → what we know
    for e in events:
        if e.kind not in HEARING_KINDS or not isinstance(e.after, dict) or not e.after.get("date"):
            continue
        after = dict(e.after)
        day = str(after["date"])
        moved_from = after.pop("moved_from", None)
        rec = chains.pop((str(moved_from) if moved_from else day, _which(stored, str(moved_from or day), after)), None)
        if rec is None:
            rec = {"first": str(moved_from or day), "set": e.kind == "hearing_set", "moved": False,
                   "before": e.before, "kind": e.kind}
        rec["moved"] = rec["moved"] or bool(moved_from)
        rec["after"], rec["last"] = after, e.id
        if e.kind != "hearing_canceled":
            rec["kind"] = e.kind
        chains[(day, _which(stored, day, after))] = rec
    told: dict[int, list[tuple[str, Any, dict[str, Any]]]] = {}
    for (day, _who), rec in chains.items():
        if day < today.isoformat():
            continue
        after = dict(rec["after"])
        h = stored_hearing(stored.get(day, []), after)
        if h is not None:  # the stored row is how the hearing stands now
            after.update(status=h.status, time=h.hearing_time or after.get("time"),
                         room=h.room or after.get("room"),
                         committee=h.committee_name or h.committee_code or after.get("committee"))
        status = after.get("status") or "scheduled"
        if status in ("canceled", "postponed"):
            item: tuple[str, Any, dict[str, Any]] = ("hearing_canceled", rec["before"], after)
        elif status != "scheduled":
            continue  # heard: the votes and the stage tell what came of it
        elif rec["set"]:  # first heard of here: where it is now is the news, not its moves
            item = ("hearing_set", None, after)
        elif rec["moved"]:
            item = ("hearing_changed", rec["before"], after | {"moved_from": rec["first"]})
        else:
            item = ("hearing_changed", rec["before"], after)
        told.setdefault(rec["last"], []).append(item)
    return told
