"""Public pages: content, escaping, language, freshness warnings, filters (both databases)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest
from starlette.testclient import TestClient

from test_web_support import EVIL, client, seed  # noqa: F401  (fixture)
from tracker.advocacy.facts import bill_facts
from tracker.advocacy.sheet import fit_sheet
from tracker.db import make_engine, session_factory
from tracker.db.models_core import Bill, ChangeEvent
from tracker.ingest.service import ingest_snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.replica.datwriter import Cell, dat_lines
from tracker.settings import PROJECT_ROOT, get_settings
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


# Real PUBINFO rows the pages must read correctly -------------------------------------------

def import_rows(db_url: str, tmp_path: Path, tables: dict[str, list[list[Cell]]]) -> None:
    """Write PUBINFO ``.dat`` tables (the official format) and import them like a nightly run."""
    folder = tmp_path / "pubinfo"
    folder.mkdir()
    for name, rows in tables.items():
        (folder / f"{name}.dat").write_bytes(dat_lines(rows))
    factory = session_factory(make_engine(db_url))
    ingest_snapshot(factory, read_snapshot(folder), matcher=load_matcher(PROJECT_ROOT / "config" / "topics.toml"))
    factory.kw["bind"].dispose()


CONCURRENCE = "202520260AB9003"
#: AB 9003 passed the Assembly, passed the Senate with amendments, and is back in the Assembly
#: for a vote on those amendments (concurrence): past the other house, not back at the start.
CONCURRENCE_HISTORY = [
    ("2026-01-05", "Read first time. To print."),
    ("2026-02-01", "Referred to Com. on HEALTH."),
    ("2026-03-20", "From committee: Do pass. (Ayes 15. Noes 0.) (March 19)."),
    ("2026-03-24", "Read second time. Ordered to third reading."),
    ("2026-04-02", "Read third time. Passed. Ordered to the Senate. (Ayes 70. Noes 0. Page 4000.)"),
    ("2026-04-03", "In Senate. Read first time. To Com. on RLS. for assignment."),
    ("2026-06-20", "From committee: Do pass. (Ayes 11. Noes 0.) (June 19)."),
    ("2026-07-01", "Read second time and amended. Ordered to third reading."),
    ("2026-08-20", "Read third time. Passed. Ordered to the Assembly. (Ayes 38. Noes 0. Page 2411.)"),
    ("2026-08-21", "In Assembly. Concurrence in Senate amendments pending. May be considered on or after "
                   "August 23 pursuant to Assembly Rule 77."),
]


def steps_on_page(page: str) -> list[tuple[str, str]]:
    return [(label, state) for state, label in re.findall(r'<li class="step (\w+)">([^<]+)<', page)]


def test_a_bill_back_in_its_first_house_for_concurrence_has_passed_the_other_house(
        db_url: str, tmp_path: Path) -> None:
    factory = seed(db_url)
    import_rows(db_url, tmp_path, {
        "BILL_TBL": [[CONCURRENCE, "20252026", "0", "AB", 9003, "Amended Senate", None, None, None, None, None,
                      "Y", "X", "2026-08-25 10:00:00", "Floor", "Unfinished Business", "Assembly",
                      "In Floor Process", "2026-01-05 00:00:00"]],
        "BILL_HISTORY_TBL": [[CONCURRENCE, str(900300000 + i), f"{day} 00:00:00", action, "X", f"{day} 10:00:00",
                              str(i + 1), None, None, None, None, None, None]
                             for i, (day, action) in enumerate(CONCURRENCE_HISTORY)],
    })
    with TestClient(create_app(get_settings(), factory)) as c:
        steps = steps_on_page(c.get("/bills/AB-9003").text)
    assert steps == [("Introduced", "done"), ("In committee", "done"), ("Floor vote", "current"),
                     ("Other house", "done"), ("Governor", "todo"), ("Became law", "todo")]
    with factory() as s:  # the printed briefing sheet says the same
        sheet = fit_sheet(bill_facts(s, CONCURRENCE, get_settings(), date(2026, 8, 25)))
    assert [st["state"] for st in sheet["steps"]] == [state for _label, state in steps[:5]]
    factory.kw["bind"].dispose()


def test_legislators_from_the_bulk_data_are_listed_by_house_in_words(db_url: str, tmp_path: Path) -> None:
    factory = seed(db_url)
    import_rows(db_url, tmp_path, {"LEGISLATOR_TBL": [
        ["AD07", "20252026", "Ana Rivera", "A", "Rivera", "Ana", "Rivera", None, None, None, None, "D",
         "Y", "X", "2026-01-01 00:00:00", "Y"],
        ["SD12", "20252026", "Ben Okafor", "S", "Okafor", "Ben", "Okafor", None, None, None, None, "R",
         "Y", "X", "2026-01-01 00:00:00", "Y"],
    ]})
    with TestClient(create_app(get_settings(), factory)) as c:
        page = c.get("/legislators").text
        sections = dict(re.findall(r"<h2>(Assembly|Senate)</h2>\s*<ul[^>]*>(.*?)</ul>", page, re.S))
        assert "Ana Rivera" in sections["Assembly"] and "(District 7, D)" in sections["Assembly"]
        assert "Ben Okafor" in sections["Senate"] and "(District 12, R)" in sections["Senate"]
        person = re.search(r'href="(/legislators/\d+)">Ana Rivera', page)
        assert person
        meta = re.search(r'<p class="meta">(.*?)</p>', c.get(person.group(1)).text).group(1)  # type: ignore[union-attr]
        assert meta == "Assembly · District 7 · D"
        spanish = re.search(r'<p class="meta">(.*?)</p>', c.get(person.group(1) + "?lang=es").text).group(1)  # type: ignore[union-attr]
        assert spanish == "Asamblea · Distrito 7 · D"
    factory.kw["bind"].dispose()


# Topic pages --------------------------------------------------------------------------------

def test_a_topic_page_reaches_every_bill_a_page_at_a_time(db_url: str) -> None:
    factory = seed(db_url)
    with factory() as s:
        s.add_all([Bill(bill_id=f"202520260SB{n}", session_year="20252026", measure_type="SB", measure_num=n,
                        measure=f"SB {n}", title=f"Crisis bill {n}", relevant=True, topics=["crisis_988"],
                        stage="introduced", current_house="Senate") for n in range(1001, 1521)])
        s.commit()
    size = get_settings().web.page_size
    seen: list[str] = []
    with TestClient(create_app(get_settings(), factory)) as c:
        first = c.get("/topics/crisis_988?lang=es").text
        assert "521 proyectos de ley encontrados" in first
        pages = [int(p) for p in re.findall(r'href="/topics/crisis_988\?lang=es&amp;page=(\d+)"', first)]
        assert max(pages) == (521 + size - 1) // size
        for p in range(1, max(pages) + 1):
            page = c.get(f"/topics/crisis_988?page={p}").text
            cards = re.findall(r'<h3><a href="/bills/([^"]+)">', page)
            assert len(cards) <= size
            seen += cards
    assert len(seen) == len(set(seen)) == 521  # SB 1001-1520 and AB 1656, none cut off
    factory.kw["bind"].dispose()


@pytest.fixture
def busy_site(db_url: str) -> Iterator[TestClient]:
    """AB 1656 (crisis and 988) had one change; then AB 9999, on another topic, had 300."""
    factory = seed(db_url)
    now = datetime.now(timezone.utc)
    with factory() as s:
        s.add(ChangeEvent(bill_id="202520260AB1656", kind="new_action", dedupe_key="busy-quiet",
                          after={"action": "Read second time. Ordered to third reading."},
                          summary="AB 1656: Read second time.", created_at=now - timedelta(hours=5)))
        s.add_all([ChangeEvent(bill_id="202520260AB9999", kind="new_action", dedupe_key=f"busy-{i}",
                               after={"action": f"Busy step {i}."}, summary=f"AB 9999: Busy step {i}.",
                               created_at=now - timedelta(minutes=i)) for i in range(300)])
        s.commit()
    with TestClient(create_app(get_settings(), factory)) as c:
        yield c
    factory.kw["bind"].dispose()


def test_a_topic_page_shows_its_changes_however_busy_other_bills_are(busy_site: TestClient) -> None:
    page = busy_site.get("/topics/crisis_988").text
    changes = page.split('Recent changes')[1]
    assert "Read second time. Ordered to third reading." in changes
    assert "Busy step" not in changes


def test_a_topic_feed_has_its_changes_however_busy_other_bills_are(busy_site: TestClient) -> None:
    body = busy_site.get("/feeds/topics/crisis_988.atom").text
    assert "Read second time. Ordered to third reading." in body
    assert "Busy step" not in body


# Language marks and page weight -------------------------------------------------------------

@pytest.mark.parametrize("url", ["/bills?lang=es", "/?lang=es", "/matrix?lang=es", "/topics/crisis_988?lang=es"])
def test_official_english_text_is_marked_english_on_spanish_pages(busy_site: TestClient, url: str) -> None:
    doc = lxml.html.fromstring(busy_site.get(url).text)
    english = [" ".join(el.text_content().split()) for el in doc.xpath("//main//*[@lang='en']")]
    assert "Human trafficking case continuances." in english, url  # AB 1656's official title
    if url.startswith("/?"):
        assert "Busy step 0." in english, url  # official action text in the newest change
    if url.startswith("/topics"):
        assert "Read second time. Ordered to third reading." in english, url


def test_official_text_is_not_marked_on_english_pages(busy_site: TestClient) -> None:
    doc = lxml.html.fromstring(busy_site.get("/bills?lang=en").text)
    assert not doc.xpath("//main//*[@lang='en']")


def test_pages_are_compressed_for_slow_phone_connections(client: TestClient) -> None:
    r = client.get("/bills?scope=all", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert "SB 275" in r.text
