"""The public site: what a member reads about a bill matches what happened to it.

Every check reads a real page, feed or API answer rendered from a seeded database (the real mini
PUBINFO extract, both backends), with history actions and change events written as the ingest
writes them.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from test_web_support import seed
from tracker.db.models_core import Bill, BillAction, ChangeEvent
from tracker.settings import get_settings
from tracker.stages import classify_action
from tracker.web.app import create_app

A = "{http://www.w3.org/2005/Atom}"
AB = "202520260AB1656"  # an Assembly bill, now in the Senate (mini extract)

CONCURRED = "Senate amendments concurred in. To Engrossing and Enrolling. (Ayes 70. Noes 0. Page 5000.)"


@pytest.fixture
def site(db_url: str) -> Iterator[tuple[TestClient, sessionmaker[Session]]]:
    factory = seed(db_url)
    with TestClient(create_app(get_settings(), factory)) as c:
        yield c, factory
    factory.kw["bind"].dispose()


def take_step(factory: sessionmaker[Session], bill_id: str, action: str, day: date, n: int) -> None:
    """One new history action, as an import stores it: the action with its stage, the bill's new
    stage and last action, and a ``stage_changed`` event when the stage moved."""
    stage = classify_action(action)
    with factory() as s:
        bill = s.get(Bill, bill_id)
        assert bill is not None
        s.add(BillAction(bill_id=bill_id, fingerprint=f"review9-{n}", action_date=day, action=action,
                         sort_key=f"{day.isoformat()}|9{n:05d}|", stage=stage, source="web"))
        s.flush()
        before = bill.stage
        bill.stage, bill.last_action, bill.last_action_date = stage, action, day
        if stage != before:
            s.add(ChangeEvent(bill_id=bill_id, kind="stage_changed", before=before, after=stage,
                              summary=f"{bill.measure} moved", dedupe_key=f"review9-stage-{n}",
                              created_at=datetime.now(timezone.utc) + timedelta(seconds=n)))
        s.commit()


def visible(page: str) -> str:
    """The page's text as a reader sees it (no markup, spacing normalised)."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r"\s+([,.:;)])", r"\1", text)


def passed_the_senate_too(factory: sessionmaker[Session]) -> None:
    take_step(factory, AB, "Read third time. Passed. Ordered to the Assembly. (Ayes 30. Noes 8. Page 3000.)",
              date(2026, 8, 25), 1)


def concurred(factory: sessionmaker[Session]) -> None:
    passed_the_senate_too(factory)
    take_step(factory, AB, "In Assembly. Concurrence in Senate amendments pending.", date(2026, 8, 25), 2)
    take_step(factory, AB, CONCURRED, date(2026, 8, 28), 3)


# 1. "Passed one house" covered three situations ------------------------------------------------

def test_the_bill_page_says_an_assembly_bill_passed_the_senate_too_and_goes_back(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    passed_the_senate_too(factory)
    text = visible(c.get("/bills/AB-1656").text)
    assert "Passed the Senate too. It goes back to the Assembly. If the Senate changed it, the Assembly must agree to the changes." in text
    assert "other house will look" not in text and "Passed one house" not in text


def test_the_bill_page_says_a_concurred_bill_passed_both_houses_and_goes_to_the_governor(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    concurred(factory)
    assert "Passed both houses. Next it goes to the Governor." in visible(c.get("/bills/AB-1656").text)
    assert "Aprobado por ambas cámaras. Ahora va al Gobernador." in visible(c.get("/bills/AB-1656?lang=es").text)


def test_the_bill_page_says_which_house_passed_a_bill_first(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    take_step(factory, "202520260AB9999", "Read third time. Passed. Ordered to the Senate. (Ayes 60. Noes 2.)",
              date(2026, 5, 1), 1)
    assert "Passed the Assembly. Now the Senate will look at it." in visible(c.get("/bills/AB-9999").text)
    assert "Aprobado por la Asamblea. Ahora lo revisará el Senado." in visible(c.get("/bills/AB-9999?lang=es").text)


def test_recent_changes_tell_a_second_house_passage_in_english_and_spanish(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    passed_the_senate_too(factory)
    assert "AB 1656 passed the Senate too. It goes back to the Assembly." in visible(c.get("/").text)
    assert "AB 1656 se aprobó también en el Senado. Vuelve a la Asamblea." in visible(c.get("/?lang=es").text)


def test_the_feed_tells_a_concurrence_as_passing_both_houses(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    concurred(factory)
    feed = ET.fromstring(c.get("/feeds/bills/AB-1656.atom").content)
    titles = [e.findtext(f"{A}title") or "" for e in feed.iter(f"{A}entry")]
    assert any("AB 1656 passed both houses. Next it goes to the Governor." in t for t in titles), titles
    assert not any("other house" in t for t in titles)
    feed_es = ET.fromstring(c.get("/feeds/bills/AB-1656.atom?lang=es").content)
    titles_es = [e.findtext(f"{A}title") or "" for e in feed_es.iter(f"{A}entry")]
    assert any("AB 1656 se aprobó en ambas cámaras. Ahora va al Gobernador." in t for t in titles_es), titles_es


def test_the_matrix_status_names_the_situation(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    passed_the_senate_too(factory)
    assert "Passed the Senate too" in visible(c.get("/matrix").text)
    assert "Aprobado también por el Senado" in visible(c.get("/matrix?lang=es").text)


def test_the_bill_list_card_names_the_situation(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    concurred(factory)
    assert "Passed both houses" in visible(c.get("/bills").text)


# 2. The inactive file is not a two-year bill -----------------------------------------------------

INACTIVE = "Ordered to inactive file at the request of Senator Gonzalez."


def test_a_bill_on_the_inactive_file_can_come_back_any_day_not_only_in_january(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    take_step(factory, AB, INACTIVE, date(2026, 8, 25), 1)
    text = visible(c.get("/bills/AB-1656").text)
    assert "On the inactive file. It was set aside before a floor vote. It can be brought back for a vote at any time." in text
    assert "January of the session" not in text and "Two-year bill" not in text
    es = visible(c.get("/bills/AB-1656?lang=es").text)
    assert "En la lista de proyectos inactivos. Se dejó a un lado antes de la votación en el pleno." in es


def test_the_progress_line_of_a_bill_on_the_inactive_file_is_not_stopped(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    take_step(factory, AB, INACTIVE, date(2026, 8, 25), 1)
    page = c.get("/bills/AB-1656").text
    assert 'class="step stopped"' not in page and "stopped here" not in page
    assert re.search(r'class="step current">Other house', page)  # on the Senate's floor


def test_a_bill_parked_by_a_first_year_deadline_is_still_a_stopped_two_year_bill(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    take_step(factory, AB, "Failed Deadline pursuant to Rule 61(a)(2).", date(2025, 7, 18), 1)
    page = c.get("/bills/AB-1656").text
    assert "Two-year bill" in visible(page) and "stopped here" in page


def test_a_bill_returned_under_joint_rule_56_is_dead_for_the_session(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    take_step(factory, AB, "Returned to Secretary of Senate pursuant to Joint Rule 56.", date(2026, 2, 2), 1)
    page = visible(c.get("/bills/AB-1656").text)
    assert "Stopped for this session" in page and "cannot move again this session" in page
    assert "Two-year bill" not in page and "January of the session's second year" not in page


def test_recent_changes_and_feeds_tell_the_inactive_file_plainly(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    take_step(factory, AB, INACTIVE, date(2026, 8, 25), 1)
    assert ("AB 1656 is now on the inactive file. It was set aside before a floor vote. "
            "It can be brought back for a vote at any time.") in visible(c.get("/").text)
    feed = c.get("/feeds/changes.atom?lang=es").text
    assert "AB 1656 ahora está en la lista de proyectos inactivos." in feed


# 3. A NUL character in an address or a form ------------------------------------------------------

from test_web_support import csrf_from  # noqa: E402
from tracker.db.models_advocacy import BillPosition  # noqa: E402
from tracker.db.models_alerts import Subscriber  # noqa: E402
from tracker.web.auth import create_admin  # noqa: E402

NUL_ADDRESSES = ["/bills?q=%00", "/bills?stage=%00", "/bills/%00", "/bills/AB%001656", "/topics/%00",
                 "/api/bills/%00", "/api/bills?q=%00", "/feeds/bills/%00.atom"]


@pytest.mark.parametrize("address", NUL_ADDRESSES)
def test_an_address_with_a_nul_character_is_refused_in_one_plain_sentence(site, address: str) -> None:  # type: ignore[no-untyped-def]
    c, _factory = site
    r = c.get(address)
    assert r.status_code == 400
    assert "This address has a character we cannot read." in r.text


def test_the_nul_character_message_is_in_spanish_for_a_spanish_reader(site) -> None:  # type: ignore[no-untyped-def]
    c, _factory = site
    r = c.get("/bills?q=%00", headers={"accept-language": "es"})
    assert r.status_code == 400 and "Esta dirección tiene un carácter que no podemos leer." in r.text
    assert "988" in r.text  # the crisis footer stays on the error page


def test_a_nul_character_typed_in_the_county_is_dropped_and_the_sign_up_goes_through(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    token = csrf_from(c.get("/subscribe").text)
    r = c.post("/subscribe", data={"csrf_token": token, "email": "nul@example.org", "lang": "en",
                                   "topics": "crisis_988", "county": "Mod\x00oc", "cadence": "weekly"})
    assert r.status_code in (200, 303), r.text[:500]
    with factory() as s:
        from sqlalchemy import select

        counties = list(s.execute(select(Subscriber.county)).scalars())
    assert "Modoc" in counties


def test_a_nul_character_in_why_it_matters_is_dropped_and_the_position_saved(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    with factory() as s:
        create_admin(s, "staffer", "correct horse battery")
        s.commit()
    token = csrf_from(c.get("/staff/login").text)
    c.post("/staff/login", data={"csrf_token": token, "username": "staffer", "password": "correct horse battery"})
    r = c.post("/staff/bills/AB-1656", data={"csrf_token": token, "position": "support",
                                             "why": "Peers\x00 answer crisis calls."})
    assert r.status_code == 200 and "Saved." in r.text
    with factory() as s:
        from sqlalchemy import select

        assert s.execute(select(BillPosition.why)).scalars().all() == ["Peers answer crisis calls."]


# 6. Another spelling of a bill number keeps the page's language ----------------------------------

@pytest.mark.parametrize("spelling", ["AB1656", "ab-1656", "AB%201656"])
def test_another_spelling_of_the_bill_number_redirects_with_the_query_kept(site, spelling: str) -> None:  # type: ignore[no-untyped-def]
    c, _factory = site
    r = c.get(f"/bills/{spelling}?lang=es", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/bills/AB-1656?lang=es"
    assert 'lang="es"' in c.get(f"/bills/{spelling}?lang=es").text


# 5. Feed entries name the bill once ------------------------------------------------------------

@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "AB 1656: hearing set for September 9, 2026 in Health."),
    ("es", "AB 1656: audiencia fijada para el 9 de septiembre de 2026 en Health."),
])
def test_a_feed_entry_title_names_the_bill_once(site, lang: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    with factory() as s:
        s.add(ChangeEvent(bill_id=AB, kind="hearing_set", before=None,
                          after={"date": "2026-09-09", "committee": "Health", "status": "scheduled"},
                          summary="AB 1656 hearing set", dedupe_key="review9-hearing",
                          created_at=datetime.now(timezone.utc)))
        s.commit()
    feed = ET.fromstring(c.get(f"/feeds/bills/AB-1656.atom?lang={lang}").content)
    titles = [e.findtext(f"{A}title") or "" for e in feed.iter(f"{A}entry")]
    assert titles[0].startswith(expected), titles
    assert all(t.count("AB 1656") == 1 for t in titles), titles


# 4. Votes told in the history are not "no votes yet" ---------------------------------------------

def test_vote_counts_in_the_history_without_roll_calls_are_pointed_to(site) -> None:  # type: ignore[no-untyped-def]
    c, _factory = site
    text = visible(c.get("/bills/AB-1656").text)  # the mini extract: "(Ayes 68. Noes 0.)", no roll calls
    assert "Vote counts are in the history below. Who voted how is not available yet." in text
    assert "No votes yet." not in text
    es = visible(c.get("/bills/AB-1656?lang=es").text)
    assert "Los resultados de las votaciones están en el historial de abajo." in es


def test_a_bill_without_any_vote_still_says_no_votes_yet(site) -> None:  # type: ignore[no-untyped-def]
    c, _factory = site
    assert "No votes yet." in visible(c.get("/bills/AB-9999").text)


# 7. The preferences page after unsubscribing, and the county -------------------------------------

from tracker.alerts import subscriptions as subs  # noqa: E402
from tracker.web.subscribe import manage_url, unsubscribe_url  # noqa: E402


def member(factory: sessionmaker[Session], county: str | None = "Modoc") -> tuple[str, str]:
    """A confirmed member following one topic: (manage link, unsubscribe link)."""
    with factory() as s:
        subs.add_member(s, "rosa@example.org", topics=["crisis_988"], county=county, confirmed=True)
        s.commit()
        sub = subs.find_by_email(s, "rosa@example.org")
        assert sub is not None
        return manage_url(sub), unsubscribe_url(sub)


def stored_county(factory: sessionmaker[Session]) -> str | None:
    with factory() as s:
        sub = subs.find_by_email(s, "rosa@example.org")
        assert sub is not None
        return sub.county


def test_after_unsubscribing_the_preferences_page_says_alerts_are_off_and_how_to_restart(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    manage, unsub = member(factory)
    c.post(unsub, data={"csrf_token": csrf_from(c.get(unsub).text)})
    text = visible(c.get(manage).text)
    assert "You are not getting alerts now." in text
    assert "press “Start my alerts again”" in text and "Stop all alerts" not in text
    es = visible(c.get(manage, headers={"accept-language": "es"}).text)
    assert "Ahora no está recibiendo alertas." in es


def test_choosing_a_topic_again_after_unsubscribing_says_alerts_are_on_again(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    manage, unsub = member(factory)
    c.post(unsub, data={"csrf_token": csrf_from(c.get(unsub).text)})
    token = csrf_from(c.get(manage).text)
    r = c.post(manage, data={"csrf_token": token, "lang": "en", "topics": "crisis_988", "cadence": "weekly"})
    text = visible(r.text)
    assert "Saved. Your alerts are on again." in text and "You are not getting alerts now." not in text


def test_a_subscribed_member_sees_no_alerts_off_notice(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    manage, _unsub = member(factory)
    text = visible(c.get(manage).text)
    assert "You are not getting alerts now." not in text and "Stop all alerts (unsubscribe)" in text


def test_the_preferences_page_shows_the_county_given_at_sign_up(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    manage, _unsub = member(factory)
    assert re.search(r'<input id="county" name="county"[^>]* value="Modoc"', c.get(manage).text)


def test_the_county_can_be_changed_and_cleared_on_the_preferences_page(site) -> None:  # type: ignore[no-untyped-def]
    c, factory = site
    manage, _unsub = member(factory)
    token = csrf_from(c.get(manage).text)
    choices = {"csrf_token": token, "lang": "en", "topics": "crisis_988", "cadence": "immediate"}
    assert c.post(manage, data=choices | {"county": "Lassen"}).status_code == 200
    assert stored_county(factory) == "Lassen"
    assert c.post(manage, data=choices | {"county": ""}).status_code == 200
    assert stored_county(factory) is None


def test_a_raw_nul_byte_in_a_form_body_is_dropped_too(site) -> None:  # type: ignore[no-untyped-def]
    # a client may send the byte itself instead of %00; the form parser passes it through
    c, factory = site
    token = csrf_from(c.get("/subscribe").text)
    body = (f"csrf_token={token}&email=rawnul%40example.org&lang=en&topics=crisis_988&cadence=weekly"
            "&county=Al\x00ameda").encode()
    r = c.post("/subscribe", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code in (200, 303), r.text[:500]
    with factory() as s:
        from sqlalchemy import select

        counties = list(s.execute(select(Subscriber.county)).scalars())
    assert "Alameda" in counties
