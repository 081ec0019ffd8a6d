"""Chamber hearing calendars → ``HearingRecord`` per bill on each agenda.

No real captures exist yet (leginfo.md §10): the markup follows the third-party selectors in
leginfo.md §6 and the synthetic fixtures in ``tests/files/calendars``. Expectations: the
Senate page has its events container and every hearing block a date, a title and a time/room
paragraph; an empty calendar must say so (``page-events__empty``). The real Senate site loads
each hearing's agenda in a Drupal AJAX modal (an ``a.use-ajax`` link), and leginfo.md does not
document that agenda's address, so its links are not followed: a page whose hearings carry no
measure inline but have agenda links to load is a layout error (the bills on it are unknown),
never "no hearings". Hearings without measures and without such links (informational hearings)
are simply no bills. The Assembly daily file has
``table.committee-hearing-table`` (or its "no hearings" note) and agenda fragments name
measures as "A.B. No. 123".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from spiders.parsers import LayoutError, PageProblem, check_page, expect, html_selector, text_of
from tracker.items import HearingRecord, bill_id_of

CANCELED_RE = re.compile(r"cancel", re.I)
POSTPONED_RE = re.compile(r"postpon", re.I)
ASSEMBLY_MEASURE_RE = re.compile(r"^\s*([A-Z](?:\.[A-Z])*\.?)\s*(?:No\.)?\s*(\d+)\s*$")
#: A Drupal AJAX link in a hearing block that is not the committee's own page link: its agenda.
AGENDA_LINK_XPATH = (".//a[contains(concat(' ', normalize-space(@class), ' '), ' use-ajax ')]"
                     "[not(ancestor::li[contains(@class, 'page-events__committee-link')])]")


def _status(text: str) -> str:
    if CANCELED_RE.search(text):
        return "canceled"
    if POSTPONED_RE.search(text):
        return "postponed"
    return "scheduled"


def _date(value: str, formats: tuple[str, ...], url: str) -> date:
    for fmt in formats:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise LayoutError(url, f"unexpected hearing date {value!r}")


def parse_senate_calendar(text: str, url: str, session_year: str, status: int = 200,
                          unread: list[date] | None = None) -> list[HearingRecord]:
    """Every (bill, hearing) pair on the Senate committee calendar page; ``unread`` gets the day
    of each hearing whose agenda is not inline (behind a modal): its bills are unknown, so this
    page cannot say a bill is no longer on it."""
    check_page(text, url, status, anchors=(".page-events",))
    sel = html_selector(text)
    events = expect(sel, "div.page-events", url, exactly=1)[0]
    days = events.css("div.page-events--day-wrapper")
    if not days:
        if events.css(".page-events__empty"):
            return []
        raise LayoutError(url, "no day blocks and no 'no events' note")
    out: list[HearingRecord] = []
    agendas_to_load = 0
    for day in days:
        when = _date(text_of(expect(day, "h2.page-events__date", url, exactly=1)),
                     ("%A, %B %d, %Y", "%B %d, %Y"), url)
        for block in day.css("div.committee-hearings div.page-events__content"):
            measures = block.css("span.CommitteeTopic span.Measure")
            if not measures and block.xpath(AGENDA_LINK_XPATH):
                agendas_to_load += 1
                if unread is not None:
                    unread.append(when)
            title = text_of(expect(block, "h4.page-events__title", url, exactly=1))
            time_loc = [text_of(p) for p in expect(block, "div.page-events__time-location p", url)]
            hearing_time = time_loc[0] if time_loc else None
            room = time_loc[1] if len(time_loc) > 1 else None
            state = _status(text_of(block.css("div.committee-hearing-status")))
            for measure in measures:
                mtype = text_of(measure.css("span.MeasureType"))
                mnum = text_of(measure.css("span.MeasureNum"))
                try:
                    bill_id = bill_id_of(f"{mtype} {mnum}", session_year)
                except ValueError:
                    raise LayoutError(url, f"unreadable measure {mtype!r} {mnum!r}") from None
                out.append(HearingRecord(bill_id=bill_id, hearing_date=when, committee_name=title,
                                         hearing_time=hearing_time, room=room, status=state))  # type: ignore[arg-type]
    if not out and agendas_to_load:
        raise LayoutError(url, f"no hearing carries its agenda inline and {agendas_to_load} load it in a "
                               "modal (a.use-ajax), whose address is undocumented: the bills are unknown")
    return out


@dataclass(frozen=True)
class AssemblyHearing:
    """One row of the daily file's hearing table; its agenda is a separate request."""

    hearing_date: date
    committee_name: str
    hearing_time: str | None
    room: str | None
    status: str
    agenda_url: str | None


def parse_assembly_daily_file(text: str, url: str, status: int = 200) -> list[AssemblyHearing]:
    """The hearing rows of the Assembly daily file (agendas are fetched one by one)."""
    check_page(text, url, status, anchors=(".committee-hearing-table", ".committee-hearing-empty"))
    sel = html_selector(text)
    tables = sel.css("table.committee-hearing-table")
    if not tables:
        if sel.css(".committee-hearing-empty"):
            return []
        raise LayoutError(url, "no table.committee-hearing-table and no 'no hearings' note")
    rows = tables[0].xpath("./tbody/tr")
    if not rows:
        raise LayoutError(url, "committee-hearing-table has no rows")
    out: list[AssemblyHearing] = []
    for row in rows:
        when = _date(text_of(expect(row, "td.committee_hearing-date", url, exactly=1)),
                     ("%m/%d/%Y", "%A, %B %d, %Y", "%B %d, %Y"), url)
        name_cell = expect(row, "td.committee_hearing-name", url, exactly=1)
        state_text = text_of(row.css(".committee-hearing-status"))
        name = text_of(name_cell)
        if state_text and name.endswith(state_text):
            name = name[: -len(state_text)].strip()
        out.append(AssemblyHearing(
            hearing_date=when,
            committee_name=name,
            hearing_time=text_of(row.css("td.committee_hearing-time")) or None,
            room=text_of(row.css("td.committee_hearing-location")) or None,
            status=_status(state_text),
            agenda_url=row.css("td.committee_hearing-menu a.use-ajax::attr(href)").get(),
        ))
    return out


def parse_assembly_agenda(text: str, url: str, hearing: AssemblyHearing, session_year: str,
                          status: int = 200) -> list[HearingRecord]:
    """Bills on one Assembly hearing's agenda (an HTML fragment, so no ``</html>`` check)."""
    if status != 200:
        raise PageProblem(url, f"agenda request failed (HTTP {status})")
    sel = html_selector(text)
    expect(sel, "span.HearingTopic", url)
    out: list[HearingRecord] = []
    for link in sel.css("span.Measure a"):
        label = text_of(link)
        m = ASSEMBLY_MEASURE_RE.match(label)
        if not m:
            raise LayoutError(url, f"unreadable measure {label!r}")
        try:
            bill_id = bill_id_of(f"{m.group(1).replace('.', '')} {m.group(2)}", session_year)
        except ValueError:
            raise LayoutError(url, f"unknown measure {label!r}") from None
        out.append(HearingRecord(bill_id=bill_id, hearing_date=hearing.hearing_date,
                                 committee_name=hearing.committee_name,
                                 hearing_time=hearing.hearing_time, room=hearing.room,
                                 status=hearing.status))  # type: ignore[arg-type]
    return out
