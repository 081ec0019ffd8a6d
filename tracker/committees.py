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
from tracker.i18n import translations

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a string for the catalog; ``committee_name`` translates it."""
    return message


#: "Senate Health", "Assembly Committee on Health", "Senate Standing Committee on Public Safety",
#: "Assembly Health Committee": a house and the committee's subject.
_STANDING = re.compile(r"(senate|assembly)\s+(?:standing\s+)?(?:committee\s+on\s+)?(.+?)(?:\s+committee)?",
                       re.IGNORECASE)
#: The standing committees' subjects (both houses), by the words the legislature uses. A
#: Spanish reader gets "Comité de Salud del Senado" for these; any other committee keeps its
#: English name ("el comité Senate Budget Subcommittee No. 3"), which is still the one to search.
SUBJECTS = {s.lower(): s for s in (
    N_("Aging and Long-Term Care"), N_("Agriculture"), N_("Appropriations"), N_("Budget"),
    N_("Budget and Fiscal Review"), N_("Business and Professions"),
    N_("Business, Professions and Economic Development"), N_("Education"), N_("Elections"),
    N_("Emergency Management"), N_("Governmental Organization"), N_("Health"), N_("Higher Education"),
    N_("Housing"), N_("Housing and Community Development"), N_("Human Services"), N_("Insurance"),
    N_("Judiciary"), N_("Labor and Employment"), N_("Labor, Public Employment and Retirement"),
    N_("Local Government"), N_("Military and Veterans Affairs"), N_("Privacy and Consumer Protection"),
    N_("Public Safety"), N_("Revenue and Taxation"), N_("Rules"), N_("Transportation"),
)}


_ROOM = re.compile(r"\bRoom\s+([0-9][0-9A-Za-z-]*)\b")


def room_words(room: str | None, _: Gettext) -> str:
    """A hearing room in the reader's language ("1021 O Street, Sala 1200"); the street address
    stays as published, since it is what a visitor looks for on the building."""
    return _ROOM.sub(lambda m: _("Room %(number)s") % {"number": m.group(1)}, room or "")


def committee_name(value: str | None, lang: str) -> str:
    """A committee's name in the reader's language, without an article: 'Comité de Salud del
    Senado' for 'Senate Health' in Spanish, 'Senate Health' in English. A committee the catalog
    has no words for keeps the name the legislature gives it."""
    value = (value or "").strip()
    match = _STANDING.fullmatch(value)
    if lang == "en" or not match:
        return value
    tr = translations(lang)
    house, subject = match.group(1).capitalize(), match.group(2).strip()
    if subject.lower() == "floor":
        words = tr.gettext("Senate floor" if house == "Senate" else "Assembly floor")
    elif subject.lower() in SUBJECTS:
        english = SUBJECTS[subject.lower()]
        local = tr.pgettext("committee subject", english)
        if local == english:
            return value
        words = (tr.gettext("Senate Committee on %(subject)s") if house == "Senate"
                 else tr.gettext("Assembly Committee on %(subject)s")) % {"subject": local}
    else:
        return value
    return words[:1].upper() + words[1:]


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


def committee_text(value: str | None, _: Gettext, lang: str = "en") -> str:
    """A committee as a sentence names it after "in": a name (in the reader's language where the
    catalog knows it, with its article: "el Comité de Salud del Senado"), a bare code by its house."""
    value = (value or "").strip()
    if not value or looks_like_code(value):
        return unnamed_committee(value, _)
    words = committee_name(value, lang)
    return value if words == value else _("the %(committee)s") % {"committee": words}


#: The shorthands history text names committees by ("Placed on APPR. suspense file.", "Set for
#: hearing in PUB. S."), by the subject they stand for: "APPR." means nothing to a member.
SHORTHANDS = {
    "APPR.": "Appropriations", "PUB. S.": "Public Safety", "JUD.": "Judiciary", "HUM. S.": "Human Services",
    "ED.": "Education", "B. & P.": "Business and Professions", "L. GOV.": "Local Government", "RLS.": "Rules",
    "G.O.": "Governmental Organization", "INS.": "Insurance", "TRANS.": "Transportation",
    "B. & F.R.": "Budget and Fiscal Review", "BUDGET": "Budget", "E.Q.": "Environmental Quality",
    "AGING & L.T.C.": "Aging and Long-Term Care", "M. & V.A.": "Military and Veterans Affairs",
    "L. & E.": "Labor and Employment", "L., P.E. & R.": "Labor, Public Employment and Retirement",
    "REV. & TAX.": "Revenue and Taxation", "P. & C.P.": "Privacy and Consumer Protection",
    "E.M.": "Emergency Management", "H. & C.D.": "Housing and Community Development",
}


def expand_shorthand(value: str | None) -> str | None:
    """'APPR.' → 'Appropriations'; any other name as given."""
    if not value:
        return value
    return SHORTHANDS.get(" ".join(value.upper().split()), value)


def named(s: Session, session_year: str, value: str | None) -> str | None:
    """A committee code replaced by its name when the location table knows it (any language),
    and a history-text shorthand ('APPR.') by the committee's subject."""
    expanded = expand_shorthand(value)
    if expanded != value:
        return expanded
    if value and looks_like_code(value.strip()):
        return location_name(s, session_year, value) or value
    return value


def with_committee_name(s: Session, session_year: str, after: Any) -> Any:
    """An event's ``after`` with a committee code replaced by its name where the table knows it."""
    if not isinstance(after, dict) or not after.get("committee"):
        return after
    return after | {"committee": named(s, session_year, str(after["committee"]))}
