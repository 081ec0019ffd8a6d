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

# California's codes, longest first so "Civil Procedure" wins over "Civil"
CODES: tuple[str, ...] = tuple(sorted((
    "Business and Professions", "Civil", "Civil Procedure", "Commercial", "Corporations",
    "Education", "Elections", "Evidence", "Family", "Financial", "Fish and Game",
    "Food and Agricultural", "Government", "Harbors and Navigation", "Health and Safety",
    "Insurance", "Labor", "Military and Veterans", "Penal", "Probate", "Public Contract",
    "Public Resources", "Public Utilities", "Revenue and Taxation", "Streets and Highways",
    "Unemployment Insurance", "Vehicle", "Water", "Welfare and Institutions",
), key=len, reverse=True))
# "Penal Code", and the one code named the other way round, "Code of Civil Procedure"
_CODE = re.compile(r"\b(?:(" + "|".join(re.escape(c) for c in CODES) + r") Code|Code of (Civil Procedure))\b",
                   re.I)
_NUMBER = r"\d+(?:\.\d+)*[a-z]?"
# "Section 5150", "Sections 5150, 5151, and 5152", "commencing with Section 5850"
_LIST = re.compile(rf"\bSections? ({_NUMBER}(?:(?:,? and |, ){_NUMBER})*)", re.I)
_ONE = re.compile(_NUMBER)
# a list that belongs to an uncodified statute or an act ("Section 1 of Chapter 321 of the
# Statutes of 2010", "... of, that act", "the Metropolitan Water District Act") or to the
# Constitution has no code, even when a code is named later in the title
_NOT_A_CODE = re.compile(r"Statutes of|\bthat act\b|\bAct\b|\bthereof\b|Constitution")
_RANGE = re.compile(rf"^\s*(.+?) Code\s+({_NUMBER})(?:\s*-\s*({_NUMBER}))?\s*$", re.I)

Number = tuple[int, ...]


def _number(text: str) -> Number:
    """``"1001.36"`` → ``(1001, 36)``: the codes number 1001.4 before 1001.35, as tuples do."""
    return tuple(int(part) for part in re.sub(r"[a-z]$", "", text, flags=re.I).split("."))


def _canonical(code: str) -> str:
    for name in CODES:
        if name.lower() == code.lower():
            return name
    raise ValueError(code)


def cited_sections(long_title: str) -> list[tuple[str, str]]:
    """(code, section) for every section a long title names, in order, each once."""
    long_title = " ".join(long_title.split())  # older texts wrap lines inside a list
    codes = [(m.start(), _canonical(m.group(1) or m.group(2))) for m in _CODE.finditer(long_title)]
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for m in _LIST.finditer(long_title):
        at, code = next(((at, name) for at, name in codes if at > m.start()), (0, None))
        if code is None or _NOT_A_CODE.search(long_title, m.end(), at):
            continue
        for number in _ONE.findall(m.group(1)):
            if (code, number) not in seen:
                seen.add((code, number))
                out.append((code, number))
    return out


@dataclass(frozen=True)
class SectionRange:
    """``Welfare and Institutions Code 5000-5556``: a first and last section, both included; a
    last section without a decimal part includes its decimals (5556 takes in 5556.5)."""

    code: str
    first: Number
    last: Number
    text: str

    def covers(self, code: str, number: str) -> bool:
        if code != self.code:
            return False
        n = _number(number)
        return self.first <= n and n[: len(self.last)] <= self.last


def parse_range(text: str) -> SectionRange:
    """Read one staff-written range; ``ValueError`` says what is wrong in plain words."""
    m = _RANGE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not like \"Penal Code 1367-1376\" or \"Education Code 215\"")
    try:
        code = _canonical(m.group(1).strip())
    except ValueError:
        raise ValueError(f"{text!r}: unknown code {m.group(1).strip()!r} (write it as in a bill's "
                         "title, e.g. \"Welfare and Institutions Code\")") from None
    first = _number(m.group(2))
    last = _number(m.group(3) or m.group(2))
    if last[: len(first)] < first[: len(last)]:
        raise ValueError(f"{text!r}: the last section comes before the first")
    return SectionRange(code, first, last, text.strip())
