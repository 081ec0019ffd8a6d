"""Change events in plain words, in the reader's language.

Events carry machine data (kinds, stage ids, before/after); members need sentences such as
"AB 13 was amended" or "Hearing set for April 9 in Senate Health". Every fixed string goes
through gettext (Spanish in ``tracker/locale/es/LC_MESSAGES/alerts.po``); bill titles, committee
names and official action text stay as published.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from babel.dates import format_date

from tracker.alerts.kinds import OUTCOME_STAGES
from tracker.committees import committee_name, committee_text, looks_like_code, room_words
from tracker.i18n import translations
from tracker.stages import (BOTH_HOUSES, FIRST_HOUSE, SECOND_HOUSE, concurrence_pending, died_at_deadline,
                            house_passage, measure_kind, on_inactive_file, origin_house)

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet."""
    return message


#: Where a bill stands, in a few plain words.
STAGE_WORDS: dict[str, str] = {
    "introduced": N_("introduced"),
    "in_committee": N_("in committee"),
    "passed_committee": N_("passed committee"),
    "amended": N_("being amended"),
    "floor": N_("on the floor"),
    "passed_house": N_("passed the Assembly or Senate"),
    "enrolled": N_("passed both houses"),
    "to_governor": N_("on the Governor's desk"),
    "chaptered": N_("signed into law"),
    "vetoed": N_("vetoed"),
    "held_in_committee": N_("held in committee"),
    "failed": N_("voted down"),
    "two_year": N_("on hold"),
    "withdrawn": N_("withdrawn"),
    "other": N_("unchanged"),
}

#: What the new stage means for the reader.
STAGE_MEANING: dict[str, str] = {
    "introduced": N_("The bill is new and waits to be sent to a committee."),
    "in_committee": N_("A committee will study the bill and may vote on it."),
    "passed_committee": N_("A committee voted yes, so the bill moves to its next step."),
    "amended": N_("The author changed the bill's text."),
    "floor": N_("The whole Assembly or Senate can now vote on it."),
    # said only when the action that set the stage is not known: true in all three situations
    # (see ``passage_meaning`` for the words that fit each one)
    "passed_house": N_("The whole Assembly or Senate voted yes."),
    "enrolled": N_("Both houses passed it. It goes to the Governor next."),
    "to_governor": N_("The Governor will now sign it or veto it."),
    "held_in_committee": N_("The committee did not move it forward. This usually stops a bill for the year."),
    "failed": N_("The vote failed. The bill stops unless it gets another vote."),
    # True in both years of a session: a first-year bill parked now can move again next January;
    # one stopped by a second-year deadline is over.
    "two_year": N_("The bill is stalled. It can move again only in January of the session's second year; "
                   "otherwise it stops here."),
    "withdrawn": N_("The bill was withdrawn and will not move forward."),
    "vetoed": N_("The Governor said no, so it does not become law unless both houses vote to override "
                 "the veto, which is rare."),
}

#: A ``two_year`` bill on the inactive file is not parked until January: it was set aside on the
#: floor and can be brought back any day. (label, event sentence, meaning)
INACTIVE_FILE_TEXT: tuple[str, str, str] = (
    N_("On the inactive file"),
    N_("%(bill)s is now on the inactive file."),
    N_("It was set aside before a floor vote. It can be brought back for a vote at any time."),
)
#: A ``two_year`` bill that died (Joint Rule 56, a second-year deadline, the session's end) is
#: not parked: it is dead for the session (tracker.stages.died_at_deadline).
DEAD_TEXT: tuple[str, str, str] = (
    N_("Stopped for this session"),
    N_("%(bill)s has stopped for this session."),
    N_("It missed a deadline, or the session ended, so it cannot move again this session. "
       "Its ideas can come back only in a new bill."),
)


_OFF_INACTIVE = re.compile(r"\bfrom (?:the )?inactive file", re.IGNORECASE)


_SUSPENSE = re.compile(r"\bplaced on (?:appr\.? |the )?suspense file", re.IGNORECASE)
_RE_REFERRED = re.compile(r"\bre-?referred to com", re.IGNORECASE)


def _action_sentence(action: str, measure: str, _: Gettext) -> str | None:
    """A plain sentence for an official action that moves no stage but matters to a reader,
    so an alert never holds only the Legislature's words ("Placed on APPR. suspense file.")."""
    if _SUSPENSE.search(action):
        return _("%(bill)s was put on the Appropriations Committee's “suspense file”. That committee "
                 "decides on all bills that cost money on one day, and many bills stop there.") % {"bill": measure}
    if _RE_REFERRED.search(action):
        return _("%(bill)s was sent on to another committee, which will study it next.") % {"bill": measure}
    return None


def two_year_text(action: str | None) -> tuple[str, str, str] | None:
    """The words for a ``two_year`` bill whose setting action tells more than "parked": on the
    inactive file, or dead for the session; None for a bill parked until January."""
    if on_inactive_file(action):
        return INACTIVE_FILE_TEXT
    if died_at_deadline(action):
        return DEAD_TEXT
    return None


#: ``passed_house`` covers three situations (tracker.stages.house_passage); per situation and
#: house of origin: (short label, the sentence an event is told with, what it means next).
PASSAGE_TEXT: dict[tuple[str, str], tuple[str, str, str]] = {
    (FIRST_HOUSE, "Assembly"): (N_("Passed the Assembly"), N_("%(bill)s passed the Assembly."),
                                N_("Now the Senate will look at it.")),
    (FIRST_HOUSE, "Senate"): (N_("Passed the Senate"), N_("%(bill)s passed the Senate."),
                              N_("Now the Assembly will look at it.")),
    (SECOND_HOUSE, "Assembly"): (N_("Passed the Senate too"), N_("%(bill)s passed the Senate too."),
                                 N_("It goes back to the Assembly. If the Senate changed it, "
                                    "the Assembly must agree to the changes.")),
    (SECOND_HOUSE, "Senate"): (N_("Passed the Assembly too"), N_("%(bill)s passed the Assembly too."),
                               N_("It goes back to the Senate. If the Assembly changed it, "
                                  "the Senate must agree to the changes.")),
    (BOTH_HOUSES, "Assembly"): (N_("Passed both houses"), N_("%(bill)s passed both houses."),
                                N_("Next it goes to the Governor.")),
    (BOTH_HOUSES, "Senate"): (N_("Passed both houses"), N_("%(bill)s passed both houses."),
                              N_("Next it goes to the Governor.")),
}


def passage_text(action: str | None, measure: str) -> tuple[str, str, str | None] | None:
    """(label, event sentence, meaning) msgids for a bill that stands at ``passed_house`` because
    of ``action``, or None when the action does not say which situation it is. Only a bill goes
    to the Governor: a resolution or constitutional amendment that passed both houses gets no
    "next" sentence."""
    passage = house_passage(action, measure)
    if passage is None:
        return None
    label, sentence, meaning = PASSAGE_TEXT[(passage, origin_house(measure))]
    if passage == BOTH_HOUSES and measure_kind(measure) != "bill":
        return label, sentence, None
    return label, sentence, meaning


def stage_meaning(stage: str | None, measure: str, action: str | None = None) -> str | None:
    """What a stage means for the reader (msgid), for the situation ``action`` (the action that
    set the stage) describes where the stage covers several."""
    if stage == "passed_house":
        known = passage_text(action, measure)
        if known is not None:
            return known[2]
    if stage == "two_year" and (parked := two_year_text(action)) is not None:
        return parked[2]
    if stage == "floor" and concurrence_pending(action) and measure_kind(measure) == "bill":
        return N_("If it accepts the changes, the bill goes to the Governor.")
    if stage == "enrolled" and measure_kind(measure) != "bill":  # "goes to the Governor" is untrue
        return None
    return STAGE_MEANING.get(stage or "")


#: Subject lines for a change of stage (signed and vetoed have their own). "Moved forward" only
#: where it is true: a bill held, voted down, withdrawn or sent back to committee did not.
STAGE_HEADLINES: dict[str, str] = {
    "passed_committee": N_("%(bill)s moved forward"),
    "passed_house": N_("%(bill)s moved forward"),
    "enrolled": N_("%(bill)s moved forward"),
    "to_governor": N_("%(bill)s moved forward"),
    "held_in_committee": N_("%(bill)s was held in committee"),
    "failed": N_("%(bill)s was voted down"),
    "withdrawn": N_("%(bill)s was withdrawn"),
    "two_year": N_("%(bill)s is on hold"),
    "introduced": N_("%(bill)s is now %(stage)s"),
    "in_committee": N_("%(bill)s is now %(stage)s"),
    "amended": N_("%(bill)s is now %(stage)s"),
    "floor": N_("%(bill)s is now %(stage)s"),
}

#: The legislature's official status values (BILL_TBL ``current_status``), for readers of other
#: languages: the English value is shown as published, a translation where we know the value.
#: Translated with the context "official status" (``pgettext``), so they never collide with
#: the same English words elsewhere. An unknown value is not shown raw to a Spanish reader.
OFFICIAL_STATUSES: tuple[str, ...] = (
    "Introduced", "Pending Referral", "In Committee Process", "In Floor Process", "Enrolled",
    "Chaptered", "Vetoed", "Died", "Failed", "Vetoed - Override Failed",
)
STATUS_CONTEXT = "official status"

#: Order in which events of one bill are told: what matters most first.
ORDER: dict[str, int] = {
    "stage_changed": 0, "new_bill": 1, "became_relevant": 2, "hearing_set": 3,
    "hearing_changed": 4, "hearing_canceled": 5, "new_version": 6, "vote_recorded": 7,
    "title_changed": 8, "no_longer_relevant": 9, "status_changed": 10, "new_action": 11,
}


def fmt_date(value: str | date | None, lang: str) -> str:
    """'April 9, 2025' / '9 de abril de 2025'; empty when unknown."""
    if not value:
        return ""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(d, format="long", locale=lang)


def stage_words(stage: str | None, _: Gettext) -> str:
    return _(STAGE_WORDS.get(stage or "", N_("unknown")))


def is_policy_committee(name: str | None) -> bool:
    """Position letters matter for policy committees; fiscal ones and floor sessions differ."""
    low = (name or "").lower()
    return bool(low) and "appropriations" not in low and "appr." not in low and "floor" not in low


def details_added(kind: str, before: Any, after: Any) -> bool:
    """A hearing we knew without a time or room that now has them: news, but nothing "changed".

    The bulk data and "Set for hearing" actions give no time or room; the hearing calendar
    fills them in days later. Telling members "the hearing changed" would send them looking for
    a change that never happened.
    """
    if kind != "hearing_changed" or not isinstance(before, dict) or not isinstance(after, dict):
        return False
    if after.get("moved_from"):
        return False
    return (not before.get("time") and not before.get("room")
            and before.get("status") == after.get("status") == "scheduled")


def _hearing(measure: str, kind: str, before: Any, after: dict[str, Any], lang: str, _: Gettext) -> str:
    when = fmt_date(after.get("date"), lang)
    where = committee_text(after.get("committee"), _, lang)  # never a bare code such as 'CS61'
    if kind == "hearing_changed" and after.get("moved_from"):
        text = _("%(bill)s: the hearing in %(committee)s moved from %(old)s to %(date)s.")
    elif details_added(kind, before, after):
        text = _("%(bill)s: the time and place of the %(date)s hearing in %(committee)s are now known.")
    elif kind == "hearing_set":
        text = _("%(bill)s: hearing set for %(date)s in %(committee)s.")
    elif kind == "hearing_canceled" and after.get("status") == "postponed":
        text = _("%(bill)s: the %(date)s hearing in %(committee)s was postponed.")
    elif kind == "hearing_canceled":
        text = _("%(bill)s: the %(date)s hearing in %(committee)s was canceled.")
    else:
        text = _("%(bill)s: the %(date)s hearing in %(committee)s changed.")
    out = text % {"bill": measure, "date": when, "committee": where,
                  "old": fmt_date(after.get("moved_from"), lang)}
    extra = ", ".join(str(x) for x in (after.get("time"), room_words(after.get("room"), _)) if x)
    if extra and kind != "hearing_canceled":
        out += " " + _("Time and place: %(where)s.") % {"where": extra}
    return out


def official_status(status: str, lang: str) -> str | None:
    """The legislature's status value in the reader's language, or None when we cannot say it.

    English readers see it as published. For others, only values we have translated: a raw
    English phrase such as "In Floor Process" inside a Spanish sentence reads as jargon.
    """
    if lang == "en":
        return status
    key = next((k for k in OFFICIAL_STATUSES if k.lower() == status.strip().lower()), None)
    if key is None:
        return None
    text = translations(lang).pgettext(STATUS_CONTEXT, key)
    return text if text != key else None


def vote_place(after: dict[str, Any], _: Gettext, lang: str = "en") -> str:
    """Where a roll call was taken, as words after "a vote": "in the Senate Health Committee",
    "on the Senate floor", "in a Senate committee"; '' when the event does not say.

    ``after["location"]`` is the legislature's code (``SFLOOR``, ``CS61``); ``after["committee"]``
    the committee's name when the location table knows it (``messages.bill_blocks`` adds it).
    A code is never shown: a member cannot look it up.
    """
    code = str(after.get("location") or "").strip().upper()
    if code == "SFLOOR":
        return _("on the Senate floor")
    if code == "AFLOOR":
        return _("on the Assembly floor")
    name = str(after.get("committee") or "").strip()
    if name and not looks_like_code(name):
        if committee_name(name, lang) != name:  # "en el Comité de Salud del Senado"
            return _("in %(committee)s") % {"committee": committee_text(name, _, lang)}
        if "committee" in name.lower():
            return _("in the %(committee)s") % {"committee": name}
        return _("in the %(committee)s Committee") % {"committee": name}
    if code:
        return _("in %(committee)s") % {"committee": committee_text(code, _)}
    return ""


def describe(kind: str, before: Any, after: Any, measure: str, lang: str, _: Gettext,
             topic_names: Callable[[list[str]], str], action: str | None = None) -> str | None:
    """One plain sentence for one event, or None when there is nothing worth saying.

    ``action``: for a stage change, the official action that set the new stage, when the caller
    knows it: "passed one house" covers a first passage, a second one and a concurrence, and
    only the action tells which.
    """
    a = after if isinstance(after, dict) else {}
    if kind == "stage_changed" and after == "passed_house" and action:
        known = passage_text(action, measure)
        if known is not None:
            _label, sentence, meaning = known
            text = _(sentence) % {"bill": measure}
            return f"{text} {_(meaning)}" if meaning else text
    if kind == "stage_changed" and after == "two_year" and (parked := two_year_text(action)) is not None:
        return f"{_(parked[1]) % {'bill': measure}} {_(parked[2])}"
    if kind == "stage_changed" and after == "floor" and (back := concurrence_pending(action)):
        text = (_("%(bill)s is back in the Assembly for a vote on the Senate's changes.") if back == "Assembly"
                else _("%(bill)s is back in the Senate for a vote on the Assembly's changes."))
        meaning = stage_meaning("floor", measure, action)
        return f"{text % {'bill': measure}} {_(meaning)}" if meaning else text % {"bill": measure}
    if kind == "stage_changed" and before == "two_year" and after == "floor" and _OFF_INACTIVE.search(action or ""):
        return _("%(bill)s was taken off the inactive file. It can now get a vote of the whole house.") % {
            "bill": measure}
    if kind == "stage_changed":
        kind_of = measure_kind(measure)
        if after == "chaptered" and kind_of != "bill":
            return (_("%(bill)s was adopted: both houses passed it, and it was filed with the Secretary of State.")
                    if kind_of == "resolution" else
                    _("%(bill)s passed both houses. It goes to the voters at a statewide election.")) % {"bill": measure}
        if after in OUTCOME_STAGES:
            return (_("%(bill)s was signed into law by the Governor.") if after == "chaptered"
                    else _("%(bill)s was vetoed by the Governor.")) % {"bill": measure}
        if before == "passed_house":  # which house passed it was told then: "passed the Assembly or Senate" is vaguer
            text = _("%(bill)s is now “%(stage)s”.") % {"bill": measure, "stage": stage_words(after, _)}
        else:
            text = _("%(bill)s moved from “%(before)s” to “%(after)s”.") % {
                "bill": measure, "before": stage_words(before, _), "after": stage_words(after, _)}
        meaning = stage_meaning(str(after), measure)
        return f"{text} {_(meaning)}" if meaning else text
    if kind == "new_action":
        return _action_sentence(str(a.get("action") or ""), measure, _)
    if kind == "new_bill":
        return _("%(bill)s is a new bill. Its topics: %(topics)s.") % {
            "bill": measure, "topics": topic_names(list(a.get("topics") or []))}
    if kind == "became_relevant" and a.get("reason") == "topics_changed":  # staff edited the topic list
        if a.get("watched") and not a.get("topics"):
            return _("%(bill)s is now on our watch list.") % {"bill": measure}
        return _("%(bill)s is now one of the bills we follow. Its topics: %(topics)s.") % {
            "bill": measure, "topics": topic_names(list(a.get("topics") or []))}
    if kind == "no_longer_relevant" and a.get("reason") == "topics_changed":
        return _("%(bill)s is no longer one of the bills we follow (we changed our list of topics).") % {
            "bill": measure}
    if kind == "became_relevant":
        text = (_("Going by its bill text, %(bill)s is one of the bills we follow. Its topics: %(topics)s.")
                if a.get("backfill")
                else _("%(bill)s was changed and is now one of the bills we follow. Its topics: %(topics)s."))
        return text % {"bill": measure, "topics": topic_names(list(a.get("topics") or []))}
    if kind == "no_longer_relevant":
        return _("%(bill)s no longer seems to touch behavioral health after its latest changes.") % {
            "bill": measure}
    if kind in ("hearing_set", "hearing_changed", "hearing_canceled"):
        return _hearing(measure, kind, before, a, lang, _)
    if kind == "new_version":
        when = fmt_date(a.get("date"), lang)
        return (_("%(bill)s was amended on %(date)s (its text changed).") if when
                else _("%(bill)s was amended (its text changed).")) % {"bill": measure, "date": when}
    if kind == "title_changed":
        return _("%(bill)s has a new title: %(title)s") % {"bill": measure, "title": after}
    if kind == "vote_recorded":
        # Which vote: "passed a vote" alone reads as the bill passing, when it was one committee.
        result = str(a.get("result") or "").strip("() ").lower()  # the bulk data writes "(PASS)"
        where = vote_place(a, _, lang)
        if where:
            text = (_("%(bill)s passed a vote %(where)s (%(ayes)s yes, %(noes)s no).") if result.startswith("pass")
                    else _("%(bill)s failed a vote %(where)s (%(ayes)s yes, %(noes)s no).") if result.startswith("fail")
                    else _("A vote on %(bill)s was recorded %(where)s (%(ayes)s yes, %(noes)s no)."))
        else:
            text = (_("%(bill)s passed a vote (%(ayes)s yes, %(noes)s no).") if result.startswith("pass")
                    else _("%(bill)s failed a vote (%(ayes)s yes, %(noes)s no).") if result.startswith("fail")
                    else _("A vote on %(bill)s was recorded (%(ayes)s yes, %(noes)s no)."))
        return text % {"bill": measure, "where": where, "ayes": a.get("ayes") or 0, "noes": a.get("noes") or 0}
    if kind == "status_changed":
        status = official_status(str(a.get("current_status") or ""), lang) if a.get("current_status") else None
        return (_("Official status of %(bill)s: %(status)s.") % {"bill": measure, "status": status}
                if status else None)
    return None  # new_action is listed separately, as published


#: Subject lines for the ``two_year`` situations (``two_year_text``): the same situation as the body.
TWO_YEAR_HEADLINES = {INACTIVE_FILE_TEXT: N_("%(bill)s is on the inactive file"),
                      DEAD_TEXT: N_("%(bill)s has stopped for this session")}


def headline(events: list[tuple[str, Any, Any]], measure: str, lang: str, _: Gettext,
             stage_action: str | None = None) -> str:
    """A short subject line for one bill's events, given as (kind, before, after);
    ``stage_action``: the action that set the newest stage, which tells a ``two_year`` bill's
    situation (on the inactive file, stopped for the session) as the body does."""
    kinds_after = [(k, a) for k, _b, a in events]
    kinds = {k for k, _a in kinds_after}
    stage = next((a for k, a in kinds_after if k == "stage_changed"), None)
    if stage == "chaptered":
        kind_of = measure_kind(measure)
        return (_("%(bill)s was signed into law") if kind_of == "bill" else _("%(bill)s was adopted")
                if kind_of == "resolution" else _("%(bill)s goes to the voters")) % {"bill": measure}
    if stage == "vetoed":
        return _("%(bill)s was vetoed") % {"bill": measure}
    if "became_relevant" in kinds:  # a gut-and-amend into our issues is the news, whatever else moved
        return _("%(bill)s is now a bill to watch") % {"bill": measure}
    hearing = next((a for k, a in kinds_after if k == "hearing_set" and isinstance(a, dict)), None)
    if hearing:
        return _("%(bill)s: hearing set for %(date)s") % {
            "bill": measure, "date": fmt_date(hearing.get("date"), lang)}
    if stage == "two_year" and (parked := two_year_text(stage_action)) is not None:
        return _(TWO_YEAR_HEADLINES[parked]) % {"bill": measure}
    if stage is not None:
        return _(STAGE_HEADLINES.get(str(stage), N_("%(bill)s moved forward"))) % {
            "bill": measure, "stage": stage_words(str(stage), _)}
    canceled = next((a for k, a in kinds_after if k == "hearing_canceled" and isinstance(a, dict)), None)
    if canceled:
        return (_("%(bill)s: hearing postponed") if canceled.get("status") == "postponed"
                else _("%(bill)s: hearing canceled")) % {"bill": measure}
    moved = next((a for k, a in kinds_after if k == "hearing_changed" and isinstance(a, dict)
                  and a.get("moved_from")), None)
    if moved:
        return _("%(bill)s: hearing moved to %(date)s") % {
            "bill": measure, "date": fmt_date(moved.get("date"), lang)}
    if any(k == "hearing_changed" and not details_added(k, b, a) for k, b, a in events):
        return _("%(bill)s: hearing changed") % {"bill": measure}
    if "hearing_changed" in kinds:
        return _("%(bill)s: time and place of the hearing") % {"bill": measure}
    if "new_version" in kinds:
        return _("%(bill)s was amended") % {"bill": measure}
    if kinds & {"new_bill", "became_relevant"}:
        return _("New bill to watch: %(bill)s") % {"bill": measure}
    return _("Update on %(bill)s") % {"bill": measure}
