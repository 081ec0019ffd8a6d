"""leginfo-shaped HTML for the replica, on the real element ids (leginfo.md §5).

The text page follows the real saved ``billNavClient`` page (XML prologue, ``#bill_header``
``h1`` + ``span.bill_title_yr``, ``select#version``, hidden ``#bid``/``#vid``, ``div#bill_all``
with ``#about``, ``div#title``, ``span#subject``, ``span#digesttext``, the digest key spans and
``div#bill``). Status, history, votes and search have no real captures: they follow the
third-party selectors in leginfo.md §5.4, with dates as ``MM/DD/YY`` and history newest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape

from tracker.replica.state import RBill, ReplicaState

PROLOGUE = "<?xml version='1.0' encoding='UTF-8' ?>\n<!DOCTYPE html>\n"


def mmddyy(d: date | None) -> str:
    return d.strftime("%m/%d/%y") if d else ""


def _page(title: str, body: str, bill: RBill | None = None) -> str:
    hidden = ""
    if bill is not None:
        hidden = (
            '<form id="billDetailTopNavBarId" name="billDetailTopNavBarId" method="post">'
            f'<input id="bid" type="hidden" name="bid" value="{bill.bill_id}" />'
            f'<input id="vid" type="hidden" name="vid" value="{bill.latest.version_id}" />'
            '<input type="hidden" name="javax.faces.ViewState" id="j_id1:javax.faces.ViewState:0" value="replica" />'
            "</form>"
        )
    return (
        f'{PROLOGUE}<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en"><head>'
        f'<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />'
        f"<title>{escape(title)}</title></head><body>{hidden}{body}</body>\n</html>\n"
    )


def _tabs(bill: RBill) -> str:
    tabs = [("text", "billTextClient", "Text"), ("votes", "billVotesClient", "Votes"),
            ("history", "billHistoryClient", "History"), ("status", "billStatusClient", "Status")]
    links = "".join(
        f'<span class="tab_simple"><a id="nav_bar_top_{t}" name="nav_bar_top_{t}" '
        f'href="/faces/{page}.xhtml?bill_id={bill.bill_id}" class="tab_link">'
        f'<span class="float_left">{label}</span></a></span>'
        for t, page, label in tabs
    )
    return f'<div id="tab_panel">{links}</div>'


def _header(bill: RBill, session_year: str) -> str:
    v = bill.latest
    opts = "".join(
        f'\t<option value="{x.version_id}">{mmddyy(x.action_date)} - {escape(x.action or "")}</option>\n'
        for x in bill.versions
    )
    return (
        '<div id="bill_header"><div id="bill_version"><label for="version">Version:</label>'
        f'<select id="version" name="version" class="bill_version_select" size="1">{opts}</select></div>'
        f'<div><h1>{bill.dash_measure} {escape(v.subject or "")}'
        f'<span class="bill_title_yr">({session_year[:4]}-{session_year[4:]})</span></h1></div></div>'
        + _tabs(bill)
    )


def _rows(rows: Iterable[tuple[date, str]]) -> str:
    return "".join(
        f'<tr><td scope="row">{mmddyy(d)}</td><td>{escape(a)}</td></tr>' for d, a in rows
    )


def history_page(bill: RBill, state: ReplicaState) -> str:
    newest_first = sorted(bill.actions, key=lambda a: (a.action_date, a.sequence or 0, a.history_id), reverse=True)
    body = (
        _header(bill, state.session_year)
        + '<div id="bill_history"><table id="billhistory" class="bill_history">'
        "<thead><tr><th>Date</th><th>Action</th></tr></thead><tbody>"
        + _rows((a.action_date, a.action) for a in newest_first)
        + "</tbody></table></div>"
    )
    return _page(f"Bill History - {bill.dash_measure}", body, bill)


def author_label(name: str, house: str | None) -> str:
    """An author as the status page prints one, ``Davies (A)``, with the author's own house (from
    BILL_VERSION_AUTHORS_TBL), never the bill's: that is wherever the bill is now, and an
    Assembly bill in the Senate still has Assembly authors."""
    initial = (house or "").strip()[:1].upper()
    return f"{name} ({initial})" if initial else name


def status_page(bill: RBill, state: ReplicaState) -> str:
    v = bill.latest
    newest_first = sorted(bill.actions, key=lambda a: (a.action_date, a.sequence or 0, a.history_id), reverse=True)
    last = newest_first[0] if newest_first else None
    coauthors = ", ".join(author_label(n, h) for n, h, c in bill.authors if c == "COAUTHOR") or "-"
    principal = ", ".join(author_label(n, h) for n, h, c in bill.authors if c == "PRINCIPAL_COAUTHOR") or "-"
    lead_house = next((h for n, h, _ in bill.authors if n == bill.lead_author), None)
    loc = (
        f'<div><span class="statusCell">Committee Location:</span>'
        f'<span id="latest_commitee_location">{escape(bill.location)}</span></div>'
        if bill.location else ""
    )
    body = (
        _header(bill, state.session_year)
        + '<div id="bill_status"><div class="statusRow">'
        f'<span id="measureNum">{bill.dash_measure}</span></div>'
        f'<div>Lead Authors: <span id="leadAuthors">{escape(author_label(bill.lead_author, lead_house))}</span></div>'
        f'<div>Principal Coauthors: <span id="principalAuthors">{escape(principal)}</span></div>'
        f'<div>Coauthors: <span id="coAuthors">{escape(coauthors)}</span></div>'
        f'<div>Topic: <span id="subject">{escape(v.subject or "")}</span></div>'
        f'<div>Title: <span id="statusTitle">{escape(v.title or "")}</span></div>'
        f'<div>House Location: <span id="houseLoc">{escape(bill.house or "")}</span></div>'
        + loc
        + f'<div>Last Amended Date: <span id="lastAction">{mmddyy(last.action_date) if last else ""}</span></div>'
        f'<div>31st Day in Print: <span id="day">{mmddyy(v.action_date)}</span></div>'
        '<table id="billhistory" class="bill_history"><thead><tr><th>Date</th><th>Action</th></tr></thead><tbody>'
        + _rows((a.action_date, a.action) for a in newest_first[:5])
        + "</tbody></table></div>"
    )
    return _page(f"Bill Status - {bill.dash_measure}", body, bill)


def text_page(bill: RBill, state: ReplicaState) -> str:
    v = bill.latest
    digest = "".join(f'<div style="margin:0 0 1em 0;">{escape(p)}</div>' for p in (v.digest or "").split("\n") if p.strip())
    text = "".join(f'<div><p>{escape(p)}</p></div>' for p in (v.text or "").split("\n") if p.strip())

    def key(ident: str, label: str, value: str | None) -> str:
        return (f'<span id="{ident}">\n      {label}:\n      <span style=" text-transform: lowercase">'
                f'{escape((value or "No").upper())}</span>  </span>')

    body = (
        _header(bill, state.session_year)
        + '<div id="bill_nav_bill_text" class="tab_content"><div id="bill_all" align="justify">'
        f'<div id="about"><span id="bill_house_num"><b>{escape(bill.measure)}</b></span>'
        f'<table><tbody><tr><td id="bill_authors">Introduced by {escape(bill.lead_author)}</td></tr>'
        f'<tr><td id="bill_intro_date">{bill.versions[-1].action_date.strftime("%B %d, %Y") if bill.versions[-1].action_date else ""}</td></tr>'
        f'</tbody></table><div id="title">{escape(v.title or "")}</div>'
        f'<div><span id="subject">{bill.measure}, {escape(bill.lead_author)}. {escape(v.subject or "")}</span></div>'
        f'<div><span id="digesttext">{digest}</span></div>'
        + key("vote", "Vote", v.vote_required) + key("appropriation", "Appropriation", v.appropriation)
        + key("fiscalcommittee", "Fiscal Committee", v.fiscal_committee)
        + key("localprogram", "Local Program", v.local_program)
        + f'</div><div id="bill">{text}</div></div></div>'
    )
    return _page(f"Bill Text - {bill.dash_measure} {v.subject or ''}", body, bill)


def votes_page(bill: RBill, state: ReplicaState) -> str:
    blocks = []
    for i, vote in enumerate(sorted(bill.votes, key=lambda x: (x.vote_date, x.seq), reverse=True)):
        p = f"j_idt{100 + i}:{i}"

        def row(label: str, suffix: str, value: str) -> str:
            return (f'<div class="statusRow"><div class="statusCell">{label}</div>'
                    f'<div class="statusCellData"><span id="{p}:{suffix}">{escape(value)}</span></div></div>')

        blocks.append(
            '<div class="status">'
            + row("Date", "voteDate", mmddyy(vote.vote_date)) + row("Result", "result", vote.result)
            + row("Location", "location", vote.location) + row("Ayes", "ayes", str(len(vote.ayes)))
            + row("Noes", "noes", str(len(vote.noes))) + row("NVR", "nvr", str(len(vote.nvr)))
            + row("Motion", "motion", vote.motion) + row("Ayes", "ayesLeg", ", ".join(vote.ayes))
            + row("Noes", "noesLeg", ", ".join(vote.noes)) + row("NVR", "nvrLeg", ", ".join(vote.nvr))
            + "</div>"
        )
    inner = "".join(blocks) or '<div id="votes_none">No votes available for this bill.</div>'
    return _page(f"Bill Votes - {bill.dash_measure}", _header(bill, state.session_year) + inner, bill)


def search_page(state: ReplicaState) -> str:
    rows = []
    for bill in sorted(state.bills.values(), key=lambda b: (b.bill_id[9:].rstrip("0123456789"), int("".join(c for c in b.bill_id[9:] if c.isdigit())))):
        rows.append(
            f'<tr><td><a href="/faces/billNavClient.xhtml?bill_id={bill.bill_id}">{bill.dash_measure}</a></td>'
            f"<td>{escape(bill.latest.subject or '')}</td><td>{escape(bill.lead_author)}</td>"
            f"<td>{escape(bill.status or '')}</td></tr>"
        )
    body = (
        f'<div id="bill_returned">{len(rows)} bill(s) returned</div>'
        '<table id="bill_results" class="bill_results"><thead><tr><th>Measure</th><th>Subject</th>'
        "<th>Author</th><th>Status</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    return _page("Bill Search", body)
