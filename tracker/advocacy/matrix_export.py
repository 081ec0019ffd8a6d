"""The matrix as files: CSV and Excel for staff, accessible HTML for the public page.

All three take the same rows from :func:`tracker.advocacy.matrix.matrix_rows`. CSV and Excel
use the English column names staff know (Bill, Subject, Implications, Status, Position...);
the HTML goes through the Jinja2 environment so it can be printed in English or Spanish.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tracker.advocacy.matrix import NO_TOPIC, groups
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


def flat_row(r: dict[str, Any], grouped: bool, topics: dict[str, Topic] | None = None) -> dict[str, str]:
    """A row with the published column names and plain text cells (not yet made safe)."""
    hearing = ""
    if r["hearing_date"]:
        committee = r["hearing_committee"] or {"Assembly": "an Assembly committee",
                                                "Senate": "a Senate committee"}.get(r.get("hearing_house") or "", "")
        hearing = _iso(r["hearing_date"]) + (f" {committee}" if committee else "")
    row = {
        "Bill": r["measure"], "Subject": r["subject"], "Implications": r["implications"],
        "Status": r["status"], "Introduced": _iso(r["introduced"]),
        "Last amended": _iso(r["last_amended"]), "Position": r["position_label"],
        "Next hearing": hearing, "Letter deadline": _iso(r["letter_deadline"]),
        "Topics": "; ".join(topic_label(t, topics) for t in r["topics"]), "Link": r["url"],
    }
    if grouped:
        row = {"Group": topic_label(str(r.get("group") or ""), topics), **row}
    return row


def to_csv(rows: list[dict[str, Any]], grouped: bool, topics: dict[str, Topic] | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads 'Limón' as written; cells made safe."""
    buf = io.StringIO()
    fields = (["Group"] if grouped else []) + list(COLUMNS)
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: safe_cell(v) for k, v in flat_row(r, grouped, topics).items()})
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[dict[str, Any]], grouped: bool, as_of: date,
            topics: dict[str, Topic] | None = None) -> bytes:
    """One sheet, header frozen and filterable, text wrapped; dates are real Excel dates."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Legislative matrix"
    fields = (["Group"] if grouped else []) + list(COLUMNS)
    ws.append(fields)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    date_cols = {"Introduced", "Last amended", "Letter deadline"}
    for r in rows:
        flat = flat_row(r, grouped, topics)
        values: list[Any] = []
        for f in fields:
            if f == "Introduced":
                values.append(r["introduced"])
            elif f == "Last amended":
                values.append(r["last_amended"])
            elif f == "Letter deadline":
                values.append(r["letter_deadline"])
            else:
                values.append(safe_cell(flat[f]))
        ws.append(values)
    for i, f in enumerate(fields, 1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = WIDTHS.get(f, 15)
        for cell in ws[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if f in date_cols:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    ws.oddFooter.left.text = f"Status as of {as_of.isoformat()}"
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


def write_matrix(rows: list[dict[str, Any]], fmt: str, *, group_by: str | None = None,
                 lang: str = "en", as_of: date, settings: Settings) -> bytes:
    """The matrix in ``fmt`` (html, csv or xlsx) as bytes ready to write."""
    grouped = group_by is not None
    if fmt == "csv":
        return to_csv(rows, grouped, load_topics(settings.topics_path))
    if fmt == "xlsx":
        return to_xlsx(rows, grouped, as_of, load_topics(settings.topics_path))
    if fmt == "html":
        return to_html(rows, group_by=group_by, lang=lang, as_of=as_of, settings=settings).encode("utf-8")
    raise TrackerError(f"unknown matrix format {fmt!r}: use html, csv or xlsx")
