"""Shared fixtures: real databases (SQLite file and PostgreSQL), fixture paths, settings.

Database tests take the ``db_url`` fixture and run once per backend. PostgreSQL is the server
on 127.0.0.1:5432 (override with ``TRACKER_TEST_PG_URL``); each test gets its own schema, so
tests never see each other's rows. Outside CI an unreachable PostgreSQL skips those runs; under
CI (``CI=true``) it fails them, because CI must prove both backends work.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import make_engine, session_factory
from tracker.db.migrate import upgrade

FILES = Path(__file__).parent / "files"
PG_URL = os.environ.get("TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_problem() -> str | None:
    return _pg_available()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_problem: str | None) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    if pg_problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable under CI: {pg_problem}")
        pytest.skip(f"PostgreSQL unreachable: {pg_problem}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a fresh database at the newest schema (a test module may define its own)."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def files() -> Path:
    return FILES


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Tests never read the developer's environment or write into the working tree."""
    for key in list(os.environ):
        if key.startswith("TRACKER_") and key != "TRACKER_TEST_PG_URL":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    monkeypatch.setenv("TRACKER_SMTP__OUTBOX_DIR", str(tmp_path / "outbox"))
    from tracker.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
