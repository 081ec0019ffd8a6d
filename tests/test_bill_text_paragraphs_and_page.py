"""Bill text as the legislature wrote it, and the public bill page.

Paragraphs of the Legislative Counsel's Digest are the XML's own paragraphs, never the line
breaks that only lay out the file; table cells stay apart; all joint lead authors are named;
the Governor's message is headed by what the Governor did; ``tracker explain`` finds a bill
wherever ``tracker show`` does. Bill XML and bulk rows are the real samples in tests/files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from test_web_support import client, seed  # noqa: F401  (fixture)
from tests.clirun import tracker
from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.db.models_core import BillVersion, VetoMessage
from tracker.i18n import translations
from tracker.ingest.service import ingest_snapshot
from tracker.pubinfo.caml import NS, parse_caml
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import PROJECT_ROOT, get_settings
from tracker.web.app import create_app

FILES = Path(__file__).parent / "files"
MINI = FILES / "pubinfo/mini"
AB831_CHAPTERED = MINI / "BILL_VERSION_TBL_9506.lob"  # 20250AB83194CHP
XHTML = "{http://www.w3.org/1999/xhtml}"


def paragraphs(text: str | None) -> list[str]:
    return (text or "").split("\n\n")


def xml_digest_paragraphs(lob: Path) -> list[str]:
    """The DigestText's ``p`` elements, each with its whitespace collapsed."""
    root = etree.fromstring(lob.read_bytes())
    digest = root.find(".//caml:DigestText", NS)
    assert digest is not None
    return [" ".join("".join(p.itertext()).split()) for p in digest.iter(XHTML + "p")]


def page_digest(html: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    return [" ".join(p.text_content().split()) for p in doc.cssselect("div.digest p")]


# --- defect 4: paragraphs are the XML's paragraphs ------------------------------------------

def test_digest_paragraphs_are_the_xml_paragraphs_not_the_files_line_breaks() -> None:
    doc = parse_caml(AB831_CHAPTERED.read_bytes())
    assert paragraphs(doc.digest) == xml_digest_paragraphs(AB831_CHAPTERED)
    assert "The bill would delete the term “gambling-themed games”" in (doc.digest or "")


def test_stored_text_has_no_line_break_inside_a_paragraph() -> None:
    for name in ("BILL_VERSION_TBL_9506.lob", "BILL_VERSION_TBL_8685.lob"):  # AB 831, SB 275
        doc = parse_caml((MINI / name).read_bytes())
        for text in (doc.digest, doc.text, doc.title):
            assert text and all("\n" not in p for p in paragraphs(text)), name


def test_a_numbered_1999_digest_paragraph_keeps_its_number_and_starts_a_paragraph() -> None:
    # ABX1 1 (1999) as chaptered: "<p>(2)\n  <span class="EnSpace"/>Existing law ...", and
    # "(4)" after an empty line inside the previous p.
    doc = parse_caml((FILES / "pubinfo/archive/1999/BILL_VERSION_TBL_25379.lob").read_bytes())
    paras = paragraphs(doc.digest)
    assert any(p.startswith("(2) Existing law requires the governing board") for p in paras)
    assert any(p.startswith("(4) The California Constitution requires the state") for p in paras)
    assert "(2)" not in paras


def test_the_bill_page_shows_each_digest_paragraph_whole(client: TestClient) -> None:
    page = client.get("/bills/AB-831").text
    assert page_digest(page) == xml_digest_paragraphs(AB831_CHAPTERED)


# The digest as imports before this fix stored it (real text of 20250AB83194CHP): the file's
# own line breaks kept inside paragraphs, a blank line between paragraphs.
OLD_STORED_DIGEST = (
    "This bill would specify that using or offering for use any method, including an internet website or "
    "an online application, in the manner described above is prohibited, and would make conforming "
    "changes. The bill would\ndelete the term “gambling-themed games” from the above-described provisions."
    "\n\nExisting law makes it unlawful to engage in specified activities related to gambling.")


@pytest.fixture
def seeded(db_url: str) -> Iterator[sessionmaker[Session]]:
    factory = seed(db_url)
    yield factory
    factory.kw["bind"].dispose()


def site(factory: sessionmaker[Session]) -> TestClient:
    return TestClient(create_app(get_settings(), factory))


def test_text_stored_by_older_imports_reads_as_whole_paragraphs(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        version = s.get(BillVersion, "20250AB83194CHP")
        assert version is not None
        version.digest = OLD_STORED_DIGEST
        s.commit()
    with site(seeded) as c:
        shown = page_digest(c.get("/bills/AB-831").text)
    assert shown == [
        "This bill would specify that using or offering for use any method, including an internet website or "
        "an online application, in the manner described above is prohibited, and would make conforming "
        "changes. The bill would delete the term “gambling-themed games” from the above-described provisions.",
        "Existing law makes it unlawful to engage in specified activities related to gambling."]


# --- defect 14: tables ---------------------------------------------------------------------

def test_table_cells_are_separated_and_each_row_is_its_own_line() -> None:
    # Synthetic: no real CAML print with an XHTML table is in the samples (budget bills have
    # them); the shape is a budget item's row of cells inside a bill section.
    xml = ('<caml:MeasureDoc xmlns="http://www.w3.org/1999/xhtml" '
           'xmlns:caml="http://lc.ca.gov/legalservices/schemas/caml.1#">'
           '<caml:Description><caml:Id>X</caml:Id></caml:Description><caml:Bill><caml:BillSection>'
           '<caml:Num>SEC. 2.</caml:Num><caml:Content><p>Item 4440 is amended to read:</p>'
           '<table><tbody>\n\t\t<tr><td>(1)</td><td>4440-101-0001</td>\n\t\t<td><p>Mental health\n\t\t'
           'services</p></td><td>1,000,000</td></tr>\n\t\t'
           '<tr><th>Total</th><td/><td/><td>1,000,000</td></tr></tbody></table>'
           '</caml:Content></caml:BillSection></caml:Bill></caml:MeasureDoc>').encode()
    assert paragraphs(parse_caml(xml).text) == [
        "SEC. 2.", "Item 4440 is amended to read:",
        "(1) | 4440-101-0001 | Mental health services | 1,000,000",
        "Total | | | 1,000,000"]


def test_an_old_print_table_drawn_with_line_breaks_keeps_one_row_per_line() -> None:
    # SB 729 (1989): the ballot measure's box is lines separated by <br/> in a NCTTable span.
    text = parse_caml((FILES / "pubinfo/archive/1989/BILL_VERSION_TBL_1094.lob").read_bytes()).text
    paras = paragraphs(text)
    assert "' Shall the proposed work or project for ' _ '" in paras
    assert "' Zones No. ___ in the Monterey Peninsula ' No '_' '" in paras


# --- defect 8: the Governor's message is headed by what the Governor did ------------------

def add_message(factory: sessionmaker[Session], bill_id: str, text: str) -> None:
    """Synthetic message text: the sample's own message file is missing upstream."""
    with factory() as s:
        row = s.get(VetoMessage, bill_id) or VetoMessage(bill_id=bill_id)
        row.veto_date, row.message = date(2025, 10, 11), text
        s.add(row)
        s.commit()


def message_heading(page: str) -> str:
    found = re.search(r'<h2 id="veto-h">([^<(]+)', page)
    assert found, "no message section"
    return found.group(1).strip()


def test_a_signed_bills_message_is_the_signing_message(seeded: sessionmaker[Session]) -> None:
    add_message(seeded, "202520260AB831", "I am signing Assembly Bill 831.")
    with site(seeded) as c:
        assert message_heading(c.get("/bills/AB-831").text) == "The Governor's signing message"
        assert message_heading(c.get("/bills/AB-831?lang=es").text) == "El mensaje del Gobernador al firmar la ley"


def test_a_vetoed_bills_message_is_the_veto_message(seeded: sessionmaker[Session]) -> None:
    add_message(seeded, "202520260SB275", "I am returning Senate Bill 275 without my signature.")
    with site(seeded) as c:
        assert message_heading(c.get("/bills/SB-275").text) == "The Governor's veto message"
        assert message_heading(c.get("/bills/SB-275?lang=es").text) == "El mensaje de veto del Gobernador"


def test_a_message_for_a_bill_neither_signed_nor_vetoed_has_a_neutral_heading(
        seeded: sessionmaker[Session]) -> None:
    add_message(seeded, "202520260AB1656", "A message.")
    with site(seeded) as c:
        assert message_heading(c.get("/bills/AB-1656").text) == "The Governor's message"
        assert message_heading(c.get("/bills/AB-1656?lang=es").text) == "El mensaje del Gobernador"


# --- defect 10: every joint lead author --------------------------------------------------

@pytest.fixture
def archive_1999(db_url: str) -> Iterator[TestClient]:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    ingest_snapshot(factory, read_snapshot(FILES / "pubinfo/archive/1999"),
                    matcher=load_matcher(PROJECT_ROOT / "config" / "topics.toml"))
    with site(factory) as c:
        yield c
    engine.dispose()


def meta_line(page: str) -> str:
    return " ".join(lxml.html.fromstring(page).cssselect("p.meta")[0].text_content().split())


def test_the_bill_page_names_every_joint_lead_author_primary_first(archive_1999: TestClient) -> None:
    # ABX1 1 (1999): Villaraigosa (primary), Strom-Martin and Alquist are all lead authors.
    assert meta_line(archive_1999.get("/bills/ABX1-1").text).endswith(
        "Authors: Villaraigosa, Strom-Martin and Alquist")
    assert meta_line(archive_1999.get("/bills/ABX1-1?lang=es").text).endswith(
        "Autores: Villaraigosa, Strom-Martin y Alquist")


def test_a_bill_with_one_lead_author_says_author(client: TestClient) -> None:
    assert meta_line(client.get("/bills/SB-275").text).endswith("Author: Smallwood-Cuevas")


def test_spanish_joins_a_name_starting_with_an_i_sound_with_e() -> None:
    from tracker.i18n import and_list

    assert and_list(["Ruiz", "Irwin"], translations("es")) == "Ruiz e Irwin"
    assert and_list(["Ruiz", "Bauer-Kahan", "Alvarez"], translations("es")) == "Ruiz, Bauer-Kahan y Alvarez"
    assert and_list(["Ruiz", "Irwin"], translations("en")) == "Ruiz and Irwin"


# --- defect 13: explain finds bills the way show does ------------------------------------

def test_explain_finds_a_bill_of_another_session_like_show(db_url: str, tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "var")}
    tracker("init", env=env)
    tracker("import-pubinfo", str(FILES / "pubinfo/archive/1989"), env=env)
    assert tracker("show", "SCR 39", env=env).stdout.startswith("SCR 39 (198919900SCR39)")
    assert tracker("explain", "SCR 39", env=env).stdout.startswith("SCR 39 (198919900SCR39): ")
