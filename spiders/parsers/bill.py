"""Bill pages: status (last 5 actions), history (all actions), votes, text.

Each function takes the page text, its URL and the HTTP status and returns ``tracker.items``
records, or raises ``PageError``. Expectations (from leginfo.md §5): the history has exactly one
``table#billhistory`` with at least one row of (MM/DD/YY, action); the text page has one
``div#bill_all``, ``select#version`` with at least one option and hidden ``#bid``; the votes
page has ``div.status`` blocks whose date and counts parse (an empty votes page is normal and
must say so with its "no votes" message).
"""

from __future__ import annotations

import re

from parsel import Selector

from spiders.parsers import (
    LayoutError,
    bill_id_from_url,
    block_text,
    check_page,
    expect,
    html_selector,
    parse_mmddyy,
    text_of,
)
from tracker.items import (
    ActionRecord,
    AuthorRecord,
    BillRecord,
    VersionRecord,
    VoteMemberRecord,
    VoteRecord,
    parse_bill_id,
)

VERSION_ID_RE = re.compile(r"^\d{4}\d[A-Z]+\d+(\d{2})([A-Z]{3})$")
SUBJECT_PREFIX_RE = re.compile(r"^[A-Z]+X?\d*\s*\d+,\s*(?:as [a-z]+(?: [A-Za-z]+)*,\s*)?[^.]*\.\s*")
NO_VOTES_RE = re.compile(r"no (roll call )?votes", re.I)


def _bill_id(sel: Selector, url: str) -> str:
    bill_id = sel.css("input#bid::attr(value)").get() or bill_id_from_url(url)
    if not bill_id:
        raise LayoutError(url, "no bill id in the page or the URL")
    try:
        parse_bill_id(bill_id)
    except ValueError:
        raise LayoutError(url, f"bad bill id {bill_id!r}") from None
    return bill_id


def _action_rows(table: Selector, url: str, bill_id: str) -> list[ActionRecord]:
    rows = table.xpath("./tbody/tr")
    if not rows:
        raise LayoutError(url, "table#billhistory has no rows")
    actions: list[ActionRecord] = []
    for i, row in enumerate(rows, 1):
        cells = row.xpath("./td")
        if len(cells) != 2:
            raise LayoutError(url, f"history row {i}: expected 2 cells, found {len(cells)}")
        when = parse_mmddyy(text_of(cells[0]), url)
        raw = " ".join(t.strip("\r\n") for t in cells[1].xpath(".//text()").getall()).strip()
        if not raw:
            raise LayoutError(url, f"history row {i}: empty action text")
        actions.append(ActionRecord(bill_id=bill_id, action_date=when, action=raw))
    return actions


def parse_history(text: str, url: str, status: int = 200) -> list[ActionRecord]:
    """Every action, oldest first (the site lists newest first)."""
    check_page(text, url, status, anchors=("#billhistory",))
    sel = html_selector(text)
    bill_id = _bill_id(sel, url)
    table = expect(sel, "table#billhistory", url, exactly=1)[0]
    actions = _action_rows(table, url, bill_id)
    dates = [a.action_date for a in actions]
    if dates != sorted(dates, reverse=True):
        raise LayoutError(url, "history is not newest-first any more")
    return list(reversed(actions))


def parse_status(text: str, url: str, status: int = 200) -> tuple[BillRecord, list[ActionRecord]]:
    """Bill facts from the status page plus its (at most 5) recent actions, oldest first."""
    check_page(text, url, status, anchors=("#measureNum",))
    sel = html_selector(text)
    bill_id = _bill_id(sel, url)
    measure = text_of(expect(sel, "span#measureNum", url, exactly=1))
    session, num, mtype, number = parse_bill_id(bill_id)
    if measure.replace("-", " ").replace("X" + num, "").split() != [mtype, str(number)]:
        raise LayoutError(url, f"span#measureNum {measure!r} does not match {bill_id}")
    title = text_of(expect(sel, "#statusTitle", url, exactly=1))
    subject = text_of(expect(sel, "#subject", url, exactly=1))
    house = text_of(expect(sel, "#houseLoc", url, exactly=1))
    location = text_of(sel.css("#latest_commitee_location"))
    record = BillRecord(
        bill_id=bill_id,
        session_year=session,
        session_num=num,
        measure_type=mtype,
        measure_num=number,
        title=title or None,
        subject=subject or None,
        current_house=house or None,
        current_location=location or None,
    )
    table = expect(sel, "table#billhistory", url, exactly=1)[0]
    recent = _action_rows(table, url, bill_id)
    if len(recent) > 5:
        raise LayoutError(url, f"status page lists {len(recent)} actions; expected at most 5")
    return record, list(reversed(recent))


_AUTHOR_RE = re.compile(r"^(?P<name>.+?)\s*\((?P<house>[AS])\)$")
_AUTHOR_SPANS = (("#leadAuthors", "LEAD_AUTHOR"), ("#principalAuthors", "PRINCIPAL_COAUTHOR"),
                 ("#coAuthors", "COAUTHOR"))


def parse_status_authors(text: str, url: str, version_id: str) -> list[AuthorRecord]:
    """Authors on the status page ("Maienschein (A), Wiener (S)"; "-" means none).

    The status page names no version, so the caller passes the one the authors belong to
    (the text page's newest print when known). A page without the lead-author element is a
    layout problem, like any other missing element.
    """
    sel = html_selector(text)
    out: list[AuthorRecord] = []
    for css, contribution in _AUTHOR_SPANS:
        found = sel.css(css)
        if not found:
            if contribution == "LEAD_AUTHOR":
                raise LayoutError(url, f"{css} missing on the status page")
            continue
        raw = text_of(found)
        if raw in ("", "-"):
            continue
        for part in (p.strip() for p in raw.split(",")):
            m = _AUTHOR_RE.match(part)
            name, house = (m.group("name"), m.group("house")) if m else (part, "")
            if name:
                out.append(AuthorRecord(
                    bill_version_id=version_id, name=name,
                    house={"A": "ASSEMBLY", "S": "SENATE"}.get(house), author_type="Legislator",
                    contribution=contribution, primary=contribution == "LEAD_AUTHOR"))
    return out


def _version_num(version_id: str, url: str) -> int:
    m = VERSION_ID_RE.match(version_id)
    if not m:
        raise LayoutError(url, f"bad bill_version_id {version_id!r}")
    return int(m.group(1))


def _flag(sel: Selector, css: str) -> str | None:
    node = sel.css(css)
    if not node:
        return None
    value = text_of(node.xpath("./span"))
    return value.capitalize() if value else None


def parse_text(text: str, url: str, status: int = 200) -> VersionRecord:
    """The latest version shown on ``billNavClient``/``billTextClient``, struck text dropped."""
    check_page(text, url, status, anchors=("#bill_all",))
    sel = html_selector(text)
    bill_id = _bill_id(sel, url)
    options = expect(sel, "select#version option", url)
    version_id = sel.css("input#vid::attr(value)").get() or options[0].attrib.get("value", "")
    label = text_of(options[0])
    date_part, _, action = label.partition(" - ")
    all_ = expect(sel, "div#bill_all", url, exactly=1)[0]
    body = expect(all_, "div#bill", url, exactly=1)[0]
    subject = text_of(all_.css("span#subject"))
    return VersionRecord(
        bill_version_id=version_id,
        bill_id=bill_id,
        version_num=_version_num(version_id, url),
        action_date=parse_mmddyy(date_part, url),
        action=action.strip() or None,
        subject=SUBJECT_PREFIX_RE.sub("", subject, count=1) or None,
        title=text_of(all_.css("div#title")) or None,
        digest=block_text(all_.css("span#digesttext")[0]) if all_.css("span#digesttext") else None,
        full_text=block_text(body),
        vote_required=_flag(all_, "span#vote"),
        appropriation=_flag(all_, "#appropriation"),
        fiscal_committee=_flag(all_, "#fiscalcommittee"),
        local_program=_flag(all_, "#localprogram"),
    )


def _span(block: Selector, suffix: str) -> str:
    return text_of(block.xpath(f".//span[substring(@id, string-length(@id) - {len(suffix) - 1}) = '{suffix}']"))


def _count(block: Selector, suffix: str, url: str) -> int:
    value = _span(block, suffix)
    if not value.isdigit():
        raise LayoutError(url, f"vote count {suffix!r} is {value!r}, expected a number")
    return int(value)


def parse_votes(text: str, url: str, status: int = 200) -> list[VoteRecord]:
    """Roll calls, oldest first; an explicit "no votes" page is an empty list."""
    check_page(text, url, status, anchors=(".status", "#votes_none"))
    sel = html_selector(text)
    bill_id = _bill_id(sel, url)
    blocks = sel.css("div.status")
    if not blocks:
        if sel.css("#votes_none") and NO_VOTES_RE.search(text_of(sel.css("#votes_none"))):
            return []
        raise LayoutError(url, "no div.status roll calls and no 'no votes' message")
    votes: list[VoteRecord] = []
    for block in blocks:
        if not block.css("div.statusRow"):
            raise LayoutError(url, "roll call without div.statusRow rows")
        members: list[VoteMemberRecord] = []
        for suffix, code in ((":ayesLeg", "AYE"), (":noesLeg", "NOE"), (":nvrLeg", "ABS")):
            names = _span(block, suffix)
            members.extend(
                VoteMemberRecord(name=n.strip(), code=code) for n in names.split(",") if n.strip()
            )
        votes.append(
            VoteRecord(
                bill_id=bill_id,
                vote_date=parse_mmddyy(_span(block, ":voteDate"), url),
                result=_span(block, ":result") or None,
                location_name=_span(block, ":location") or None,
                motion_text=_span(block, ":motion") or None,
                ayes=_count(block, ":ayes", url),
                noes=_count(block, ":noes", url),
                abstain=_count(block, ":nvr", url),
                members=tuple(members),
            )
        )
    return sorted(votes, key=lambda v: v.vote_date or v.vote_datetime)  # type: ignore[arg-type,return-value]
