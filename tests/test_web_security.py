"""Security of the web app: CSRF, signed links, GET never unsubscribes, rate limits, no
address enumeration, staff area closed to anonymous users, login limits."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from test_web_support import csrf_from, seed
from tracker.alerts.tokens import make_token
from tracker.db.models_alerts import OutboxMessage, Subscriber
from tracker.settings import get_settings
from tracker.web.app import create_app
from tracker.web.auth import create_admin

FORM = {"email": "peer@example.org", "lang": "en", "topics": "mental_health_services", "cadence": "weekly"}


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    f = seed(db_url)
    yield f
    f.kw["bind"].dispose()


@pytest.fixture
def client(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(), factory)) as c:
        yield c


def subscribe(client: TestClient, **over: str) -> tuple[int, str]:
    token = csrf_from(client.get("/subscribe").text)
    r = client.post("/subscribe", data={**FORM, **over, "csrf_token": token})
    return r.status_code, r.text


def subscriber(factory: sessionmaker[Session], email: str = "peer@example.org") -> Subscriber | None:
    with factory() as s:
        sub = s.execute(select(Subscriber).where(Subscriber.email == email)).scalar()
        if sub is not None:
            list(sub.subscriptions)
        return sub


def test_post_without_or_with_wrong_csrf_is_refused(client: TestClient, factory) -> None:
    client.get("/subscribe")
    assert client.post("/subscribe", data=FORM).status_code == 403
    assert client.post("/subscribe", data={**FORM, "csrf_token": "forged"}).status_code == 403
    other = TestClient(client.app)
    foreign = csrf_from(other.get("/subscribe").text)  # valid signature, another browser's cookie
    assert client.post("/subscribe", data={**FORM, "csrf_token": foreign}).status_code == 403
    assert subscriber(factory) is None


def test_subscribe_answers_the_same_for_new_and_existing_addresses(client: TestClient, factory) -> None:
    status1, first = subscribe(client)
    assert status1 == 200 and "Check your email" in first
    status2, second = subscribe(client)
    sub = subscriber(factory)
    assert sub is not None
    with factory() as s:
        s.get(Subscriber, sub.id).confirmed_at = s.get(Subscriber, sub.id).created_at
        s.commit()
    status3, third = subscribe(client)
    assert status1 == status2 == status3 == 200
    assert first == second == third


def test_confirm_preferences_unsubscribe_with_signed_links(client: TestClient, factory) -> None:
    subscribe(client)
    sub = subscriber(factory)
    assert sub is not None and sub.confirmed_at is None
    with factory() as s:
        assert s.execute(select(func.count()).select_from(OutboxMessage)
                         .where(OutboxMessage.subscriber_id == sub.id, OutboxMessage.kind == "confirm")).scalar() == 1
    confirm = f"/confirm/{make_token('confirm', sub.token_id)}"
    page = client.get(confirm)
    assert page.status_code == 200 and subscriber(factory).confirmed_at is None  # GET changes nothing
    assert client.post(confirm, data={"csrf_token": csrf_from(page.text)}).status_code == 200
    assert subscriber(factory).confirmed_at is not None

    prefs = f"/preferences/{make_token('manage', sub.token_id)}"
    page = client.get(prefs)
    assert page.status_code == 200 and "peer@example.org" in page.text
    r = client.post(prefs, data={"csrf_token": csrf_from(page.text), "lang": "es", "cadence": "daily",
                                 "topics": ["crisis_988"], "bills": "AB 1656"})
    assert r.status_code == 200
    after = subscriber(factory)
    assert after.lang == "es"
    assert sorted((x.kind, x.target, x.cadence) for x in after.subscriptions) == [
        ("bill", "202520260AB1656", "daily"), ("topic", "crisis_988", "daily")]

    unsub = f"/unsubscribe/{make_token('unsubscribe', sub.token_id)}"
    assert client.get(unsub).status_code == 200
    assert subscriber(factory).status == "active"  # link scanners follow GETs
    r = TestClient(client.app).post(unsub, content=b"List-Unsubscribe=One-Click",
                                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    assert subscriber(factory).status == "unsubscribed"


def test_tampered_expired_and_wrong_purpose_tokens(client: TestClient, factory, monkeypatch) -> None:
    subscribe(client)
    sub = subscriber(factory)
    good = make_token("confirm", sub.token_id)
    assert client.get(f"/confirm/{good[:-2]}xx").status_code == 400
    assert client.get(f"/unsubscribe/{good}").status_code == 400  # a confirm token is not an unsubscribe token
    assert client.get(f"/preferences/{make_token('unsubscribe', sub.token_id)}").status_code == 400
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 4 * 86400)
    old = make_token("confirm", sub.token_id)
    monkeypatch.setattr(time, "time", real)
    assert client.get(f"/confirm/{old}").status_code == 400  # older than confirm_link_hours (72)
    page = client.get("/subscribe")
    assert client.post(f"/confirm/{old}", data={"csrf_token": csrf_from(page.text)}).status_code == 400
    assert subscriber(factory).confirmed_at is None


def test_delete_my_data_removes_the_row(client: TestClient, factory) -> None:
    subscribe(client)
    sub = subscriber(factory)
    prefs = f"/preferences/{make_token('manage', sub.token_id)}"
    page = client.get(prefs)
    assert client.post(prefs + "/delete", data={}).status_code == 403
    assert client.post(prefs + "/delete", data={"csrf_token": csrf_from(page.text)}).status_code == 200
    assert subscriber(factory) is None
    with factory() as s:
        assert s.execute(select(func.count()).select_from(OutboxMessage)
                         .where(OutboxMessage.subscriber_id == sub.id)).scalar() == 0


def test_subscribe_rate_limits_per_ip_and_per_address(factory) -> None:
    per_ip = get_settings().web.subscribe_rate_per_address + 2  # above the per-address limit, checked next
    base = get_settings()
    settings = base.model_copy(update={"web": base.web.model_copy(update={"subscribe_rate_per_ip": per_ip})})
    client = TestClient(create_app(settings, factory))
    codes = [subscribe(client, email=f"p{i}@example.org")[0] for i in range(per_ip + 1)]
    assert codes[:per_ip] == [200] * per_ip and codes[-1] == 429
    client.app.state.subscribe_ip.reset()
    per_addr = get_settings().web.subscribe_rate_per_address
    codes = [subscribe(client, email="same@example.org")[0] for _ in range(per_addr + 1)]
    assert codes[-1] == 429 and codes[:per_addr] == [200] * per_addr


def test_staff_area_refuses_anonymous_and_logs_in(client: TestClient, factory) -> None:
    for url in ["/staff", "/staff/bills/AB-1656", "/staff/packet"]:
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    token = csrf_from(client.get("/staff/login").text)
    assert client.post("/staff/bills/AB-1656", data={"csrf_token": token, "position": "support"}).status_code == 403
    assert client.post("/staff/packet", data={"csrf_token": token, "bills": "202520260AB1656"}).status_code == 403
    with factory() as s:
        create_admin(s, "staffer", "correct horse battery")
        s.commit()
    r = client.post("/staff/login", data={"csrf_token": token, "username": "staffer", "password": "wrong password!"})
    assert r.status_code == 401
    r = client.post("/staff/login", data={"csrf_token": token, "username": "staffer",
                                          "password": "correct horse battery"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/staff")
    assert page.status_code == 200 and "AB 1656" in page.text
    r = client.post("/staff/bills/AB-1656", data={"csrf_token": token, "position": "support",
                                                  "ask": "Vote yes.", "talking_points": "One\nTwo"})
    assert r.status_code == 200 and "Saved." in r.text
    assert "Vote yes." in client.get("/bills/AB-1656").text
    forged = TestClient(client.app)
    forged.cookies.set("cw_staff", client.cookies.get("cw_staff")[:-3] + "abc")
    assert forged.get("/staff", follow_redirects=False).status_code == 303


def test_login_is_rate_limited(client: TestClient) -> None:
    token = csrf_from(client.get("/staff/login").text)
    limit = get_settings().web.login_rate_per_ip
    codes = [client.post("/staff/login", data={"csrf_token": token, "username": "x", "password": "y"}).status_code
             for _ in range(limit + 1)]
    assert codes[:limit] == [401] * limit and codes[-1] == 429


# One address rule, plain messages -----------------------------------------------------------

@pytest.mark.parametrize("address", ["ana,bob@example.org", "ana;bob@example.org", "ana bob@example.org",
                                     "o'brien@example.org", "ana@example", "ana@ex@ample.org"])
def test_the_form_accepts_exactly_the_addresses_the_alerts_module_stores(client: TestClient, address: str) -> None:
    from tracker.alerts.subscriptions import SubscriptionError, normalise_email

    try:
        normalise_email(address)
        storable = True
    except SubscriptionError:
        storable = False
    page = client.get("/subscribe?lang=es")
    r = client.post("/subscribe", data={**FORM, "email": address, "csrf_token": csrf_from(page.text)})
    assert r.status_code == (200 if storable else 400), address
    if not storable:
        assert "Escriba un correo como nombre@ejemplo.org." in r.text
        assert "not an email address" not in r.text


# Staff: a position that cannot be saved -----------------------------------------------------

@pytest.fixture
def staff(client: TestClient, factory) -> TestClient:
    with factory() as s:
        create_admin(s, "staffer", "correct horse battery")
        s.commit()
    token = csrf_from(client.get("/staff/login").text)
    client.post("/staff/login", data={"csrf_token": token, "username": "staffer", "password": "correct horse battery"})
    return client


def test_too_many_talking_points_shows_the_form_again_with_what_was_typed(staff: TestClient) -> None:
    token = csrf_from(staff.get("/staff/bills/AB-1656").text)
    points = "\n".join(f"Point number {i}" for i in range(1, 7))
    r = staff.post("/staff/bills/AB-1656", data={"csrf_token": token, "position": "support",
                                                 "ask": "Vote yes on AB 1656.", "talking_points": points})
    assert r.status_code == 400
    assert "Please keep to 5 talking points" in r.text
    assert "Point number 6" in r.text and "Vote yes on AB 1656." in r.text
    assert "<title>Error:" in r.text
    assert "Vote yes on AB 1656." not in staff.get("/bills/AB-1656").text  # nothing was saved


def test_a_position_the_positions_module_refuses_keeps_what_was_typed(staff: TestClient) -> None:
    token = csrf_from(staff.get("/staff/bills/AB-1656").text)
    r = staff.post("/staff/bills/AB-1656", data={"csrf_token": token, "position": "support",
                                                 "ask": "Please vote yes. " * 30, "why": "Members need this."})
    assert r.status_code == 400
    assert "Members need this." in r.text and "AB 1656" in r.text


# A new link to one's choices ----------------------------------------------------------------

def test_a_member_can_ask_for_a_new_link_to_their_choices(client: TestClient, factory) -> None:
    from tracker.alerts.subscriptions import confirm

    subscribe(client)
    with factory() as s:
        confirm(s, s.execute(select(Subscriber).where(Subscriber.email == "peer@example.org")).scalar_one())
        s.commit()

    def ask(email: str) -> tuple[int, str]:
        page = client.get("/preferences")
        r = client.post("/preferences", data={"email": email, "csrf_token": csrf_from(page.text)})
        return r.status_code, r.text

    def manage_messages() -> int:
        with factory() as s:
            return s.execute(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "manage")).scalar() or 0

    known = ask("Peer@Example.org")
    assert known[0] == 200 and "If this address gets our alerts, we sent it a link" in known[1]
    assert manage_messages() == 1
    assert ask("stranger@example.org") == known  # the same answer: nobody learns who subscribes
    assert manage_messages() == 1
    status, text = ask("not an address")
    assert status == 400 and 'aria-invalid="true"' in text


def test_the_csrf_token_differs_in_every_page_and_each_copy_works(client: TestClient, factory) -> None:
    """Compressed pages that echo input must not carry one fixed secret (BREACH)."""
    first = csrf_from(client.get("/subscribe").text)
    second = csrf_from(client.get("/subscribe").text)
    assert first != second
    r = client.post("/subscribe", data={**FORM, "csrf_token": first})
    assert r.status_code == 200 and subscriber(factory) is not None
