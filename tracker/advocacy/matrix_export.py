"""The matrix as files: CSV and Excel for staff, accessible HTML for the public page.

All three take the same rows from :func:`tracker.advocacy.matrix.matrix_rows` and are written
in English or Spanish (``lang``): CSV and Excel use the column names staff know (Bill, Subject,
Implications, Status, Position...) through the same catalogue as the HTML, which goes through
the Jinja2 environment.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tracker.advocacy.matrix import NO_TOPIC, POSITION_LABELS, groups
from tracker.advocacy.text import safe_cell
from tracker.alerts.topics import Topic, load_topics
from tracker.alerts.topics import topic_label as configured_label
from tracker.errors import TrackerError
from tracker.i18n import translations
from tracker.rendering import environment
from tracker.settings import Settings

COLUMNS: tuple[str, ...] = (
    "Bill", "Subject", "Implications", "Status", "Introduced", "Last amended", "Position",
    "Next hearing", "Letter deadline", "Topics", "Link",
)
WIDTHS = {"Bill": 11, "Subject": 40, "Implications": 60, "Status": 30, "Introduced": 12,
          "Last amended": 13, "Position": 20, "Next hearing": 30, "Letter deadline": 14,
          "Topics": 25, "Link": 40, "Group": 25}


def topic_label(topic: str, topics: dict[str, Topic] | None = None, lang: str = "en") -> str:
    """A topic's name as staff configured it (``label`` / ``label_es`` in config/topics.toml).

    A key the taxonomy no longer has is made readable ('crisis_services' → 'Crisis services');
    the matrix's own "no topic" group is translated.
    """
    if topic == NO_TOPIC:
        return translations(lang).gettext(NO_TOPIC)
    text = configured_label(topics or {}, topic, lang).strip()
    return text[:1].upper() + text[1:]


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _group_label(r: dict[str, Any], topics: dict[str, Topic] | None, lang: str) -> str:
    """The row's group in ``lang``: a position's label, or a topic's configured name."""
    group = str(r.get("group") or "")
    key = r.get("position") or ""
    if group and group == POSITION_LABELS.get(key):
        return translations(lang).gettext(group)
    return topic_label(group, topics, lang)


def flat_row(r: dict[str, Any], grouped: bool, topics: dict[str, Topic] | None = None,
             lang: str = "en") -> dict[str, str]:
    """A row keyed by the English column names, with plain text cells in ``lang`` (not yet
    made safe for a spreadsheet)."""
    gettext = translations(lang).gettext
    hearing = ""
    if r["hearing_date"]:
        house = {"Assembly": "an Assembly committee", "Senate": "a Senate committee"}.get(r.get("hearing_house") or "")
        committee = r["hearing_committee"] or (gettext(house) if house else "")
        hearing = _iso(r["hearing_date"]) + (f" {committee}" if committee else "")
    status = gettext(r["stage_text"]) + (f" ({r['official_status']})" if r["official_status"] else "")
    row = {
        "Bill": r["measure"], "Subject": r["subject"], "Implications": r["implications"],
        "Status": status, "Introduced": _iso(r["introduced"]),
        "Last amended": _iso(r["last_amended"]), "Position": gettext(r["position_label"]),
        "Next hearing": hearing, "Letter deadline": _iso(r["letter_deadline"]),
        "Topics": "; ".join(topic_label(t, topics, lang) for t in r["topics"]), "Link": r["url"],
    }
    if grouped:
        row = {"Group": _group_label(r, topics, lang), **row}
    return row


def _headers(grouped: bool, lang: str) -> list[tuple[str, str]]:
    """(English key, header in ``lang``) for each column, in order."""
    gettext = translations(lang).gettext
    return [(f, gettext(f)) for f in (["Group"] if grouped else []) + list(COLUMNS)]


def to_csv(rows: list[dict[str, Any]], grouped: bool, topics: dict[str, Topic] | None = None,
           lang: str = "en") -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads 'Limón' as written; cells made safe."""
    buf = io.StringIO()
    headers = _headers(grouped, lang)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([label for _key, label in headers])
    for r in rows:
        flat = flat_row(r, grouped, topics, lang)
        writer.writerow([safe_cell(flat[key]) for key, _label in headers])
    return buf.getvalue().encode("utf-8-sig")


def _text_cell(ws: Any, row: int, column: int, value: str) -> None:
    """Store ``value`` as text, never as a formula, written as it is.

    openpyxl would read a value starting with '=' as a formula; a cell typed as a string is
    written as an inline string, which Excel and LibreOffice show as text and never run. So
    the apostrophe that guards CSV cells is not needed (it would show in the cell).
    """
    cell = ws.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"


def to_xlsx(rows: list[dict[str, Any]], grouped: bool, as_of: date,
            topics: dict[str, Topic] | None = None, lang: str = "en") -> bytes:
    """One sheet, header frozen and filterable, text wrapped; dates are real Excel dates."""
    gettext = translations(lang).gettext
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = gettext("Legislative matrix")[:31]  # Excel's limit for a sheet name
    headers = _headers(grouped, lang)
    for col, (_key, label) in enumerate(headers, 1):
        _text_cell(ws, 1, col, label)
        ws.cell(row=1, column=col).font = Font(bold=True)
    dates = {"Introduced": "introduced", "Last amended": "last_amended", "Letter deadline": "letter_deadline"}
    for row_number, r in enumerate(rows, 2):
        flat = flat_row(r, grouped, topics, lang)
        for col, (key, _label) in enumerate(headers, 1):
            if key in dates:
                ws.cell(row=row_number, column=col).value = r[dates[key]]
            elif flat[key]:
                _text_cell(ws, row_number, col, flat[key])
    for i, (key, _label) in enumerate(headers, 1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = WIDTHS.get(key, 15)
        for cell in ws[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if key in dates:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    ws.oddFooter.left.text = gettext("Status as of %(date)s") % {"date": as_of.isoformat()}
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_html(rows: list[dict[str, Any]], *, group_by: str | None, lang: str, as_of: date,
            settings: Settings) -> str:
    topics = load_topics(settings.topics_path) if group_by == "topic" else {}
    blocks = [(topic_label(g, topics, lang) if g and group_by == "topic" else g, rs) for g, rs in groups(rows)]
    return environment(lang).get_template("docs/matrix.html").render(
        blocks=blocks, group_by=group_by, count=len(rows), as_of=as_of,
        organisation=settings.advocacy.organisation,
        crisis_resources=settings.alerts.crisis_resources,
    )


def _alphabetical(text: str) -> str:
    """A sort key that files "Órdenes" with the O's, as a reader looks for it."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def write_matrix(rows: list[dict[str, Any]], fmt: str, *, group_by: str | None = None,
                 lang: str = "en", as_of: date, settings: Settings) -> bytes:
    """The matrix in ``fmt`` (html, csv or xlsx) as bytes ready to write.

    Topic groups come in the order of their names as the reader sees them (in ``lang``), not of
    the topic ids behind them; bills without a topic last."""
    grouped = group_by is not None
    if group_by == "topic":
        topics = load_topics(settings.topics_path)
        rows = sorted(rows, key=lambda r: (r["group"] == NO_TOPIC, _alphabetical(topic_label(r["group"], topics, lang))))
    if fmt == "csv":
        return to_csv(rows, grouped, load_topics(settings.topics_path), lang)
    if fmt == "xlsx":
        return to_xlsx(rows, grouped, as_of, load_topics(settings.topics_path), lang)
    if fmt == "html":
        return to_html(rows, group_by=group_by, lang=lang, as_of=as_of, settings=settings).encode("utf-8")
    raise TrackerError(f"unknown matrix format {fmt!r}: use html, csv or xlsx")
