"""Shared helpers for the advocacy document tests (no tests here).

Documents are always rendered from real ingested sample data: the 2025-26 bills in
tests/files/pubinfo/mini, imported by the real ingest code into a fresh database.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade
from tracker.ingest.service import ingest_snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import load_matcher
from tracker.settings import get_settings

FILES = Path(__file__).parent / "files"
MINI = FILES / "pubinfo" / "mini"
ARCHIVE_1999 = FILES / "pubinfo" / "archive" / "1999"
ARCHIVE_1989 = FILES / "pubinfo" / "archive" / "1989"  # no history: stage not known
GOLDEN = FILES / "golden" / "docs"
AS_OF = date(2026, 11, 23)
LONGEST = "202520260AB831"  # the longest digest (3.8k chars) and title in the samples


def ingest(db_url: str, *paths: Path) -> sessionmaker[Session]:
    """A fresh database at ``db_url`` holding the given PUBINFO extracts."""
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    matcher = load_matcher(get_settings().topics_path)
    for path in paths or (MINI,):
        ingest_snapshot(factory, read_snapshot(path), matcher=matcher)
    return factory


def golden(name: str, actual: str, folder: Path = GOLDEN) -> None:
    """Compare with tests/files/golden/docs/<name>; UPDATE_GOLDEN=1 writes or rewrites the file.

    A missing golden file is a failure: writing it here and comparing it with itself would let
    a deleted golden pass (and the accessibility tests, which read these files, skip).
    """
    path = folder / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    elif not path.exists():
        pytest.fail(f"golden file {_shown(path)} is missing: to create it deliberately, run "
                    "UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_docs_golden.py, then review and "
                    "commit the new file", pytrace=False)
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file (UPDATE_GOLDEN=1 to accept)"


def _shown(path: Path) -> str:
    """``path`` relative to the project when it is inside it."""
    root = Path(__file__).resolve().parents[1]
    return str(path.resolve().relative_to(root)) if path.resolve().is_relative_to(root) else str(path)
