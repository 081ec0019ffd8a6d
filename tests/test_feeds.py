"""Atom feeds and the iCalendar hearing feed: well-formed, stable ids, RFC 5545 framing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone

from starlette.testclient import TestClient

from test_web_support import client  # noqa: F401  (fixture)
from tracker.web.ics import build_calendar, fold

A = "{http://www.w3.org/2005/Atom}"


def check_atom(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{name}") is not None, name
    assert root.find(f"{A}id").text.startswith("tag:127.0.0.1,2025:")
    assert root.find(f"{A}link[@rel='self']") is not None
    for entry in root.findall(f"{A}entry"):
        assert entry.find(f"{A}id").text.startswith("tag:")
        assert entry.find(f"{A}updated").text.endswith("Z")
        assert entry.find(f"{A}title").text
        assert entry.find(f"{A}link").get("href").startswith("http://127.0.0.1:8000/bills/")
    return root


def test_atom_feeds(client: TestClient) -> None:
    r = client.get("/feeds/changes.atom")
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = check_atom(r.content)
    titles = [e.find(f"{A}title").text for e in root.findall(f"{A}entry")]
    assert "AB 9999 was amended" in titles
    assert b"&lt;script&gt;" in r.content and b"<script>" not in r.content
    ids1 = [e.find(f"{A}id").text for e in root.findall(f"{A}entry")]
    ids2 = [e.find(f"{A}id").text for e in check_atom(client.get("/feeds/changes.atom").content).findall(f"{A}entry")]
    assert ids1 == ids2  # stable
    check_atom(client.get("/feeds/topics/mental_health_services.atom").content)
    bill = check_atom(client.get("/feeds/bills/AB-9999.atom").content)
    assert len(bill.findall(f"{A}entry")) == 1
    assert client.get("/feeds/topics/nope.atom").status_code == 404
    assert client.get("/feeds/bills/AB-424242.atom").status_code == 404


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_feed_is_valid_and_marks_cancellations(client: TestClient) -> None:
    r = client.get("/calendar/hearings.ics")
    assert r.headers["content-type"].startswith("text/calendar")
    raw = r.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # only CRLF line ends
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
    lines = unfold(r.text)
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    assert lines.count("BEGIN:VEVENT") == 2 == lines.count("END:VEVENT")
    assert "UID:hearing-202520260AB1656-fp-upcoming@127.0.0.1" in lines
    assert "STATUS:CANCELLED" in lines and "STATUS:CONFIRMED" in lines
    assert any(x.startswith("DTSTART;TZID=America/Los_Angeles:") and x.endswith("T133000") for x in lines)
    assert any(x.startswith("DTSTART;VALUE=DATE:") for x in lines)
    assert any(x.startswith("SUMMARY:AB 1656: Health\\, Care\\; & Services") for x in lines)
    assert any(x.startswith("SEQUENCE:") for x in lines)
    uids = [x for x in lines if x.startswith("UID:")]
    assert uids == [x for x in unfold(client.get("/calendar/hearings.ics").text) if x.startswith("UID:")]
    only = unfold(client.get("/calendar/hearings.ics?topic=crisis_988").text)
    assert only.count("BEGIN:VEVENT") == 1
    assert unfold(client.get("/calendar/hearings.ics?position=oppose").text).count("BEGIN:VEVENT") == 0


def test_the_calendar_linked_from_a_spanish_page_is_in_spanish(client: TestClient) -> None:
    lines = unfold(client.get("/calendar/hearings.ics?lang=es").text)
    assert "X-WR-CALNAME:Audiencias de Capitol Watch" in lines
    assert any(x.startswith("SUMMARY:CANCELADA: ") for x in lines)
    assert any(x.startswith("URL:") and x.endswith("?lang=es") for x in lines)
    assert "lang=es" in client.get("/?lang=es").text.split("/calendar/hearings.ics", 1)[1][:12]


def test_the_calendar_a_calendar_app_fetches_plainly_stays_english(client: TestClient) -> None:
    lines = unfold(client.get("/calendar/hearings.ics", headers={"accept-language": "es"}).text)
    assert "X-WR-CALNAME:Capitol Watch hearings" in lines


def test_sequence_grows_when_a_hearing_changes() -> None:
    base = {"bill_id": "B", "fingerprint": "f", "date": date(2026, 3, 3), "time": "9 a.m.", "room": None,
            "committee": "Health", "status": "scheduled", "note": None, "measure": "AB 1", "slug": "AB-1",
            "title": "t"}
    one = build_calendar([{**base, "updated_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}], "h", "http://h", "c")
    two = build_calendar([{**base, "status": "canceled", "updated_at": datetime(2026, 1, 2, tzinfo=timezone.utc)}],
                         "h", "http://h", "c")
    seq = [int(next(x for x in unfold(c) if x.startswith("SEQUENCE:"))[9:]) for c in (one, two)]
    assert seq[1] > seq[0]
    assert [x for x in unfold(one) if x.startswith("UID:")] == [x for x in unfold(two) if x.startswith("UID:")]


def test_fold_never_splits_utf8() -> None:
    line = "DESCRIPTION:" + "ñ" * 100
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line


def test_feeds_say_their_language_depends_on_the_readers_headers(client: TestClient) -> None:
    for url in ("/feeds/changes.atom", "/feeds/topics/mental_health_services.atom", "/feeds/bills/AB-9999.atom"):
        vary = {v.strip().lower() for v in client.get(url).headers["vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary, url  # a shared cache must not mix English and Spanish


def test_a_feed_reader_that_has_the_latest_copy_gets_not_modified(client: TestClient) -> None:
    for url in ("/feeds/changes.atom", "/feeds/bills/AB-9999.atom", "/calendar/hearings.ics"):
        first = client.get(url)
        etag = first.headers["etag"]
        again = client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b"", url
        assert again.headers["etag"] == etag
        assert client.get(url, headers={"if-none-match": '"something-older"'}).status_code == 200, url


def test_the_spanish_feed_has_its_own_etag(client: TestClient) -> None:
    english = client.get("/feeds/changes.atom").headers["etag"]
    spanish = client.get("/feeds/changes.atom", headers={"accept-language": "es"})
    assert spanish.headers["etag"] != english
    assert client.get("/feeds/changes.atom", headers={"accept-language": "es", "if-none-match": english}).status_code == 200


def test_a_calendar_entry_never_shows_our_own_bookkeeping_notes() -> None:
    base = {"bill_id": "B", "fingerprint": "f", "date": date(2026, 3, 3), "time": "9 a.m.", "room": None,
            "committee": "Health", "status": "canceled", "measure": "AB 1", "slug": "AB-1", "title": "t",
            "updated_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}
    for note in ("no longer listed by pubinfo", "moved to 2026-03-10"):
        assert note not in "".join(unfold(build_calendar([{**base, "note": note}], "h", "http://h", "c")))
