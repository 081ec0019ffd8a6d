"""Which code sections a bill changes, read from its long title, and the ranges staff name.

A bill's long title ("An act to amend Sections 5150 and 5151 of, and to add Section 5152 to,
the Welfare and Institutions Code, relating to ...") lists every section it amends, adds or
repeals. Budget trailer bills called "Health." or "Public safety." and bills with a generic
title still have to name the Lanterman-Petris-Short, Mental Health Services Act or competency
sections they change, so the sections are a signal that survives vague wording. The title
grammar puts each list of sections before the name of its code ("... of, and to add Section
5152 to, the Welfare and Institutions Code"), so a list belongs to the next code named after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

# California's codes, longest first so "Civil Procedure" wins over "Civil"
CODES: tuple[str, ...] = tuple(sorted((
    "Business and Professions", "Civil", "Civil Procedure", "Commercial", "Corporations",
    "Education", "Elections", "Evidence", "Family", "Financial", "Fish and Game",
    "Food and Agricultural", "Government", "Harbors and Navigation", "Health and Safety",
    "Insurance", "Labor", "Military and Veterans", "Penal", "Probate", "Public Contract",
    "Public Resources", "Public Utilities", "Revenue and Taxation", "Streets and Highways",
    "Unemployment Insurance", "Vehicle", "Water", "Welfare and Institutions",
), key=len, reverse=True))
_NAMES = "|".join(re.escape(c) for c in CODES)
# "Penal Code", and the one code named the other way round, "Code of Civil Procedure"
_CODE = re.compile(rf"\b(?:({_NAMES}) Code|Code of (Civil Procedure))\b", re.I)
_NUMBER = r"\d+(?:\.\d+)*[a-z]?"
# "Section 5150", "Sections 5150, 5151, and 5152", "commencing with Section 5850",
# "Sections 5800 to 5850, inclusive"
_ITEM = rf"{_NUMBER}(?: to {_NUMBER}(?:, inclusive)?)?"
_LIST = re.compile(rf"\bSections? ({_ITEM}(?:(?:,? and |, ){_ITEM})*)", re.I)
_ONE = re.compile(rf"({_NUMBER})(?: to ({_NUMBER}))?", re.I)
# a list that belongs to an uncodified statute, an act, an initiative or the Constitution
# ("Section 1 of Chapter 321 of the Statutes of 2010", "... of, that act", "the Metropolitan
# Water District Act", "Section 4 of Proposition 47") has no code, even when a code is named
# later in the title
_NOT_A_CODE = re.compile(r"Statutes of|\bthat act\b|\bAct\b|\bthereof\b|Constitution|Proposition", re.I)
_RANGE = re.compile(rf"^\s*(?:(.+?) Code|Code of (Civil Procedure))\s+({_NUMBER})(?:\s*-\s*({_NUMBER}))?\s*$", re.I)

Number = tuple[int, ...]


class Cited(NamedTuple):
    """A section (or a run "5800 to 5850, inclusive") a long title names, and where."""

    code: str
    section: str
    through: str | None
    at: int  # offset in the title with its whitespace collapsed (``collapse``)


def collapse(text: str) -> str:
    """Single spaces: older texts wrap lines inside a list of sections."""
    return " ".join(text.split())


def code_name(code: str) -> str:
    """How bills write the code: "Penal Code", "Code of Civil Procedure"."""
    return "Code of Civil Procedure" if code == "Civil Procedure" else f"{code} Code"


def _plain(number: str) -> str:
    """Without a letter suffix: "1203e" → "1203"."""
    return number[:-1] if number[-1:].isalpha() else number


def _number(text: str) -> Number:
    """``"1001.36"`` → ``(1001, 36)``: in a range the parts compare as whole numbers, the way
    the codes number 1001.4 before 1001.35."""
    return tuple(int(part) for part in _plain(text).split("."))


def _canonical(code: str) -> str:
    for name in CODES:
        if name.lower() == code.lower():
            return name
    raise ValueError(code)


def cited_sections(long_title: str) -> list[Cited]:
    """Every section a long title names, with its code, in order, each once."""
    title = collapse(long_title)
    codes = [(m.start(), _canonical(m.group(1) or m.group(2))) for m in _CODE.finditer(title)]
    out: list[Cited] = []
    seen: set[tuple[str, str, str | None]] = set()
    for m in _LIST.finditer(title):
        at, code = next(((at, name) for at, name in codes if at > m.start()), (0, None))
        if code is None or _NOT_A_CODE.search(title, m.end(), at):
            continue
        for one in _ONE.finditer(m.group(1)):
            key = (code, one.group(1), one.group(2))
            if key not in seen:
                seen.add(key)
                out.append(Cited(code, one.group(1), one.group(2), m.start(1) + one.start()))
    return out


@dataclass(frozen=True)
class SectionRange:
    """What staff name in ``sections``: one section, or a first and last section.

    One section is that section and, when it has no decimal part, its decimals ("Education
    Code 49428" takes in 49428.1), compared as written so 5150.05 is not 5150.5. A range takes in
    both ends, and a last section without a decimal part its decimals (5556 takes in 5556.5).
    """

    code: str
    first: Number
    last: Number
    text: str
    single: str | None = None

    def _covers_one(self, number: str) -> bool:
        if self.single is not None:
            plain = _plain(number)
            return plain == self.single or ("." not in self.single and plain.startswith(self.single + "."))
        n = _number(number)
        return self.first <= n and n[: len(self.last)] <= self.last

    def covers(self, code: str, number: str, through: str | None = None) -> bool:
        """Does a cited section, or a cited run ``number`` to ``through``, fall in this range?"""
        if code != self.code:
            return False
        if through is None:
            return self._covers_one(number)
        low, high = _number(number), _number(through)  # a run and a range overlap
        return low[: len(self.last)] <= self.last and self.first[: len(high)] <= high


def parse_range(text: str) -> SectionRange:
    """Read one staff-written range; ``ValueError`` says what is wrong in plain words."""
    m = _RANGE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not like \"Penal Code 1367-1376\" or \"Education Code 215\"")
    name = (m.group(1) or m.group(2)).strip()
    try:
        code = _canonical(name)
    except ValueError:
        raise ValueError(f"{text!r}: unknown code {name!r} (write it as in a bill's "
                         "title, e.g. \"Welfare and Institutions Code\")") from None
    first = _number(m.group(3))
    last = _number(m.group(4) or m.group(3))
    if last[: len(first)] < first[: len(last)]:
        raise ValueError(f"{text!r}: the last section comes before the first")
    single = None if m.group(4) else _plain(m.group(3))
    return SectionRange(code, first, last, text.strip(), single)
