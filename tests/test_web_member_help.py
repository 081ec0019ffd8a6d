"""Help members find their way: ask before deleting, explain the Legislature's words and the
topic names, say on error pages what went wrong, let a phone tap the crisis line, and keep the
lists of changes true (no first-import "new bills", committees named where bills are now).

Each test reads a real page of the real app on a real database (SQLite and PostgreSQL where
data is written), as a member on a phone would: English and Spanish.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from test_web_support import csrf_from, seed
from tracker.alerts import subscriptions as subs
from tracker.alerts.tokens import make_token
from tracker.db import make_engine, session_factory
from tracker.db.base import utcnow
from tracker.db.migrate import upgrade
from tracker.db.models_core import Bill, ChangeEvent, LocationCode
from tracker.ingest.runs import finish_run, start_run
from tracker.ingest.service import ingest_snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import check_file, load_matcher, load_taxonomy
from tracker.settings import PROJECT_ROOT, get_settings
from tracker.settings.sections import CrisisResource
from tracker.web.app import create_app

FILES = Path(__file__).parent / "files"
TOPICS = PROJECT_ROOT / "config" / "topics.toml"
AB = "202520260AB1656"


# Helpers -------------------------------------------------------------------------------------

def page(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def main_text(html: str) -> str:
    """What a reader sees in <main>, spacing normalised."""
    return " ".join(page(html).xpath("//main")[0].text_content().split())


def title_and_heading(html: str) -> tuple[str, str]:
    doc = page(html)
    return doc.findtext(".//title").split(" · ")[0].strip(), " ".join(doc.xpath("//h1")[0].text_content().split())


def member(factory: sessionmaker[Session], email: str, *, lang: str = "en", stopped: bool = False) -> str:
    """A confirmed member following a topic (unsubscribed when ``stopped``); their token id."""
    with factory() as s:
        sub = subs.subscribe(s, email, lang=lang, topics=("crisis_988",), bills=(), all_bills=False,
                             cadence="immediate", county="Modoc", confirmed=True)
        if stopped:
            subs.unsubscribe(s, sub)
        s.commit()
        return str(sub.token_id)


def still_there(factory: sessionmaker[Session], email: str) -> bool:
    with factory() as s:
        return subs.find_by_email(s, email) is not None


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """The shared web seed (both databases)."""
    f = seed(db_url)
    yield f
    f.kw["bind"].dispose()


@pytest.fixture
def client(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(), factory)) as c:
        yield c


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A read-only site for pages that only read (one SQLite database for the module)."""
    f = seed(f"sqlite:///{tmp_path_factory.mktemp('help') / 'help.db'}")
    with TestClient(create_app(get_settings(), f)) as c:
        yield c
    f.kw["bind"].dispose()


# 1. Deleting asks first (WCAG 3.3.4) ----------------------------------------------------------

def test_delete_my_data_opens_a_page_that_asks_first_and_deletes_nothing(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    token = make_token("manage", member(factory, "ana@example.org"))
    prefs = client.get(f"/preferences/{token}?lang=en").text
    link = page(prefs).xpath("//a[normalize-space()='Delete my data']/@href")
    assert link == [f"/preferences/{token}/delete"]  # a link to a page, not a button that deletes
    ask = client.get(link[0])
    assert ask.status_code == 200 and still_there(factory, "ana@example.org")
    assert title_and_heading(ask.text) == ("Delete your data?", "Delete your data?")
    text = main_text(ask.text)
    assert "ana@example.org" in text and "the topics and bills you follow" in text
    assert "This cannot be undone." in text
    assert page(ask.text).xpath(f"//a[@href='/preferences/{token}' and normalize-space()='No, go back to my choices']")


def test_yes_delete_on_the_confirm_page_deletes_the_member_and_needs_the_form_token(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    token = make_token("manage", member(factory, "ben@example.org"))
    ask = client.get(f"/preferences/{token}/delete?lang=en")
    form = page(ask.text).xpath("//main//form[@method='post']")[0]
    assert form.get("action") == f"/preferences/{token}/delete"
    assert form.xpath(".//button[normalize-space()='Yes, delete my data']")
    assert client.post(form.get("action"), data={}).status_code == 403  # CSRF still checked
    assert still_there(factory, "ben@example.org")
    done = client.post(form.get("action"), data={"csrf_token": csrf_from(ask.text)})
    assert done.status_code == 200 and "Your data is deleted" in done.text
    assert not still_there(factory, "ben@example.org")


def test_delete_my_address_too_after_unsubscribing_asks_first_in_spanish(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    unsubscribe = f"/unsubscribe/{make_token('unsubscribe', member(factory, 'cruz@example.org', lang='es'))}"
    form = client.get(f"{unsubscribe}?lang=es")
    left = client.post(unsubscribe, data={"csrf_token": csrf_from(form.text)})
    doc = page(left.text)
    assert not doc.xpath("//form[contains(@action, '/delete')]")  # no one-tap delete
    link = doc.xpath("//a[normalize-space()='Borrar también mi correo']/@href")
    assert len(link) == 1 and link[0].endswith("/delete")
    ask = client.get(link[0])
    assert still_there(factory, "cruz@example.org")
    assert title_and_heading(ask.text)[1] == "¿Borrar su correo?"
    text = main_text(ask.text)
    assert "cruz@example.org" in text and "Esto no se puede deshacer." in text
    assert page(ask.text).xpath("//button[normalize-space()='Sí, borrar mi correo']")
    assert page(ask.text).xpath("//a[normalize-space()='No, volver a mis opciones']")


# 2. The Legislature's words, explained --------------------------------------------------------

def test_bill_history_says_whose_words_they_are_and_links_to_the_word_guide(site: TestClient) -> None:
    doc = page(site.get("/bills/AB-1656?lang=en").text)
    history = doc.xpath("//section[@aria-labelledby='history-h']")[0]
    intro = history.xpath("./p")[0]
    assert "These are the Legislature's own words" in intro.text_content()
    assert intro.xpath(".//a[@href='/words']")
    assert intro.getnext().tag == "ol"  # above the history itself


def test_spanish_bill_history_says_the_legislature_writes_only_in_english(site: TestClient) -> None:
    doc = page(site.get("/bills/AB-1656?lang=es").text)
    intro = doc.xpath("//section[@aria-labelledby='history-h']/p")[0]
    assert "Solo las publica en inglés." in intro.text_content()
    assert intro.xpath(".//a[@href='/words' and normalize-space()='Qué significan estas palabras']")


#: Terms the record uses that members asked about, by their anchor on /words (emails link them).
TERMS = ["committee", "fiscal-committee", "suspense-file", "hearing", "reading", "floor-vote",
         "consent-calendar", "inactive-file", "concurrence", "engrossing-and-enrolling", "governors-desk",
         "chaptered", "veto", "two-year-bill", "deadlines", "held-in-committee", "stricken-from-file", "desk",
         "re-referred", "do-pass", "author", "urgency"]


def test_word_guide_defines_each_term_in_a_definition_list(site: TestClient) -> None:
    r = site.get("/words?lang=en")
    assert r.status_code == 200
    doc = page(r.text)
    for anchor in TERMS:
        term = doc.get_element_by_id(anchor)
        assert term.tag == "dt" and term.getparent().tag == "dl", anchor
        meaning = term.getnext()
        assert meaning.tag == "dd" and len(meaning.text_content().split()) >= 8, anchor
    suspense = doc.get_element_by_id("suspense-file").getnext().text_content()
    assert "Placed on APPR. suspense file." in suspense and "Appropriations" in suspense


def test_word_guide_page_is_accessible_with_the_crisis_footer(site: TestClient) -> None:
    doc = page(site.get("/words?lang=en").text)
    assert doc.findtext(".//title").startswith("What the Legislature's words mean")
    headings = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4")]
    assert headings.count(1) == 1 and headings[0] == 1
    assert all(cur <= prev + 1 for prev, cur in zip(headings, headings[1:]))
    assert doc.xpath("//aside[@class='crisis']") and "988" in doc.xpath("//footer")[0].text_content()


def test_word_guide_in_spanish_marks_the_records_english_words(site: TestClient) -> None:
    doc = page(site.get("/words?lang=es").text)
    assert doc.get("lang") == "es"
    assert title_and_heading(lxml.html.tostring(doc, encoding="unicode"))[1] == \
        "Qué significan las palabras de la Legislatura"
    meaning = doc.get_element_by_id("concurrence").getnext()
    assert "la cámara donde empezó" in meaning.text_content()
    assert meaning.xpath(".//span[@lang='en' and text()='Concurrence in Assembly amendments pending.']")


def test_word_guide_is_in_the_site_navigation(site: TestClient) -> None:
    doc = page(site.get("/?lang=en").text)
    assert doc.xpath("//header//nav//a[@href='/words']")
    assert doc.xpath("//footer//a[@href='/words']")


def test_recent_changes_quoting_the_record_link_to_the_word_guide(
        client: TestClient, factory: sessionmaker[Session]) -> None:
    with factory() as s:
        s.add(ChangeEvent(bill_id=AB, kind="new_action", dedupe_key="help-record",
                          after={"action": "Ordered to engrossing and enrolling.", "date": "2026-06-11"},
                          summary="AB 1656: Ordered to engrossing and enrolling."))
        s.commit()
    doc = page(client.get("/?lang=en").text)
    changes = doc.xpath("//section[@aria-labelledby='changes-h']")[0]
    assert "Ordered to engrossing and enrolling." in changes.text_content()
    assert changes.xpath(".//a[@href='/words' and normalize-space()='What these words mean']")


# 3. Topic names explained --------------------------------------------------------------------

def test_every_shipped_topic_has_a_plain_description_in_english_and_spanish() -> None:
    topics = load_taxonomy(TOPICS).topics
    assert len(topics) >= 14
    for t in topics:
        assert t.description and t.description_es, t.id
    involuntary = next(t for t in topics if t.id == "involuntary_treatment")
    assert "Assisted Outpatient Treatment" in involuntary.description
    funding = next(t for t in topics if t.id == "bh_funding")
    assert "Mental Health Services Act (MHSA)" in funding.description


BASE_TOPIC = '[[topic]]\nid = "a"\nlabel = "A"\nlabel_es = "A"\nterms = ["mental health"]\n'


def test_a_topic_description_without_its_spanish_twin_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(BASE_TOPIC + 'description = "Plain words."\n', encoding="utf-8")
    assert check_file(path) == [f"{path}:1: topic 'a': 'description_es' is missing: give the description "
                                "in English and Spanish"]


def test_a_topic_description_must_be_one_short_line(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(BASE_TOPIC + 'description = """two\nlines"""\ndescription_es = "' + "x" * 251 + '"\n',
                    encoding="utf-8")
    problems = check_file(path)
    assert len(problems) == 2
    assert "'description' must be one line" in problems[0]
    assert "'description_es' is 251 characters long" in problems[1]


def test_sign_up_form_describes_each_topic_under_its_checkbox(site: TestClient) -> None:
    doc = page(site.get("/subscribe?lang=en").text)
    box = doc.get_element_by_id("topic-involuntary_treatment")
    note = doc.get_element_by_id(box.get("aria-describedby"))
    assert "court-ordered outpatient care (AOT, Assisted Outpatient Treatment)" in note.text_content()
    assert len(doc.xpath("//input[@name='topics'][@aria-describedby]")) == len(load_taxonomy(TOPICS).topics)


def test_spanish_sign_up_form_describes_topics_in_spanish(site: TestClient) -> None:
    doc = page(site.get("/subscribe?lang=es").text)
    box = doc.get_element_by_id("topic-bh_funding")
    note = doc.get_element_by_id(box.get("aria-describedby")).text_content()
    assert "Ley de Servicios de Salud Mental (MHSA)" in note


def test_topics_page_explains_each_topic(site: TestClient) -> None:
    text = main_text(site.get("/topics?lang=en").text)
    assert "Medi-Cal (California's free or low-cost health coverage)" in text


def test_topic_page_opens_with_its_description(site: TestClient) -> None:
    doc = page(site.get("/topics/involuntary_treatment?lang=en").text)
    intro = doc.xpath("//h1")[0].getnext()
    assert "5150 holds (up to 72 hours in a facility)" in intro.text_content()


# 4. Error pages say what went wrong (WCAG 2.4.2, 2.4.6) ----------------------------------------

def test_a_missing_page_is_titled_page_not_found(site: TestClient) -> None:
    r = site.get("/no-such-page?lang=en")
    assert r.status_code == 404 and title_and_heading(r.text) == ("Page not found", "Page not found")


def test_a_broken_link_is_titled_this_link_does_not_work(site: TestClient) -> None:
    r = site.get("/unsubscribe/not-a-real-token?lang=en")
    assert r.status_code == 400
    assert title_and_heading(r.text) == ("This link does not work", "This link does not work")


def test_a_wrong_method_has_a_title_of_its_own(site: TestClient) -> None:
    r = site.post("/bills?lang=en")
    assert r.status_code == 405
    assert title_and_heading(r.text) == ("This page does not work that way", "This page does not work that way")


def test_an_expired_form_is_titled_so(site: TestClient) -> None:
    site.get("/subscribe?lang=en")
    r = site.post("/subscribe", data={"email": "x@example.org", "csrf_token": "forged"})
    assert r.status_code == 403
    assert title_and_heading(r.text) == ("This form has expired", "This form has expired")


def test_error_titles_speak_spanish(site: TestClient) -> None:
    r = site.get("/no-such-page?lang=es")
    assert title_and_heading(r.text) == ("Página no encontrada", "Página no encontrada")


# 5. Each language is named in its own language (WCAG 3.1.2) ------------------------------------

@pytest.mark.parametrize(("url", "other"), [("/subscribe?lang=en", "es"), ("/subscribe?lang=es", "en")])
def test_the_language_choices_are_marked_with_their_own_language(site: TestClient, url: str, other: str) -> None:
    doc = page(site.get(url).text)
    label = doc.xpath(f"//label[@for='lang-{other}']")[0]
    assert label.get("lang") == other


# 6. The crisis line is one tap away ----------------------------------------------------------

def test_the_988_line_can_be_tapped_to_call_or_text(site: TestClient) -> None:
    crisis = page(site.get("/?lang=en").text).xpath("//aside[@class='crisis']")[0]
    assert crisis.xpath(".//a[@href='tel:988' and normalize-space()='Call 988']")
    assert crisis.xpath(".//a[@href='sms:988' and normalize-space()='Text 988']")


def test_a_county_crisis_line_gets_its_own_call_link_in_spanish(factory: sessionmaker[Session]) -> None:
    base = get_settings()
    county = CrisisResource(name="Modoc County crisis line", how="call (530) 555-0100, day or night",
                            name_es="Línea de crisis del condado de Modoc", phone="(530) 555-0100")
    plain = CrisisResource(name="Warm line", how="call us")  # no numbers: still a valid line, no links
    alerts = base.alerts.model_copy(update={"crisis_resources": [*base.alerts.crisis_resources, county, plain]})
    with TestClient(create_app(base.model_copy(update={"alerts": alerts}), factory)) as c:
        crisis = page(c.get("/?lang=es").text).xpath("//aside[@class='crisis']")[0]
    assert crisis.xpath(".//a[@href='tel:5305550100' and normalize-space()='Llamar al (530) 555-0100']")
    assert crisis.xpath(".//a[@href='sms:988' and normalize-space()='Enviar mensaje de texto al 988']")
    warm = [li for li in crisis.iter("li") if "Warm line" in li.text_content()][0]
    assert not warm.xpath(".//a")


def test_a_crisis_phone_that_is_not_a_number_is_refused_when_settings_are_read() -> None:
    with pytest.raises(ValueError, match="must be a phone number"):
        CrisisResource(name="County line", how="call us", phone="call 988")


# 7. The first import's bills are not news ----------------------------------------------------

@pytest.fixture
def first_import(db_url: str) -> Iterator[sessionmaker[Session]]:
    """An empty database after its first bulk import, run as ``tracker import-pubinfo`` runs it
    (a source run), with every bill followed so it could be listed."""
    engine = make_engine(db_url)
    upgrade(engine)
    f = session_factory(engine)
    run = start_run(f, "pubinfo", "mini")
    ingest_snapshot(f, read_snapshot(FILES / "pubinfo/mini"), matcher=load_matcher(TOPICS), run_id=run)
    finish_run(f, run, status="ok")
    with f() as s:
        for bill in s.query(Bill):
            bill.relevant, bill.topics = True, ["crisis_988"]
        s.commit()
    yield f
    engine.dispose()


def test_recent_changes_leave_out_the_new_bills_of_the_first_import(first_import: sessionmaker[Session]) -> None:
    with TestClient(create_app(get_settings(), first_import)) as c:
        for url in ("/?lang=en", "/topics/crisis_988?lang=en"):
            text = main_text(c.get(url).text)
            assert "is a new bill" not in text and "No changes yet." in text, url


def test_the_news_feed_leaves_out_the_new_bills_of_the_first_import(first_import: sessionmaker[Session]) -> None:
    with TestClient(create_app(get_settings(), first_import)) as c:
        assert b"<entry>" not in c.get("/feeds/changes.atom").content


def test_a_bill_that_is_new_after_the_first_import_is_news(first_import: sessionmaker[Session]) -> None:
    run = start_run(first_import, "web", "later")
    with first_import() as s:
        s.add(Bill(bill_id="202520260AB4242", session_year="20252026", measure_type="AB", measure_num=4242,
                   measure="AB 4242", title="Peer respite centers.", relevant=True, topics=["crisis_988"]))
        s.flush()
        s.add(ChangeEvent(bill_id="202520260AB4242", kind="new_bill", dedupe_key="help-later",
                          source_run_id=run, created_at=utcnow() + timedelta(seconds=1),
                          summary="New bill AB 4242"))
        s.commit()
    with TestClient(create_app(get_settings(), first_import)) as c:
        text = main_text(c.get("/?lang=en").text)
    assert "AB 4242 is a new bill." in text
    assert text.count("is a new bill") == 1


# 8. The matrix says where a bill is now, in the reader's language ------------------------------

@pytest.fixture
def in_appropriations(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """AB 1656 passed its policy committee and now sits in Senate Appropriations (code CS61)."""
    with factory() as s:
        ab = s.get(Bill, AB)
        assert ab is not None
        ab.stage, ab.current_location = "passed_committee", "CS61"
        s.add(LocationCode(session_year="20252026", code="CS61", location_type="C",
                           description="Appropriations", long_description="Senate Appropriations Committee"))
        s.commit()
    return factory


def matrix_status(client: TestClient, lang: str) -> str:
    doc = page(client.get(f"/matrix?lang={lang}").text)
    row = doc.xpath("//tr[th/a[@href='/bills/AB-1656']]")[0]
    return " ".join(row.xpath("./td")[2].text_content().split())  # Subject, Implications, Status


def test_matrix_says_where_the_bill_is_now_as_the_bill_page_does(
        client: TestClient, in_appropriations: sessionmaker[Session]) -> None:
    assert matrix_status(client, "en") == "Passed a committee · Now in: Senate Appropriations"
    bill = main_text(client.get("/bills/AB-1656?lang=en").text)
    assert "Passed a committee · Now in: Senate Appropriations." in bill


def test_spanish_matrix_names_the_committee_in_spanish(
        client: TestClient, in_appropriations: sessionmaker[Session]) -> None:
    assert matrix_status(client, "es") == "Aprobado en un comité · Ahora en: Comité de Asignaciones del Senado"
