"""Members' alerts and digests: what a member reads is true now and easy to follow.

Digests tell where each bill stands now before what happened, fold contradicting moves, say
"1 bill", name the committee that voted, never advise a hearing for a bill that has ended, and
link Spanish readers to the Spanish page; the demo says once where its messages went.
Real databases (SQLite and PostgreSQL through ``db_url``) and a real SMTP server on loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts import subscriptions as subs
from tracker.alerts.messages import Renderer
from tracker.alerts.outbox import enqueue_events
from tracker.alerts.phrases import fmt_date
from tracker.alerts.sender import send_pending
from tracker.alerts.testing import add_bill, add_events, add_run, database, recording_server
from tracker.clock import local_today, local_zone
from tracker.db.base import transaction, utcnow
from tracker.db.models_alerts import OutboxMessage
from tracker.db.models_core import Hearing, LocationCode
from tracker.settings import get_settings

AB13 = "202520260AB13"


@pytest.fixture
def factory(db_url: str, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    factory = database(db_url)
    with transaction(factory) as s:
        s.add(LocationCode(session_year="20252026", code="CS61", description="Health"))
    return factory


def render(factory: sessionmaker[Session], events: list[int], lang: str, *, kind: str = "alert",
           period: str | None = None) -> tuple[str, str]:
    """(subject, plain text) of one outbox row about AB 13, rendered as the sender does."""
    with factory() as s:
        row = OutboxMessage(id=1, key="k", kind=kind, period=period, event_ids=events,
                            reasons={AB13: [f"bill:{AB13}"]})
        r = Renderer(s, utcnow()).render(row, lang)
    return r.subject, r.text


def hearing(s: Session, day: date, committee: str, status: str = "scheduled") -> None:
    s.add(Hearing(bill_id=AB13, fingerprint=f"h{day.isoformat()}", committee_name=committee,
                  hearing_date=day, status=status, sources=["senate"]))


def _weekly_digest(factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch,
                   polls: list[list[tuple[str, Any, Any]]]) -> EmailMessage:
    """A weekly member digest of these polls (one a day, two weeks ago), delivered for real."""
    monday = local_today() - timedelta(days=local_today().weekday() + 14)
    with transaction(factory) as s:
        subs.subscribe(s, "reader@example.org", bills=["AB 13"], cadence="weekly", confirmed=True)
    for i, specs in enumerate(polls):
        when = datetime.combine(monday + timedelta(days=i), time(10), local_zone()).astimezone(timezone.utc)
        with transaction(factory) as s:
            events = add_events(s, AB13, add_run(s, started_at=when, finished_at=when), specs, created_at=when)
            enqueue_events(s, events)
    with recording_server() as (h, port):
        for key, value in {"HOST": "127.0.0.1", "PORT": str(port), "TLS": "none"}.items():
            monkeypatch.setenv(f"TRACKER_SMTP__{key}", value)
        get_settings.cache_clear()
        assert send_pending(factory).sent == 1
        (message,) = h.parsed()
    return message


def test_a_weekly_digest_tells_where_a_bill_stands_now_then_what_happened_folded(factory, monkeypatch) -> None:
    today = local_today()
    first, second, moved_to = today + timedelta(days=10), today + timedelta(days=17), today + timedelta(days=24)
    with transaction(factory) as s:
        add_bill(s, "AB 13", stage="in_committee")
        hearing(s, first, "Senate Health", status="postponed")  # moved to `moved_to`
        hearing(s, second, "Senate Appropriations", status="canceled")
        hearing(s, moved_to, "Senate Health")

    def set_for(day: date, committee: str) -> tuple[str, Any, Any]:
        return ("hearing_set", None, {"date": day.isoformat(), "committee": committee, "status": "scheduled"})

    message = _weekly_digest(factory, monkeypatch, [
        [("stage_changed", "floor", "in_committee"), set_for(first, "Senate Health"),
         set_for(second, "Senate Appropriations")],
        [("stage_changed", "in_committee", "passed_committee"),
         ("hearing_canceled", {"status": "scheduled"}, {"date": second.isoformat(), "status": "canceled",
                                                         "committee": "Senate Appropriations"}),
         ("vote_recorded", None, {"location": "CS61", "result": "(PASS)", "ayes": 5, "noes": 2})],
        [("stage_changed", "passed_committee", "in_committee"),
         ("hearing_changed", {"status": "scheduled", "date": first.isoformat()},
          {"date": moved_to.isoformat(), "moved_from": first.isoformat(), "committee": "Senate Health",
           "status": "scheduled"})],
    ])
    text = message.get_body(("plain",)).get_content()
    block = text[text.index("AB 13: "):text.index("Read more about AB 13")]
    now, advice = block.splitlines()[2:4]
    assert now == "Where it stands now: in committee."
    assert advice.startswith(f"What you can do: Hearing on {fmt_date(moved_to, 'en')} in Senate Health.")
    story = block[block.index("What happened:"):block.index("From the official record")
                  if "From the official record" in block else None].strip().splitlines()[1:]
    assert story == [
        f"- AB 13: the {fmt_date(second, 'en')} hearing in Senate Appropriations was canceled.",
        "- AB 13 passed a vote in the Senate Health Committee (5 yes, 2 no).",
        "- AB 13 moved from “passed committee” to “in committee”. A committee will study the bill and may vote on it.",
        f"- AB 13: hearing set for {fmt_date(moved_to, 'en')} in Senate Health.",
    ]
    assert message["Subject"] == "Your weekly bill summary: 1 bill"


@pytest.mark.parametrize(("lang", "subject"), [("en", "Your daily bill summary: 1 bill"),
                                               ("es", "Su resumen diario: 1 proyecto de ley")])
def test_a_summary_of_one_bill_says_one_bill(factory, lang: str, subject: str) -> None:
    with transaction(factory) as s:
        add_bill(s, "AB 13")
        ids = [e.id for e in add_events(s, AB13, add_run(s), [("new_version", None, {"date": "2026-03-02"})])]
    assert render(factory, ids, lang, kind="digest", period="2026-03-02")[0] == subject


def test_a_bill_signed_into_law_gets_no_hearing_or_letter_advice(factory) -> None:
    with transaction(factory) as s:
        add_bill(s, "AB 13", stage="chaptered")
        hearing(s, local_today() + timedelta(days=20), "Senate Health")  # a stale row the calendar never closed
        ids = [e.id for e in add_events(s, AB13, add_run(s), [("stage_changed", "to_governor", "chaptered")])]
    subject, text = render(factory, ids, "en")
    assert subject == "AB 13 was signed into law"
    assert "What you can do" not in text and "send a letter" not in text and "Hearing on" not in text


def test_spanish_readers_are_linked_to_the_spanish_bill_page(factory) -> None:
    with transaction(factory) as s:
        add_bill(s, "AB 13")
        ids = [e.id for e in add_events(s, AB13, add_run(s), [("new_version", None, {"date": "2026-03-02"})])]
    base = get_settings().public_base_url
    assert f"Lea más sobre AB 13: {base}/bills/AB-13?lang=es\n" in render(factory, ids, "es")[1]
    assert f"Read more about AB 13: {base}/bills/AB-13\n" in render(factory, ids, "en")[1]


def test_a_vote_names_the_committee_that_took_it_never_its_code(factory) -> None:
    with transaction(factory) as s:
        add_bill(s, "AB 13")
        ids = [e.id for e in add_events(s, AB13, add_run(s), [
            ("vote_recorded", None, {"location": "CS61", "result": "(PASS)", "ayes": 5, "noes": 2})])]
    text = render(factory, ids, "en")[1]
    assert "- AB 13 passed a vote in the Senate Health Committee (5 yes, 2 no)." in text
    assert "CS61" not in text
    assert "- AB 13 se aprobó en una votación en el Comité de Salud del Senado (5 a favor, 2 en contra)." in render(
        factory, ids, "es")[1]


def test_the_demo_says_once_where_the_messages_went(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_") or k == "TRACKER_TEST_PG_URL"}
    proc = subprocess.run([sys.executable, "-c", "from tracker.cli import main; main()", "demo"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("no SMTP server configured") == 1


def test_two_committees_hearing_a_bill_on_one_day_are_both_told_each_with_its_committee(factory) -> None:
    day = local_today() + timedelta(days=8)
    with transaction(factory) as s:
        add_bill(s, "AB 13")
        for committee in ("Senate Health", "Senate Judiciary"):
            s.add(Hearing(bill_id=AB13, fingerprint=f"h-{committee}", committee_name=committee,
                          hearing_date=day, status="scheduled", sources=["hearings"]))
        ids = [e.id for e in add_events(s, AB13, add_run(s), [
            ("hearing_set", None, {"date": day.isoformat(), "committee": c, "status": "scheduled"})
            for c in ("Senate Health", "Senate Judiciary")])]
    text = render(factory, ids, "en")[1]
    assert "in Senate Health." in text and "in Senate Judiciary." in text


def test_canceling_one_of_two_hearings_on_a_day_names_the_one_canceled(factory) -> None:
    day = local_today() + timedelta(days=8)
    with transaction(factory) as s:
        add_bill(s, "AB 13")
        s.add(Hearing(bill_id=AB13, fingerprint="h-health", committee_name="Senate Health",
                      hearing_date=day, status="canceled", sources=["hearings"]))
        s.add(Hearing(bill_id=AB13, fingerprint="h-jud", committee_name="Senate Judiciary",
                      hearing_date=day, status="scheduled", sources=["hearings"]))
        ids = [e.id for e in add_events(s, AB13, add_run(s), [
            ("hearing_canceled", {"date": day.isoformat(), "committee": "Senate Health", "status": "scheduled"},
             {"date": day.isoformat(), "committee": "Senate Health", "status": "canceled"})])]
    subject, text = render(factory, ids, "en")
    assert "hearing in Senate Health was canceled" in text and "Judiciary was canceled" not in text
