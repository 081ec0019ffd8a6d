"""Accessibility of the HTML documents: lang, heading order, table headers, colour contrast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from tests.test_docs_common import GOLDEN
from tracker.rendering import TEMPLATES_DIR

DOCS = ["sheets.en.html", "sheets.es.html", "packet.alpert.en.html", "matrix.all.en.html",
        "matrix.position.en.html"]


def _load(name: str):
    path = GOLDEN / name
    if not path.exists():
        pytest.skip(f"{name} not generated yet (run tests/test_docs_golden.py)")
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", DOCS)
def test_lang_and_heading_order(name: str) -> None:
    doc = _load(name)
    assert doc.get("lang") in ("en", "es")
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels and levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"heading jumps from h{before} to h{after} in {name}"


@pytest.mark.parametrize("name", DOCS)
def test_tables_have_captions_and_scoped_headers(name: str) -> None:
    doc = _load(name)
    for table in doc.iter("table"):
        assert table.find("caption") is not None
        for th in table.iter("th"):
            assert th.get("scope") in ("col", "row")


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


# (foreground, background) pairs used in templates/docs/*.css
PAIRS = [
    ("#111111", "#ffffff"), ("#111111", "#f2f2f2"), ("#111111", "#e6e6e6"), ("#ffffff", "#111111"),
    ("#333333", "#ffffff"), ("#444444", "#ffffff"), ("#333333", "#f2f2f2"),
    ("#1a1a1a", "#ffffff"), ("#1a1a1a", "#f3f5f8"), ("#ffffff", "#1f3a5f"), ("#0b4f8a", "#ffffff"),
    ("#0b4f8a", "#f3f5f8"), ("#4a5563", "#ffffff"), ("#4a5563", "#f3f5f8"),
]


def test_contrast_of_every_colour_pair() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    for fg, bg in PAIRS:
        assert contrast(fg, bg) >= 4.5, f"{fg} on {bg}: {contrast(fg, bg):.2f}"


def test_every_css_colour_is_in_a_checked_pair() -> None:
    checked = {c for pair in PAIRS for c in pair}
    for css in Path(TEMPLATES_DIR, "docs").glob("*.css"):
        for colour in re.findall(r"#[0-9a-fA-F]{6}\b", css.read_text(encoding="utf-8")):
            if colour.lower() in ("#5f6b7a",):  # table border lines, not text
                continue
            assert colour.lower() in checked, f"{colour} in {css.name} has no contrast check"


def test_packet_pdfs_are_tagged_for_screen_readers(tmp_path: Path) -> None:
    """Headings, lists and tables of a printed sheet reach a screen reader (pdfinfo: Tagged)."""
    import subprocess

    from tests.clirun import tracker

    files = Path(__file__).parent / "files"
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo/mini"), env=env)
    out = tmp_path / "sheet.pdf"
    tracker("sheet", "AB 831", "--out", str(out), "--as-of", "2026-11-23", env=env)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
