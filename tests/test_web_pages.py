"""Public pages: content, escaping, language, freshness warnings, filters (both databases)."""

from __future__ import annotations


from starlette.testclient import TestClient

from test_web_support import EVIL, client, seed  # noqa: F401  (fixture)
from tracker.settings import get_settings
from tracker.web.app import create_app


def test_main_pages_render_with_footer_and_freshness(client: TestClient) -> None:
    for url in ["/", "/bills", "/bills?scope=all", "/bills/AB-1656", "/topics",
                "/topics/mental_health_services", "/legislators", "/matrix", "/subscribe", "/staff/login"]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert '<html lang="en">' in r.text
        assert "988" in r.text, f"crisis footer missing on {url}"
        assert "How fresh is this information?" in r.text
        assert "the last update failed" in r.text  # hearings run failed
        assert "may be out of date (older than 30 hours)" in r.text  # web run is 5 days old


def test_bill_page_has_progress_diff_hearings_and_official_link(client: TestClient) -> None:
    r = client.get("/bills/AB-9999")
    assert r.status_code == 200
    assert "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id=202520260AB9999" in r.text
    assert 'class="step current"' in r.text
    assert "Added:</span> New rule applies to 988 centers." in r.text
    assert "Removed:</span> &lt;b&gt;Old&lt;/b&gt; rule applies." in r.text
    assert client.get("/bills/ab9999", follow_redirects=False).headers["location"] == "/bills/AB-9999"
    assert client.get("/bills/AB-424242").status_code == 404


def test_templates_escape_bill_text(client: TestClient) -> None:
    for url in ["/bills/AB-9999", "/bills", "/", "/topics/mental_health_services"]:
        r = client.get(url)
        assert "<script>" not in r.text, url
        assert "&lt;script&gt;" in r.text, url
    assert "script-src 'none'" in client.get("/").headers["content-security-policy"]


def test_spanish_by_query_cookie_and_accept_language(client: TestClient) -> None:
    r = client.get("/", headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in r.text and "Recursos para crisis" in r.text
    r = client.get("/bills?lang=es")
    assert '<html lang="es">' in r.text and r.cookies.get("lang") == "es"
    assert '<html lang="es">' in client.get("/topics").text  # the cookie remembers
    r = client.get("/?lang=en")
    assert '<html lang="en">' in r.text and 'href="/?lang=es"' in r.text


def test_bill_list_filters(client: TestClient) -> None:
    r = client.get("/bills?topic=crisis_988")
    assert "AB 1656" in r.text and "AB 9999" not in r.text
    r = client.get("/bills?q=9999")
    assert "AB 9999" in r.text and "AB 1656" not in r.text
    r = client.get("/bills?house=Senate&scope=all")
    assert "SB 275" in r.text and "AB 1656" not in r.text
    r = client.get("/bills?stage=vetoed&scope=all")
    assert "SB 275" in r.text and "AB 831" not in r.text


def test_a_bill_with_a_position_is_followed_and_filterable_by_position(db_url: str) -> None:
    from tracker.advocacy.positions import set_position

    factory = seed(db_url)
    with factory() as s:
        set_position(s, "202520260AB831", position="support", ask="Vote yes.")
        s.commit()
    with TestClient(create_app(get_settings(), factory)) as c:
        assert "AB 831" in c.get("/bills").text  # not relevant, but we took a position
        assert "AB 831" in c.get("/bills?position=support").text
        assert c.get("/api/bills?position=support").json()["count"] == 1
    factory.kw["bind"].dispose()
