"""Briefing sheets and Advocacy Day packets: gather, render to HTML, lay out to a PDF.

``build_packet`` is the one entry point the CLI and the web app use: it reads the facts for the
requested bills (and the legislator cover page, if a legislator is named), renders HTML through
the project's Jinja2 environment, and returns HTML or PDF bytes. The as-of date is a parameter,
so tests and golden files freeze it without touching internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.advocacy.facts import BillFacts, bill_facts, legislator_lookup
from tracker.advocacy.legislators import cover_page
from tracker.advocacy.pdf import fitted_packet, write_pdf
from tracker.advocacy.sheet import MAX_LEVEL, fit_sheet, staff_text_cut
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
    #: measure → staff-written fields the printed sheet shortened or left out (only bills with any)
    shortened: dict[str, list[str]] = field(default_factory=dict)


def parse_bill_list(text: str) -> list[str]:
    """'AB 13,SB 367' or 'AB 13; SB 367' → ['AB 13', 'SB 367'] (order kept, duplicates dropped)."""
    seen: list[str] = []
    for part in text.replace(";", ",").split(","):
        part = " ".join(part.split())
        if part and part.upper() not in (p.upper() for p in seen):
            seen.append(part)
    if not seen:
        raise TrackerError("no bills given: use --bills \"AB 13,SB 367\"")
    return seen


def resolve_bills(s: Session, names: list[str], session_year: str) -> list[str]:
    """Bill ids for the given numbers; an unknown number is an error naming it."""
    return [find_bill_id(s, name, session_year) for name in names]


def _doc_title(lang: str, cover: dict[str, Any] | None, organisation: str) -> str:
    gettext = translations(lang).gettext
    if cover:
        return gettext("Advocacy Day packet for %(name)s") % {"name": cover["display_name"]}
    return f"{gettext('Briefing sheets')} · {organisation}"


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
        doc_title=_doc_title(lang, cover, settings.advocacy.organisation),
        crisis_resources=settings.alerts.crisis_resources,
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

    def shortened(levels: list[int]) -> dict[str, list[str]]:
        cuts = ((f.measure, staff_text_cut(f, lv)) for f, lv in zip(facts, levels, strict=True))
        return {measure: fields for measure, fields in cuts if fields}

    if fmt == "html":
        levels = [0] * len(facts)
        html = render(levels, True)
        return Packet(html.encode("utf-8"), "text/html", bill_ids, levels, None, shortened(levels))
    if fmt != "pdf":
        raise TrackerError(f"unknown packet format {fmt!r}: use pdf or html")
    document, levels = fitted_packet(render, [f"sheet-{b}" for b in bill_ids], MAX_LEVEL)
    return Packet(write_pdf(document), "application/pdf", bill_ids, levels, len(document.pages),
                  shortened(levels))
