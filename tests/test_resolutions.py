"""Resolutions and constitutional amendments never go to the Governor.

SCRX1 2 (1999, real bulk rows) was adopted and filed with the Secretary of State ("Res. Chapter
1"): its page and its briefing sheet say "Adopted", never "Became law" or "Governor".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from starlette.testclient import TestClient

from tests.clirun import tracker
from tracker.advocacy.progress import bill_progress
from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.ingest.service import ingest_snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT, get_settings
from tracker.web.app import create_app
from tracker.web.stages import progress_steps

ARCHIVE_1999 = Path(__file__).parent / "files" / "pubinfo" / "archive" / "1999"


@pytest.fixture
def site(db_url: str) -> Iterator[TestClient]:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    ingest_snapshot(factory, read_snapshot(ARCHIVE_1999), matcher=load_matcher(PROJECT_ROOT / "config" / "topics.toml"))
    yield TestClient(create_app(get_settings(), factory))
    engine.dispose()


def test_an_adopted_resolutions_page_says_adopted_not_became_law(site: TestClient) -> None:
    doc = lxml.html.fromstring(site.get("/bills/SCRX1-2").text)
    steps = [" ".join(li.text_content().split()) for li in doc.cssselect("li.step")]
    assert steps[-1].startswith("Adopted") and not any("Governor" in s or "Became law" in s for s in steps)
    assert "Signed into law" not in doc.text_content()


def test_the_last_steps_of_a_constitutional_amendment_lead_to_the_voters() -> None:
    labels = [s["label"] for s in progress_steps(bill_progress("chaptered", "ACA", None, []))]
    assert labels[-2:] == ["Passed both houses", "Goes to the voters"]


def test_a_bill_whose_stage_is_not_known_is_not_marked_as_introduced() -> None:
    steps = progress_steps(bill_progress(None, "AB", None, []))
    assert all(s["state"] == "todo" for s in steps)


def test_an_adopted_resolutions_sheet_says_adopted(tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    tracker("init", env=env)
    tracker("import-pubinfo", str(ARCHIVE_1999), env=env)
    out = tmp_path / "scr.html"
    tracker("sheet", "SCRX1 2", "--out", str(out), "--as-of", "2026-11-23", env=env)
    text = " ".join(lxml.html.fromstring(out.read_text(encoding="utf-8")).text_content().split())
    assert "Adopted and filed with the Secretary of State." in text
    assert "Became law" not in text and "Governor" not in text


def test_the_matrix_says_an_adopted_resolution_was_adopted(db_url: str) -> None:
    from tracker.advocacy.matrix import matrix_rows
    from tracker.advocacy.positions import set_position
    from tracker.db.base import transaction

    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    ingest_snapshot(factory, read_snapshot(ARCHIVE_1999), matcher=load_matcher(PROJECT_ROOT / "config" / "topics.toml"))
    with transaction(factory) as s:
        set_position(s, "199920001SCR2", position="support")
    settings = get_settings().model_copy(update={"session_year": "19992000"})
    with factory() as s:
        row = next(r for r in matrix_rows(s, settings=settings) if r["bill_id"] == "199920001SCR2")
    engine.dispose()
    assert row["stage_text"] == "Adopted"
