"""CAML bill XML → plain text for matching and display.

Amendment marks are XML processing instructions: ``xm-insertion_mark_*`` around inserted text
and ``xm-deletion_mark data="..."`` carrying deleted text. Dropping every processing
instruction therefore yields the version's own clean text (struck-out parts gone, inserted
parts kept). Some files are not well-formed, so the parser recovers instead of failing.

Texts come out as paragraphs separated by one blank line, with single spaces inside a
paragraph: the line breaks and indentation in the file only lay out the XML, and keeping them
cut the digest mid-sentence wherever it was shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

CAML_NS = "http://lc.ca.gov/legalservices/schemas/caml.1#"
NS = {"caml": CAML_NS}
_WS = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
#: Elements that are paragraphs of their own. Everything else is inline: the line breaks and
#: indentation between tags only lay out the XML file, so inside a paragraph any run of
#: whitespace is one space (a digest sentence is never cut by the file's own line breaks).
_BLOCK = {
    "p", "Whereas", "Resolved", "BillSection", "ActionLine", "Num", "Content", "Preamble",
    "LawHeadingText", "li", "ul", "ol", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "tr",
}
_CELLS = {"td", "th"}
#: Table cells in one row are joined with this, so "4440-101-0001" and "Mental health services"
#: stay two readable values instead of running together.
CELL_SEPARATOR = " | "
_BREAK = "\x00"  # a paragraph boundary while walking (no bill text contains NUL)
_SKIP = {"Correction"}


@dataclass(frozen=True)
class CamlDoc:
    """What the tracker needs from one bill version's CAML."""

    version_id: str | None = None
    title: str | None = None
    subject: str | None = None
    digest: str | None = None
    text: str | None = None
    action_date: str | None = None
    authors: list[tuple[str, str, str]] = field(default_factory=list)  # name, house, contribution


def _paragraphs(raw: str) -> str:
    """Paragraphs (split at ``_BREAK``) with their whitespace collapsed, a blank line between."""
    paras = (_WS.sub(" ", part).strip() for part in raw.split(_BREAK))
    return "\n\n".join(p for p in paras if p)


def _text_of(element: etree._Element | None) -> str | None:
    """The element's words as paragraphs separated by a blank line, amendment marks dropped.

    A paragraph is one of the XML's own blocks (``p``, a section number, a table row...);
    inside it there are no line breaks, only single spaces, so readers of the stored text can
    rely on "blank line = new paragraph". A ``br`` also starts a new paragraph (old prints
    draw tables as ``br``-separated lines). In a table each row is a paragraph and its cells are
    joined with ``CELL_SEPARATOR``; nothing inside a cell breaks the row.
    """
    if element is None:
        return None
    parts: list[str] = []

    def add(text: str, where: str) -> None:
        # A blank line inside one text node is a paragraph break: the 1999 prints keep
        # numbered digest paragraphs ("(4) The California Constitution...") inside one ``p``,
        # separated only by an empty line. A single line break is the file's layout. Text on
        # both sides of an amendment mark is two nodes, so a deletion never joins two line
        # breaks into a paragraph break.
        parts.append(_BLANK_LINE.sub(_BREAK, text) if where == "text" else text)

    def walk(el: etree._Element, where: str, tail: bool = True) -> None:
        """``where``: "text" (running text), "table" (between rows and cells) or "cell"."""
        if isinstance(el, etree._ProcessingInstruction | etree._Comment):
            if el.tail:
                add(el.tail, where)
            return
        local = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if local in _SKIP:  # the printer's correction notes, not the bill's words
            if tail and el.tail:
                add(el.tail, where)
            return
        if local == "span" and "Space" in (el.get("class") or ""):  # "(a)<EnSpace/>The" → "(a) The"
            parts.append(" ")
        inside = "cell" if local in _CELLS else "table" if local == "table" and where == "text" else where
        if local in _CELLS and _follows_a_cell(el):
            parts.append(CELL_SEPARATOR)
        breaks = (where == "text" and (local in _BLOCK or local == "br")) or (where == "table" and local == "tr")
        if breaks:
            parts.append(_BREAK)
        elif local == "br":  # a line break inside a table cell
            parts.append(" ")
        if el.text:
            add(el.text, inside)
        for child in el:
            walk(child, inside)
        if breaks:
            parts.append(_BREAK)
        if tail and el.tail:
            add(el.tail, where)

    walk(element, "text", tail=False)
    return _paragraphs("".join(parts)) or None


def _follows_a_cell(cell: etree._Element) -> bool:
    """Whether an earlier cell of the same row comes before this one."""
    return any(isinstance(s.tag, str) and etree.QName(s).localname in _CELLS
               for s in cell.itersiblings(preceding=True))


def parse_caml(data: bytes) -> CamlDoc:
    """Parse one CAML document; raises ``ValueError`` when nothing usable is in it."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(data, parser=parser)
    if root is None:
        raise ValueError("not XML")
    desc = root.find(".//caml:Description", NS)
    if desc is None:
        raise ValueError("no caml:Description element")

    def one(path: str) -> str | None:
        return _text_of(desc.find(".//" + path, NS))

    body = root.find(".//caml:Bill", NS)
    if body is None:
        body = root.find(".//caml:Resolution", NS)
    authors = []
    for leg in desc.findall(".//caml:Authors/caml:Legislator", NS):
        name = (leg.findtext("caml:Name", default="", namespaces=NS) or "").strip()
        if name:
            authors.append(
                (
                    name,
                    (leg.findtext("caml:House", default="", namespaces=NS) or "").strip(),
                    (leg.findtext("caml:Contribution", default="", namespaces=NS) or "").strip(),
                )
            )
    dates = [d.text for d in desc.findall(".//caml:History/caml:Action/caml:ActionDate", NS) if d.text]
    return CamlDoc(
        version_id=one("caml:Id"),
        title=one("caml:Title"),
        subject=one("caml:GeneralSubject/caml:Subject") or one("caml:Subject"),
        digest=one("caml:DigestText"),
        text=_text_of(body),
        action_date=max(dates) if dates else None,
        authors=authors,
    )
