"""Fit one bill's facts onto one printed page: text budgets, shortening, QR codes.

A sheet must never spill onto a second page. The budgets below are sized so the longest real
digest and title in the samples fit at level 0; the PDF step checks the page count and, if a
sheet still overflows (very long staff text), re-fits it at the next, tighter level. Anything
shortened gets a pointer to where the full text is: the bill's own text (digest, amendments)
at leginfo, staff-written text in the position record (``tracker positions show``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import segno
from markupsafe import Markup

from tracker.advocacy.facts import BillFacts
from tracker.advocacy.progress import STEPS, Progress
from tracker.i18n import translations
from tracker.advocacy.text import (
    Segment,
    digest_summary,
    segments_length,
    shorten,
    shorten_segments,
)


@dataclass(frozen=True)
class Budget:
    """How much of each text block a sheet may print, in characters or items."""

    summary: int
    why: int
    point: int
    points: int
    ask: int
    change_items: int
    change_chars: int
    names: int
    coauthors: int
    story: bool
    changes: bool


BUDGETS: tuple[Budget, ...] = (
    Budget(summary=620, why=260, point=190, points=5, ask=220, change_items=3, change_chars=230,
           names=6, coauthors=6, story=True, changes=True),
    Budget(summary=480, why=200, point=150, points=5, ask=190, change_items=2, change_chars=180,
           names=5, coauthors=4, story=True, changes=True),
    Budget(summary=380, why=160, point=120, points=5, ask=160, change_items=2, change_chars=140,
           names=4, coauthors=3, story=False, changes=True),
    Budget(summary=280, why=120, point=100, points=4, ask=140, change_items=1, change_chars=120,
           names=3, coauthors=2, story=False, changes=True),
    Budget(summary=160, why=0, point=90, points=3, ask=120, change_items=0, change_chars=0,
           names=2, coauthors=0, story=False, changes=False),
)
MAX_LEVEL = len(BUDGETS) - 1


@lru_cache(maxsize=512)
def qr_svg(url: str, title: str) -> Markup:
    """An inline SVG QR code (black on white, prints in black and white), sized by CSS."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=1, border=2, dark="#000000", light="#ffffff", omitsize=True,
                        title=title, svgclass="qr", lineclass=None)
    return Markup(svg)


_WORD = re.compile(r"[^\W\d_]{2,}")


def bare_room_number(room: str) -> bool:
    """'2100' or '4202A' need the word "Room" printed before them; '1021 O Street, Room 2100'
    or 'State Capitol, Room 437' already name the room or the address (calendars print those)."""
    return bool(room.strip()) and not _WORD.search(room)


def _short_list(items: list[str], limit: int, chars: int = 60) -> tuple[list[str], int]:
    shown = [shorten(x, chars)[0] for x in items[:limit]]
    return shown, max(0, len(items) - limit)


def _changes(f: BillFacts, b: Budget) -> dict[str, Any]:
    """The last amendment as at most ``b.change_items`` short items, reworded ones first."""
    c = f.changes
    items: list[dict[str, Any]] = []
    for segs in c.reworded:
        items.append({"kind": "reworded", "segments": shorten_segments(segs, b.change_chars),
                      "cut": segments_length(segs) > b.change_chars})
    for text in c.added:
        short, cut = shorten(text, b.change_chars)
        items.append({"kind": "added", "segments": [Segment("same", short)], "cut": cut})
    for text in c.removed:
        short, cut = shorten(text, b.change_chars)
        items.append({"kind": "removed", "segments": [Segment("same", short)], "cut": cut})
    shown = items[: b.change_items] if b.changes else []
    return {
        "show": b.changes and f.changes_to is not None,
        "none": c.empty,
        "entries": shown,
        "more": c.count - len(shown),
        "added": len(c.added), "removed": len(c.removed), "reworded": len(c.reworded),
        "old": f.changes_from, "new": f.changes_to,
        "cut": any(i["cut"] for i in shown) or c.count > len(shown),
    }


def _staff_text(pos: dict[str, Any], b: Budget) -> tuple[dict[str, Any], list[str], list[str]]:
    """Staff-written text shortened to budget ``b``, the fields that lost text, and the fields
    left out altogether.

    Every field that is shortened or left out is named, so the sheet can say where the full
    text is (the position record) and the command can warn staff which bill to trim, and
    whether a section is missing from the page, not just shorter.
    """
    out: dict[str, Any] = {}
    cut: list[str] = []
    gone: list[str] = []
    if pos.get("summary"):
        out["summary"], c = shorten(pos["summary"], b.summary)
        if c:
            cut.append("summary")
    out["why"] = _kept(pos.get("why") or "", b.why, "why it matters", cut, gone)
    points = pos.get("talking_points") or []
    shortened = [shorten(p, b.point) for p in points[: b.points]]
    out["talking_points"] = [p for p, _ in shortened]
    if len(points) > b.points or any(c for _, c in shortened):
        cut.append("talking points")
    out["ask"], c = shorten(pos.get("ask") or "", b.ask)
    if c:
        cut.append("ask")
    for name in ("supporters", "opponents"):
        names = pos.get(name) or []
        out[name], out[f"more_{name}"] = _short_list(names, b.names)
        if out[f"more_{name}"] or any(len(" ".join(x.split())) > 60 for x in names[: b.names]):
            cut.append(name)
    out["story_prompt"] = _kept(pos.get("story_prompt") or "", 200 if b.story else 0, "story prompt", cut, gone)
    return out, cut, gone


def _kept(text: str, limit: int, label: str, cut: list[str], gone: list[str]) -> str:
    """``text`` shortened to ``limit`` (said in ``cut``), or left out at 0 (said in ``gone``):
    the command names what a tight sheet shortened and what it dropped."""
    if not limit:
        if text:
            gone.append(label)
        return ""
    short, c = shorten(text, limit)
    if c:
        cut.append(label)
    return short


@dataclass(frozen=True)
class Cuts:
    """What a sheet at one level does not print in full, for the command's warnings.

    ``shortened``: staff fields printed shorter (full text in the position record);
    ``staff_left_out``: staff fields not printed at all; ``text_left_out``: sections about the
    bill itself not printed at all (the full bill text at leginfo has them).
    """

    shortened: list[str]
    staff_left_out: list[str]
    text_left_out: list[str]


def sheet_cuts(f: BillFacts, level: int) -> Cuts:
    """Which parts of ``f`` a sheet at ``level`` shortens or leaves out."""
    b = BUDGETS[min(level, MAX_LEVEL)]
    _out, cut, gone = _staff_text(f.position or {}, b)
    text_gone = ["what changed in the last amendment"] if not b.changes and f.changes_to else []
    return Cuts(cut, gone, text_gone)


def _steps(p: Progress) -> list[dict[str, str]]:
    """The progress line. A signed bill ends on "Became law" (not "Governor (now)", which reads
    as still waiting for a signature); a bill whose stage is not known yet gets no "now"
    marker at all, since marking "Introduced" would be a guess."""
    if p.state == "unknown":
        return [{"key": key, "state": "todo"} for key in STEPS]
    if p.state == "law":
        return [{"key": key, "state": "done"} for key in STEPS] + [{"key": "law", "state": "law"}]
    return [{"key": key, "state": "done" if p.done(i, key) else "current" if i == p.step else "todo"}
            for i, key in enumerate(STEPS)]


def fit_sheet(f: BillFacts, level: int = 0, *, contact: str = "", lang: str = "en") -> dict[str, Any]:
    """The template context for one sheet at budget ``level`` (0 = roomiest)."""
    gettext = translations(lang).gettext
    b = BUDGETS[min(level, MAX_LEVEL)]
    pos = f.position or {}
    staff, cut, gone = _staff_text(pos, b)
    digest_cut = False
    if pos.get("summary"):
        summary = staff["summary"]
        summary_source = "staff"
    elif f.digest:
        summary, digest_cut = digest_summary(f.digest, b.summary)
        summary_source = "digest"
    else:
        summary, summary_source = "", "none"
    leads = [a for a in f.authors if a["lead"]] or f.authors[:1]
    coauthors = [a["name"] for a in f.authors if a not in leads]
    changes = _changes(f, b)
    return {
        "bill_id": f.bill_id, "measure": f.measure, "title": f.title, "session": f.session,
        "other_session": f.other_session,
        "anchor": f"sheet-{f.bill_id}",
        "leads": leads, "coauthors": coauthors[: b.coauthors],
        "more_coauthors": max(0, len(coauthors) - b.coauthors),
        "position": pos.get("position"), "ask": staff["ask"], "why": staff["why"],
        "talking_points": staff["talking_points"],
        "summary": summary, "summary_source": summary_source,
        "supporters": staff["supporters"], "more_supporters": staff["more_supporters"],
        "opponents": staff["opponents"], "more_opponents": staff["more_opponents"],
        "contact": pos.get("contact") or contact,
        "story_prompt": staff["story_prompt"],
        "progress": f.progress, "steps": _steps(f.progress),
        "status": f.status, "location": f.location,
        "last_action": shorten(f.last_action, 160)[0], "last_action_date": f.last_action_date,
        "introduced": f.introduced, "last_amended": f.last_amended,
        "hearing": f.hearing, "letter_deadline": f.letter_deadline,
        "room_label": bool(f.hearing and bare_room_number(f.hearing["room"])),
        "deadline_passed": bool(f.letter_deadline and f.letter_deadline < f.as_of),
        "changes": changes,
        "staff_cut": cut + gone,
        "text_cut": digest_cut or changes["cut"] and changes["show"],
        # the amendment section exists but did not fit: the sheet says so and where to read it
        "changes_left_out": not b.changes and f.changes_to is not None,
        "public_url": f.public_url, "leginfo_url": f.leginfo_url, "text_url": f.text_url,
        "qr_public": qr_svg(f.public_url, gettext("QR code: %(bill)s on our website") % {"bill": f.measure}),
        "qr_leginfo": qr_svg(f.leginfo_url, gettext("QR code: %(bill)s on leginfo.legislature.ca.gov") % {"bill": f.measure}),
        "as_of": f.as_of, "level": level,
    }
