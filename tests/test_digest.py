"""The staff digest command: standalone HTML file and email to staff addresses."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.clirun import tracker
from tracker.alerts.digest import freshness, parse_week
from tracker.alerts.testing import add_bill, add_events, add_run, database, recording_server
from tracker.db.base import transaction, utcnow
from tracker.db.models_core import Bill, ChangeEvent, Hearing
from tracker.errors import TrackerError
from tracker.settings import get_settings


@pytest.fixture
def seeded(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    factory = database(db_url)
    when = datetime(2025, 4, 8, 18, 0, tzinfo=timezone.utc)  # week 2025-W15
    with transaction(factory) as s:
        ab13 = add_bill(s, "AB 13", title="Mental health: peer support specialists.")
        s.get(Bill, ab13).created_at = when
        run = add_run(s, started_at=when, finished_at=when)
        add_events(s, ab13, run, [("stage_changed", "in_committee", "floor")], created_at=when)
        s.add(Hearing(bill_id=ab13, fingerprint="h", committee_name="Assembly Health",
                      hearing_date=date(2025, 4, 22), status="scheduled", sources=["x"]))
    return factory


def test_digest_out_writes_standalone_html(seeded, tmp_path: Path) -> None:
    out = tmp_path / "digest.html"
    tracker("digest", "--week", "2025-W15", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
    assert "AB 13" in html and "April 22, 2025" in html
    assert "Position letter due April 15, 2025" in html
    assert "moved from" in html


def test_digest_send_goes_to_staff_once_per_week(seeded) -> None:
    with recording_server() as (h, port):
        env = {"TRACKER_SMTP__HOST": "127.0.0.1", "TRACKER_SMTP__PORT": str(port),
               "TRACKER_SMTP__TLS": "none", "TRACKER_ALERTS__STAFF_EMAILS": '["staff@example.org"]'}
        assert "sent 1" in tracker("digest", "--week", "2025-W15", "--send", env=env).stdout
        assert "sent 0" in tracker("digest", "--week", "2025-W15", "--send", env=env).stdout
        (msg,) = h.parsed()
        assert msg["To"] == "staff@example.org" and msg["Subject"].startswith("Weekly bill digest")
        assert "List-Unsubscribe" not in msg  # staff mail is not a list
    bad = tracker("digest", "--week", "2025-15", check=False)
    assert bad.returncode == 2 and "ISO week" in bad.stderr


def test_digest_send_in_spanish_sends_the_spanish_digest_whatever_staff_lang_says(seeded) -> None:
    with recording_server() as (h, port):
        env = {"TRACKER_SMTP__HOST": "127.0.0.1", "TRACKER_SMTP__PORT": str(port),
               "TRACKER_SMTP__TLS": "none", "TRACKER_ALERTS__STAFF_EMAILS": '["staff@example.org"]',
               "TRACKER_ALERTS__STAFF_LANG": "en"}
        assert "sent 1" in tracker("digest", "--week", "2025-W15", "--send", "--lang", "es", env=env).stdout
        assert "sent 1" in tracker("digest", "--week", "2025-W15", "--send", "--lang", "en", env=env).stdout
        spanish, english = h.parsed()
    assert spanish["Subject"].startswith("Resumen semanal") and english["Subject"].startswith("Weekly bill digest")


def test_freshness_warns_about_failures_and_stale_data(seeded) -> None:
    now = utcnow()
    with transaction(seeded) as s:
        add_run(s, source="leginfo", status="failed", started_at=now - timedelta(hours=2), error="HTTP 503")
        add_run(s, status="ok", started_at=now - timedelta(days=3), finished_at=now - timedelta(days=3))
        f = freshness(s, now, now - timedelta(days=7), "en")
    assert not f["ok"]
    assert any("leginfo failed" in w for w in f["warnings"])
    assert any("since" in w for w in f["warnings"])
    with pytest.raises(TrackerError):
        parse_week("2025-W99")


def test_a_bill_staff_took_a_position_on_is_in_the_digest_even_without_a_topic(seeded, tmp_path: Path) -> None:
    with transaction(seeded) as s:
        sb5 = add_bill(s, "SB 5", title="Vehicles: registration.", relevant=False, topics=[])
        s.add(Hearing(bill_id=sb5, fingerprint="h5", committee_name="Senate Transportation",
                      hearing_date=date(2025, 4, 23), status="scheduled", sources=["x"]))
    tracker("positions", "set", "SB 5", "--position", "watch")
    out = tmp_path / "digest.html"
    tracker("digest", "--week", "2025-W15", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "SB 5" in html and "Senate Transportation" in html


def test_a_bill_amended_into_our_issues_this_week_awaits_a_position_in_the_digest(seeded, tmp_path: Path) -> None:
    when = datetime(2025, 4, 9, 18, 0, tzinfo=timezone.utc)
    with transaction(seeded) as s:
        old = add_bill(s, "AB 99", title="Mental health: crisis teams.")
        s.get(Bill, old).created_at = datetime(2025, 1, 10, tzinfo=timezone.utc)  # known since January
        run = add_run(s, started_at=when, finished_at=when)
        add_events(s, old, run, [("became_relevant", {"relevant": False}, {"relevant": True})], created_at=when)
    out = tmp_path / "digest.html"
    tracker("digest", "--week", "2025-W15", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    triage = html[html.index("New bills awaiting a position"):]
    assert "AB 99" in triage[:triage.index("</ul>") if "</ul>" in triage else None]


def test_data_freshness_is_dated_in_california(seeded) -> None:
    late_evening = datetime(2025, 4, 9, 5, 30)  # 10:30 p.m. on April 8 in California (UTC, naive)
    with transaction(seeded) as s:
        add_run(s, started_at=late_evening, finished_at=late_evening)
        fresh = freshness(s, datetime(2025, 4, 9, 6, 0, tzinfo=timezone.utc), late_evening - timedelta(days=7), "en")
    assert fresh["line"] == "Data is fresh: last successful read on April 8, 2025."


def test_digest_names_a_committee_known_only_by_its_code(seeded, tmp_path: Path) -> None:
    """Bulk hearings carry a location code; staff read its name, or at least its house."""
    from tracker.db.models_core import LocationCode
    with transaction(seeded) as s:
        ab13 = s.query(Bill).one().bill_id
        s.add(LocationCode(session_year=ab13[:8], code="CS61", description="Senate Health"))
        s.add(Hearing(bill_id=ab13, fingerprint="h2", committee_code="CS61",
                      hearing_date=date(2025, 4, 24), status="scheduled", sources=["x"]))
        s.add(Hearing(bill_id=ab13, fingerprint="h3", committee_code="CX99",
                      hearing_date=date(2025, 4, 25), status="scheduled", sources=["x"]))
    out = tmp_path / "digest.html"
    tracker("digest", "--week", "2025-W15", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "Senate Health" in html and "an Assembly committee" in html
    assert "CS61" not in html and "CX99" not in html


def test_digest_send_with_the_mail_server_down_is_a_failed_run(seeded) -> None:
    env = {"TRACKER_SMTP__HOST": "127.0.0.1", "TRACKER_SMTP__PORT": "9", "TRACKER_SMTP__TLS": "none",
           "TRACKER_ALERTS__STAFF_EMAILS": '["staff@example.org"]'}
    proc = tracker("digest", "--week", "2025-W15", "--send", env=env, check=False)
    assert proc.returncode == 1 and "warning" in proc.stderr and "deferred 1" in proc.stdout


def test_a_sunday_evening_event_in_california_belongs_to_that_weeks_digest(seeded) -> None:
    """Sunday Nov 29, 2026 at 7 p.m. in California is already Monday in UTC: staff weeks run on
    California time on every database (SQLite once compared Pacific bounds as if they were UTC)."""
    sunday_evening = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)
    with transaction(seeded) as s:
        sb5 = add_bill(s, "SB 5", title="Mental health: peer respite.")
        s.get(Bill, sb5).created_at = datetime(2026, 1, 5, tzinfo=timezone.utc)
        run = add_run(s, started_at=sunday_evening, finished_at=sunday_evening)
        add_events(s, sb5, run, [("stage_changed", "in_committee", "passed_committee")], created_at=sunday_evening)

    def moved(week: str) -> str:
        text = tracker("digest", "--week", week).stdout
        return text[text.index("== Bills that moved =="):text.index("== Amended bills ==")]

    assert "SB 5 moved from" in moved("2026-W48")
    assert "SB 5" not in moved("2026-W49")


def test_problems_recorded_for_staff_that_week_are_listed_in_the_digest(seeded) -> None:
    when = datetime(2025, 4, 9, 18, 0, tzinfo=timezone.utc)
    with transaction(seeded) as s:
        s.add(ChangeEvent(bill_id=None, kind="source_problem", dedupe_key="p1", created_at=when,
                          summary="email: alert message 7 was not delivered: gave up after 8 attempts: 451 busy"))
    text = tracker("digest", "--week", "2025-W15").stdout
    assert "== Problems to look at (1) ==\n- email: alert message 7 was not delivered" in text
    assert "Problems to look at" not in tracker("digest", "--week", "2025-W16").stdout


def test_the_spanish_staff_digest_says_what_each_problem_is_in_spanish(seeded) -> None:
    """A short Spanish sentence for each kind of problem, then the detail as recorded."""
    when = datetime(2025, 4, 9, 18, 0, tzinfo=timezone.utc)
    with transaction(seeded) as s:
        s.add(ChangeEvent(bill_id=None, kind="source_problem", dedupe_key="p1", created_at=when,
                          summary="email: alert message 7 to subscriber 3 was not delivered: 451 busy",
                          after={"source": "email", "message": "alert message 7 to subscriber 3 was not "
                                                                "delivered: 451 busy", "outbox_id": 7}))
        s.add(ChangeEvent(bill_id=None, kind="source_problem", dedupe_key="p2", created_at=when,
                          summary="web: layout changed on the bill page",
                          after={"source": "web", "message": "layout changed on the bill page"}))
    text = tracker("digest", "--week", "2025-W15", "--lang", "es").stdout
    block = text[text.index("== Problemas que revisar (2) =="):]
    assert ("- Un correo no se entregó (detalle en inglés): alert message 7 to subscriber 3 was not "
            "delivered: 451 busy") in block
    assert "- Problema al leer la fuente web (detalle en inglés): layout changed on the bill page" in block
    english = tracker("digest", "--week", "2025-W15").stdout
    assert "- email: alert message 7 to subscriber 3 was not delivered: 451 busy" in english
    assert "- web: layout changed on the bill page" in english
