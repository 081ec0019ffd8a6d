"""A briefing sheet is one printed page, whatever the text: checked by page count (pypdf)."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from tests.test_docs_common import AS_OF, LONGEST, ingest
from tracker.advocacy.packet import build_packet
from tracker.advocacy.pdf import LocalOnlyFetcher
from tracker.advocacy.positions import set_position
from tracker.db.base import transaction
from tracker.settings import get_settings

ALL = ["AB 831", "SB 275", "AB 1656", "AB 2052"]


def _pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def test_every_sample_bill_fits_one_page_in_both_languages(tmp_path: Path) -> None:
    factory = ingest(f"sqlite:///{tmp_path / 't.db'}")
    with factory() as s:
        for lang in ("en", "es"):
            packet = build_packet(s, ALL, settings=get_settings(), as_of=AS_OF, lang=lang)
            assert packet.pages == len(ALL) == _pages(packet.content)
            assert packet.levels[ALL.index("AB 831")] == 0  # longest digest fits without tightening


def test_overlong_staff_text_is_shortened_with_a_pointer(tmp_path: Path) -> None:
    factory = ingest(f"sqlite:///{tmp_path / 't.db'}")
    words = "People with lived experience of psychiatric disability deserve a say in their care. "
    with transaction(factory) as s:
        set_position(s, LONGEST, position="support_if_amended", ask="Please " + "really " * 30 + "vote yes.",
                     summary=words * 30, why=words * 10, talking_points=[words * 4] * 5,
                     supporters=[f"Organisation number {i}" for i in range(40)],
                     opponents=[f"Opponent {i}" for i in range(40)], contact="Maria, (916) 555-0134",
                     story_prompt=words * 5)
    with factory() as s:
        for lang in ("en", "es"):
            packet = build_packet(s, ["AB 831", "AB 1656"], settings=get_settings(), as_of=AS_OF, lang=lang)
            assert _pages(packet.content) == 2
            assert packet.levels[0] > 0 and packet.levels[1] == 0
        html = build_packet(s, ["AB 831"], settings=get_settings(), as_of=AS_OF, fmt="html").content.decode()
    assert "continued in the full bill text at https://leginfo.legislature.ca.gov/" in html  # the amendment list
    assert "the full text is in our position record on AB 831" in html  # staff text is not at leginfo
    assert "and 34 more" in html


def test_renderer_refuses_network_urls() -> None:
    fetcher = LocalOnlyFetcher()
    for url in ("http://example.org/x.css", "https://fonts.example/a.woff2", "ftp://x/y"):
        try:
            fetcher.fetch(url)
        except ValueError as exc:
            assert "offline" in str(exc)
        else:  # pragma: no cover
            raise AssertionError(f"{url} was fetched")
