"""Synthetic chamber calendars (no real captures exist; markup per leginfo.md §6).

Senate: one page per date range with the agenda inline in each hearing block; with
``agenda_modal`` (the fault kind of that name) each block instead links to its agenda with a
Drupal ``use-ajax`` link, as the real site does (leginfo.md §6). That agenda's address is not
documented, so the link's target here is a placeholder the replica does not serve: the tracker
must notice it cannot read the bills, not follow a guessed URL. Assembly: the daily-file
hearing table, each row linking to an agenda fragment at ``/api/dailyfile/agenda/<id>``.
"""

from __future__ import annotations

from datetime import date
from html import escape

from tracker.items import parse_bill_id
from tracker.replica.state import RHearing, ReplicaState

STATUS_TEXT = {"canceled": "CANCELED", "postponed": "POSTPONED"}


def _long_date(d: date) -> str:
    return f"{d.strftime('%A')}, {d.strftime('%B')} {d.day}, {d.year}"


def senate_calendar(state: ReplicaState, start: date, end: date, *, agenda_modal: bool | set[int] = False) -> str:
    """The Senate committee calendar; ``agenda_modal``: agendas behind AJAX links, not inline
    (all of them, or the hearings with these ids: the real page mixes both)."""
    hearings = sorted((h for h in state.hearings.values()
                       if h.chamber == "senate" and start <= h.hearing_date <= end),
                      key=lambda h: (h.hearing_date, h.id))
    days: dict[date, list[RHearing]] = {}
    for h in hearings:
        days.setdefault(h.hearing_date, []).append(h)
    blocks = []
    for day, items in days.items():
        inner = []
        for h in items:
            measures = "".join(
                f'<span class="CommitteeTopic"><span class="Measure"><span class="MeasureType">{parse_bill_id(b)[2]}</span>'
                f' <span class="MeasureNum">{parse_bill_id(b)[3]}</span></span></span>'
                for b in h.bill_ids
            )
            status = (f'<div class="committee-hearing-status">{STATUS_TEXT[h.status]}</div>'
                      if h.status in STATUS_TEXT else "")
            agenda = (f'<div class="page-events__agenda"><a class="use-ajax" data-dialog-type="modal" '
                      f'href="/senate/replica-undocumented-agenda/{h.id}">View Agenda</a></div>'
                      if agenda_modal is True or (isinstance(agenda_modal, set) and h.id in agenda_modal)
                      else f'<div class="agenda">{measures}</div>')
            inner.append(
                '<div class="page-events__content">'
                f'<h4 class="page-events__title">{escape(h.committee)}</h4>'
                '<div class="page-events__chair"><p>Chair: Senator Example</p></div>'
                f'<div class="page-events__time-location"><p>{escape(h.time)}</p><p>{escape(h.room)}</p></div>'
                f"{status}<ul><li class=\"page-events__committee-link\"><a href=\"/committees/{h.id}\">{escape(h.committee)}</a></li></ul>"
                f"{agenda}</div>"
            )
        blocks.append(
            f'<div class="page-events--day-wrapper"><h2 class="page-events__date">{_long_date(day)}</h2>'
            f'<div class="committee-hearings">{"".join(inner)}</div></div>'
        )
    content = "".join(blocks) or '<p class="page-events__empty">No events found.</p>'
    return ("<!DOCTYPE html><html lang=\"en\"><head><title>Calendar | California State Senate</title>"
            f'</head><body><main><div class="page-events">{content}</div></main></body></html>\n')


def assembly_daily_file(state: ReplicaState, today: date) -> str:
    hearings = sorted((h for h in state.hearings.values()
                       if h.chamber == "assembly" and h.hearing_date >= today),
                      key=lambda h: (h.hearing_date, h.id))
    rows = "".join(
        "<tr>"
        f'<td class="committee_hearing-date">{h.hearing_date.strftime("%m/%d/%Y")}</td>'
        f'<td class="committee_hearing-time">{escape(h.time)}</td>'
        f'<td class="committee_hearing-name">{escape(h.committee)}'
        + (f' <span class="committee-hearing-status">{STATUS_TEXT[h.status]}</span>' if h.status in STATUS_TEXT else "")
        + "</td>"
        f'<td class="committee_hearing-location">{escape(h.room)}</td>'
        f'<td class="committee_hearing-menu"><a class="use-ajax" href="/assembly/api/dailyfile/agenda/{h.id}">Agenda</a></td>'
        "</tr>"
        for h in hearings
    )
    table = ('<table class="committee-hearing-table"><thead><tr><th>Date</th><th>Time</th><th>Committee</th>'
             f"<th>Location</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
             if rows else '<p class="committee-hearing-empty">No committee hearings scheduled.</p>')
    return ("<!DOCTYPE html><html lang=\"en\"><head><title>Daily File | California State Assembly</title>"
            f"</head><body><main><h1>Daily File</h1>{table}</main></body></html>\n")


def assembly_agenda(hearing: RHearing) -> str:
    items = "".join(
        f'<li><span class="Measure"><a href="#">{".".join(parse_bill_id(b)[2])}. No. {parse_bill_id(b)[3]}</a></span></li>'
        for b in hearing.bill_ids
    )
    return (f'<div class="agenda"><span class="HearingTopic">{escape(hearing.committee)}</span>'
            f"<ol>{items}</ol></div>")
