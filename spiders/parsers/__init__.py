"""Shared parser helpers: page-problem detection, strict selectors and date parsing.

Every parser states what it expects; anything else raises ``LayoutError`` (the page changed
shape) or ``PageProblem`` (refused, maintenance, truncated). Callers record those as warnings
and leave the stored bill alone: a broken page is never read as "no actions".
"""

from __future__ import annotations

import re
from datetime import date, datetime

from parsel import Selector, SelectorList

from tracker.items import normalise_space

MMDDYY_RE = re.compile(r"^\s*(\d{2})/(\d{2})/(\d{2})\s*$")
MAINTENANCE_RE = re.compile(
    r"(scheduled maintenance|down for maintenance|temporarily unavailable|service unavailable"
    r"|site is currently unavailable)",
    re.I,
)
REFUSED_RE = re.compile(r"(403 forbidden|access denied|request blocked|you don't have permission)", re.I)


class PageError(Exception):
    """Base class: the page cannot be used; ``kind`` says why (for the run's warnings)."""

    kind = "page"

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{self.kind} at {url}: {message}")
        self.url = url
        self.message = message


class LayoutError(PageError):
    """The page does not have the shape the parser expects (the site changed)."""

    kind = "layout"


class PageProblem(PageError):
    """Refused (403), maintenance page or a truncated body: a failed fetch, not data."""

    kind = "page problem"


def decode_page(body: bytes, encoding: str, url: str) -> str:
    """The page's text under its declared (or detected) charset, refusing bytes that do not fit.

    Scrapy's ``response.text`` replaces undecodable bytes with U+FFFD, so a page served in
    windows-1252 while it says UTF-8 would be stored as garbage, and its action text would no
    longer match the stored one (a duplicate "new action" for every such action). Like the bulk
    reader, which refuses invalid UTF-8, such a page is a page problem: the bill stays as it
    was and the page is asked for again at the next poll.
    """
    try:
        return body.decode(encoding or "utf-8")
    except LookupError:
        raise PageProblem(url, f"unknown charset {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise PageProblem(url, f"bytes do not decode as {exc.encoding} (byte {exc.start}): "
                          "the page is not in the charset it declares") from None


def _anchor_re(anchor: str) -> re.Pattern[str]:
    """``#id`` or ``.class`` as a cheap attribute search (no HTML parse before the real one)."""
    name = re.escape(anchor[1:])
    if anchor.startswith("#"):
        return re.compile(rf"""(?<![\w-])id\s*=\s*["']{name}["']""")
    return re.compile(rf"""(?<![\w-])class\s*=\s*["'](?:[^"']*\s)?{name}(?:\s[^"']*)?["']""")


def has_structure(text: str, anchors: tuple[str, ...]) -> bool:
    """Does the page carry one of the elements its parser anchors on (``#id`` / ``.class``)?"""
    return any(_anchor_re(anchor).search(text) for anchor in anchors)


def check_page(text: str, url: str, status: int = 200, anchors: tuple[str, ...] = ()) -> None:
    """Reject pages that are not real content before any selector looks at them.

    Order matters: a 403 or maintenance page is reported as such (not as a layout change), and a
    body cut off mid-transfer (no closing ``</html>``) is never parsed at all.

    The words of a maintenance or refusal page ("temporarily unavailable", "access denied") are
    looked for only in a page that lacks the structure its parser expects (``anchors``: the
    ids/classes it selects). A real bill page carries the bill's own subject in its ``<title>``,
    ``<meta name="description">`` and text, and a bill about "access denied to peace officer
    files" must not read as a refusal on every poll; a page with its expected structure is a
    real page whatever its words say.
    """
    head = "" if anchors and has_structure(text, anchors) else text[:4000]
    if status == 403 or REFUSED_RE.search(head):
        raise PageProblem(url, "refused (HTTP 403): the site does not serve us; rely on bulk")
    if status == 429:
        raise PageProblem(url, "rate-limited (HTTP 429): we waited as long as allowed; asked again next poll")
    if status >= 500 or MAINTENANCE_RE.search(head):
        raise PageProblem(url, f"maintenance or server error (HTTP {status})")
    if status >= 400:
        raise PageProblem(url, f"not served (HTTP {status})")
    if not text.strip():
        raise PageProblem(url, "empty body")
    if "</html>" not in text[-2000:].lower():
        raise PageProblem(url, "truncated body (no closing </html>)")


def html_selector(text: str) -> Selector:
    """Parse as HTML even though leginfo pages start with an XML prologue (parsel would
    otherwise switch to XML and namespace every element)."""
    return Selector(text=text, type="html")


def expect(sel: Selector | SelectorList[Selector], css: str, url: str, *, at_least: int = 1,
           exactly: int | None = None) -> SelectorList[Selector]:
    """Select and insist on a count; a miss is a ``LayoutError`` naming the selector."""
    found = sel.css(css)
    if exactly is not None and len(found) != exactly:
        raise LayoutError(url, f"expected {exactly} of {css!r}, found {len(found)}")
    if len(found) < at_least:
        raise LayoutError(url, f"expected at least {at_least} of {css!r}, found {len(found)}")
    return found


def text_of(sel: Selector | SelectorList[Selector], *, drop_struck: bool = True) -> str:
    """Visible text with whitespace normalised; struck-out (deleted) text removed."""
    nodes = sel if isinstance(sel, SelectorList) else [sel]
    parts: list[str] = []
    for node in nodes:
        if drop_struck:
            parts.extend(node.xpath(".//text()[not(ancestor::strike) and not(ancestor::s)]").getall())
        else:
            parts.extend(node.xpath(".//text()").getall())
    return normalise_space(" ".join(parts))


def block_text(sel: Selector) -> str:
    """Text keeping paragraph breaks (one per block element), struck text removed."""
    lines: list[str] = []
    blocks = sel.xpath(".//*[self::p or self::div][not(.//div) and not(.//p)]")
    for block in blocks:
        if block.xpath("ancestor::strike | ancestor::s"):
            continue
        line = text_of(block)
        if line:
            lines.append(line)
    return "\n".join(lines) if lines else text_of(sel)


def parse_mmddyy(value: str, url: str) -> date:
    """``MM/DD/YY`` as the site prints it; anything else is a layout change."""
    m = MMDDYY_RE.match(value)
    if not m:
        raise LayoutError(url, f"expected a MM/DD/YY date, found {value!r}")
    try:
        return datetime.strptime(f"{m.group(1)}/{m.group(2)}/{m.group(3)}", "%m/%d/%y").date()
    except ValueError:
        raise LayoutError(url, f"impossible date {value!r}") from None


def bill_id_from_url(url: str) -> str | None:
    m = re.search(r"bill_id=([0-9]{9}[A-Z]+[0-9]+)", url)
    return m.group(1) if m else None
