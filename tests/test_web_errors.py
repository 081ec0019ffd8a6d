"""When something is wrong, visitors get a calm page in their language with the crisis footer
and a next step, never a bare "Internal Server Error" (both databases where data is read)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from test_web_support import client, csrf_from  # noqa: F401  (fixture)
from tracker.db import make_engine, session_factory
from tracker.settings import get_settings
from tracker.web.app import create_app

HUGE = "99999999999999999999"  # wider than any database integer


def main_text(page: str) -> str:
    main = re.search(r"<main.*?</main>", page, re.S)
    assert main, "no <main> in page"
    return " ".join(re.sub(r"<[^>]+>", " ", main.group(0)).split())


@pytest.mark.parametrize("url", [f"/bills/AB-{HUGE}", f"/legislators/{HUGE}", f"/feeds/bills/AB-{HUGE}.atom",
                                 f"/api/bills/AB-{HUGE}"])
def test_an_impossibly_long_number_in_an_address_is_not_found(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404, url
    if not url.startswith(("/api/", "/feeds/")):
        assert "We could not find that" in main_text(r.text) and "988" in r.text


def test_an_impossibly_long_page_number_shows_a_page_of_bills(client: TestClient) -> None:
    r = client.get(f"/bills?page={HUGE}")
    assert r.status_code == 200
    assert "bills found" in main_text(r.text)
    assert client.get("/bills?page=²").status_code == 200  # a digit Python reads but int() refuses


def test_an_impossibly_long_bill_number_on_the_sign_up_form_is_named_as_not_found(client: TestClient) -> None:
    token = csrf_from(client.get("/subscribe").text)
    r = client.post("/subscribe", data={"csrf_token": token, "email": "ana@example.org", "lang": "es",
                                        "bills": "AB 16560000000000000000", "cadence": "weekly"},
                    headers={"accept-language": "es"})
    assert r.status_code == 400
    assert "No encontramos estos números de proyectos de ley: AB 16560000000000000000" in main_text(r.text)


@pytest.fixture
def broken_site(tmp_path: Path) -> Iterator[TestClient]:
    """The app on a database that was never set up (no tables): every query fails."""
    factory = session_factory(make_engine(f"sqlite:///{tmp_path / 'never-initialised.db'}"))
    with TestClient(create_app(get_settings(), factory), raise_server_exceptions=False) as c:
        yield c
    factory.kw["bind"].dispose()


def test_a_failure_on_our_side_is_a_calm_page_in_the_visitors_language(broken_site: TestClient) -> None:
    r = broken_site.get("/", headers={"accept-language": "es-MX,es;q=0.9"})
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="es">' in r.text
    assert "Algo salió mal de nuestro lado" in main_text(r.text)
    assert "Recursos para crisis" in r.text and "988" in r.text
    assert "Internal Server Error" not in r.text
    assert r.headers["x-frame-options"] == "DENY"  # the security headers too


def test_a_failure_in_the_api_is_json(broken_site: TestClient) -> None:
    r = broken_site.get("/api/bills")
    assert r.status_code == 500 and "error" in r.json()


def test_a_wrong_method_is_a_page_in_the_visitors_language(client: TestClient) -> None:
    r = client.post("/bills", headers={"accept-language": "es"})
    assert r.status_code == 405
    assert "GET" in r.headers["allow"]
    assert '<html lang="es">' in r.text and "Recursos para crisis" in r.text
    assert "Esta página no se puede usar de esa manera" in main_text(r.text)
    assert "Method Not Allowed" not in r.text


def test_an_unknown_address_is_not_found_in_plain_words(client: TestClient) -> None:
    r = client.get("/no-such-page", headers={"accept-language": "es"})
    assert r.status_code == 404 and "No encontramos esa página." in main_text(r.text)


@pytest.mark.parametrize("path", ["//evil.example/x", "/%2F/evil.example/x", "/\\evil.example/x", "///evil.example/x"])
def test_the_language_link_on_a_not_found_page_stays_on_this_site(client: TestClient, path: str) -> None:
    r = client.get("http://testserver" + path)
    assert r.status_code == 404
    link = re.search(r'<a href="([^"]+)" lang="es"', r.text)
    assert link, "no Spanish link"
    href = link.group(1)
    assert href.startswith("/") and not href.startswith(("//", "/\\")), href
    assert "\\" not in href


def test_a_broken_unsubscribe_link_says_how_to_stop_alerts(client: TestClient) -> None:
    r = client.get("/unsubscribe/not-a-real-token")
    assert r.status_code == 400
    text = main_text(r.text)
    assert "This link to stop alerts does not work." in text
    assert "use the Unsubscribe link at the bottom of our newest email" in text
    assert "sign up again" not in text
    assert 'href="/preferences"' in r.text  # the form that emails a new link
    spanish = main_text(client.get("/unsubscribe/not-a-real-token?lang=es").text)
    assert "Este enlace para detener las alertas no funciona." in spanish


def test_a_broken_preferences_link_offers_a_new_one(client: TestClient) -> None:
    r = client.get("/preferences/not-a-real-token")
    assert r.status_code == 400
    assert "This link to your alert choices does not work." in main_text(r.text)
    assert 'href="/preferences"' in r.text
