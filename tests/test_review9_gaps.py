"""Review 9 gaps: behaviours the README promises that no test held down before.

Document goldens cannot go missing unnoticed; a bad list setting names itself and shows an
example; long work shows a progress bar on a terminal and stays quiet in a pipe; the bulk
channel's Monday–Saturday delta zip is fetched from the replica and imported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import tracker
from tests.test_docs_common import GOLDEN, golden

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
    ("TRACKER_ALERTS__CRISIS_RESOURCES", "call 211",  # no example of its own: one of its shape
     'invalid setting alerts.crisis_resources [TRACKER_ALERTS__CRISIS_RESOURCES]: must be written as '
     'JSON, such as [{"key": "value"}] (got \'call 211\')'),
])
def test_a_list_setting_not_written_as_json_names_that_setting_and_shows_an_example(
        variable: str, value: str, message: str) -> None:
    # a good setting of the same section beside it is not blamed
    neighbour = {"TRACKER_WEB__PORT": "8080", "TRACKER_ALERTS__STAFF_LANG": "es"}
    proc = tracker("runs", env={**neighbour, variable: value}, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"tracker: error: {message}"]
