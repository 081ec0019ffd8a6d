"""Helpers shared by CLI modules: settings, database access, progress bars."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import make_engine, session_factory
from tracker.db.migrate import is_current
from tracker.errors import TrackerError
from tracker.settings import Settings, get_settings


def settings() -> Settings:
    return get_settings()


def engine(require_current: bool = True) -> Engine:
    """The configured engine; refuses to run against a database that was never initialised."""
    eng = make_engine(settings().database_url)
    if require_current and not is_current(eng):
        raise TrackerError(
            "the database is not initialised or is out of date: run 'tracker init' first"
        )
    return eng


def sessions(require_current: bool = True) -> sessionmaker[Session]:
    return session_factory(engine(require_current))


@contextmanager
def read_session() -> Iterator[Session]:
    factory = sessions()
    with factory() as session:
        yield session


def interactive() -> bool:
    """Progress bars only on a terminal; pipes and CI logs stay quiet."""
    return sys.stderr.isatty()


def check_port(host: str, port: int) -> None:
    """Say so in one line when the port is taken, before claiming to serve on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise TrackerError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                               "(is another program using it? choose another with --port)") from None
