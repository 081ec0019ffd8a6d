"""Helpers shared by CLI modules: settings, database access, progress bars."""

from __future__ import annotations

import re
import shlex
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import make_engine, session_factory
from tracker.db.migrate import is_current
from tracker.errors import TrackerError
from tracker.settings import Settings, get_settings


def settings() -> Settings:
    return get_settings()


def engine(require_current: bool = True) -> Engine:
    """The configured engine; refuses to run against a database that was never initialised.

    Only ``tracker init`` (``require_current=False``) may create a SQLite file: any other
    command run from the wrong directory would otherwise leave an empty database (and its
    folder) behind there and blame the operator for not running init.
    """
    url = settings().database_url
    sqlite_file = _sqlite_file(url)
    if require_current and sqlite_file is not None and not sqlite_file.exists():  # a folder: said below
        relative = not Path(make_url(url).database or "").is_absolute()
        advice = ("run 'tracker init' in the project directory, or set TRACKER_DATABASE_URL to an absolute path"
                  if relative else "run 'tracker init' first, or check TRACKER_DATABASE_URL")
        raise TrackerError(f"the database {sqlite_file} does not exist: {advice}")
    eng = make_engine(url)
    try:
        with eng.connect():  # pooled: the checks below reuse this connection
            pass
    except OperationalError as exc:
        raise TrackerError(_unreachable(eng, exc)) from None
    if require_current and not is_current(eng):
        which = f" {sqlite_file}" if sqlite_file is not None else ""
        raise TrackerError(
            f"the database{which} is not initialised or is out of date: run 'tracker init' first"
        )
    return eng


def _sqlite_file(url: str) -> Path | None:
    """The absolute path of a SQLite database file (relative ones are under the working
    directory); None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:" \
            or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).absolute()


def _unreachable(eng: Engine, exc: OperationalError) -> str:
    """One line for a database we cannot connect to, with the advice that fits: a PostgreSQL
    database that does not exist must be created (``tracker init`` creates tables, not
    databases); anything else (server down, unknown role, wrong password) is said as it is."""
    first = (str(exc.orig) if exc.orig else str(exc)).strip().splitlines()[0]
    missing = re.search(r'database "([^"]+)" does not exist', first)
    url = eng.url
    if eng.dialect.name == "postgresql" and missing:
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        createdb = shlex.join(["createdb", *(["-h", url.host] if url.host else []),
                             *(["-p", str(url.port)] if url.port else []),
                             *(["-U", url.username] if url.username else []), missing.group(1)])
        return (f"the database {missing.group(1)!r} does not exist on the PostgreSQL server {where}: "
                f"create it first ({createdb}), then run 'tracker init' to create its tables")
    shown = make_url(settings().database_url).render_as_string(hide_password=True)  # as configured
    return f"database problem: cannot connect to {shown}: {first}"


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
