"""The session's bill list (``billSearchClient.xhtml``): one row per measure.

Expectations: exactly one ``table#bill_results``, one ``div#bill_returned`` whose number equals
the row count, four cells per row, a ``billNavClient`` link in the first cell. A listing that
returns fewer rows than it announces (or none) is a layout/page problem, never "bills removed".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from spiders.parsers import LayoutError, bill_id_from_url, check_page, expect, html_selector, text_of
from tracker.items import BillRecord, parse_bill_id

COUNT_RE = re.compile(r"(\d[\d,]*)")


@dataclass(frozen=True)
class ListingRow:
    """One search-result row; ``digest`` is what the planner compares with Bill.listing_hash."""

    bill_id: str
    measure: str
    subject: str
    author: str
    status: str

    @property
    def digest(self) -> str:
        raw = "\x1f".join((self.bill_id, self.measure, self.subject, self.author, self.status))
        return hashlib.sha256(raw.encode()).hexdigest()

    def to_record(self) -> BillRecord:
        """What the listing says about the bill: subject and coarse status only."""
        session, num, mtype, number = parse_bill_id(self.bill_id)
        return BillRecord(
            bill_id=self.bill_id,
            session_year=session,
            session_num=num,
            measure_type=mtype,
            measure_num=number,
            subject=self.subject or None,
            current_status=self.status or None,
        )


def parse_search(text: str, url: str, status: int = 200) -> list[ListingRow]:
    """All rows of the search result; raises ``PageError`` when the page is not a full list."""
    check_page(text, url, status, anchors=("#bill_results",))
    sel = html_selector(text)
    table = expect(sel, "table#bill_results", url, exactly=1)
    returned = text_of(expect(sel, "div#bill_returned", url, exactly=1))
    m = COUNT_RE.search(returned)
    if not m:
        raise LayoutError(url, f"div#bill_returned has no count: {returned!r}")
    announced = int(m.group(1).replace(",", ""))
    rows = table.xpath("./tbody/tr")
    if announced == 0 or not rows:
        raise LayoutError(url, "the bill list is empty; a session always has bills")
    if len(rows) != announced:
        raise LayoutError(url, f"div#bill_returned says {announced} bills, table has {len(rows)}")
    out: list[ListingRow] = []
    for i, row in enumerate(rows, 1):
        cells = row.xpath("./td")
        if len(cells) != 4:
            raise LayoutError(url, f"row {i}: expected 4 cells, found {len(cells)}")
        href = cells[0].css("a::attr(href)").get() or ""
        bill_id = bill_id_from_url(href)
        if not bill_id or "billNavClient" not in href:
            raise LayoutError(url, f"row {i}: no billNavClient link with a bill_id")
        try:
            parse_bill_id(bill_id)
        except ValueError:
            raise LayoutError(url, f"row {i}: bad bill_id {bill_id!r}") from None
        out.append(
            ListingRow(
                bill_id=bill_id,
                measure=text_of(cells[0]),
                subject=text_of(cells[1]),
                author=text_of(cells[2]),
                status=text_of(cells[3]),
            )
        )
    return out
