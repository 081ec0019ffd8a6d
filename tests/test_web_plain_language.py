"""The public site speaks plain language, in the reader's language and in California time.

Members read these pages on a phone, often in Spanish: no internal ids (``in_committee``,
``crisis_988``), no committee codes (``CS61``), no staff summaries, no UTC. Every check reads a
real page rendered from a seeded database (both backends).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from test_web_support import seed
from tracker.db.models_core import Bill, BillVersion, ChangeEvent, Hearing, LocationCode, SourceRun
from tracker.settings import get_settings
from tracker.web.app import create_app

A = "{http://www.w3.org/2005/Atom}"
AB = "202520260AB1656"
#: 03:30 UTC on July 1 is 8:30 p.m. on June 30 in Sacramento.
EVENING = datetime(2026, 7, 1, 3, 30, tzinfo=timezone.utc)


@pytest.fixture
def site(db_url: str) -> Iterator[TestClient]:
    """The shared web seed, plus what the legislature's data really looks like for AB 1656:
    a committee code, versions named "Amended Senate", hearings without a committee, change
    events as the ingest writes them, and a bulk import finished one summer evening."""
    factory = seed(db_url)
    soon = date.today() + timedelta(days=5)
    with factory() as s:
        ab = s.get(Bill, AB)
        assert ab is not None
        ab.stage, ab.current_status, ab.current_location = "in_committee", "In Committee Process", "CS61"
        ab.topics = ["crisis_988", "mental_health_services"]
        s.add(LocationCode(session_year="20252026", code="CS61", location_type="C",
                           description="Appropriations", long_description="Senate Appropriations Committee"))
        s.add(BillVersion(bill_version_id="20250AB165696AMD", bill_id=AB, version_num=96,
                          action_date=date(2026, 12, 5), action="Amended Senate",
                          digest="Existing law establishes the 988 Suicide and Crisis Lifeline."))
        s.add(Hearing(bill_id=AB, fingerprint="fp-heard", hearing_date=date(2026, 3, 3), status="heard"))
        s.add(Hearing(bill_id=AB, fingerprint="fp-capitol", committee_name="Health", hearing_date=soon,
                      hearing_time="9 a.m.", room="4202", status="scheduled"))
        s.add(Hearing(bill_id=AB, fingerprint="fp-named", committee_name="Judiciary", hearing_date=soon,
                      hearing_time="10 a.m.", room="State Capitol, Room 437", status="scheduled"))
        events = [
            ("became_relevant", {"relevant": False, "topics": []},
             {"relevant": True, "topics": ["crisis_988"], "matched": ["988"]},
             "AB 1656 now touches behavioral health (crisis_988) after its latest amendment"),
            ("new_version", {"version_id": "20250AB165697AMD"},
             {"version_id": "20250AB165696AMD", "action": "Amended Senate", "date": "2026-12-05"},
             "AB 1656 was amended (Amended Senate, 2026-12-05)"),
            ("stage_changed", "floor", "in_committee", "AB 1656 moved from on the floor to in committee"),
            ("status_changed", {"current_status": "In Floor Process", "current_location": "Third Reading"},
             {"current_status": "In Committee Process", "current_location": "CS61"},
             "AB 1656 status changed: In Floor Process, Senate, Third Reading → In Committee Process, Senate, CS61"),
        ]
        for i, (kind, before, after, summary) in enumerate(events):
            s.add(ChangeEvent(bill_id=AB, kind=kind, before=before, after=after, summary=summary,
                              dedupe_key=f"plain-{i}", created_at=EVENING))
        for run in s.execute(select(SourceRun).where(SourceRun.source == "pubinfo")).scalars():
            run.started_at = run.finished_at = EVENING
        s.commit()
    with TestClient(create_app(get_settings(), factory)) as c:
        yield c
    factory.kw["bind"].dispose()


def visible(fragment: str) -> str:
    """Text only, as a reader sees it: no markup or link targets, spacing normalised."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    return re.sub(r"\s+([,.:;)])", r"\1", text).replace("( ", "(")


def main_text(page: str) -> str:
    main = re.search(r"<main.*?</main>", page, re.S)
    assert main, "no <main> in page"
    return visible(main.group(0))


def section_text(page: str, heading_id: str) -> str:
    """The text of the <section> labelled by the heading with this id."""
    part = re.search(rf'<section aria-labelledby="{heading_id}">.*?</section>', page, re.S)
    assert part, f"no section {heading_id}"
    return visible(part.group(0))


def footer_text(page: str) -> str:
    footer = re.search(r"<footer.*?</footer>", page, re.S)
    assert footer, "no <footer> in page"
    return visible(footer.group(0))


INTERNAL = ["in_committee", "crisis_988", "mental_health_services", "CS61", "In Committee Process",
            "Amended Senate", "now touches behavioral health", "http://", "https://"]


def assert_no_internal_words(text: str, where: str) -> None:
    for word in INTERNAL:
        assert word not in text, f"{word!r} shown on {where}"
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), f"ISO date shown on {where}"


# 1. The legislative matrix -------------------------------------------------------------------

def test_matrix_shows_the_published_columns_in_plain_words(site: TestClient) -> None:
    page = site.get("/matrix").text
    headers = [html.unescape(h) for h in re.findall(r'<th scope="col"[^>]*><a [^>]*>([^<]+?)\s*</a>', page)]
    assert headers == ["Bill", "Subject", "Implications", "Status", "Introduced", "Last amended",
                       "Position", "Next hearing", "Topics"]
    text = main_text(page)
    assert_no_internal_words(text, "/matrix")
    assert "In committee · Now in: Senate Appropriations" in text
    assert "Crisis services and 988" in text
    assert "Jan 29, 2026" in text  # introduced, as a reader writes dates
    assert "Not yet decided" in text


def test_matrix_intro_is_true_when_bills_have_no_position_yet(site: TestClient) -> None:
    text = main_text(site.get("/matrix").text)
    assert "Not yet decided" in text  # AB 1656 is listed without a position...
    assert "Every bill we have a position on" not in text  # ...so the intro must not say otherwise
    assert "Every bill we follow, with our position where we have taken one." in text


def test_matrix_in_spanish_translates_every_cell_we_write(site: TestClient) -> None:
    text = main_text(site.get("/matrix?lang=es").text)
    assert_no_internal_words(text, "/matrix?lang=es")
    for english in ("Not yet decided", "In committee", "None scheduled", "Not written yet"):
        assert english not in text
    assert "En comité · Ahora en: Comité de Asignaciones del Senado" in text
    assert "Aún no decidida" in text
    assert "Servicios de crisis y la línea 988" in text
    assert "29 ene 2026" in text


def test_matrix_sorts_by_a_column_and_keeps_empty_cells_last(site: TestClient) -> None:
    page = site.get("/matrix?sort=last_amended&dir=desc").text
    assert 'aria-sort="descending"' in page
    rows = re.findall(r'<th scope="row"><a href="/bills/([^"]+)"', page)
    assert rows[0] == "AB-1656"  # amended most recently (December 5)
    assert site.get("/matrix?sort=bill_id").status_code == 200  # unknown column: default order


# 2. Recent changes ---------------------------------------------------------------------------

def test_recent_changes_use_the_member_wording_in_spanish(site: TestClient) -> None:
    for url in ("/?lang=es", "/topics/crisis_988?lang=es"):
        text = main_text(site.get(url).text)
        assert_no_internal_words(text, url)
        assert "AB 1656 cambió y ahora lo seguimos. Sus temas: Servicios de crisis y la línea 988." in text, url
        assert "5 de diciembre de 2026" in text, url  # the amendment's date, in Spanish


def test_recent_changes_in_english_are_plain_sentences_without_codes(site: TestClient) -> None:
    text = main_text(site.get("/").text)
    assert_no_internal_words(text, "/")
    assert "AB 1656 was changed and is now one of the bills we follow. Its topics: Crisis services and 988." in text
    assert "AB 1656 was amended on December 5, 2026 (its text changed)." in text
    # The stage change already says where the bill went; the official status line is not repeated.
    assert "Official status of AB 1656" not in text


def test_atom_feed_speaks_the_readers_language(site: TestClient) -> None:
    root = ET.fromstring(site.get("/feeds/changes.atom?lang=es").content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    titles = [e.findtext(f"{A}title") or "" for e in root.findall(f"{A}entry")]
    ours = [t for t in titles if "AB 1656" in t]
    assert any("Servicios de crisis y la línea 988" in t for t in ours)
    for t in ours:
        assert_no_internal_words(t, "the Spanish feed")
    english = ET.fromstring(site.get("/feeds/changes.atom").content)
    for e in english.findall(f"{A}entry"):
        assert_no_internal_words(e.findtext(f"{A}summary") or "", "the English feed")


# 3. The bill page ----------------------------------------------------------------------------

def test_bill_page_status_is_plain_words_and_a_committee_name(site: TestClient) -> None:
    text = main_text(site.get("/bills/AB-1656").text)
    assert_no_internal_words(text, "/bills/AB-1656")
    assert "In committee · Now in: Senate Appropriations." in text
    assert "Amended in the Senate (December 5, 2026)" in text
    assert "First version: Introduced (January 29, 2026)" in text


def test_bill_page_hearings_say_what_and_where(site: TestClient) -> None:
    text = section_text(site.get("/bills/AB-1656").text, "hearings-h")
    assert ": —" not in text and "heard" not in text
    assert "Tuesday, March 3, 2026: Committee hearing — already held" in text
    assert "Health (Room 4202, State Capitol)" in text
    assert "Judiciary (State Capitol, Room 437)" in text
    assert "(room 1021 O Street" not in text and "Health, Care; & Services (1021 O Street, Room 1100)" in text


def test_bill_page_in_spanish(site: TestClient) -> None:
    text = main_text(site.get("/bills/AB-1656?lang=es").text)
    assert_no_internal_words(text, "/bills/AB-1656?lang=es")
    assert "En comité · Ahora en: Comité de Asignaciones del Senado." in text
    assert "Enmendado en el Senado (5 de diciembre de 2026)" in text
    assert "Audiencia de un comité — ya se realizó" in text
    assert "Sala 4202, Capitolio del Estado" in text


def test_bill_list_names_stages_in_words(site: TestClient) -> None:
    page = site.get("/bills?lang=es&scope=all").text
    options = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', page))
    assert options["in_committee"] == "En comité"
    assert options["vetoed"] == "Vetado"
    text = main_text(page)
    assert "In Committee Process" not in text and "Vetoed" not in text
    assert "En comité" in text


# 4. Spanish plurals --------------------------------------------------------------------------

def test_spanish_plurals_on_the_topic_and_bill_lists(site: TestClient) -> None:
    topics = main_text(site.get("/topics?lang=es").text)
    assert "0 proyectos de ley" in topics and "1 proyecto de ley" in topics
    assert "bills" not in topics and " bill" not in topics
    assert "proyectos de ley encontrados" in main_text(site.get("/bills?lang=es&scope=all").text)


def test_each_catalog_keeps_its_own_plural_rule(tmp_path: Path) -> None:
    """A catalog without a Plural-Forms header (Babel then assumes Spanish has three forms) must
    not break the plurals of another catalog that declares two."""
    from tracker.i18n import catalog_chain

    (tmp_path / "alerts.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: es\\n"\n\n'
        'msgid "Data freshness:"\nmsgstr "Actualidad de los datos:"\n', encoding="utf-8")
    (tmp_path / "web.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: es\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "%(num)s bill"\nmsgid_plural "%(num)s bills"\n'
        'msgstr[0] "%(num)s proyecto de ley"\nmsgstr[1] "%(num)s proyectos de ley"\n', encoding="utf-8")
    t = catalog_chain(tmp_path, "es")
    assert [t.ngettext("%(num)s bill", "%(num)s bills", n) for n in (0, 1, 4)] == [
        "%(num)s proyectos de ley", "%(num)s proyecto de ley", "%(num)s proyectos de ley"]
    assert t.gettext("Data freshness:") == "Actualidad de los datos:"


# 5. The hearing calendar ---------------------------------------------------------------------

def test_calendar_adds_the_capitol_only_to_bare_capitol_rooms(site: TestClient) -> None:
    lines = site.get("/calendar/hearings.ics").text.replace("\r\n ", "").split("\r\n")
    places = sorted(x[len("LOCATION:"):] for x in lines if x.startswith("LOCATION:"))
    assert places == [
        "1021 O Street\\, Room 1100",  # names its own building: left as published
        "Room 4202\\, State Capitol\\, Sacramento",  # a bare room number is a Capitol room
        "State Capitol\\, Room 437",  # already says so
    ]


# 6. The footer and dates: California time, plain source names ---------------------------------

def test_footer_gives_california_time_and_plain_source_names(site: TestClient) -> None:
    footer = footer_text(site.get("/").text)
    assert "UTC" not in footer
    assert "The Legislature's daily data: last updated Jun 30, 2026 at 8:30 PM, California time" in footer
    assert "The Legislature's website" in footer and "The Assembly and Senate hearing calendars" in footer
    for raw in ("pubinfo", "web:", "hearings:"):
        assert raw not in footer
    es = footer_text(site.get("/?lang=es").text)
    assert "Los datos diarios de la Legislatura: última actualización: 30 jun 2026 a las 20:30, hora de California" in es


def test_dates_of_changes_are_california_dates(site: TestClient) -> None:
    text = main_text(site.get("/").text)
    assert "Jun 30, 2026" in text  # recorded 03:30 UTC on July 1
    assert "Jul 1, 2026" not in text
