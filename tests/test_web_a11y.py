"""Accessibility scan of the main pages (Python-side, no axe-core): language, landmarks,
heading order, a label for every form control, alt text, and WCAG colour contrast of the
CSS palette computed with the WCAG 2.1 relative-luminance formula."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from starlette.testclient import TestClient

from test_web_support import seed
from tracker.settings import get_settings
from tracker.web.app import create_app

CSS = Path(__file__).resolve().parents[1] / "tracker" / "web" / "static" / "style.css"
PAGES = ["/", "/bills", "/bills/AB-1656", "/bills/AB-9999", "/topics", "/topics/crisis_988", "/legislators",
         "/matrix", "/subscribe", "/staff/login", "/?lang=es", "/subscribe?lang=es", "/bills/AB-424242",
         "/preferences", "/unsubscribe/broken-link"]
# (foreground, background) variable pairs the stylesheet actually combines for text.
PAIRS = [("text", "bg"), ("muted", "bg"), ("link", "bg"), ("brand-text", "brand"), ("warn-text", "warn-bg"),
         ("ok-text", "ok-bg"), ("err-text", "err-bg"), ("text", "card"), ("link", "card"), ("muted", "card"),
         ("brand-text", "err-text"), ("brand", "bg"), ("muted", "ok-bg"), ("muted", "err-bg"),
         ("err-text", "bg")]
NON_TEXT = [("line", "bg"), ("focus", "bg"), ("focus-dark", "brand")]  # 3:1 for borders and focus rings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    factory = seed(f"sqlite:///{tmp_path_factory.mktemp('a11y') / 'a.db'}")
    with TestClient(create_app(get_settings(), factory)) as c:
        yield c
    factory.kw["bind"].dispose()


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_palette_contrast_meets_wcag_aa() -> None:
    palette = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    for fg, bg in PAIRS:
        ratio = contrast(palette[fg], palette[bg])
        assert ratio >= 4.5, f"{fg} on {bg}: {ratio:.2f}"
    for fg, bg in NON_TEXT:
        assert contrast(palette[fg], palette[bg]) >= 3.0, f"{fg} on {bg}"


@pytest.mark.parametrize("url", PAGES)
def test_page_structure(client: TestClient, url: str) -> None:
    r = client.get(url)
    doc = lxml.html.fromstring(r.text)
    assert doc.get("lang") in ("en", "es")
    assert doc.find(".//title") is not None and doc.findtext(".//title").strip()
    assert doc.xpath("//meta[@name='viewport']")
    assert len(doc.xpath("//main")) == 1
    assert doc.xpath("//header[@role='banner']") and doc.xpath("//footer[@role='contentinfo']")
    assert doc.xpath("//nav[@aria-label]")
    assert doc.xpath("//a[@class='skip' and @href='#main']")
    headings = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert headings.count(1) == 1 and headings[0] == 1, headings
    for prev, cur in zip(headings, headings[1:]):
        assert cur <= prev + 1, f"heading jumps from h{prev} to h{cur} on {url}"
    ids = {el.get("for") for el in doc.iter("label")}
    for control in doc.xpath("//input[not(@type='hidden') and not(@type='submit')] | //select | //textarea"):
        assert control.get("id") in ids or control.get("aria-label"), f"unlabelled {control.get('name')} on {url}"
    for img in doc.iter("img"):
        assert img.get("alt") is not None
    for a in doc.iter("a"):
        assert (a.text_content() or "").strip() or a.get("aria-label"), f"empty link on {url}"
    for button in doc.iter("button"):
        assert (button.text_content() or "").strip()
    all_ids = [el.get("id") for el in doc.iter() if el.get("id")]
    assert len(all_ids) == len(set(all_ids)), "duplicate ids"


def test_form_errors_are_tied_to_their_fields(client: TestClient) -> None:
    page = client.get("/subscribe?lang=en")  # the module's client may have chosen Spanish earlier
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/subscribe", data={"csrf_token": token, "email": "not an address", "bills": "AB 424242",
                                        "cadence": "weekly", "lang": "en"})
    assert r.status_code == 400
    doc = lxml.html.fromstring(r.text)
    assert doc.findtext(".//title").startswith("Error: ")
    summary_links = doc.xpath("//div[@id='errors']//a/@href")
    assert len(summary_links) == 3  # address, bill number, topics: each message links to its field
    for href in summary_links:
        assert doc.xpath(f"//*[@id='{href[1:]}']"), f"summary links to a missing field {href}"
    for name in ("email", "bills"):
        control = doc.get_element_by_id(name)
        assert control.get("aria-invalid") == "true"
        described = control.get("aria-describedby").split()
        message = doc.get_element_by_id(f"{name}-error")
        assert f"{name}-error" in described and message.text_content().startswith("Error:")
    assert "bills-hint" in doc.get_element_by_id("bills").get("aria-describedby").split()  # the hint stays
    topics = doc.get_element_by_id("topics")
    assert topics.tag == "fieldset" and topics.get("aria-describedby") == "topics-error"
    assert doc.get_element_by_id("topics-error").text_content().endswith("Please choose at least one topic or bill.")


def test_a_form_without_errors_marks_nothing_invalid(client: TestClient) -> None:
    doc = lxml.html.fromstring(client.get("/subscribe?lang=en").text)
    assert not doc.xpath("//*[@aria-invalid]")
    assert not doc.findtext(".//title").startswith("Error")


def test_flex_rows_are_spaced_without_flex_gap_for_old_safari() -> None:
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", CSS.read_text())
    for selector, body in rules:
        if re.search(r"display:\s*flex", body):
            assert not re.search(r"(^|[;\s])(row-|column-)?gap\s*:", body), f"flex gap on {selector.strip()}"
    spaced = {selector.strip() for selector, body in rules if re.search(r"margin:[^;]*\d", body)}
    for items in ("header.site nav li", ".progress .step", ".pager li, .subnav li"):
        assert items in spaced, f"{items} has no margin between items"
