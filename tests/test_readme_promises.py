"""Behaviours the README promises, each held down by a test.

Document goldens cannot go missing unnoticed; a bad list setting names itself and shows an
example; long work shows a progress bar on a terminal and stays quiet in a pipe; the bulk
channel's Monday–Saturday delta zip is fetched from the replica and imported.
"""

from __future__ import annotations

import os
import pty
import subprocess
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from spiders.pubinfo import latest_posting_day
from tests.clirun import TRACKER, tracker
from tests.test_docs_common import GOLDEN, MINI, golden
from tests.test_poll_e2e import Tracker, replica  # noqa: F401  (fixture)
from tracker.replica.server import ReplicaServer

# Document goldens -----------------------------------------------------------------------------


def test_a_missing_document_golden_fails_says_how_to_create_it_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    with pytest.raises(pytest.fail.Exception) as failed:
        golden("sheets.en.html", "<html lang=en></html>", folder=tmp_path)
    assert str(failed.value) == (
        f"golden file {tmp_path / 'sheets.en.html'} is missing: to create it deliberately, run "
        "UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_docs_golden.py, then review and commit the new file")
    assert list(tmp_path.iterdir()) == []


def test_update_golden_writes_a_document_golden_deliberately(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    golden("sheets.en.html", "<html lang=en></html>", folder=tmp_path)
    assert (tmp_path / "sheets.en.html").read_text(encoding="utf-8") == "<html lang=en></html>"


def test_every_document_the_accessibility_tests_read_has_its_golden_file() -> None:
    """Those tests skip a missing file; its absence is a failure here instead."""
    from tests.test_docs_accessibility import DOCS

    assert [name for name in DOCS if not (GOLDEN / name).is_file()] == []


# Settings: a list not written as JSON --------------------------------------------------------

@pytest.mark.parametrize(("variable", "value", "message"), [
    ("TRACKER_WEB__TRUSTED_PROXIES", "10.0.0.1",
     'invalid setting web.trusted_proxies [TRACKER_WEB__TRUSTED_PROXIES]: must be written as JSON, '
     'such as ["10.0.0.1", "192.168.10.0/24"] (got \'10.0.0.1\')'),
    ("TRACKER_ALERTS__STAFF_EMAILS", "staff@example.org, director@example.org",
     'invalid setting alerts.staff_emails [TRACKER_ALERTS__STAFF_EMAILS]: must be written as JSON, '
     'such as ["staff@example.org", "director@example.org"] (got \'staff@example.org, director@example.org\')'),
    ("TRACKER_ALERTS__CRISIS_RESOURCES", "call 211",  # no example of its own: its table's keys
     'invalid setting alerts.crisis_resources [TRACKER_ALERTS__CRISIS_RESOURCES]: must be written as '
     'JSON, such as [{"name": "...", "how": "..."}] (got \'call 211\')'),
])
def test_a_list_setting_not_written_as_json_names_that_setting_and_shows_an_example(
        variable: str, value: str, message: str) -> None:
    # a good setting of the same section beside it is not blamed
    neighbour = {"TRACKER_WEB__PORT": "8080", "TRACKER_ALERTS__STAFF_LANG": "es"}
    proc = tracker("runs", env={**neighbour, variable: value}, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"tracker: error: {message}"]


# Long work: a progress bar on a terminal, nothing in a pipe --------------------------------

def _import_with_stderr_on_a_terminal(env: dict[str, str]) -> tuple[int, str]:
    """``tracker import-pubinfo`` of the mini extract with its stderr on a pseudo-terminal
    (stdout stays a pipe); its exit code and everything it wrote to the terminal."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([TRACKER, "import-pubinfo", str(MINI)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    seen = bytearray()

    def drain() -> None:  # keep reading, or a full terminal buffer would block the import
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the process closed its end
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    proc.communicate(timeout=300)
    reader.join(timeout=30)
    os.close(controller)
    return proc.returncode, seen.decode("utf-8", "replace")


def test_an_import_shows_a_progress_bar_on_a_terminal() -> None:
    tracker("init")
    code, terminal = _import_with_stderr_on_a_terminal({**os.environ, "TERM": "xterm-256color"})
    assert code == 0
    assert "importing" in terminal and "━" in terminal  # the bar, drawn (and cleared) on stderr


def test_an_import_stays_quiet_in_a_pipe() -> None:
    tracker("init")
    proc = tracker("import-pubinfo", str(MINI), env={"TERM": "xterm-256color"})
    assert [line for line in proc.stderr.splitlines() if not line.startswith("warning: ")] == []
    assert "\x1b" not in proc.stderr  # no terminal control codes either
    assert proc.stdout.startswith(f"imported {MINI}: ") and len(proc.stdout.splitlines()) == 1


# The bulk channel's Monday–Saturday delta zip ------------------------------------------------

def _a_time_zone_with_a_weekday_extract() -> str:
    """A time zone in which the newest posted extract now is a Monday–Saturday one, so a delta
    exists whatever day the test runs (Pacific time first; the others' Sunday windows differ)."""
    now = datetime.now(timezone.utc)
    return next(tz for tz in ("America/Los_Angeles", "Pacific/Pago_Pago", "Pacific/Kiritimati")
                if latest_posting_day(now, tz) != "Sun")


def test_poll_with_delta_fetches_the_days_delta_zip_and_imports_the_bills_it_carries(
        db_url: str, replica: ReplicaServer, tmp_path: Path) -> None:  # noqa: F811
    t = Tracker(db_url, replica)
    tz = _a_time_zone_with_a_weekday_extract()
    t.env |= {"TRACKER_DATA_DIR": str(tmp_path / "var"), "TRACKER_SCHEDULE__TIMEZONE": tz}
    t("init")
    t("poll", "--source", "pubinfo")  # last night's full snapshot
    before = len(t.events())
    t.client.post("action", bill_id="AB 1656", action="Read third time. Passed. Ordered to the Assembly.",
                  status="Enrolled")
    t.client.fault("/pubinfo/pubinfo_daily_", "status", status=404)  # only the delta can bring it
    t.client.reset_stats()

    proc = t("poll", "--source", "pubinfo", "--delta", ok=False)
    day = latest_posting_day(datetime.now(timezone.utc), tz)
    fetched = {path for path in t.client.stats() if path.startswith("/pubinfo/")}
    assert fetched == {f"/pubinfo/pubinfo_daily_{day}.zip", f"/pubinfo/pubinfo_{day}.zip"}, proc.stdout
    kinds = [(e.bill_id, e.kind) for e in t.events()[before:]]
    assert ("202520260AB1656", "new_action") in kinds and ("202520260AB1656", "status_changed") in kinds
    bills = t.bills()
    assert bills["202520260AB1656"]["current_status"] == "Enrolled"
    assert len(bills) == 4  # a delta holds the changed bills only: the others stay as they were
    assert {bill for bill, _kind in kinds if bill} == {"202520260AB1656"}


def test_the_example_for_a_list_of_tables_is_a_value_the_setting_accepts() -> None:
    proc = tracker("config", "show", env={"TRACKER_ALERTS__CRISIS_RESOURCES":
                                          '[{"name": "County warmline", "how": "call 555-0100"}]'}, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "County warmline" in proc.stdout
