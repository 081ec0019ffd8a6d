"""Deliver pending outbox rows: render at send time, mark sent only after the server accepted.

Exactly-once, and the window that remains
-----------------------------------------
1. A batch of rows is *claimed* (``pending`` → ``sending`` with this run's ``attempt_id``) and
   committed before any SMTP command is sent.
2. Each message is sent; right after the server's 250 reply to DATA the row is marked ``sent``
   and committed, one row per commit, before the next message starts (``SentMarker``: one
   prepared UPDATE on a raw connection, tens of microseconds).
3. A run takes an exclusive ``flock`` on ``<data_dir>/send.lock`` (``tracker.locks``; released by the kernel even
   on SIGKILL). A run that holds the lock knows any ``sending`` row belongs to a dead run and
   puts it back to ``pending``: it is sent again with the *same* Message-ID.

The residual window: a SIGKILL after the server's 250 reply and before that commit finishes
re-sends that one message after restart (at-least-once for it; receivers that de-duplicate by
Message-ID drop it). SMTP offers no way to ask a server "did you accept this?", so the
window cannot be closed, only made small: it is one commit out of a whole SMTP exchange. Messages claimed but never handed to the server are sent exactly once on restart.
Run one sender per database (the lock enforces it per host).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts import mime
from tracker.alerts.messages import Renderer, personalise
from tracker.alerts.transport import (
    PermanentFailure, ServerUnreachable, TemporaryFailure, Transport, make_transport,
)
from tracker.db.base import utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber
from tracker.errors import TrackerError
from tracker.locks import exclusive
from tracker.settings import get_settings

OUT = OutboxMessage.__table__.c
MARK_PATIENCE = 900.0  # seconds: longer than any import holds SQLite's write lock
REFUSALS_TO_STOP = 3  # the server refused this many messages in a row (not their addresses): stop


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    canceled: int = 0
    recovered: int = 0
    connections: int = 0
    busy: bool = False
    problem: str = ""


def send_pending(factory: sessionmaker[Session], *, retry_now: bool = False,
                 limit: int | None = None, transport: Transport | None = None) -> SendReport:
    """Send everything that is due; safe to run again at any time (and after a crash)."""
    report = SendReport()
    with exclusive("send") as mine:
        if not mine:
            report.busy = True
            return report
        with factory() as s:
            report.recovered = _recover(s)
            asyncio.run(_run(s, transport or make_transport(get_settings().smtp), report,
                             retry_now, limit))
    return report


def _recover(s: Session) -> int:
    """Rows left ``sending`` by a run that died: we hold the lock, so they are orphans."""
    n = s.execute(update(OutboxMessage.__table__).where(OUT.status == "sending")
                  .values(status="pending", attempt_id=None)).rowcount
    s.commit()
    return int(n or 0)


def _claim(s: Session, attempt: str, batch: int, retry_now: bool, after_id: int) -> list[int]:
    now = utcnow()
    due = OUT.next_attempt_at <= now
    if retry_now:
        # Ignore backoff (never sending a digest before its period is over), once per row: in id
        # order past the last row claimed, so a row deferred in this run is not tried again now.
        due = or_(due, OUT.period.is_(None), OUT.attempts > 0)
        q = select(OUT.id).where(OUT.status == "pending", due, OUT.id > after_id).order_by(OUT.id)
    else:
        q = select(OUT.id).where(OUT.status == "pending", due).order_by(OUT.next_attempt_at, OUT.id)
    ids = list(s.execute(q.limit(batch)).scalars())
    if ids:
        s.execute(update(OutboxMessage.__table__)
                  .where(OUT.id.in_(ids), OUT.status == "pending")
                  .values(status="sending", attempt_id=attempt, attempts=OUT.attempts + 1))
    s.commit()
    return ids


def _domain() -> str:
    cfg = get_settings().smtp
    return cfg.message_id_domain or mime.envelope_address(cfg.sender).rpartition("@")[2] or "localhost"


def _list_unsubscribe(url: str) -> list[tuple[str, str]]:
    mailto = get_settings().smtp.unsubscribe_mailto
    value = f"<{url}>"
    if mailto:
        token = url.rsplit("/", 1)[-1]
        value += f",\r\n <mailto:{mailto}?subject={quote('unsubscribe ' + token)}>"
    return [("List-Unsubscribe", value), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Auto-Submitted", "auto-generated")]


def _backoff(attempts: int) -> timedelta:
    a = get_settings().alerts
    return timedelta(seconds=min(a.retry_base_seconds * 2 ** max(attempts - 1, 0), a.retry_max_seconds))


class SentMarker:
    """Records "the server accepted row N" as fast as possible: the crash window is this call.

    A dedicated raw DB-API connection runs one prepared UPDATE and a COMMIT (tens of
    microseconds on SQLite in WAL mode), bypassing ORM bookkeeping. On PostgreSQL this
    connection uses ``synchronous_commit = off``: the commit is visible at once and survives
    our process being killed; only a crash of the database server itself within a fraction of
    a second could forget a mark, and that costs a duplicate, never a lost message.
    """

    def __init__(self, engine: Engine) -> None:
        self.raw = engine.raw_connection()
        self.sqlite = engine.dialect.name == "sqlite"
        mark = "?" if self.sqlite else "%s"
        self.sql = (f"UPDATE outbox_message SET status = 'sent', attempt_id = NULL, "
                    f"last_error = NULL, sent_at = {mark} WHERE id = {mark}")
        if not self.sqlite:
            cur = self.raw.cursor()
            cur.execute("SET synchronous_commit TO OFF")
            cur.close()
            self.raw.commit()

    def mark(self, row_id: int) -> None:
        """Record the send, waiting out a writer that holds the database (a long import).

        The server has the message already: giving up here would send it again next run,
        so a busy database is waited for (up to ``MARK_PATIENCE`` seconds), never skipped.
        """
        now = utcnow()
        when: object = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else now
        deadline = time.monotonic() + MARK_PATIENCE
        pause = 0.05
        while True:
            cur = self.raw.cursor()
            try:
                cur.execute(self.sql, (when, row_id))
                self.raw.commit()
                return
            except sqlite3.OperationalError as exc:
                self.raw.rollback()
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise TrackerError(f"message {row_id} was sent, but the database stayed busy for "
                                       f"{MARK_PATIENCE:.0f} s; it may be sent again") from None
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
            finally:
                cur.close()

    def close(self) -> None:
        self.raw.close()


def _set(s: Session, row_id: int, **values: object) -> None:
    s.execute(update(OutboxMessage.__table__).where(OUT.id == row_id).values(**values))
    s.commit()


async def _run(s: Session, transport: Transport, report: SendReport, retry_now: bool,
               limit: int | None) -> None:
    cfg = get_settings()
    attempt = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    renderer = Renderer(s, utcnow())
    domain, sender = _domain(), cfg.smtp.sender
    mail_from = mime.envelope_address(sender)
    done = last_id = refusals = 0
    marker = SentMarker(s.get_bind())  # type: ignore[arg-type]
    try:
        while limit is None or done < limit:
            batch = cfg.alerts.send_batch if limit is None else min(cfg.alerts.send_batch, limit - done)
            ids = _claim(s, attempt, batch, retry_now, last_id)
            if not ids:
                break
            last_id = max(ids)
            q = (select(OutboxMessage, Subscriber).outerjoin(Subscriber)
                 .where(OutboxMessage.id.in_(ids), OutboxMessage.attempt_id == attempt)
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id))
            rows = list(s.execute(q))
            for i, (row, sub) in enumerate(rows):
                done += 1
                try:
                    refused = await _deliver(s, transport, renderer, row, sub, mail_from, sender, domain,
                                             report, marker)
                except ServerUnreachable as exc:
                    report.problem = str(exc)
                    _defer_rest(s, [r for r, _s in rows[i:]], str(exc), report)
                    return
                refusals = refusals + 1 if refused else 0
                if refusals >= REFUSALS_TO_STOP:  # it refuses everything: stop, keep the rest
                    report.problem = f"the SMTP server refuses our messages ({refused}); stopped, the rest wait"
                    _defer_rest(s, [r for r, _s in rows[i + 1:]], refused or "", report, tried=False)
                    return
            s.expire_all()
    finally:
        report.connections = transport.connections
        marker.close()
        await transport.close()


def _defer_rest(s: Session, rows: list[OutboxMessage], error: str, report: SendReport,
                tried: bool = True) -> None:
    """The server is unreachable or refuses us: put the rest of the batch back, with a wait.

    ``tried``: the first row was handed to the server (an attempt); the others never were."""
    if not rows:
        return
    when = utcnow() + _backoff(rows[0].attempts)
    values = {"status": "pending", "attempt_id": None, "next_attempt_at": when, "last_error": error}
    first, untried = (rows[:1], rows[1:]) if tried else ([], rows)
    if first:
        s.execute(update(OutboxMessage.__table__).where(OUT.id == first[0].id).values(**values))
    if untried:  # never handed to the server: this was not an attempt for them
        s.execute(update(OutboxMessage.__table__).where(OUT.id.in_([r.id for r in untried]))
                  .values(**values, attempts=OUT.attempts - 1))
    s.commit()
    report.deferred += len(rows)


async def _deliver(s: Session, transport: Transport, renderer: Renderer, row: OutboxMessage,
                   sub: Subscriber | None, mail_from: str, sender: str, domain: str,
                   report: SendReport, marker: SentMarker) -> str | None:
    """Send one row; returns the server's reply when it refused the message (not the address)."""
    cfg = get_settings()
    if row.subscriber_id is not None and not _eligible(row, sub):
        _set(s, row.id, status="canceled", attempt_id=None)
        report.canceled += 1
        return None
    rcpt = sub.email if sub is not None else (row.recipient or "")
    lang = sub.lang if sub is not None else cfg.alerts.staff_lang
    rendered = renderer.render(row, lang)
    text, html, unsub = personalise(rendered, sub.token_id if sub is not None else None, lang)
    msg_id = mime.message_id(row.key, row.id, domain)
    data = mime.build(sender=sender, to=rcpt, subject=rendered.subject, text=text, html=html,
                      msg_id=msg_id,
                      extra=[("Content-Language", lang)] + (_list_unsubscribe(unsub) if unsub else []),
                      reply_to=cfg.smtp.reply_to)
    name = f"{row.id:08d}-{hashlib.sha256(row.key.encode()).hexdigest()[:10]}"
    try:
        await transport.send(mail_from, rcpt, data, name)
    except ServerUnreachable:
        raise
    except TemporaryFailure as exc:
        _retry_later(s, row, str(exc), report)
        return None
    except PermanentFailure as exc:
        if not exc.bounce:  # spam or size filter, relay or sender policy: retried, never a bounce
            _retry_later(s, row, str(exc), report)
            return str(exc)
        _set(s, row.id, status="failed", attempt_id=None, last_error=str(exc))
        report.failed += 1
        if sub is not None:
            _bounce(s, sub)
        return None
    marker.mark(row.id)
    report.sent += 1
    return None


def _retry_later(s: Session, row: OutboxMessage, error: str, report: SendReport) -> None:
    if row.attempts >= get_settings().alerts.max_attempts:
        _set(s, row.id, status="failed", attempt_id=None, last_error=f"gave up: {error}")
        report.failed += 1
    else:
        _set(s, row.id, status="pending", attempt_id=None, last_error=error,
             next_attempt_at=utcnow() + _backoff(row.attempts))
        report.deferred += 1


def _eligible(row: OutboxMessage, sub: Subscriber | None) -> bool:
    if sub is None or sub.status != "active":
        return False
    if row.kind == "confirm":
        return sub.confirmed_at is None
    return sub.confirmed_at is not None


def _bounce(s: Session, sub: Subscriber) -> None:
    """Count a hard bounce; pause the address (and its queued mail) after too many."""
    count = sub.bounce_count + 1
    values: dict[str, object] = {"bounce_count": count}
    if count >= get_settings().alerts.bounce_pause_after:
        values["status"] = "paused"
        s.execute(update(OutboxMessage.__table__)
                  .where(OUT.subscriber_id == sub.id, OUT.status == "pending")
                  .values(status="canceled"))
    s.execute(update(Subscriber.__table__).where(Subscriber.__table__.c.id == sub.id).values(**values))
    s.commit()
    sub.bounce_count = count
    if "status" in values:
        sub.status = "paused"
