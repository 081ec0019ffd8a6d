"""CAML bill XML: clean text of one version, amendment marks dropped."""

from __future__ import annotations

from pathlib import Path

from tracker.pubinfo.caml import parse_caml


def test_introduced_version_yields_subject_title_digest_and_authors(files: Path) -> None:
    doc = parse_caml((files / "pubinfo/mini/BILL_VERSION_TBL_714.lob").read_bytes())
    assert doc.subject == "Eligible training provider list."
    assert doc.title and doc.title.startswith("An act to amend Section 14020 of the Unemployment Insurance Code")
    assert doc.digest and doc.digest.startswith("Existing law provides that the California Workforce Development Board")
    assert ("Smallwood-Cuevas", "SENATE", "LEAD_AUTHOR") in doc.authors
    assert doc.action_date == "2025-02-04"


def test_amended_text_keeps_insertions_and_drops_struck_text() -> None:
    xml = (b'<?xml version="1.0"?><caml:MeasureDoc xmlns:caml="http://lc.ca.gov/legalservices/schemas/caml.1#">'
           b'<caml:Description xmlns="http://www.w3.org/1999/xhtml"><caml:Id>X</caml:Id>'
           b'<caml:DigestText><p>This bill would <?xm-deletion_mark data="repeal the fund"?>'
           b'<?xm-insertion_mark_start?>expand crisis services<?xm-insertion_mark_end?>.</p></caml:DigestText>'
           b'</caml:Description><caml:Bill><caml:BillSection><p>SECTION 1. Text.</p></caml:BillSection></caml:Bill>'
           b'</caml:MeasureDoc>')
    doc = parse_caml(xml)
    assert doc.digest == "This bill would expand crisis services."
    assert "repeal the fund" not in (doc.digest or "")


def test_real_amended_print_has_no_deleted_text(files: Path) -> None:
    raw = (files / "pubinfo/mini/BILL_VERSION_TBL_11936.lob").read_bytes()
    doc = parse_caml(raw)
    assert "xm-" not in (doc.text or "")
    assert doc.text and "SECTION 1." in doc.text


def test_malformed_xml_is_recovered_not_fatal(files: Path) -> None:
    raw = (files / "pubinfo/mini/BILL_VERSION_TBL_714.lob").read_bytes()
    broken = raw.replace(b"</caml:Title>", b"</caml:Title><p>stray <b>unclosed</p>", 1)
    doc = parse_caml(broken)
    assert doc.subject == "Eligible training provider list."


def test_en_spaces_separate_words_and_correction_notes_are_not_bill_text(files) -> None:
    doc = parse_caml((files / "pubinfo/mini/BILL_VERSION_TBL_6255.lob").read_bytes())
    assert "(a) The California Workf" in doc.text and "(a)The" not in doc.text
    assert "REVISIONS" not in doc.text and "Heading—Line 2." not in doc.text
