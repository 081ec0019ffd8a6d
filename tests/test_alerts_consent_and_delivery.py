"""Members' alerts, digests and subscriptions: consent and delivery.

Consent, no alert lost or sent twice, true facts, privacy. Real databases (SQLite and
PostgreSQL through ``db_url``), the real ``tracker`` command and a real SMTP server on loopback.
"""

from __future__ import annotations

import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from typing import Any
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.clirun import TRACKER, tracker
from tests.test_digest_member_wording import hearing, render
from tracker.alerts import subscriptions as subs
from tracker.alerts.outbox import enqueue_events
from tracker.alerts.phrases import fmt_date
from tracker.alerts.sender import send_pending
from tracker.alerts.testing import RecordingHandler, add_bill, add_events, add_run, database, recording_server
from tracker.clock import local_today
from tracker.db.base import transaction, utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber, Subscription
from tracker.db.models_core import BillAction, ChangeEvent
from tracker.settings import get_settings

AB13 = "202520260AB13"


@pytest.fixture
def factory(db_url: str, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    factory = database(db_url)
    with transaction(factory) as s:
        add_bill(s, "AB 13")
        add_bill(s, "AB 1656")
    return factory


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingHandler]:
    """A real SMTP server on loopback, configured as the one ``tracker send`` uses."""
    with recording_server() as (handler, port):
        for key, value in {"HOST": "127.0.0.1", "PORT": str(port), "TLS": "none"}.items():
            monkeypatch.setenv(f"TRACKER_SMTP__{key}", value)
        monkeypatch.setenv("TRACKER_SECRET_KEY", "a-test-key-that-is-not-the-development-one")
        get_settings.cache_clear()
        yield handler


def _outbox(s: Session, kind: str) -> list[OutboxMessage]:
    return list(s.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)).scalars())


# 1. Consent: the public form cannot undo an unsubscribe ---------------------------------------

def test_the_sign_up_form_does_not_undo_an_unsubscribe_until_the_owner_confirms(factory, server) -> None:
    tracker("subscribers", "add", "fay@example.org", "--bill", "AB 13", "--confirmed")
    assert tracker("subscribers", "remove", "fay@example.org", "--keep-record").stdout.strip() == "unsubscribed"
    with transaction(factory) as s:  # anyone who knows the address, through the web form
        sub = subs.subscribe(s, "fay@example.org", bills=["AB 13"], lang="es", cadence="weekly")
        assert sub.status == "unsubscribed" and sub.subscriptions == []
    staff = tracker("subscribers", "add", "fay@example.org", "--bill", "AB 1656", "--confirmed", check=False)
    assert staff.returncode == 1 and "not added: they unsubscribed" in staff.stdout
    with factory() as s:
        sub = subs.find_by_email(s, "fay@example.org")
        assert sub is not None and (sub.status, sub.subscriptions) == ("unsubscribed", [])
    # The confirmation (and only it) reaches the owner, in the language they asked for.
    assert send_pending(factory).sent == 1
    (message,) = server.parsed()
    assert message["Subject"] == "Confirme sus alertas de Capitol Watch"
    with transaction(factory) as s:  # the owner presses the link
        sub = subs.find_by_email(s, "fay@example.org")
        assert sub is not None
        subs.confirm(s, sub)
    with factory() as s:
        sub = subs.find_by_email(s, "fay@example.org")
        assert sub is not None and (sub.status, sub.lang) == ("active", "es")
        assert [(x.kind, x.target, x.cadence) for x in sub.subscriptions] == [("bill", "202520260AB13", "weekly")]


def test_a_confirmation_link_from_before_an_unsubscribe_brings_no_one_back(factory) -> None:
    with transaction(factory) as s:  # signed up on the form: a confirmation link goes out
        subs.subscribe(s, "gil@example.org", bills=["AB 13"])
    with transaction(factory) as s:
        sub = subs.find_by_email(s, "gil@example.org")
        assert sub is not None and subs.confirm(s, sub)
        subs.unsubscribe(s, sub)
    with transaction(factory) as s:  # the old email's link, pressed later
        sub = subs.find_by_email(s, "gil@example.org")
        assert sub is not None and not subs.confirm(s, sub)
    with factory() as s:
        sub = subs.find_by_email(s, "gil@example.org")
        assert sub is not None and (sub.status, sub.subscriptions) == ("unsubscribed", [])


# 2. A database error while a message is written is not the message's fault --------------------

def _queue_alert(factory: sessionmaker[Session], email: str = "reader@example.org") -> None:
    """One confirmed member following AB 13 and one stage change: one alert row."""
    with transaction(factory) as s:
        subs.subscribe(s, email, bills=["AB 13"], confirmed=True)
    with transaction(factory) as s:
        events = add_events(s, AB13, add_run(s), [("stage_changed", "in_committee", "floor")])
        assert enqueue_events(s, events) == 1


def test_a_database_error_while_an_alert_is_written_keeps_it_queued_and_stops_in_one_line(
        factory, server, db_url: str) -> None:
    """PostgreSQL: another session holds the bill table locked and our connection gives up
    waiting (lock_timeout): the database's trouble, so the alert waits for the next run.
    (SQLite readers never wait for a writer in WAL mode, so only PostgreSQL can show it.)"""
    if not db_url.startswith("postgresql"):
        pytest.skip("a read that fails on a lock needs PostgreSQL (SQLite readers never wait in WAL mode)")
    _queue_alert(factory)
    impatient = db_url + "%20-clock_timeout%3D300"
    holder = create_engine(db_url)
    try:
        with holder.connect() as conn:
            conn.execute(text("LOCK TABLE bill IN ACCESS EXCLUSIVE MODE"))
            proc = tracker("send", env={"TRACKER_DATABASE_URL": impatient}, check=False)
            conn.rollback()
    finally:
        holder.dispose()
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "database problem" in proc.stderr
    with factory() as s:
        (row,) = _outbox(s, "alert")
        assert (row.status, row.attempts) == ("pending", 0)
        assert s.execute(select(ChangeEvent).where(ChangeEvent.kind == "source_problem")).first() is None
    assert server.messages == []
    again = tracker("send")
    assert again.stdout.startswith("sent 1, deferred 0, failed 0")
    assert len(server.messages) == 1


# 3. Hearing advice and subject lines come from the hearing rows as they stand now -------------

def _render(factory: sessionmaker[Session], events: list[int], lang: str = "en", *, kind: str = "alert",
            period: str | None = None) -> tuple[str, str]:
    return render(factory, events, lang, kind=kind, period=period)


def _hearing(s: Session, day: date, status: str, committee: str = "Senate Health") -> None:
    hearing(s, day, committee, status)


def _set(day: date, committee: str = "Senate Health") -> tuple[str, object, object]:
    return ("hearing_set", None, {"date": day.isoformat(), "committee": committee, "status": "scheduled"})


@pytest.mark.parametrize("kind", ["alert", "digest"])
def test_no_advice_or_hearing_set_subject_for_a_hearing_since_canceled(factory, kind: str) -> None:
    day = local_today() + timedelta(days=20)
    with transaction(factory) as s:
        _hearing(s, day, "canceled")  # the row as it stands now
        ids = [e.id for e in add_events(s, AB13, add_run(s), [_set(day)])]
    subject, text = _render(factory, ids, kind=kind, period=day.isoformat() if kind == "digest" else None)
    assert "What you can do" not in text and "send a letter" not in text
    assert f"the {fmt_date(day, 'en')} hearing in Senate Health was canceled" in text
    if kind == "alert":
        assert subject == "AB 13: hearing canceled"


def test_a_hearing_set_then_canceled_in_one_batch_is_no_hearing_set_subject(factory) -> None:
    day = local_today() + timedelta(days=20)
    with transaction(factory) as s:
        _hearing(s, day, "canceled")
        ids = [e.id for e in add_events(s, AB13, add_run(s), [
            _set(day), ("hearing_canceled", {"status": "scheduled"},
                        {"date": day.isoformat(), "status": "canceled", "committee": "Senate Health"})])]
    subject, text = _render(factory, ids)
    assert subject == "AB 13: hearing canceled"
    assert "What you can do" not in text


def test_a_postponed_day_gives_way_to_the_day_the_rows_hold_now(factory) -> None:
    postponed, later = local_today() + timedelta(days=9), local_today() + timedelta(days=30)
    with transaction(factory) as s:
        _hearing(s, postponed, "postponed")
        _hearing(s, later, "scheduled", committee="Senate Appropriations")
        ids = [e.id for e in add_events(s, AB13, add_run(s), [_set(postponed)])]
    subject, text = _render(factory, ids)
    assert "hearing set" not in subject and subject == "AB 13: hearing postponed"
    assert f"What you can do: Hearing on {fmt_date(later, 'en')} in Senate Appropriations." in text
    assert f"Hearing on {fmt_date(postponed, 'en')}" not in text


# 4. Folding stage moves keeps the milestones (passed a committee, passed a house) -------------

def _action(s: Session, n: int, text: str, stage: str) -> None:
    s.add(BillAction(bill_id=AB13, fingerprint=f"a{n}", action_date=local_today(), action=text,
                     sort_key=f"{n:04d}", stage=stage, source="pubinfo"))


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["- AB 13 passed the Assembly and went to the Senate.",
            "- AB 13 passed a committee vote.",
            "- AB 13 moved from “passed committee” to “on the floor”. The whole Assembly or Senate can now vote on it."]),
    ("es", ["- AB 13 se aprobó en la Asamblea y pasó al Senado.",
            "- AB 13 se aprobó en un comité."]),
])
def test_a_folded_week_still_says_the_bill_passed_its_house_and_a_committee(factory, lang: str,
                                                                            expected: list[str]) -> None:
    passage = "Read third time. Passed. Ordered to the Senate. (Ayes 68. Noes 0.)"
    arrival = "In Senate. Read first time. To Com. on RLS. for assignment."
    with transaction(factory) as s:
        _action(s, 1, passage, "passed_house")
        _action(s, 2, arrival, "passed_house")
        day = local_today().isoformat()
        ids = [e.id for e in add_events(s, AB13, add_run(s), [  # the poll that found them tells them
            ("new_action", None, {"date": day, "action": passage, "stage": "passed_house"}),
            ("new_action", None, {"date": day, "action": arrival, "stage": "passed_house"}),
            ("stage_changed", "floor", "in_committee"), ("stage_changed", "in_committee", "passed_committee"),
            ("stage_changed", "passed_committee", "floor")]) if e.kind == "stage_changed"]
    _subject, text = _render(factory, ids, lang, kind="digest", period=local_today().isoformat())
    lines = [line for line in text.splitlines() if line.startswith("- AB 13")]
    assert lines[:len(expected)] == expected
    if lang == "es":
        assert len(lines) == 3 and "“en comité”" not in lines[2]


def test_a_move_back_and_forth_with_nothing_passed_still_folds(factory) -> None:
    with transaction(factory) as s:
        ids = [e.id for e in add_events(s, AB13, add_run(s), [
            ("stage_changed", "floor", "in_committee"), ("stage_changed", "in_committee", "floor")])]
    _subject, text = _render(factory, ids, kind="digest", period=local_today().isoformat())
    assert [line for line in text.splitlines() if line.startswith("- AB 13")] == []


# 5. An address stored with accented letters can be removed, and is paused after one failure ----

def test_an_accented_stored_address_is_paused_after_one_failure_with_one_notice_and_can_be_removed(
        factory, server) -> None:
    with transaction(factory) as s:  # stored by an older version, straight into the table
        sub = Subscriber(email="evé@example.org", lang="en", status="active", bounce_count=0,
                         token_id="legacy-accented", confirmed_at=utcnow())
        s.add(sub)
        s.flush()
        sb5 = add_bill(s, "SB 5")
        for bill in (AB13, sb5):
            s.add(Subscription(subscriber_id=sub.id, kind="bill", target=bill, cadence="immediate",
                               event_kinds=["stage_changed"]))
        sub_id = sub.id
    for bill, move in ((AB13, ("in_committee", "floor")), (sb5, ("floor", "passed_house"))):  # two alerts
        with transaction(factory) as s:
            assert enqueue_events(s, add_events(s, bill, add_run(s), [("stage_changed", *move)])) == 1
    first = tracker("send", check=False)
    assert first.returncode == 1 and "Traceback" not in first.stderr
    assert "sent 0, deferred 0, failed 1, canceled 1" in first.stdout
    (line,) = [x for x in first.stderr.splitlines() if "was not delivered" in x]
    assert f"to subscriber {sub_id} was not delivered" in line and "paused" in line and "é" not in line
    with transaction(factory) as s:
        assert enqueue_events(s, add_events(s, AB13, add_run(s), [("stage_changed", "passed_house", "floor")])) == 0
    again = tracker("send")
    assert again.stdout.startswith("sent 0, deferred 0, failed 0")
    with factory() as s:
        notices = list(s.execute(select(ChangeEvent).where(ChangeEvent.kind == "source_problem")).scalars())
        assert len(notices) == 1 and "é" not in notices[0].summary
        assert s.get(Subscriber, sub_id).status == "paused"
    assert server.messages == []
    listing = tracker("subscribers", "list", "--show-emails").stdout
    assert f"evé@example.org\ten\tpaused\tconfirmed\t{AB13}, {sb5}\tsubscriber {sub_id}" in listing
    assert tracker("subscribers", "remove", "Evé@example.org").stdout.strip() == "deleted"
    with factory() as s:
        assert s.get(Subscriber, sub_id) is None


# 10. Staff-only delivery notices stay out of the public API and exports ----------------------

def test_delivery_notices_are_not_published_by_the_api_or_the_export(factory, server) -> None:
    from starlette.testclient import TestClient

    from tracker.web.app import create_app

    with transaction(factory) as s:
        subs.subscribe(s, "reader@example.org", bills=["AB 13"], confirmed=True)
    server.rcpt_replies["reader@example.org"] = "452 4.2.2 mailbox full"
    with transaction(factory) as s:
        enqueue_events(s, add_events(s, AB13, add_run(s), [("stage_changed", "in_committee", "floor")]))
    assert tracker("send", env={"TRACKER_ALERTS__MAX_ATTEMPTS": "1"}, check=False).returncode == 1
    with factory() as s:
        assert s.execute(select(ChangeEvent).where(ChangeEvent.kind == "source_problem")).scalar_one() is not None
    with TestClient(create_app(get_settings(), factory)) as client:
        events = client.get("/api/events?limit=1000").json()["events"]
    assert [e["kind"] for e in events] == ["stage_changed"]
    exported = tracker("export", "events", "--format", "jsonl").stdout
    assert "stage_changed" in exported and "source_problem" not in exported and "was not delivered" not in exported


# 6. Staff add and import queue at most one confirmation for an unconfirmed member -------------

def test_staff_adds_and_imports_queue_one_confirmation_for_an_unconfirmed_member(factory, server, tmp_path) -> None:
    tracker("subscribers", "add", "gil@example.org", "--bill", "AB 13")
    tracker("subscribers", "add", "gil@example.org", "--bill", "AB 1656")
    members = tmp_path / "members.csv"
    members.write_text("email,bills\ngil@example.org,AB 13\n", encoding="utf-8")
    tracker("subscribers", "import", str(members))
    tracker("subscribers", "import", str(members))
    with factory() as s:
        assert [r.status for r in _outbox(s, "confirm")] == ["pending"]
    assert send_pending(factory).sent == 1
    assert server.recipients == ["gil@example.org"]


# 7. Losing the PostgreSQL connection while a message is with the server -----------------------

class _HoldingHandler(RecordingHandler):
    """Says when a message reached DATA, then holds it there for ``delay`` seconds."""

    def __init__(self) -> None:
        super().__init__()
        self.at_data = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.at_data.set()
        return await super().handle_DATA(server, session, envelope)


def test_a_database_restart_while_a_message_is_with_the_server_marks_it_sent_once_in_one_line(
        factory, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection of the sender is terminated while the server holds the message (as in
    a database restart): the mark is made on a fresh connection, the run stops with one line,
    and the next run sends nothing again. (Terminating connections needs PostgreSQL.)"""
    if not db_url.startswith("postgresql"):
        pytest.skip("terminating the sender's connections needs PostgreSQL")
    _queue_alert(factory)
    app = f"cw_marker_{uuid.uuid4().hex[:10]}"
    handler = _HoldingHandler()
    handler.delay = 1.0
    admin = create_engine(db_url)
    try:
        with recording_server(handler=handler) as (_h, port):
            env = dict(os.environ, TRACKER_DATABASE_URL=f"{db_url}%20-capplication_name%3D{app}",
                       TRACKER_SMTP__HOST="127.0.0.1", TRACKER_SMTP__PORT=str(port), TRACKER_SMTP__TLS="none",
                       TRACKER_SECRET_KEY="a-test-key-that-is-not-the-development-one")
            proc = subprocess.Popen([TRACKER, "send"], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            assert handler.at_data.wait(60)
            with admin.begin() as conn:
                killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                           "WHERE application_name = :a"), {"a": app}).scalar_one()
            out, err = proc.communicate(timeout=120)
            assert killed >= 1
            # one line says at once why the run waits (the database, not the mail server)
            assert "Traceback" not in err and len(err.strip().splitlines()) <= 1, err
            assert err.startswith("message 1 was taken by the mail server; waiting up to 900 s "
                                  "for the database to record it"), err
            with factory() as s:
                assert [r.status for r in _outbox(s, "alert")] == ["sent"]
            monkeypatch.setenv("TRACKER_SMTP__PORT", str(port))
            again = tracker("send", env=env)
            assert again.stdout.startswith("sent 0") and len(handler.messages) == 1
    finally:
        admin.dispose()


# 8. Staff change only the language, county or confirmation of an existing member ---------------

def test_staff_change_only_the_language_or_confirmation_of_an_existing_member(factory) -> None:
    tracker("subscribers", "add", "ana@example.org", "--bill", "AB 13", "--lang", "es")
    assert tracker("subscribers", "add", "ana@example.org", "--lang", "en").stdout.strip() == (
        "ana@example.org: updated (confirmation email queued): language es → en")
    assert tracker("subscribers", "add", "ana@example.org", "--confirmed").stdout.strip() == (
        "ana@example.org: updated (confirmed): confirmed")
    assert tracker("subscribers", "add", "ana@example.org", "--county", "Modoc").stdout.strip() == (
        "ana@example.org: updated (confirmed): county set")
    with factory() as s:
        sub = subs.find_by_email(s, "ana@example.org")
        assert sub is not None and (sub.lang, sub.county) == ("en", "Modoc") and sub.confirmed_at is not None
        assert [(x.kind, x.target) for x in sub.subscriptions] == [("bill", AB13)]
    new = tracker("subscribers", "add", "new@example.org", "--lang", "en", check=False)
    assert new.returncode == 2 and "choose at least one topic or bill" in new.stderr


# 11. A paused member who comes back choosing "weekly" gets no immediate alerts ----------------

def test_a_paused_member_back_on_weekly_gets_the_old_subscriptions_weekly_too(factory, server) -> None:
    with transaction(factory) as s:
        sub = subs.subscribe(s, "hal@example.org", bills=["AB 13"], confirmed=True)  # immediate
        sub.status, sub.bounce_count = "paused", 3
    with transaction(factory) as s:
        subs.subscribe(s, "hal@example.org", bills=["AB 1656"], cadence="weekly")
    assert send_pending(factory).sent == 1  # the confirmation
    with transaction(factory) as s:
        sub = subs.find_by_email(s, "hal@example.org")
        assert sub is not None
        subs.confirm(s, sub)
    with transaction(factory) as s:
        assert enqueue_events(s, add_events(s, AB13, add_run(s), [("stage_changed", "in_committee", "floor")])) == 1
    with factory() as s:
        (row,) = _outbox(s, "alert") or _outbox(s, "digest")
        assert row.kind == "digest" and row.period is not None and "-W" in row.period
    assert send_pending(factory).sent == 0  # nothing goes out before the week is over
    assert len(server.messages) == 1


def test_a_concurrence_is_not_told_as_going_to_the_other_house(factory) -> None:
    with transaction(factory) as s:
        _action(s, 1, "Senate amendments concurred in. To Engrossing and Enrolling. (Ayes 70. Noes 2.)",
                "passed_house")
        ids = [e.id for e in add_events(s, AB13, add_run(s), [
            ("stage_changed", "floor", "passed_house"), ("stage_changed", "passed_house", "enrolled")])]
    _subject, text = _render(factory, ids, kind="digest", period=local_today().isoformat())
    lines = [line for line in text.splitlines() if line.startswith("- AB 13")]
    assert lines == ["- AB 13 moved from “on the floor” to “passed both houses”. "
                     "Both houses passed it. It goes to the Governor next."]
