"""Golden HTML for every document, rendered from real ingested samples with a frozen as-of date.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_docs_golden.py``
and review the diff of tests/files/golden/docs/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_docs_common import ARCHIVE_1999, AS_OF, MINI, golden, ingest
from tracker.advocacy.matrix import matrix_rows
from tracker.advocacy.matrix_export import write_matrix
from tracker.advocacy.packet import build_packet
from tracker.advocacy.positions import set_position
from tracker.db.base import transaction
from tracker.settings import get_settings


@pytest.fixture
def factory(tmp_path: Path):
    f = ingest(f"sqlite:///{tmp_path / 'g.db'}", MINI, ARCHIVE_1999)
    with transaction(f) as s:
        set_position(s, "202520260AB1656", position="support", ask="Please vote yes on AB 1656.",
                     summary="Human trafficking cases would move faster, so survivors wait less for trial.",
                     why="Many survivors live with trauma; long waits make healing harder.",
                     talking_points=["Delays hurt survivors.", "Judges still decide each case."],
                     supporters=["Coalition to Abolish Slavery & Trafficking"], contact="Policy team")
    return f


@pytest.mark.parametrize("lang", ["en", "es"])
def test_sheets_golden(factory, lang: str) -> None:
    with factory() as s:
        html = build_packet(s, ["AB 831", "SB 275", "AB 1656", "AB 2052"], settings=get_settings(),
                            as_of=AS_OF, lang=lang, fmt="html").content.decode()
    golden(f"sheets.{lang}.html", html)


def test_legislator_packet_golden(factory) -> None:
    with factory() as s:
        html = build_packet(s, ["AB 1", "AB 1656"], settings=get_settings(), as_of=AS_OF,
                            legislator="Alpert", fmt="html").content.decode()
    golden("packet.alpert.en.html", html)


@pytest.mark.parametrize("group_by", [None, "position"])
def test_matrix_golden(factory, group_by: str | None) -> None:
    with factory() as s:
        rows = matrix_rows(s, group_by=group_by, as_of=AS_OF)
    html = write_matrix(rows, "html", group_by=group_by, as_of=AS_OF, settings=get_settings()).decode()
    golden(f"matrix.{group_by or 'all'}.en.html", html)
