"""Record "the mail server accepted message N" in the shortest window a crash could hit.

Split from ``tracker.alerts.sender`` because it is the one place where the database's trouble
(a long import holding SQLite's write lock, a PostgreSQL restart) is waited out rather than
reported: the server already has the message, so giving up would send it twice.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

import psycopg
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from tracker.db.base import utcnow
from tracker.errors import TrackerError

MARK_PATIENCE = 900.0  # seconds: longer than any import holds SQLite's write lock
log = logging.getLogger("tracker.send")


class DatabaseTrouble(TrackerError):
    """The database failed us mid-run (connection lost, server shutting down, lock timeout).

    Not the message's fault: the rows this run holds stay queued (put back now if the database
    still answers, or by the next run's recovery), and the run stops with this one line.
    """


def database_trouble(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's trouble (passes with time) rather than a message's.

    Connection and server errors (SQLAlchemy's OperationalError/InterfaceError/pool timeout,
    a connection it invalidated, and the same errors raised by a raw DB-API connection) are;
    a programming error, bad data or a template error is not.
    """
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
                            sa_exc.DisconnectionError, sqlite3.OperationalError,
                            psycopg.OperationalError, psycopg.InterfaceError))


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__


class SentMarker:
    """Records "the server accepted row N" as fast as possible: the crash window is this call.

    A dedicated raw DB-API connection runs one prepared UPDATE and a COMMIT (tens of
    microseconds on SQLite in WAL mode), bypassing ORM bookkeeping. On PostgreSQL this
    connection uses ``synchronous_commit = off``: the commit is visible at once and survives
    our process being killed; only a crash of the database server itself within a fraction of
    a second could forget a mark, and that costs a duplicate, never a lost message.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        mark = "?" if self.sqlite else "%s"
        self.sql = (f"UPDATE outbox_message SET status = 'sent', attempt_id = NULL, "
                    f"last_error = NULL, sent_at = {mark} WHERE id = {mark}")
        self.raw: Any = None
        self._connect()

    def _connect(self) -> None:
        self.raw = self.engine.raw_connection()
        if not self.sqlite:
            cur = self.raw.cursor()
            cur.execute("SET synchronous_commit TO OFF")
            cur.close()
            self.raw.commit()

    def _reconnect(self) -> None:
        """Drop a connection the database lost (never back into the pool) and open a fresh one;
        when the database does not answer yet, the next try in ``mark`` opens it."""
        old, self.raw = self.raw, None
        if old is not None:
            try:
                old.invalidate()
            except Exception:  # noqa: BLE001 - it is gone already; nothing to release
                pass
        self._connect()

    def mark(self, row_id: int) -> None:
        """Record the send, waiting out a writer that holds the database (a long import) or a
        lost connection (a database restart: each try opens a fresh one).

        The server has the message already: giving up here would send it again next run,
        so a busy or unreachable database is waited for (up to ``MARK_PATIENCE`` seconds),
        never skipped; then the run stops with one line.
        """
        now = utcnow()
        when: object = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else now
        deadline = time.monotonic() + MARK_PATIENCE
        pause = 0.05
        told = False
        while True:
            try:
                if self.raw is None:
                    self._connect()
                cur = self.raw.cursor()
                try:
                    cur.execute(self.sql, (when, row_id))
                    self.raw.commit()
                    return
                finally:
                    cur.close()
            except Exception as exc:  # noqa: BLE001 - sorted below: only the database's trouble waits
                if not database_trouble(exc):
                    raise
                busy = "locked" in str(exc) or "busy" in str(exc)
                if self.sqlite and not busy:
                    raise
                why = first_line(exc)
                try:
                    if busy:
                        self.raw.rollback()
                    else:
                        self._reconnect()
                except Exception as again:  # noqa: BLE001 - still unreachable: wait and try again
                    if not database_trouble(again):
                        raise
                    why = first_line(again)
            if not told:  # silence for minutes would look like a hang to an operator
                told = True
                log.warning("message %d was taken by the mail server; waiting up to %.0f s for the database "
                            "to record it (%s)", row_id, MARK_PATIENCE, why)
            if time.monotonic() >= deadline:
                raise TrackerError(f"message {row_id} was sent, but the database stayed busy or unreachable "
                                   f"for {MARK_PATIENCE:.0f} s ({why}); it may be sent again") from None
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def close(self) -> None:
        if self.raw is not None:
            try:
                self.raw.close()
            except Exception as exc:  # noqa: BLE001 - a lost connection has nothing left to close
                if not database_trouble(exc):
                    raise
