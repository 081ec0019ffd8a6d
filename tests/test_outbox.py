"""Matching change events to subscriptions and writing outbox rows exactly once."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts import subscriptions as subs
from tracker.alerts.outbox import enqueue_events, period_of
from tracker.alerts.testing import add_bill, add_events, add_run, database
from tracker.db.base import transaction
from tracker.db.models_alerts import OutboxMessage
from tracker.settings import get_settings


@pytest.fixture
def factory(db_url: str, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    return database(db_url)


def rows(s: Session) -> list[OutboxMessage]:
    return list(s.execute(select(OutboxMessage).where(OutboxMessage.kind != "confirm")
                          .order_by(OutboxMessage.id)).scalars())


def people(s: Session) -> dict[str, int]:
    out = {}
    out["topic"] = subs.subscribe(s, "topic@example.org", topics=["crisis_988"], confirmed=True).id
    out["bill"] = subs.subscribe(s, "bill@example.org", bills=["AB 2"], confirmed=True).id
    out["all"] = subs.subscribe(s, "all@example.org", all_bills=True, confirmed=True).id
    out["daily"] = subs.subscribe(s, "daily@example.org", topics=["crisis_988"], cadence="daily",
                                  confirmed=True).id
    subs.subscribe(s, "unconfirmed@example.org", topics=["crisis_988"])  # double opt-in pending
    return out


def test_rules_grouping_and_idempotence(factory) -> None:
    with transaction(factory) as s:
        relevant = add_bill(s, "AB 1", topics=["crisis_988"])
        other = add_bill(s, "AB 2", title="Fishing licenses.", relevant=False, topics=[])
        ids = people(s)
        add_run(s)  # an earlier run exists: this is not the first import
        add_events(s, other, 1, [("new_bill", None, {"relevant": False, "topics": []})])
    with transaction(factory) as s:
        run = add_run(s)
        events = add_events(s, relevant, run, [
            ("stage_changed", "in_committee", "floor"),
            ("new_action", None, {"date": "2025-04-01", "action": "Read second time.", "stage": "floor"}),
            ("hearing_set", None, {"date": "2025-04-09", "committee": "Senate Health", "status": "scheduled"}),
        ]) + add_events(s, other, run, [("new_action", None, {"date": "2025-04-01", "action": "Referred.", "stage": "in_committee"})])
        assert enqueue_events(s, events) == 4
        assert enqueue_events(s, events) == 0  # a retry or re-import adds nothing
    with factory() as s:
        by_sub = {r.subscriber_id: r for r in rows(s)}
        assert set(by_sub) == {ids["topic"], ids["all"], ids["bill"], ids["daily"]}
        topic = by_sub[ids["topic"]]
        assert topic.kind == "alert" and topic.bill_id == relevant
        assert len(topic.event_ids) == 2  # stage + hearing grouped; new_action not wanted
        assert topic.reasons == {relevant: ["topic:crisis_988"]}
        assert by_sub[ids["bill"]].bill_id == other  # bill subscribers get every event, even irrelevant bills
        daily = by_sub[ids["daily"]]
        assert daily.kind == "digest" and daily.period and daily.next_attempt_at > daily.created_at
    with transaction(factory) as s:  # a later run the same day extends the daily row
        run2 = add_run(s)
        more = add_events(s, relevant, run2, [("new_version", {"version_id": "a"}, {"version_id": "b"})])
        enqueue_events(s, more)
    with factory() as s:
        daily = next(r for r in rows(s) if r.subscriber_id == ids["daily"])
        assert len(daily.event_ids) == 3


def test_irrelevant_new_bills_and_the_first_import_do_not_alert(factory) -> None:
    with transaction(factory) as s:
        add_bill(s, "AB 2", title="Fishing licenses.", relevant=False, topics=[])  # followed by one person
        people(s)
        b1 = add_bill(s, "AB 1", topics=["crisis_988"])
        b2 = add_bill(s, "AB 3", relevant=False, topics=[])
        run = add_run(s)
        first = add_events(s, b1, run, [("new_bill", None, {"relevant": True, "topics": ["crisis_988"]})])
        first += add_events(s, b2, run, [("new_bill", None, {"relevant": False, "topics": []})])
        assert enqueue_events(s, first) == 0  # the very first import is the baseline
    with transaction(factory) as s:
        run = add_run(s)
        b4 = add_bill(s, "AB 4", topics=["crisis_988"])
        b5 = add_bill(s, "AB 5", relevant=False, topics=[])
        later = add_events(s, b4, run, [("new_bill", None, {"relevant": True, "topics": ["crisis_988"]})])
        later += add_events(s, b5, run, [("new_bill", None, {"relevant": False, "topics": []})])
        enqueue_events(s, later)
        assert {r.bill_id for r in rows(s) if r.kind == "alert"} == {b4}


def test_many_bills_in_one_run_become_one_message(factory, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_ALERTS__IMMEDIATE_MAX_BILLS", "3")
    get_settings.cache_clear()
    with transaction(factory) as s:
        sid = subs.subscribe(s, "all@example.org", all_bills=True, confirmed=True).id
        add_run(s)
        bills = [add_bill(s, f"SB {n}") for n in range(1, 6)]
        add_events(s, bills[0], 1, [("title_changed", "a", "b")])
    with transaction(factory) as s:
        run = add_run(s)
        events = [e for b in bills for e in add_events(s, b, run, [("stage_changed", "introduced", "in_committee")])]
        enqueue_events(s, events)
        mine = [r for r in rows(s) if r.subscriber_id == sid]
        assert len(mine) == 1 and mine[0].kind == "digest" and len(mine[0].event_ids) == 5


def test_events_and_outbox_rows_commit_together(factory) -> None:
    with transaction(factory) as s:
        subs.subscribe(s, "all@example.org", all_bills=True, confirmed=True)
        bill = add_bill(s, "AB 9")
        add_run(s)
        add_events(s, bill, 1, [("title_changed", "a", "b")])
    with pytest.raises(RuntimeError):
        with transaction(factory) as s:
            events = add_events(s, bill, None, [("stage_changed", "in_committee", "floor")])
            assert enqueue_events(s, events) == 1
            raise RuntimeError("ingest failed after enqueue")
    with factory() as s:
        assert rows(s) == []


def test_digest_periods_use_the_schedule_timezone() -> None:
    late_sunday = datetime(2025, 4, 14, 6, 30, tzinfo=timezone.utc)  # Sunday 23:30 in California
    assert period_of(late_sunday, "daily")[0] == "2025-04-13"
    period, due = period_of(late_sunday, "weekly")
    assert period == "2025-W15" and due == datetime(2025, 4, 14, 14, 0, tzinfo=timezone.utc)


def _two_runs(factory: sessionmaker[Session], attempted_first: bool = False) -> list[OutboxMessage]:
    """One member following AB 1; a poll's calendar run and then its bulk run each find news."""
    with transaction(factory) as s:
        bill = add_bill(s, "AB 1")
        subs.subscribe(s, "reader@example.org", bills=["AB 1"], confirmed=True)
        add_run(s)  # not the first import
    with transaction(factory) as s:
        enqueue_events(s, add_events(s, bill, add_run(s), [("stage_changed", "in_committee", "floor")]))
    if attempted_first:  # the sender handed it to the mail server, which deferred it
        with transaction(factory) as s:
            for r in rows(s):
                r.attempts = 1
    with transaction(factory) as s:
        enqueue_events(s, add_events(s, bill, add_run(s), [("new_version", {"version_id": "v1"},
                                                                {"version_id": "v2"})]))
    with factory() as s:
        return rows(s)


def test_a_later_runs_news_of_a_bill_joins_the_members_alert_still_waiting(factory) -> None:
    (alert,) = _two_runs(factory)
    assert alert.kind == "alert" and len(alert.event_ids) == 2


def test_an_alert_already_handed_to_the_mail_server_is_never_extended(factory) -> None:
    first, second = _two_runs(factory, attempted_first=True)
    assert (len(first.event_ids), len(second.event_ids)) == (1, 1)


def test_an_import_extending_an_alert_and_the_sender_claiming_never_wait_on_each_other(factory, db_url: str) -> None:
    """PostgreSQL: the import holds the row it extends until it commits; the sender skips that
    row (the next run takes it) instead of waiting, and the import leaves rows the sender holds."""
    import threading

    from tracker.alerts import sender
    from tracker.alerts.outbox import _merge_pending_alerts, insert_ignore

    if not db_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's (SQLite has one writer)")
    with transaction(factory) as s:
        add_bill(s, "AB 1")
        sid = subs.subscribe(s, "reader@example.org", bills=["AB 1"], confirmed=True).id
        insert_ignore(s, [{"key": f"i:{sid}:1:{b}", "kind": "alert", "subscriber_id": sid, "bill_id": b,
                           "source_run_id": 1, "event_ids": [1], "reasons": {b: ["all"]}} for b in ("A", "B")])
    with factory() as s:  # closed at once: an open read would hold the schema past the test
        ids = {r.bill_id: r.id for r in rows(s)}

    def news(bill: str) -> list[dict[str, object]]:
        return [{"key": f"i:{sid}:2:{bill}", "kind": "alert", "subscriber_id": sid, "bill_id": bill,
                 "source_run_id": 2, "event_ids": [2], "reasons": {bill: ["all"]}}]

    from sqlalchemy import text

    def claim() -> None:
        with factory() as s:
            s.execute(text("SET lock_timeout = '3s'"))  # waiting on the import would fail, not hang
            try:
                claimed["ids"] = sender._claim(s, "run", 10, False, 0)
            except Exception as exc:  # noqa: BLE001 - the assertion below says what happened
                claimed["error"] = exc

    ingest = factory()
    try:
        assert _merge_pending_alerts(ingest, news("B"))[0] == 1  # B locked until the import commits
        claimed: dict[str, object] = {}
        t = threading.Thread(target=claim, daemon=True)
        t.start()
        t.join(timeout=10)
        assert claimed.get("ids") == [ids["A"]], claimed  # B skipped, not waited for
        extended, rest = _merge_pending_alerts(ingest, news("A"))  # A is the sender's now
        assert (extended, [r["bill_id"] for r in rest]) == (0, ["A"])
        ingest.commit()
    finally:
        ingest.close()
