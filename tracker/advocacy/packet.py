"""Briefing sheets and Advocacy Day packets: gather, render to HTML, lay out to a PDF.

``build_packet`` is the one entry point the CLI and the web app use: it reads the facts for the
requested bills (and the legislator cover page, if a legislator is named), renders HTML through
the project's Jinja2 environment, and returns HTML or PDF bytes. The as-of date is a parameter,
so tests and golden files freeze it without touching internals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from tracker.advocacy.facts import BillFacts, bill_facts, legislator_lookup
from tracker.advocacy.legislators import cover_page
from tracker.advocacy.pdf import fitted_packet, sheet_spans, write_pdf
from tracker.advocacy.sheet import MAX_LEVEL, fit_sheet, sheet_cuts
from tracker.errors import TrackerError
from tracker.i18n import normalise_lang, translations
from tracker.queries import find_bill_id
from tracker.rendering import environment
from tracker.settings import Settings


@dataclass
class Packet:
    """What was rendered: the output bytes plus what a caller may want to report."""

    content: bytes
    media_type: str
    bills: list[str]
    levels: list[int]
    pages: int | None
    #: measure → staff-written fields the printed sheet shortened (only bills with any)
    shortened: dict[str, list[str]] = field(default_factory=dict)
    #: measure → sections the printed sheet left out altogether to fit one page, staff-written
    #: ones (in the position record) and the bill's own ones (in the bill text), as two lists
    left_out: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    #: measure → pages, for sheets still longer than one page at the tightest fit
    overflowing: dict[str, int] = field(default_factory=dict)
    #: bill ids of the packet's bills that are not of the configured session
    other_sessions: list[str] = field(default_factory=list)
    #: measure of each sheet, in order (for messages)
    measures: list[str] = field(default_factory=list)


def parse_bill_list(text: str) -> list[str]:
    """'AB 13,SB 367' or 'AB 13; SB 367' → ['AB 13', 'SB 367'] (order kept, repeats of the same
    text dropped; 'AB1656' and 'AB 1656' are the same bill, which ``resolve_bills`` sees)."""
    seen: list[str] = []
    for part in text.replace(";", ",").split(","):
        part = " ".join(part.split())
        if part and part.upper() not in (p.upper() for p in seen):
            seen.append(part)
    if not seen:
        raise TrackerError("no bills given: use --bills \"AB 13,SB 367\"")
    return seen


def resolve_bills(s: Session, names: list[str], session_year: str) -> list[str]:
    """Bill ids for the given numbers, each bill once in the order first named; an unknown
    number is an error naming it.

    'AB1656, ab 1656, AB-1656' name one bill: printing it three times would waste paper, and
    its repeated sheet anchors would make the page check think the sheet overflowed.
    """
    ids: list[str] = []
    for name in names:
        bill_id = find_bill_id(s, name, session_year)
        if bill_id not in ids:
            ids.append(bill_id)
    return ids


def _doc_title(lang: str, cover: dict[str, Any] | None, organisation: str,
               measures: list[str]) -> str:
    """The document's title (the PDF's title in a reader's tab or file list): the legislator
    for a packet, the bill for a single sheet."""
    gettext = translations(lang).gettext
    if cover:
        return gettext("Advocacy Day packet for %(name)s") % {"name": cover["display_name"]}
    if len(measures) == 1:
        return f"{measures[0]} · {gettext('Briefing sheet')} · {organisation}"
    return f"{gettext('Briefing sheets')} · {organisation}"


_PLACEHOLDER = re.compile(r"%\((page|pages)\)s")


def page_numbers_css(lang: str) -> Markup:
    """A CSS ``content`` value saying "Page 3 of 7" in ``lang``, from page counters.

    The words come from the catalogue ("Page %(page)s of %(pages)s"); the numbers are CSS
    counters, so WeasyPrint fills them in as it lays out the pages.
    """
    text = translations(lang).gettext("Page %(page)s of %(pages)s")
    parts: list[str] = []
    for i, piece in enumerate(_PLACEHOLDER.split(text)):
        if i % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"')
    return Markup(" ".join(parts) or '""')


def render_sheets_html(
    facts: list[BillFacts],
    levels: list[int],
    *,
    settings: Settings,
    lang: str = "en",
    cover: dict[str, Any] | None = None,
) -> str:
    """The packet as one HTML document; sheets with level -1 are left out (used for re-fits)."""
    lang = normalise_lang(lang)
    contact = settings.advocacy.staff_contact
    sheets = [fit_sheet(f, lv, contact=contact, lang=lang) for f, lv in zip(facts, levels, strict=True) if lv >= 0]
    return environment(lang).get_template("docs/sheets.html").render(
        sheets=sheets, cover=cover, organisation=settings.advocacy.organisation,
        doc_title=_doc_title(lang, cover, settings.advocacy.organisation, [f.measure for f in facts]),
        crisis_resources=settings.alerts.crisis_resources, page_numbers=page_numbers_css(lang),
    )


def build_packet(
    s: Session,
    bills: list[str],
    *,
    settings: Settings,
    as_of: date,
    legislator: str | None = None,
    lang: str = "en",
    fmt: str = "pdf",
) -> Packet:
    """Sheets for ``bills`` (numbers like 'AB 13'), behind a cover page when a legislator is named."""
    bill_ids = resolve_bills(s, bills, settings.session_year)
    cover = cover_page(s, legislator, bill_ids, settings=settings) if legislator is not None else None
    lookups: dict[str, Any] = {}
    facts: list[BillFacts] = []
    for bill_id in bill_ids:
        session = bill_id[:8]
        if session not in lookups:
            lookups[session] = legislator_lookup(s, session)
        facts.append(bill_facts(s, bill_id, settings, as_of, lookups[session]))

    def render(levels: list[int], with_cover: bool) -> str:
        return render_sheets_html(facts, levels, settings=settings, lang=lang,
                                  cover=cover if with_cover else None)

    def packet(content: bytes, media_type: str, levels: list[int], pages: int | None,
               overflowing: dict[str, int]) -> Packet:
        cuts = [(f.measure, sheet_cuts(f, lv)) for f, lv in zip(facts, levels, strict=True)]
        return Packet(content, media_type, bill_ids, levels, pages,
                      shortened={m: c.shortened for m, c in cuts if c.shortened},
                      left_out={m: (c.staff_left_out, c.text_left_out) for m, c in cuts
                                if c.staff_left_out or c.text_left_out},
                      overflowing=overflowing,
                      other_sessions=[b for b in bill_ids if b[:8] != settings.session_year],
                      measures=[f.measure for f in facts])

    if fmt == "html":
        return packet(render([0] * len(facts), True).encode("utf-8"), "text/html", [0] * len(facts), None, {})
    if fmt != "pdf":
        raise TrackerError(f"unknown packet format {fmt!r}: use pdf or html")
    anchors = [f"sheet-{b}" for b in bill_ids]
    document, levels = fitted_packet(render, anchors, MAX_LEVEL)
    spans = sheet_spans(document, anchors)
    overflowing = {f.measure: count for f, (_start, count) in zip(facts, spans, strict=True) if count > 1}
    return packet(write_pdf(document), "application/pdf", levels, len(document.pages), overflowing)
