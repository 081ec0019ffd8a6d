"""Golden files for every email template, in English and Spanish, text and HTML.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_alerts_golden.py``
and review the diff. Rendering uses a fixed clock and fixed data, so the files are stable.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from jinja2 import UndefinedError
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts.digest import render_staff_digest
from tracker.alerts.messages import Rendered, Renderer, render_confirm
from tracker.alerts.testing import add_bill, add_events, add_run, database
from tracker.db.base import transaction
from tracker.db.models_alerts import OutboxMessage
from tracker.db.models_core import Bill, Hearing, SourceRun
from tracker.rendering import environment
from tracker.settings import get_settings

GOLDEN = Path(__file__).parent / "files" / "golden" / "email"
NOW = datetime(2025, 4, 1, 15, 0, tzinfo=timezone.utc)  # a Tuesday in week 2025-W14


def check(name: str, content: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.fail(f"golden file {name} was missing and has been written; review and rerun")
    assert content == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_GOLDEN=1 to accept)"


def check_rendered(stem: str, lang: str, r: Rendered) -> None:
    check(f"{stem}.{lang}.txt", f"Subject: {r.subject}\n\n{r.text}")
    check(f"{stem}.{lang}.html", r.html)


@pytest.fixture(autouse=True)
def _pinned_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    """Topic labels come from a pinned copy, so editing the live taxonomy never breaks goldens."""
    monkeypatch.setenv("TRACKER_TOPICS_PATH", str(GOLDEN / "topics.toml"))
    get_settings.cache_clear()


@pytest.fixture
def data(tmp_path: Path) -> tuple[sessionmaker[Session], dict[str, list[int]]]:
    factory = database(f"sqlite:///{tmp_path / 'golden.db'}")
    created = datetime(2025, 3, 31, 18, 0, tzinfo=timezone.utc)
    with transaction(factory) as s:
        ab13 = add_bill(s, "AB 13", title="Mental health: peer support specialists.", stage="floor")
        sb367 = add_bill(s, "SB 367", title="Crisis stabilization units.", topics=["crisis_988"])
        sb43 = add_bill(s, "SB 43", title="Behavioral health.", stage="chaptered")
        s.get(Bill, ab13).created_at = created
        run = add_run(s, started_at=created, finished_at=created)
        s.add(SourceRun(source="leginfo", status="failed", started_at=created, error="HTTP 503"))
        s.add(Hearing(bill_id=ab13, fingerprint="h1", committee_name="Senate Health",
                      hearing_date=date(2025, 4, 9), hearing_time="1:30 p.m.", room="1021 O Street",
                      status="scheduled", sources=["leginfo"]))
        e1 = add_events(s, ab13, run, [
            ("stage_changed", "in_committee", "floor"),
            ("hearing_set", None, {"date": "2025-04-09", "committee": "Senate Health",
                                   "time": "1:30 p.m.", "room": "1021 O Street", "status": "scheduled"}),
            ("new_action", None, {"date": "2025-03-31", "action": "From committee: Do pass. (Ayes 9. Noes 0.)",
                                  "stage": "passed_committee"}),
        ], created_at=created)
        e2 = add_events(s, sb367, run, [
            ("new_version", {"version_id": "v1"}, {"version_id": "v2", "action": "Amended Senate", "date": "2025-03-31"}),
        ], created_at=created)
        e3 = add_events(s, sb43, run, [("stage_changed", "to_governor", "chaptered")], created_at=created)
    return factory, {"ab13": [e.id for e in e1], "sb367": [e.id for e in e2], "sb43": [e.id for e in e3]}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_alert_golden(data, lang: str) -> None:
    factory, ids = data
    with factory() as s:
        row = OutboxMessage(id=1, key="k", kind="alert", event_ids=ids["ab13"],
                            reasons={"202520260AB13": ["topic:peer_support", "bill:202520260AB13"]})
        check_rendered("alert_ab13", lang, Renderer(s, NOW).render(row, lang))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_weekly_digest_golden(data, lang: str) -> None:
    factory, ids = data
    with factory() as s:
        row = OutboxMessage(id=2, key="w", kind="digest", period="2025-W14",
                            event_ids=ids["ab13"] + ids["sb367"] + ids["sb43"],
                            reasons={"202520260AB13": ["all"], "202520260SB367": ["topic:crisis_988"],
                                     "202520260SB43": ["all"]})
        check_rendered("digest_weekly", lang, Renderer(s, NOW).render(row, lang))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_confirm_golden(lang: str) -> None:
    check_rendered("confirm", lang, render_confirm(lang))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_staff_digest_golden(data, lang: str) -> None:
    factory, _ids = data
    with factory() as s:
        check_rendered("staff_digest", lang, render_staff_digest(s, "2025-W14", lang, NOW))


@pytest.mark.parametrize("template", ["email/alert.txt", "email/alert.html", "email/confirm.txt",
                                      "email/confirm.html", "email/staff_digest.txt",
                                      "email/staff_digest.html"])
def test_a_missing_variable_is_an_error_not_a_blank(template: str) -> None:
    """StrictUndefined: rendering with an incomplete context must fail loudly."""
    with pytest.raises(UndefinedError):
        environment("en").get_template(template).render(lang="en")


def test_every_golden_has_the_crisis_footer_and_no_images_or_pixels() -> None:
    files = sorted(GOLDEN.glob("*.*.*"))
    assert len(files) == 16
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "988" in text, path.name
        assert "<img" not in text, path.name


def test_every_stage_word_and_meaning_reads_in_spanish() -> None:
    from tracker.alerts.phrases import STAGE_MEANING, STAGE_WORDS
    from tracker.i18n import translations

    es = translations("es").gettext
    untranslated = [m for m in (*STAGE_WORDS.values(), *STAGE_MEANING.values()) if es(m) == m]
    assert not untranslated


def test_a_spanish_alert_marks_the_official_english_words_for_screen_readers(data) -> None:
    factory, ids = data
    with factory() as s:
        row = OutboxMessage(id=1, key="k", kind="alert", event_ids=ids["ab13"], reasons={})
        html = Renderer(s, NOW).render(row, "es").html
    assert '<span lang="en">Mental health: peer support specialists.</span>' in html
    assert '<span lang="en">From committee: Do pass. (Ayes 9. Noes 0.)</span>' in html
    assert "Del registro oficial (en inglés):" in html


def test_the_spanish_staff_digest_marks_bill_titles_as_english(data) -> None:
    factory, _ids = data
    with factory() as s:
        html = render_staff_digest(s, "2025-W14", "es", NOW).html
    assert '<span lang="en">Mental health: peer support specialists.</span>' in html


def test_an_alert_of_official_words_alone_gets_a_plain_sentence_and_a_link_to_what_they_mean(data) -> None:
    factory, _ids = data
    with transaction(factory) as s:
        run = add_run(s)
        (event,) = add_events(s, "202520260AB13", run, [("new_action", None, {
            "date": "2025-04-01", "action": "April 1 hearing: Placed on APPR. suspense file.", "stage": "in_committee"})])
    with factory() as s:
        row = OutboxMessage(id=9, key="s", kind="alert", event_ids=[event.id], reasons={})
        html = Renderer(s, NOW).render(row, "en").html
    assert "suspense file" in html and "bills that cost money" in html
    assert "<ul style=\"padding-left:20px;margin:4px 0;\">\n</ul>" not in html
    assert 'href="http://127.0.0.1:8000/words" style="color:#0b57d0;">What these words mean</a>' in html
