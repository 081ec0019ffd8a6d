"""Hearings mentioned in history action text.

The legislature's actions carry hearing news without a year and with irregular spaces:
"Set for hearing April 9.", "April 7 hearing: Placed on APPR. suspense file.", "March  5 hearing
postponed by committee.", "In committee: Set, first hearing. Hearing canceled at the request of
author.", "From printer. May be heard in committee March 24.", "From committee: Do pass ...
(Ayes 9. Noes 0.) (April 8)." The year comes from the action's own date: of the candidate
years around it, the one that puts the hearing closest to the action (a December action that
sets "January 8" means next January; a January report of a "December 30" vote, last year).
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from datetime import date
from typing import Literal

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DAY = r"(?P<day>\d{1,2})(?!\d)"
_DATE = _MONTH + r" " + _DAY
# Committee as written: "APPR.", "HEALTH", "B. P. & E.D.", "PUB. S." (capitals, dots, &, spaces)
_COMMITTEE = r"(?-i:(?P<committee>[A-Z][A-Z.&,]*(?: (?:&|and )?[A-Z][A-Z.&,]*)*))"
_WS = re.compile(r"\s+")
_SETTING = r" (?:set for (?:first |second |special )?)?"  # "June 24 hearing" or "June 24 set for first hearing"

Kind = Literal["set", "canceled", "postponed", "heard"]


@dataclass(frozen=True)
class HearingMention:
    kind: Kind
    hearing_date: date | None  # None for "hearing canceled at the request of author" with no date
    committee: str | None  # e.g. "APPR." / "HEALTH" as written, normalised spaces, or None
    text: str
    deadline: bool = False  # True for "May be heard in committee March 24" (earliest date, not a setting)


_PATTERNS: list[tuple[Kind, bool, re.Pattern[str]]] = [
    # "March 5 hearing postponed by committee." / "April 7 hearing canceled at the request of author."
    # / "June 24 set for first hearing canceled at the request of author."
    ("postponed", False, re.compile(_DATE + _SETTING + r"hearing(?: date)? (?:was )?postponed", re.I)),
    ("canceled", False, re.compile(_DATE + _SETTING + r"hearing(?: date)? (?:was )?cancell?ed", re.I)),
    # "April 7 hearing: Placed on APPR. suspense file." / "May 23 hearing: Held in committee ..."
    # also "July 16 set for first hearing. Placed on APPR. suspense file." (the outcome, day first)
    ("heard", False, re.compile(_DATE + _SETTING + r"hearing[:.]? (?!(?:date )?(?:was )?(?:postponed|cancell?ed))"
                                r"(?:[^.]*?\bon " + _COMMITTEE + r" suspense file)?", re.I)),
    # "Set for hearing April 9." / "Set for first hearing April 29 in JUD. pending receipt."
    ("set", False, re.compile(r"set for (?:first |second |special |interim )?hearing (?:on )?" + _DATE
                              + r"(?:,? in (?:Com\. on )?" + _COMMITTEE + r")?", re.I)),
    ("set", False, re.compile(r"hearing (?:set|scheduled) for " + _DATE, re.I)),
    # "From printer. May be heard in committee March 24." (the earliest day it may be heard)
    ("set", True, re.compile(r"may be heard in committee (?:on or after )?" + _DATE, re.I)),
    # "From committee: Do pass ... (Ayes 9. Noes 0.) (April 8)." : the day the committee voted
    ("heard", False, re.compile(r"\(Ayes\s*\d+\.[^)]*\)\s*\(" + _DATE + r"\)", re.I)),
]
_UNDATED_CANCEL = re.compile(r"hearing (?:was )?cancell?ed(?: at the request of (?:the )?(?:author|committee))?", re.I)
_UNDATED_POSTPONE = re.compile(r"(?<!\d )hearing (?:was )?postponed(?: by (?:the )?committee)?", re.I)


def _infer_year(month: int, day: int, action_date: date) -> date | None:
    best: date | None = None
    for year in (action_date.year - 1, action_date.year, action_date.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - action_date).days) < abs((best - action_date).days):
            best = candidate
    return best


def _clean_committee(raw: str | None) -> str | None:
    if not raw:
        return None
    name = _WS.sub(" ", raw).strip().rstrip(",")
    return name or None


@lru_cache(maxsize=65536)
def _scan(action: str) -> tuple[tuple[str, bool, int | None, int | None, str | None, str], ...]:
    """Date-independent part of the parse (kind, deadline, month, day, committee, text), cached:
    action texts repeat across thousands of bills."""
    text = _WS.sub(" ", action or "").strip()
    found: list[tuple[int, tuple[str, bool, int | None, int | None, str | None, str]]] = []
    covered: list[tuple[int, int]] = []
    for kind, deadline, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            month = _MONTHS[m.group("month").lower().rstrip(".")]
            committee = _clean_committee(m.groupdict().get("committee"))
            covered.append((m.start(), m.end()))
            found.append((m.start(), (kind, deadline, month, int(m.group("day")), committee, text)))
    for kind, pattern in (("canceled", _UNDATED_CANCEL), ("postponed", _UNDATED_POSTPONE)):
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            covered.append((m.start(), m.end()))
            found.append((m.start(), (kind, False, None, None, None, text)))
    found.sort(key=lambda p: p[0])
    return tuple(f for _, f in found)


def extract_hearings(action: str, action_date: date) -> list[HearingMention]:
    """Hearing mentions in one action's text, in the order they appear."""
    out: list[HearingMention] = []
    for kind, deadline, month, day, committee, text in _scan(action):
        when = _infer_year(month, day, action_date) if month is not None and day is not None else None
        out.append(HearingMention(kind, when, committee, text, deadline))  # type: ignore[arg-type]
    return out
