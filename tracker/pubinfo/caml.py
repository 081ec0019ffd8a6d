"""CAML bill XML → plain text for matching and display.

Amendment marks are XML processing instructions: ``xm-insertion_mark_*`` around inserted text
and ``xm-deletion_mark data="..."`` carrying deleted text. Dropping every processing
instruction therefore yields the version's own clean text (struck-out parts gone, inserted
parts kept). Some files are not well-formed, so the parser recovers instead of failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

CAML_NS = "http://lc.ca.gov/legalservices/schemas/caml.1#"
NS = {"caml": CAML_NS}
_WS = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n\s*\n+")
_BLOCK = {"p", "Whereas", "Resolved", "BillSection", "ActionLine", "Num", "Content", "li", "tr"}
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


def _clean(text: str) -> str:
    lines = [_WS.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _text_of(element: etree._Element | None) -> str | None:
    """Text with paragraph breaks between block elements, amendment marks dropped."""
    if element is None:
        return None
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        if isinstance(el, etree._ProcessingInstruction | etree._Comment):
            if el.tail:
                parts.append(el.tail)
            return
        local = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if local in _SKIP:  # the printer's correction notes, not the bill's words
            if el.tail:
                parts.append(el.tail)
            return
        if local == "span" and "Space" in (el.get("class") or ""):  # "(a)<EnSpace/>The" → "(a) The"
            parts.append(" ")
        block = local in _BLOCK
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    cleaned = _clean("".join(parts).replace(element.tail or "", "", 0))
    return cleaned or None


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
