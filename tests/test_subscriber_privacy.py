"""What we keep about members, and the emails and pages of their own requests.

A list of people who follow mental-health legislation is sensitive: a sign-up nobody confirmed
is forgotten once its link has expired, and someone who unsubscribes leaves only their address
(the record that stops us writing again), with the choice to delete that too. A member who asks
for a new link to their choices gets an email that answers that request, and asking for one is
not counted, limited or worded as a sign-up.

Real databases (SQLite and PostgreSQL through ``db_url``), the real web app, the real
``tracker`` command and a real SMTP server on loopback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from tests.clirun import tracker
from tests.test_web_support import csrf_from, seed
from tracker.alerts import subscriptions as subs
from tracker.alerts.outbox import enqueue_events
from tracker.alerts.testing import RecordingHandler, add_events, add_run, recording_server
from tracker.alerts.tokens import make_token
from tracker.db.base import transaction, utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber, Subscription
from tracker.settings import get_settings
from tracker.web.app import create_app

AB1656 = "202520260AB1656"  # in the seeded data: relevant, topics include crisis_988
LINK_HOURS = 72  # web.confirm_link_hours, the default
KEPT_HOURS = LINK_HOURS + 24  # the link's life and a day's margin
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


@pytest.fixture
def factory(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    """The seeded web database, also the one the ``tracker`` command uses."""
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    f = seed(db_url)
    yield f
    f.kw["bind"].dispose()


@pytest.fixture
def client(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(), factory)) as c:
        yield c


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingHandler]:
    """A real SMTP server on loopback, configured as the one ``tracker send`` uses."""
    with recording_server() as (handler, port):
        for key, value in {"HOST": "127.0.0.1", "PORT": str(port), "TLS": "none"}.items():
            monkeypatch.setenv(f"TRACKER_SMTP__{key}", value)
        monkeypatch.setenv("TRACKER_SECRET_KEY", "a-test-key-that-is-not-the-development-one")
        get_settings.cache_clear()
        yield handler


def sign_up(client: TestClient, email: str, *, lang: str = "en", **fields: Any) -> int:
    """The public sign-up form, filled in as a visitor would."""
    token = csrf_from(client.get(f"/subscribe?lang={lang}").text)
    data = {"email": email, "lang": lang, "topics": "involuntary_treatment", "cadence": "immediate",
            "county": "Modoc", "csrf_token": token} | fields
    return client.post("/subscribe", data=data).status_code


def ask_for_new_link(client: TestClient, email: str, lang: str = "en") -> Any:
    """The "email me a new link to my choices" form."""
    token = csrf_from(client.get(f"/preferences?lang={lang}").text)
    return client.post("/preferences", data={"email": email, "csrf_token": token})


def member(factory: sessionmaker[Session], email: str) -> Subscriber | None:
    with factory() as s:
        sub = subs.find_by_email(s, email)
        if sub is not None:
            list(sub.subscriptions)  # loaded while the session is open
        return sub


def stored_about(factory: sessionmaker[Session], subscriber_id: int) -> dict[str, Any]:
    """Everything the database holds that is tied to one subscriber id."""
    with factory() as s:
        rows = s.execute(select(OutboxMessage).where(OutboxMessage.subscriber_id == subscriber_id)).scalars()
        outbox = [{"key": r.key, "bill_id": r.bill_id, "event_ids": r.event_ids, "reasons": r.reasons}
                  for r in rows]
        follows = s.execute(select(Subscription.target).where(Subscription.subscriber_id == subscriber_id))
        return {"subscriptions": list(follows.scalars()), "outbox": outbox}


def age(factory: sessionmaker[Session], email: str, hours: float) -> None:
    """Make a sign-up (and every email we wrote for it) as old as ``hours`` hours."""
    then = utcnow() - timedelta(hours=hours)
    with transaction(factory) as s:
        sub = subs.find_by_email(s, email)
        assert sub is not None
        s.execute(update(Subscriber).where(Subscriber.id == sub.id).values(created_at=then, updated_at=then))
        s.execute(update(OutboxMessage).where(OutboxMessage.subscriber_id == sub.id).values(created_at=then))
        s.execute(update(OutboxMessage).where(OutboxMessage.subscriber_id == sub.id,
                                              OutboxMessage.sent_at.is_not(None)).values(sent_at=then))


# 1. A sign-up nobody confirmed is forgotten once its link has expired ---------------------------

def test_each_send_run_deletes_a_sign_up_nobody_confirmed_once_its_confirmation_link_expired(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    assert sign_up(client, "nadie@example.org", lang="es") == 200
    assert "sent 1," in tracker("send").stdout  # the confirmation goes out
    sub = member(factory, "nadie@example.org")
    assert sub is not None and sub.county == "Modoc" and stored_about(factory, sub.id)["subscriptions"]
    age(factory, "nadie@example.org", KEPT_HOURS + 1)
    out = tracker("send").stdout
    assert "deleted 1 sign-up(s) nobody confirmed within 4 days" in out
    assert member(factory, "nadie@example.org") is None
    assert stored_about(factory, sub.id) == {"subscriptions": [], "outbox": []}


def test_the_age_rule_spares_confirmed_members_unsubscribed_addresses_and_links_that_still_work(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    tracker("subscribers", "add", "member@example.org", "--topic", "crisis_988", "--confirmed")
    for email in ("left@example.org", "recent@example.org", "renewed@example.org", "expired@example.org"):
        assert sign_up(client, email) == 200
    with transaction(factory) as s:  # left before confirming (the List-Unsubscribe header)
        left = subs.find_by_email(s, "left@example.org")
        assert left is not None
        subs.unsubscribe(s, left)
    tracker("send")
    for email in ("member@example.org", "left@example.org", "renewed@example.org", "expired@example.org"):
        age(factory, email, KEPT_HOURS + 1)
    age(factory, "recent@example.org", LINK_HOURS - 1)  # its link still works
    assert sign_up(client, "renewed@example.org") == 200  # signed up again: a new link
    assert "deleted 1 sign-up(s)" in tracker("send").stdout
    assert member(factory, "expired@example.org") is None
    for email in ("member@example.org", "left@example.org", "recent@example.org", "renewed@example.org"):
        assert member(factory, email) is not None, email


def test_staff_adding_an_unconfirmed_member_are_told_it_is_deleted_unless_confirmed_and_it_is(
        factory: sessionmaker[Session]) -> None:
    line = tracker("subscribers", "add", "staff-added@example.org", "--topic", "involuntary_treatment",
                   "--county", "Inyo").stdout.strip()
    assert line == ("staff-added@example.org: subscribed (confirmation email queued): now follows topic "
                    "involuntary_treatment; county set; if they do not confirm within 4 days, the sign-up is deleted "
                    "(use --confirmed when they already agreed)")
    tracker("send")
    age(factory, "staff-added@example.org", KEPT_HOURS + 1)
    tracker("send")
    assert member(factory, "staff-added@example.org") is None


# 2. Unsubscribing keeps only the address -------------------------------------------------------

def _member_with_a_sent_alert(factory: sessionmaker[Session], email: str, lang: str = "en") -> Subscriber:
    """A confirmed member following crisis_988, with a county, who got one alert about AB 1656."""
    tracker("subscribers", "add", email, "--topic", "crisis_988", "--county", "Modoc", "--lang", lang,
            "--confirmed")
    with transaction(factory) as s:
        events = add_events(s, AB1656, add_run(s), [("stage_changed", "in_committee", "floor")])
        assert enqueue_events(s, events) == 1
    assert "sent 1," in tracker("send").stdout
    sub = member(factory, email)
    assert sub is not None
    assert "topic:crisis_988" in json.dumps(stored_about(factory, sub.id))  # what the alert was about
    return sub


@pytest.mark.parametrize("door", ["one-click from the mail client", "the button on the page"])
def test_unsubscribing_forgets_the_county_topics_and_what_alerts_were_about_but_keeps_the_address(
        client: TestClient, factory: sessionmaker[Session], door: str) -> None:
    sub = _member_with_a_sent_alert(factory, "quiet@example.org")
    url = f"/unsubscribe/{make_token('unsubscribe', sub.token_id)}"
    if door.startswith("one-click"):
        r = client.post(url, content=b"List-Unsubscribe=One-Click",
                        headers={"content-type": "application/x-www-form-urlencoded"})
    else:
        r = client.post(url, data={"csrf_token": csrf_from(client.get(url).text)})
    assert r.status_code == 200
    after = member(factory, "quiet@example.org")
    assert after is not None and (after.email, after.status, after.county) == (
        "quiet@example.org", "unsubscribed", None)
    stored = stored_about(factory, sub.id)
    assert stored["subscriptions"] == []
    assert "crisis_988" not in json.dumps(stored) and AB1656 not in json.dumps(stored)
    assert all(not row["event_ids"] for row in stored["outbox"])
    # The address still does its one job: staff cannot add them back.
    again = tracker("subscribers", "add", "quiet@example.org", "--topic", "crisis_988", "--confirmed", check=False)
    assert again.returncode == 1 and "they unsubscribed" in again.stdout


def test_someone_who_unsubscribed_before_this_release_is_scrubbed_by_the_next_send(
        factory: sessionmaker[Session]) -> None:
    sub = _member_with_a_sent_alert(factory, "earlier@example.org")
    with transaction(factory) as s:  # as the release before left it: only the status changed
        s.get(Subscriber, sub.id).status = "unsubscribed"
    before = member(factory, "earlier@example.org")
    assert before is not None and before.county == "Modoc" and before.subscriptions
    tracker("send")
    after = member(factory, "earlier@example.org")
    assert after is not None and (after.status, after.county) == ("unsubscribed", None)
    stored = stored_about(factory, sub.id)
    assert "crisis_988" not in json.dumps(stored) and AB1656 not in json.dumps(stored)


@pytest.mark.parametrize(("lang", "kept", "delete_button", "deleted"), [
    ("en", "We keep only your email address", "Delete my address too", "Your data is deleted"),
    ("es", "Solo guardamos su correo", "Borrar también mi correo", "Sus datos están borrados"),
])
def test_the_page_after_unsubscribing_says_only_the_address_is_kept_and_offers_to_delete_it_too(
        client: TestClient, factory: sessionmaker[Session], lang: str, kept: str, delete_button: str,
        deleted: str) -> None:
    sub = _member_with_a_sent_alert(factory, "leaving@example.org", lang)
    url = f"/unsubscribe/{make_token('unsubscribe', sub.token_id)}"
    page = client.get(f"{url}?lang={lang}")  # the link in the email carries the language
    done = client.post(url, data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 200
    assert kept in done.text and delete_button in done.text
    link = re.search(r'<a class="button danger" href="([^"]+/delete)[^"]*"', done.text)
    assert link, done.text
    ask = client.get(link.group(1))  # deleting asks first: it cannot be undone
    gone = client.post(link.group(1), data={"csrf_token": csrf_from(ask.text)})
    assert gone.status_code == 200 and deleted in gone.text
    assert member(factory, "leaving@example.org") is None


# 3. "Send me a new link to my choices" gets an email about that -------------------------------

@pytest.mark.parametrize(("lang", "subject", "asked", "repeat_sign_up"), [
    ("en", "Your new link to your Capitol Watch choices", "You asked for a new link to your alert choices",
     "already signed up"),
    ("es", "Su nuevo enlace a sus opciones de Capitol Watch", "Usted pidió un nuevo enlace a sus opciones",
     "ya está inscrito"),
])
def test_a_member_who_asks_for_a_new_link_gets_an_email_answering_that_request(
        client: TestClient, factory: sessionmaker[Session], server: RecordingHandler, lang: str,
        subject: str, asked: str, repeat_sign_up: str) -> None:
    tracker("subscribers", "add", "link@example.org", "--topic", "crisis_988", "--lang", lang, "--confirmed")
    assert ask_for_new_link(client, "link@example.org", lang).status_code == 200
    assert "sent 1," in tracker("send").stdout
    (message,) = server.parsed()
    assert message["Subject"] == subject
    for part in ("plain", "html"):
        body = message.get_body((part,)).get_content()
        assert asked in body and "/preferences/" in body and "988" in body, body
        assert repeat_sign_up not in body and repeat_sign_up not in message["Subject"]


# 4. A new-link request is not a sign-up -------------------------------------------------------

def test_sign_ups_earlier_that_day_do_not_stop_a_member_getting_a_new_link(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    tracker("subscribers", "add", "busy@example.org", "--topic", "crisis_988", "--confirmed")
    per_address = get_settings().web.subscribe_rate_per_address
    assert [sign_up(client, "busy@example.org") for _ in range(per_address)] == [200] * per_address
    r = ask_for_new_link(client, "busy@example.org")
    assert r.status_code == 200 and "Check your email" in r.text


def test_too_many_new_link_requests_are_refused_with_a_heading_and_text_that_both_say_tomorrow(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    codes = [ask_for_new_link(client, "many@example.org", "es").status_code for _ in range(3)]
    refused = ask_for_new_link(client, "many@example.org", "es")
    assert codes == [200, 200, 200] and refused.status_code == 429
    heading = H1.search(refused.text)
    assert heading and "mañana" in heading.group(1)
    assert "Hoy ya pidió varias veces un nuevo enlace" in refused.text and "mañana" in refused.text
    assert "suscripciones" not in refused.text and "espere un poco" not in refused.text


def test_too_many_sign_ups_for_one_address_say_tomorrow_in_the_heading_as_in_the_text(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    per_address = get_settings().web.subscribe_rate_per_address
    for _ in range(per_address):
        sign_up(client, "eager@example.org", lang="es")
    token = csrf_from(client.get("/subscribe?lang=es").text)
    refused = client.post("/subscribe", data={"email": "eager@example.org", "lang": "es", "csrf_token": token,
                                              "topics": "crisis_988", "cadence": "immediate"})
    assert refused.status_code == 429
    heading = H1.search(refused.text)
    assert heading and "mañana" in heading.group(1) and "mañana" in refused.text
