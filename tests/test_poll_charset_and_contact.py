"""The collection side: what a poll does with pages and files that are not what they say.

Each test runs the real ``tracker`` CLI against the replica on 127.0.0.1 with an injected fault
and reads the result from the database, the replica's request log, or the poll's output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from spiders.parsers import PageProblem, decode_page
from tests.test_poll_e2e import Tracker, replica  # noqa: F401  (fixture)
from tracker.replica.server import ReplicaServer

REAL_PAGE = Path(__file__).parent / "files" / "pages" / "billNavClient-SB190-2021.html"
REAL_URL = "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id=202120220SB190"
HISTORY = "/faces/billHistoryClient.xhtml"


def test_a_page_whose_bytes_are_not_its_declared_charset_is_a_page_problem() -> None:
    text = REAL_PAGE.read_text("utf-8").replace("Higher education budget trailer bill.", "Educación superior.")
    with pytest.raises(PageProblem, match="do not decode as utf-8"):
        decode_page(text.encode("cp1252", errors="replace"), "utf-8", REAL_URL)


def test_a_page_in_its_declared_charset_decodes_exactly() -> None:
    data = REAL_PAGE.read_bytes()
    assert decode_page(data, "utf-8", REAL_URL) == data.decode("utf-8")


def test_a_mis_encoded_history_page_leaves_the_bill_unchanged_and_is_read_next_poll(
        db_url: str, replica: ReplicaServer) -> None:  # noqa: F811
    t = Tracker(db_url, replica)
    t("init")
    t("poll", "--source", "pubinfo")
    t("poll", "--source", "web")
    t.sql("UPDATE bill SET watched = true WHERE bill_id = '202520260AB1656'")
    before = t.bills()["202520260AB1656"]
    t.client.post("action", bill_id="AB 1656", action="Re-referred to Com. on APPR. — urgency clause added.",
                  status="In Committee Process", when=date.today().isoformat())
    t.client.fault(HISTORY, "mis_encoded")
    n = len(t.events())
    out = t("poll", "--source", "web").stdout
    assert "do not decode as utf-8" in out, out
    assert t.bills()["202520260AB1656"] == before
    assert [k for _, k in t.kinds_after(n)] == ["source_problem"]

    t.client.post("faults/clear")
    n = len(t.events())
    t("poll", "--source", "web")
    new_actions = [b for b, k in t.kinds_after(n) if k == "new_action"]
    assert new_actions == ["202520260AB1656"]
    t("poll", "--source", "web")  # the action is stored once, with its dash intact
    assert t.kinds_after(n).count(("202520260AB1656", "new_action")) == 1


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``tracker ARGS`` in a child process with its own SQLite file and the given variables."""
    full = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
            "TRACKER_DATA_DIR": str(tmp_path / "var"), **env}
    return subprocess.run([sys.executable, "-c", "from tracker.cli import main; main()", *args],
                          env=full, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("contact", ["", "nobody", "two words@example.org", "ana@-.-", "ana@example..org"])
def test_a_contact_that_is_no_email_address_is_a_settings_error_naming_sources_contact(tmp_path: Path,
                                                                                    contact: str) -> None:
    proc = cli(tmp_path, "poll", "--source", "web", TRACKER_SOURCES__CONTACT=contact)
    assert proc.returncode == 2
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert len(lines) == 1 and "sources.contact [TRACKER_SOURCES__CONTACT]" in lines[0], lines


def test_a_real_host_is_not_polled_under_the_placeholder_contact(tmp_path: Path) -> None:
    assert cli(tmp_path, "init").returncode == 0
    proc = cli(tmp_path, "poll", "--source", "web", TRACKER_SOURCES__LEGINFO_URL="https://leginfo.invalid")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = [x for x in proc.stdout.splitlines() if "TRACKER_SOURCES__CONTACT" in x]
    assert "0 requests" in line and "placeholder" in line and "leginfo.invalid" in line


def test_a_real_contact_is_what_the_user_agent_carries(monkeypatch: pytest.MonkeyPatch) -> None:
    from spiders.settings import user_agent
    from tracker.settings import get_settings

    monkeypatch.setenv("TRACKER_SOURCES__CONTACT", " webmaster@peers.example.net ")
    get_settings.cache_clear()
    assert user_agent(get_settings()).endswith("(+mailto:webmaster@peers.example.net)")
