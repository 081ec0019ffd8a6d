"""Bill stages: one label per history action, and a bill's current stage from its history.

The vocabulary and the rules are in ``docs/stages.md`` (shared docs): every action gets exactly
one stage; an action that says several things is labelled by the strongest statement (an
outcome such as passed, failed, held, vetoed or chaptered wins over "amended", which wins over a
referral). The current stage is the latest action's stage, skipping ``other`` actions; an
``amended`` action counts as wherever it sends the bill.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Sequence
from datetime import date

STAGES: tuple[str, ...] = (
    "introduced",
    "in_committee",
    "passed_committee",
    "amended",
    "floor",
    "passed_house",
    "enrolled",
    "to_governor",
    "chaptered",
    "vetoed",
    "held_in_committee",
    "failed",
    "two_year",
    "withdrawn",
    "other",
)

_WS = re.compile(r"\s+")
_CURLY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
# Procedural rule suspensions say nothing about where the bill is ("Assembly Rule 77(a)
# suspended.", "Joint Rule 61(a)(10) and (11) suspended."): drop them before classifying.
_SUSPENDED = re.compile(
    r"\b(?:assembly|senate|joint) rules? [0-9][^.]*?(?:\.[0-9][^.]*?)*"
    r"(?:,? (?:and|&) [^.]*?)?(?: file notice)? (?:was )?suspended\.?"
    # "Assembly Rule 56 suspended. (pending re-refer to Com. on NAT. RES.)": nothing moved yet
    r"|\(pending [^)]*\)"
)
# "Action rescinded whereby the bill was read third time, passed, and ordered to the Senate.
# (Page 5120.) Ordered to third reading.": the undone step says nothing about where the bill now
# is. The rescinded sentence ends at the first full stop that is not an abbreviation's ("Com.",
# "Aug.") and takes its vote or page note along.
_RESCINDED_START = re.compile(r"action rescinded whereby ")
_ABBREVIATION = re.compile(r"\b(?:coms?|sec|art|no|res|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
                           r"|[a-z])$")
_NOTES = re.compile(r"(?: ?\([^)]*\)\.?)*")
_PASSAGE_UNDONE = re.compile(r"\bpassed\b|\badopted\b|third reading|read third time|concurred in"
                             r"|engrossing and enrolling|\benroll")


def normalise_action(text: str) -> str:
    """Lower-case, straight quotes, single spaces: the form all rules below are written for."""
    return _WS.sub(" ", text.translate(_CURLY)).strip().lower()


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Ordered rules: the first that matches decides. Outcomes first, then amendments, then places.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    # a corrected print of the same version ("Introduced measure version corrected."): no move
    ("other", _rx(r"^(?:introduced |amended )?measure version(?: as amended on [^.]*)? corrected\.?$")),
    ("chaptered", _rx(r"chaptered by (?:the )?secretary of state|approved by (?:the )?governor"
                      r"|\bres(?:olution)?\. chapter \d|\bchapter \d+, statutes of")),
    ("vetoed", _rx(r"\bveto(?:ed)?\b|joint rule 58\.5")),
    # the 1990s wording: "Enrolled. To Governor at 9 a.m."
    ("to_governor", _rx(r"presented to (?:the )?governor|enrolled and to (?:the )?governor|enrolled\.\s+to (?:the )?governor")),
    ("enrolled", _rx(r"enrolled and filed|filed with (?:the )?secretary of state")),
    ("held_in_committee", _rx(r"held in committee|under submission")),
    # "Failed Deadline pursuant to Rule 61(a)(2). (Last location was HEALTH on 3/1/2025)": the
    # Joint Rule 61 calendar deadline passed, not a vote that failed; "From committee: Without
    # further action pursuant to Joint Rule 62(a).": the session's end disposes of what is left in
    # committee, not a favourable report
    ("two_year", _rx(r"failed deadline|deadline pursuant to (?:joint )?rule 61\b|without further action")),
    ("failed", _rx(r"failed(?: passage| to pass| adoption)?\b|refused (?:passage|adoption)|\bnot adopted\b"
                   r"|motion to adopt failed|refused to concur")),
    # "Withdrawn from committee. Ordered to second reading." moves the bill to the floor, and
    # "Withdrawn from committee. Re-referred to Com. on APPR." to another committee
    ("floor", _rx(r"withdrawn from committee\.? (?:and )?ordered to (?:second|third) reading")),
    ("in_committee", _rx(r"withdrawn from committee\.? (?:and )?re-referred to com")),
    # pulled back out of enrollment to be reconsidered on the floor, not withdrawn by the author
    ("floor", _rx(r"withdrawn from (?:engrossing and enrolling|enrollment)(?!.*inactive file)")),
    ("withdrawn", _rx(r"\bwithdrawn\b(?! as co-?author| from (?:engrossing and enrolling|enrollment))"
                      r"|\bwithdrew\b")),
    ("floor", _rx(r"\bfrom (?:the )?inactive file|remove from (?:the )?inactive file")),
    ("two_year", _rx(r"inactive file|joint rule (?:56|61)\b|art\. iv, sec\. 10\(c\)|\bdied\b"
                     r"|(?:returned|filed) (?:to|with) (?:the )?(?:chief clerk|secretary of (?:the )?senate)")),
    # "From committee: That the Senate amendments be concurred in." is a recommendation, not the vote
    ("passed_house", _rx(r"(?<!be )amendments concurred in|(?<!be )\bconcurred in\b(?!.*pending)"
                         r"|^(?:senate|assembly) concurs in")),
    # "In Senate. Concurrence in Assembly amendments pending. Ordered to the Assembly.": the
    # concurrence vote is still to come (the bill went back at the other house's request)
    ("floor", _rx(r"^in (?:senate|assembly)\. concurrence in [^.]* pending")),
    ("passed_house", _rx(r"\bpassed\b|(?<!be )\badopted\b(?! and re-refer)"
                         r"|ordered to the (?:senate|assembly)|\band to (?:the )?(?:senate|assembly)\b(?! rule)")),
    ("enrolled", _rx(r"engrossing and enrolling|\benrolled\b|\bto enrollment\b")),
    ("passed_house", _rx(r"^in (?:senate|assembly)\. (?:read first time|held at (?:the )?desk"
                         r"|to com\. on rls|referred to)(?!.*ordered to (?:second|third) reading)")),
    ("passed_committee", _rx(r"^from (?:(?:senate|assembly) )?committee(?: on [^:]+)?:(?! filed)"
                             r"(?!.*with author's amendments)"
                             r".*(?:do pass|be adopted|ordered to|be ordered|be placed on|be re-referred"
                             r"|with recommendation|consent calendar|be concurred in)")),
    ("passed_committee", _rx(r"\bdo pass\b|\bbe adopted\b")),
    ("amended", _rx(r"\bamended\b|author's amendments|\bamend, and re-refer")),
    # the 1990s Senate sent a bill straight to its policy committee on introduction ("Introduced.
    # Read first time. To Com. on ED."): it stands in that committee, not awaiting assignment
    ("in_committee", _rx(r"^introduced\b[^()]*?\b(?:to|referred to) coms?\. on (?!rls\b)")),
    ("introduced", _rx(r"^introduced\b|^from printer|^read first time|^to print\b")),
    # a reconsideration granted on its own follows a failed floor vote: back on the floor
    ("floor", _rx(r"^reconsideration granted\.?(?: \([^)]*\)\.?)?$")),
    # held at the desk in the house of origin ("In Senate. Held at Desk." is an arrival, above)
    ("introduced", _rx(r"^held at (?:the )?desk\.?$")),
    ("floor", _rx(r"read (?:second|third) time|(?:second|third) reading|consent calendar"
                  r"|concurrence in .*pending|special order|unfinished business|on (?:the )?floor"
                  r"|placed on (?:the )?(?:assembly|senate) (?:floor|inactive)"
                  r"|conference committee|non-?concur")),
    ("in_committee", _rx(r"referred to|re-refer|\bhearing\b|suspense file|^in committee"
                         r"|\bcoms?\. on\b|set for (?:first |second )?hearing|pending receipt"
                         r"|\bcommittee\b")),
    ("introduced", _rx(r"\bintroduced\b|\bto print\b|for assignment|may be (?:heard|acted upon)")),
]


def _without_rescinded(t: str) -> tuple[str, str | None]:
    """The action without its "Action rescinded whereby ..." sentence, and that sentence."""
    m = _RESCINDED_START.search(t)
    if m is None:
        return t, None
    end = len(t)
    for dot in re.finditer(r"\.", t[m.end():]):
        at = m.end() + dot.start()
        if not _ABBREVIATION.search(t[:at]) or at + 1 == len(t):
            end = at + 1
            break
    end = _NOTES.match(t, end).end()  # type: ignore[union-attr]  # (the notes may be empty)
    return (t[:m.start()] + t[end:]).strip(), t[m.start():end]


@lru_cache(maxsize=65536)
def classify_action(text: str) -> str:
    """The stage one action puts the bill in (``other`` when it does not move the bill).

    Cached: a session repeats the same few thousand action texts tens of thousands of times.
    """
    t = normalise_action(text or "")
    t = _SUSPENDED.sub("", t).strip()
    t, undone = _without_rescinded(t)
    if undone is not None and not t:  # only the rescission: a passage undone is back on the floor
        return "floor" if _PASSAGE_UNDONE.search(undone) else "other"
    if not t:
        return "other"
    for stage, pattern in _RULES:
        if pattern.search(t):
            return stage
    return "other"


_TO_COMMITTEE = re.compile(r"re-refer|referred to com|to coms?\. on")
_TO_FLOOR = re.compile(r"(?:second|third) reading|consent calendar|inactive file")


def _amended_destination(text: str) -> str | None:
    t = normalise_action(text)
    # the last destination mentioned wins ("Amend, and re-refer ... Read second time, amended,
    # and re-referred to Com. on PUB. S." → committee; "... and amended. Ordered to third reading." → floor)
    best: tuple[int, str] | None = None
    for stage, pattern in (("in_committee", _TO_COMMITTEE), ("floor", _TO_FLOOR)):
        for m in pattern.finditer(t):
            if best is None or m.start() > best[0]:
                best = (m.start(), stage)
    return best[1] if best else None


def current_stage(actions: Sequence[tuple[date | None, str]]) -> str | None:
    """The bill's stage from its whole history, oldest action first (same-day: source order).

    Actions are put in date order (stable, so same-day actions keep their order); ``other``
    actions are skipped; an ``amended`` action counts as where it sends the bill (re-referred →
    ``in_committee``, ordered to a reading → ``floor``), otherwise as the stage before it.
    ``None`` when no action moves the bill.
    """
    indexed = list(enumerate(actions))
    if all(d is not None for _, (d, _t) in indexed):
        indexed.sort(key=lambda p: (p[1][0], p[0]))
    labelled = [(classify_action(text), text) for _, (_d, text) in indexed]
    pending_amended = False
    for stage, text in reversed(labelled):
        if stage == "other":
            continue
        if stage == "amended":
            dest = _amended_destination(text)
            if dest:
                return dest
            pending_amended = True
            continue
        return stage
    return "amended" if pending_amended else None


def governor_decision(stage: str | None, action_stages: list[str | None],
                      current_status: str | None) -> str | None:
    """'signed', 'vetoed', or None when we cannot tell, for heading the Governor's message.

    The legislature's veto message table carries signing messages too, so the heading must
    follow what happened to the bill: its stage first, then the bulk status ("Vetoed" or
    "Chaptered"), then any step of its history.
    """
    decisions = {"vetoed": "vetoed", "chaptered": "signed"}
    if stage in decisions:
        return decisions[stage]
    status = (current_status or "").lower()
    if "veto" in status:
        return "vetoed"
    if "chaptered" in status:
        return "signed"
    return next((decisions[st] for st in decisions if st in action_stages), None)


_MEASURE_TYPE = re.compile(r"\s*(?:\d{9})?([A-Z]+?)(?:X\d+)?[\s\-]*\d")
RESOLUTIONS = frozenset({"ACR", "SCR", "AJR", "SJR", "HR", "SR"})
CONSTITUTIONAL_AMENDMENTS = frozenset({"ACA", "SCA"})


def measure_kind(measure: str) -> str:
    """'bill', 'resolution' or 'amendment' (constitutional) for 'AB 13', 'SCR 64', 'ACA 1' or a
    bill id. Only bills go to the Governor: a resolution is adopted and filed, a constitutional
    amendment goes to the voters, so "signed into law" would be wrong for them."""
    m = _MEASURE_TYPE.match(measure.upper())
    return kind_of_type(m.group(1) if m else measure.strip().upper())


def kind_of_type(mtype: str) -> str:
    """``measure_kind`` for a bare measure type ('SCR')."""
    if mtype in RESOLUTIONS:
        return "resolution"
    if mtype in CONSTITUTIONAL_AMENDMENTS:
        return "amendment"
    return "bill"


ASSEMBLY, SENATE = "Assembly", "Senate"


def origin_house(measure: str) -> str:
    """The house a measure starts in: 'Assembly' for AB, ACA, ACR, AJR, HR; 'Senate' for SB, SCA,
    SCR, SJR, SR ('AB 13', 'AB-13', a bill id or a bare type)."""
    m = _MEASURE_TYPE.match(measure.upper())
    mtype = m.group(1) if m else measure.strip().upper()
    return ASSEMBLY if mtype.startswith("A") or mtype == "HR" else SENATE


#: The three situations the ``passed_house`` stage covers (docs: stages).
FIRST_HOUSE = "first_house"    # its first house passed it: it goes to the other house
SECOND_HOUSE = "second_house"  # the other house passed it too: back to its first house
BOTH_HOUSES = "both_houses"    # its first house agreed to the other house's changes: to enrollment
#: the situations in the order a bill passes through them
PASSAGE_ORDER = (FIRST_HOUSE, SECOND_HOUSE, BOTH_HOUSES)
_CONCURRENCE = re.compile(r"(?<!be )\bconcurred in\b(?!.*pending)|^(?:senate|assembly) concurs in"
                          r"|engrossing and enrolling|\bto enrollment\b")
_SENT_TO = re.compile(r"\bordered to the (senate|assembly)\b|\band to (?:the )?(senate|assembly)\b(?! rule)"
                      r"|^in (senate|assembly)\.")


def house_passage(action: str | None, measure: str) -> str | None:
    """Which ``passed_house`` situation an action describes, for a measure ('AB 13' or a bill id).

    ``BOTH_HOUSES`` for a concurrence ("Senate amendments concurred in. To Engrossing and
    Enrolling."); else the house the action sends the bill to (or says it arrived in) against
    the measure's house of origin: the other house is ``FIRST_HOUSE`` ("Read third time. Passed.
    Ordered to the Senate." for an AB), its own house ``SECOND_HOUSE`` (the same words for an
    SB: it goes back to agree to the changes). ``None`` when the action does not say ("Adopted.").
    """
    t = normalise_action(action or "")
    if not t:
        return None
    if _CONCURRENCE.search(t):
        return BOTH_HOUSES
    houses = [next(h for h in m.groups() if h) for m in _SENT_TO.finditer(t)]
    if not houses:
        return None
    to = houses[-1].capitalize()
    return SECOND_HOUSE if to == origin_house(measure) else FIRST_HOUSE


def stage_action(actions: Sequence[tuple[str | None, str]], stage: str | None) -> str | None:
    """The text of the latest action labelled ``stage`` in a history given oldest first as
    (stage, text): the action that put the bill where it stands (None when there is none)."""
    if not stage:
        return None
    return next((text for st, text in reversed(actions) if st == stage), None)


_INACTIVE_FILE = re.compile(r"(?<!from )(?<!from the )(?:to|on) (?:the )?inactive file|placed on (?:the )?(?:assembly|senate) inactive")


_CONCURRENCE_PENDING = re.compile(r"^in (senate|assembly)\. concurrence in [^.]* pending")


def concurrence_pending(action: str | None) -> str:
    """The house a ``floor`` bill is back in to vote on the other house's amendments ("In
    Assembly. Concurrence in Senate amendments pending." → 'Assembly'), or ''."""
    match = _CONCURRENCE_PENDING.search(normalise_action(action or ""))
    return match.group(1).capitalize() if match else ""


#: A ``two_year`` action that ends the bill for the session rather than parking it: "Died
#: pursuant to Art. IV, Sec. 10(c) of the Constitution." (the session's end), "Died on the
#: inactive file", "Returned to Secretary of Senate pursuant to Joint Rule 56." (a first-year
#: bill still in its first house on February 1 of the second year), a second-year deadline of
#: Joint Rule 61(b), "From committee: Without further action pursuant to Joint Rule 62(a)."
_DIED = re.compile(r"\bdied\b|joint rule 56\b|joint rule 61 ?\(b\)|art(?:icle|\.)? iv, sec\. 10 ?\(c\)"
                   r"|without further action")


def died_at_deadline(action: str | None) -> bool:
    """Whether a ``two_year`` action ended the bill for the session: it cannot move again until a
    new session, where its ideas need a new bill. A first-year deadline (Joint Rule 61(a)) only
    parks it until January, and the inactive file only sets it aside."""
    return bool(_DIED.search(normalise_action(action or "")))


def on_inactive_file(action: str | None) -> bool:
    """Whether a ``two_year`` action put the bill on the inactive file ("Ordered to inactive file
    at the request of Senator Gonzalez."): set aside on the floor, and it can be taken up again
    any day (unlike a bill parked in committee or past a deadline until January)."""
    return bool(_INACTIVE_FILE.search(normalise_action(action or ""))) and not died_at_deadline(action)
