"""Review 8, second round (members' alerts, digests and subscriptions).

Consent, no alert lost or sent twice, true facts, privacy. Real databases (SQLite and
PostgreSQL through ``db_url``), the real ``tracker`` command and a real SMTP server on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.clirun import tracker
from tracker.alerts import subscriptions as subs
from tracker.alerts.outbox import enqueue_events
from tracker.alerts.sender import send_pending
from tracker.alerts.testing import RecordingHandler, add_bill, add_events, add_run, database, recording_server
from tracker.db.base import transaction
from tracker.db.models_alerts import OutboxMessage
from tracker.db.models_core import ChangeEvent
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
