"""The packet command contract, run as an operator would (real CLI, real sample data)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.clirun import tracker
from tests.test_docs_common import ARCHIVE_1999, MINI

BILLS = {
    "AB 831": ("Gambling: operation of a contest or sweepstakes.", "Chaptered"),
    "SB 275": ("Eligible training provider list.", "Vetoed"),
    "AB 1656": ("Human trafficking case continuances.", "In Floor Process"),
    "AB 2052": ("Criminal procedure: continuances.", "In Floor Process"),
}


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("packet") / "tracker.db"
    e = {"TRACKER_DATABASE_URL": f"sqlite:///{db}"}
    tracker("init", env=e)
    tracker("import-pubinfo", str(MINI), env=e)
    tracker("import-pubinfo", str(ARCHIVE_1999), env=e)
    return e


def test_packet_one_page_per_bill_with_measure_title_status_and_date(env, tmp_path) -> None:
    out = tmp_path / "packet.pdf"
    tracker("packet", "--bills", ",".join(BILLS), "--out", str(out), "--as-of", "2026-11-23", env=env)
    assert len(PdfReader(out).pages) == len(BILLS)
    text = pdf_text(out)
    for measure, (title, status) in BILLS.items():
        assert measure in text and title in text and status in text
    assert "Status as of November 23, 2026" in text
    assert text.count("not yet decided") + text.count("Not yet decided") >= len(BILLS)
    assert "988" in text


def test_packet_default_as_of_is_today_in_california(env, tmp_path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from babel.dates import format_date

    out = tmp_path / "p.pdf"
    tracker("packet", "--bills", "SB 275", "--out", str(out), env=env)
    today = datetime.now(ZoneInfo("America/Los_Angeles")).date()
    assert f"Status as of {format_date(today, 'long', locale='en')}" in pdf_text(out)


def test_legislator_packet_has_cover_and_votes(env, tmp_path) -> None:
    out = tmp_path / "leg.pdf"
    tracker("positions", "set", "AB 1", "--position", "support", env=env)  # 1999: has votes
    tracker("packet", "--legislator", "Senator Alpert", "--bills", "AB 1,AB 831", "--out", str(out),
            "--as-of", "2026-11-23", env=env)
    text = pdf_text(out)
    pages = len(PdfReader(out).pages)
    assert pages == 3  # cover + two sheets
    assert "Alpert" in text and "How this legislator voted on our bills" in text
    assert "School finance" in text and "Yes" in text
    assert "2 Senate committees whose names are not in our data" in text and "CS61" not in text


def test_spanish_and_html(env, tmp_path) -> None:
    es = tmp_path / "es.pdf"
    tracker("packet", "--bills", "AB 1656", "--out", str(es), "--lang", "es", "--as-of", "2026-11-23", env=env)
    text = pdf_text(es)
    assert "Situación al 23 de noviembre de 2026" in text and "Nuestra posición" in text
    assert "Human trafficking case continuances." in text  # titles stay as published
    assert "Línea 988" in text
    html = tmp_path / "p.html"
    tracker("packet", "--bills", "AB 1656", "--out", str(html), "--format", "html", env=env)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args,name", [
    (["--bills", "AB 13,SB 33"], "AB 13"),
    (["--bills", "AB 831,XYZ 1"], "XYZ 1"),
    (["--legislator", "Nobody Atall", "--bills", "AB 831"], "Nobody Atall"),
])
def test_unknown_names_are_one_line_errors(env, tmp_path, args, name) -> None:
    proc = tracker("packet", *args, "--out", str(tmp_path / "x.pdf"), env=env, check=False)
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and name in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.pdf").exists()
