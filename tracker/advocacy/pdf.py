"""HTML → PDF with WeasyPrint, offline, with every bill sheet held to one page.

Rendering never touches the network: the URL fetcher only serves ``file:`` and ``data:`` URLs
(fonts are the DejaVu family installed by the system, found by name through fontconfig). The
packet is laid out once; only sheets that spill onto a second page are laid out again, alone,
with a tighter text budget, and then the packet once more at the levels found. In the common
case this costs one WeasyPrint layout, so the packet is about as fast as rendering the same
HTML directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher

from tracker.errors import TrackerError
from tracker.rendering import TEMPLATES_DIR


class LocalOnlyFetcher(URLFetcher):
    """Serve local files and data: URLs; refuse anything that would go to the network."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols={"file", "data"}, allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.lower().startswith(("file:", "data:")):
            raise ValueError(f"refusing to fetch {url!r}: documents render offline")
        return super().fetch(url, headers)


def layout(html: str) -> Document:
    """Lay out an HTML string (relative URLs resolve inside the templates folder)."""
    return HTML(string=html, base_url=str(TEMPLATES_DIR) + "/",
                url_fetcher=LocalOnlyFetcher()).render()


def write_pdf(document: Document) -> bytes:
    """A tagged PDF: screen readers follow the headings, lists and tables of a sheet (staff and
    legislators' offices include blind readers), as they do on the HTML version."""
    out = document.write_pdf(pdf_tags=True)
    assert out is not None
    return out


def html_to_pdf(html: str) -> bytes:
    return write_pdf(layout(html))


def sheet_spans(document: Document, anchors: list[str]) -> list[tuple[int, int]]:
    """(first page, page count) of each sheet, from where each sheet's id anchor landed."""
    where: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            where.setdefault(name, index)
    starts = []
    for a in anchors:
        if a not in where:
            raise TrackerError(f"internal: sheet anchor {a!r} missing from the laid-out document")
        starts.append(where[a])
    ends = starts[1:] + [len(document.pages)]
    return [(s, e - s) for s, e in zip(starts, ends, strict=True)]


def fitted_packet(
    render_html: Callable[[list[int], bool], str],
    anchors: list[str],
    max_level: int,
) -> tuple[Document, list[int]]:
    """Lay out the packet so every sheet is one page; returns the document and each sheet's level.

    ``render_html(levels, with_cover)`` renders the sheets at the given budget levels (and the
    cover when asked); called with a one-element list it must render only that sheet.
    Only a sheet that overflows is tried again, alone, at tighter levels; once every level is
    known the packet is laid out once more as a whole, so the "page N of M" footers count
    the whole packet (a sheet laid out alone would say "page 1 of 1").
    """
    levels = [0] * len(anchors)
    document = layout(render_html(levels, True))
    spans = sheet_spans(document, anchors)
    overflowing = [i for i, (_, n) in enumerate(spans) if n > 1]
    if not overflowing:
        return document, levels
    for i in overflowing:
        for level in range(1, max_level + 1):
            levels[i] = level
            single = layout(render_html_single(render_html, levels, i, level))
            if len(single.pages) == 1:
                break
    return layout(render_html(levels, True)), levels


def render_html_single(render_html: Callable[[list[int], bool], str], levels: list[int],
                       index: int, level: int) -> str:
    """HTML for sheet ``index`` alone at ``level`` (a -1 level means "leave this sheet out")."""
    only = [-1] * len(levels)
    only[index] = level
    return render_html(only, False)
