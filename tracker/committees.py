"""Committees in words readers can use, whatever the source called them.

The bulk data names a committee by its location code (``CS61``); the chamber calendars by name
("Senate Health"). A raw code means nothing to a member or a legislator's staff, so every text
we send or print goes through here: the name when the location table knows the code, else the
house the code belongs to ("a Senate committee"), never the code itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from tracker.db.models_core import LocationCode

Gettext = Callable[[str], str]


def looks_like_code(text: str) -> bool:
    """'CS61', 'CX25', 'AFLOOR' are codes; 'Third Reading' or 'Desk' are already words."""
    return " " not in text and text == text.upper() and any(ch.isalpha() for ch in text)


_FILLER = re.compile(r"\b(?:the|standing|select|committee|com|on|senate|assembly|of)\b|[^a-z0-9 ]")


def committee_key(text: str | None) -> str:
    """A committee's name reduced to its subject: 'Senate Health Committee', 'Com. on HEALTH.'
    and 'Health' are all 'health' (sources spell one committee several ways)."""
    words = _FILLER.sub(" ", (text or "").lower().replace("&", " and "))
    return " ".join(words.split())


def same_committee(code_a: str | None, name_a: str | None, code_b: str | None, name_b: str | None) -> bool:
    """Do two hearing records name one committee? Codes when both have one, else names."""
    if code_a and code_b:
        return code_a.strip().upper() == code_b.strip().upper()
    key_a, key_b = committee_key(name_a), committee_key(name_b)
    return bool(key_a) and key_a == key_b


def place_key(value: str | None, places: Mapping[str, str] | None) -> str:
    """A bill's location as a comparable key: a code by its name when ``places`` knows it."""
    value = (value or "").strip()
    if places and value in places:
        value = places[value]
    return committee_key(value) if value else ""


def location_name(s: Session, session_year: str, code: str | None) -> str:
    """A committee code such as 'CS61' as its name when the location table has it, else ''.

    An unknown code gives '' (callers then say which house, or nothing); a location that is
    already words is kept as it is.
    """
    code = (code or "").strip()
    if not code:
        return ""
    row = s.get(LocationCode, (session_year, code))
    if row is not None and (row.description or row.long_description):
        return place_words(code, row.description, row.long_description)
    return "" if looks_like_code(code) else code


_HOUSE_WORD = re.compile(r"\b(?:senate|assembly|joint|conference)\b", re.IGNORECASE)


def place_words(code: str, description: str | None, long_description: str | None) -> str:
    """The location table's name for a code, with its house: both houses have a 'Health'
    committee, so 'Health' alone sends a reader to the wrong one ('Senate Health')."""
    short, long = (description or "").strip(), (long_description or "").strip()
    if short and _HOUSE_WORD.search(short):
        return short
    house = committee_house(code)
    if short and house:
        return f"{house} {short}"  # "Senate Appropriations": short enough for a matrix cell
    return long or short or code


def committee_house(code: str | None) -> str:
    """'Assembly' for ``CX..`` codes, 'Senate' for ``CS..``, else '' (the legislature's scheme)."""
    code = (code or "").strip().upper()
    if code.startswith("CX"):
        return "Assembly"
    if code.startswith("CS"):
        return "Senate"
    return ""


def unnamed_committee(code: str | None, _: Gettext) -> str:
    """What to call a committee we know only by a code: its house when the code tells it."""
    house = committee_house(code)
    if house == "Assembly":
        return _("an Assembly committee")
    if house == "Senate":
        return _("a Senate committee")
    return _("a committee")


def committee_text(value: str | None, _: Gettext) -> str:
    """A committee as a sentence names it: a name as given, a bare code by its house."""
    value = (value or "").strip()
    if not value or looks_like_code(value):
        return unnamed_committee(value, _)
    return value


def named(s: Session, session_year: str, value: str | None) -> str | None:
    """A committee code replaced by its name when the location table knows it (any language)."""
    if value and looks_like_code(value.strip()):
        return location_name(s, session_year, value) or value
    return value


def with_committee_name(s: Session, session_year: str, after: Any) -> Any:
    """An event's ``after`` with a committee code replaced by its name where the table knows it."""
    if not isinstance(after, dict) or not after.get("committee"):
        return after
    return after | {"committee": named(s, session_year, str(after["committee"]))}
