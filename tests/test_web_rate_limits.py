"""Rate limits that stop abuse without locking out members or staff.

Sign-ups are limited per visitor address and per email address, but only sign-ups that send an
email count: a member fixing a typo uses nothing up. The per-address limit for a connection is
high enough for a room of members on one venue Wi-Fi. Wrong staff passwords are counted per
(username, address), so a stranger cannot lock staff out. Behind a reverse proxy the visitor's
address comes from X-Forwarded-For, but only from the proxies the settings trust: the real
``tracker web`` (uvicorn) is started for those checks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from test_web_support import csrf_from, free_port, seed, start_web
from tracker.settings import Settings, get_settings
from tracker.web.app import create_app
from tracker.web.auth import create_admin

FORM = {"lang": "en", "topics": "mental_health_services", "cadence": "weekly"}
PASSWORD = "correct horse battery"


def settings_with(**web: object) -> Settings:
    """The test settings with some ``web`` values changed (a real settings object)."""
    base = get_settings()
    return base.model_copy(update={"web": base.web.model_copy(update=web)})


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    f = seed(db_url)
    with f() as s:
        create_admin(s, "staffer", PASSWORD)
        s.commit()
    yield f
    f.kw["bind"].dispose()


def sign_up(client: TestClient, token: str, email: str, **over: str) -> int:
    return client.post("/subscribe", data={**FORM, "email": email, **over, "csrf_token": token}).status_code


def log_in(client: TestClient, token: str, username: str, password: str) -> int:
    return client.post("/staff/login", data={"csrf_token": token, "username": username, "password": password},
                       follow_redirects=False).status_code


def test_sign_ups_the_form_sends_back_with_errors_do_not_count(factory: sessionmaker[Session]) -> None:
    with TestClient(create_app(settings_with(subscribe_rate_per_ip=2), factory)) as client:
        token = csrf_from(client.get("/subscribe").text)
        mistakes = [sign_up(client, token, "maria@example.org", topics=""),  # forgot a topic
                    sign_up(client, token, "maria@example.org", bills="AB 99999"),  # typo in a bill
                    sign_up(client, token, "maria at example.org"),  # typo in the address
                    sign_up(client, token, "maria@example.org", topics="", bills="AB13 SB43")]
        assert mistakes == [400, 400, 400, 400]
        assert [sign_up(client, token, f"p{i}@example.org") for i in range(3)] == [200, 200, 429]


def test_a_room_of_members_on_one_wifi_can_all_sign_up(factory: sessionmaker[Session]) -> None:
    with TestClient(create_app(get_settings(), factory)) as client:  # the default limits
        token = csrf_from(client.get("/subscribe").text)
        codes = [sign_up(client, token, f"member{i}@example.org") for i in range(40)]
    assert codes == [200] * 40


def test_one_address_still_gets_at_most_a_few_emails_a_day(factory: sessionmaker[Session]) -> None:
    per_address = get_settings().web.subscribe_rate_per_address
    with TestClient(create_app(get_settings(), factory)) as client:
        token = csrf_from(client.get("/subscribe").text)
        codes = [sign_up(client, token, "target@example.org") for _ in range(per_address + 1)]
    assert codes == [200] * per_address + [429]


def test_wrong_passwords_for_one_username_do_not_lock_out_another(factory: sessionmaker[Session]) -> None:
    limit = get_settings().web.login_rate_per_ip
    with TestClient(create_app(get_settings(), factory)) as client:
        token = csrf_from(client.get("/staff/login").text)
        guesses = [log_in(client, token, "admin", "guess") for _ in range(limit + 1)]
        assert guesses == [401] * limit + [429]
        assert log_in(client, token, "staffer", PASSWORD) == 303


def test_a_right_password_clears_the_earlier_mistakes(factory: sessionmaker[Session]) -> None:
    limit = get_settings().web.login_rate_per_ip
    with TestClient(create_app(get_settings(), factory)) as client:
        token = csrf_from(client.get("/staff/login").text)
        assert [log_in(client, token, "staffer", "typo") for _ in range(limit - 1)] == [401] * (limit - 1)
        assert log_in(client, token, "staffer", PASSWORD) == 303
        assert [log_in(client, token, "staffer", "typo") for _ in range(limit - 1)] == [401] * (limit - 1)
        assert log_in(client, token, "staffer", PASSWORD) == 303


# The real server behind a (pretend) reverse proxy on 127.0.0.1 -------------------------------

@contextmanager
def tracker_web(tmp_path: Path, **settings: str) -> Iterator[str]:
    """``tracker web`` on loopback with a seeded database and a staff login; yields its URL."""
    db_url = f"sqlite:///{tmp_path / 'web.db'}"
    factory = seed(db_url)
    with factory() as s:
        create_admin(s, "staffer", PASSWORD)
        s.commit()
    factory.kw["bind"].dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "var"),
                "TRACKER_SMTP__OUTBOX_DIR": str(tmp_path / "outbox"),
                "TRACKER_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **settings})
    proc, base = start_web(env, port, probe="/staff/login")
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def browser(base: str, forwarded_for: str) -> httpx.Client:
    """A visitor whose requests reach us through the proxy with this X-Forwarded-For."""
    return httpx.Client(base_url=base, headers={"x-forwarded-for": forwarded_for}, timeout=10)


def proxied_sign_up(base: str, forwarded_for: str, email: str) -> int:
    with browser(base, forwarded_for) as c:
        token = csrf_from(c.get("/subscribe").text)
        return c.post("/subscribe", data={**FORM, "email": email, "csrf_token": token}).status_code


def proxied_login(base: str, forwarded_for: str, username: str, password: str) -> int:
    with browser(base, forwarded_for) as c:
        token = csrf_from(c.get("/staff/login").text)
        return c.post("/staff/login", data={"csrf_token": token, "username": username, "password": password},
                      follow_redirects=False).status_code


def test_behind_a_trusted_proxy_each_visitor_has_their_own_sign_up_limit(tmp_path: Path) -> None:
    with tracker_web(tmp_path, TRACKER_WEB__TRUSTED_PROXIES='["127.0.0.1"]',
                     TRACKER_WEB__SUBSCRIBE_RATE_PER_IP="2") as base:
        one = [proxied_sign_up(base, "203.0.113.5", f"a{i}@example.org") for i in range(3)]
        assert one == [200, 200, 429]
        assert proxied_sign_up(base, "203.0.113.6", "b@example.org") == 200


def test_a_stranger_faking_a_forwarded_address_cannot_lock_staff_out(tmp_path: Path) -> None:
    with tracker_web(tmp_path, TRACKER_WEB__TRUSTED_PROXIES='["127.0.0.1"]',
                     TRACKER_WEB__LOGIN_RATE_PER_IP="3") as base:
        # The stranger claims the staff member's address; the proxy appends the real one.
        faked = [proxied_login(base, "203.0.113.9, 198.51.100.7", "staffer", "guess") for _ in range(4)]
        assert faked == [401, 401, 401, 429]
        assert proxied_login(base, "203.0.113.9", "staffer", PASSWORD) == 303


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(tmp_path: Path) -> None:
    with tracker_web(tmp_path, TRACKER_WEB__SUBSCRIBE_RATE_PER_IP="2") as base:
        codes = [proxied_sign_up(base, f"203.0.113.{i}", f"c{i}@example.org") for i in range(3)]
    assert codes == [200, 200, 429]  # one address, however many the header claims
