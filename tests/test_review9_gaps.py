"""Review 9 gaps: behaviours the README promises that no test held down before.

Document goldens cannot go missing unnoticed; a bad list setting names itself and shows an
example; long work shows a progress bar on a terminal and stays quiet in a pipe; the bulk
channel's Monday–Saturday delta zip is fetched from the replica and imported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
