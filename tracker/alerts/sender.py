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

The sender's own session never holds a write transaction while a message is with the server:
on SQLite that lock would make step 2 wait for itself (``sent_marker.MARK_PATIENCE``) and then give up,
and the next run would send the message again.

A message the run cannot deliver is never silently dropped: a message that cannot be handed to
the server at all, or whose temporary failures outlast ``alerts.max_attempts``, is marked
``failed``, said in one line by ``tracker send``, and recorded for staff as a ``source_problem``
event (source ``email``, no address in it; staff only: ``tracker.alerts.notices`` keeps it out
of the public API, feeds and exports) in the same commit, which the weekly staff digest lists.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal
from urllib.parse import quote

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from tracker.alerts import mime
from tracker.alerts.messages import Renderer, personalise
from tracker.alerts.notices import EMAIL_NOTICE_PREFIX
from tracker.alerts.sent_marker import DatabaseTrouble, SentMarker, database_trouble, first_line
from tracker.alerts.transport import (
    PermanentFailure, ServerTimeout, ServerUnreachable, TemporaryFailure, Transport, Undeliverable,
    make_transport,
)
from tracker.db.base import utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber
from tracker.db.models_core import ChangeEvent
from tracker.ingest.keys import event_key
from tracker.locks import exclusive
from tracker.settings import get_settings
from tracker.signals import StopRequest, graceful_stop

OUT = OutboxMessage.__table__.c
log = logging.getLogger("tracker.send")
REFUSALS_TO_STOP = 3  # the server refused or ignored this many messages in a row: stop the run
_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")

#: What happened to one message, as the run's stop rule needs it: the server refused it
#: ("refused") or did not answer in time ("timeout") — a few in a row stop the run — or it
#: answered normally, whether accepting, bouncing or deferring ("answered"), or it was never
#: handed to the server ("untried": canceled, undeliverable).
Outcome = Literal["answered", "refused", "timeout", "untried"]


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
    #: Stopped by SIGTERM / Ctrl-C after finishing the message in hand; the rest stay queued.
    stopped: bool = False
    #: One line per message set aside for good (not bounces): ``tracker send`` prints each.
    notes: list[str] = field(default_factory=list)


def send_pending(factory: sessionmaker[Session], *, retry_now: bool = False,
                 limit: int | None = None, transport: Transport | None = None) -> SendReport:
    """Send everything that is due; safe to run again at any time (and after a crash)."""
    report = SendReport()
    with exclusive("send") as mine:
        if not mine:
            report.busy = True
            return report
        with factory() as s, graceful_stop() as stop:
            report.recovered = _recover(s)
            asyncio.run(_run(s, transport or make_transport(get_settings().smtp), report,
                             retry_now, limit, stop))
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
    # SKIP LOCKED (PostgreSQL; SQLite has one writer anyway): a row an import is extending with
    # more news right now is left for the next run, so neither waits on the other (no deadlock)
    ids = list(s.execute(q.limit(batch).with_for_update(skip_locked=True)).scalars())
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


def _set(s: Session, row_id: int, **values: object) -> None:
    s.execute(update(OutboxMessage.__table__).where(OUT.id == row_id).values(**values))
    s.commit()


async def _run(s: Session, transport: Transport, report: SendReport, retry_now: bool,
               limit: int | None, stop: StopRequest | None = None) -> None:
    cfg = get_settings()
    attempt = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    renderer = Renderer(s, utcnow())
    domain, sender = _domain(), cfg.smtp.sender
    mail_from = mime.envelope_address(sender)
    done = last_id = streak = 0
    marker = SentMarker(s.get_bind())  # type: ignore[arg-type]
    try:
        while limit is None or done < limit:
            if stop is not None and stop.asked:
                report.stopped = True
                break
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
                    outcome, reply = await _deliver(s, transport, renderer, row, sub, mail_from, sender,
                                                    domain, report, marker)
                except ServerUnreachable as exc:
                    report.problem = str(exc)
                    _defer_rest(s, [r for r, _s in rows[i:]], str(exc), report)
                    return
                except DatabaseTrouble:
                    _put_back(s, [r.id for r, _s in rows[i:]])
                    raise
                if outcome in ("refused", "timeout"):
                    streak += 1
                elif outcome == "answered":
                    streak = 0
                if stop is not None and stop.asked:  # a signal: the message in hand is recorded
                    report.stopped = True
                    _put_back(s, [r.id for r, _s in rows[i + 1:]])
                    return
                if streak >= REFUSALS_TO_STOP:  # it refuses or ignores everything: stop, keep the rest
                    report.problem = (
                        f"the SMTP server did not answer within {cfg.smtp.timeout:g} s for "
                        f"{REFUSALS_TO_STOP} messages in a row; stopped, the rest wait for the next run"
                        if outcome == "timeout" else
                        f"the SMTP server refuses our messages ({reply}); stopped, the rest wait")
                    _defer_rest(s, [r for r, _s in rows[i + 1:]], reply, report, tried=False)
                    return
            s.expire_all()
    finally:
        report.connections = transport.connections
        marker.close()
        await transport.close()


def _put_back(s: Session, ids: list[int]) -> None:
    """The database failed mid-run: return the rows this run holds to the queue, unchanged but
    for the attempt it did not make. Best effort: when the database does not answer, the next
    run (holding the send lock) finds them ``sending`` and puts them back itself."""
    if not ids:
        return
    try:
        s.rollback()
        s.execute(update(OutboxMessage.__table__).where(OUT.id.in_(ids), OUT.status == "sending")
                  .values(status="pending", attempt_id=None, attempts=OUT.attempts - 1))
        s.commit()
    except Exception as exc:  # noqa: BLE001 - the database is in trouble already; recovery covers it
        if not database_trouble(exc):
            raise
        try:
            s.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; nothing more to undo here
            pass


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
                   report: SendReport, marker: SentMarker) -> tuple[Outcome, str]:
    """Send one row; returns what happened (for the stop rule) and the server's reply."""
    cfg = get_settings()
    if row.subscriber_id is not None and not _eligible(row, sub):
        _set(s, row.id, status="canceled", attempt_id=None)
        report.canceled += 1
        return "untried", ""
    rcpt = sub.email if sub is not None else (row.recipient or "")
    lang = _lang(row, sub)
    try:
        rendered = renderer.render(row, lang)
        text, html, unsub = personalise(rendered, sub.token_id if sub is not None else None, lang)
        msg_id = mime.message_id(row.key, row.id, domain)
        data = mime.build(sender=sender, to=rcpt, subject=rendered.subject, text=text, html=html,
                          msg_id=msg_id,
                          extra=[("Content-Language", lang)] + (_list_unsubscribe(unsub) if unsub else []),
                          reply_to=cfg.smtp.reply_to)
    except Exception as exc:  # noqa: BLE001 - one broken message must not stop everyone's alerts
        if database_trouble(exc):
            # The database failed while we read what to write: not this message's fault, so it
            # stays queued for the next run instead of being set aside for good.
            raise DatabaseTrouble(f"database problem while preparing message {row.id}: {first_line(exc)}; "
                                  "it and the rest of this run's messages stay queued for the next run") from None
        s.rollback()
        _give_up(s, row, f"could not be written: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                 report)
        return "untried", ""
    # Rendering read the database (and may have flushed): end that transaction before the
    # server has the message, so marking it sent never waits for our own lock.
    s.commit()
    name = f"{row.id:08d}-{hashlib.sha256(row.key.encode()).hexdigest()[:10]}"
    try:
        await transport.send(mail_from, rcpt, data, name)
    except ServerUnreachable:
        raise
    except ServerTimeout as exc:
        _retry_later(s, row, str(exc), report)
        return "timeout", str(exc)
    except TemporaryFailure as exc:
        _retry_later(s, row, str(exc), report)
        return "answered", str(exc)
    except Undeliverable as exc:
        if exc.address and sub is not None:
            # Every message to this address would fail the same way: pause it now, with one
            # staff notice naming the subscriber (not one notice per alert).
            _pause(s, sub)
            _give_up(s, row, f"{exc}; the subscriber is paused until staff fix or remove the address", report)
        else:
            _give_up(s, row, str(exc), report)
        return "untried", str(exc)
    except PermanentFailure as exc:
        if not exc.bounce:  # spam or size filter, relay or sender policy: retried, never a bounce
            _retry_later(s, row, str(exc), report)
            return "refused", str(exc)
        _set(s, row.id, status="failed", attempt_id=None, last_error=str(exc))
        report.failed += 1
        if sub is not None:
            _bounce(s, sub)
        return "answered", str(exc)
    marker.mark(row.id)
    report.sent += 1
    return "answered", ""


def _lang(row: OutboxMessage, sub: Subscriber | None) -> str:
    """The reader's language; a confirmation carrying a sign-up request speaks the language asked
    for there (a paused member coming back in Spanish reads the confirmation in Spanish)."""
    if sub is None:  # staff: the language `tracker digest --send --lang` asked for, else theirs
        return str((row.reasons or {}).get("lang") or get_settings().alerts.staff_lang)
    request = (row.reasons or {}).get("sign_up") if row.kind == "confirm" else None
    return str(request.get("lang") or sub.lang) if isinstance(request, dict) else sub.lang


def _retry_later(s: Session, row: OutboxMessage, error: str, report: SendReport) -> None:
    if row.attempts >= get_settings().alerts.max_attempts:
        _give_up(s, row, f"gave up after {row.attempts} attempts: {error}", report)
    else:
        _set(s, row.id, status="pending", attempt_id=None, last_error=error,
             next_attempt_at=utcnow() + _backoff(row.attempts))
        report.deferred += 1


def _give_up(s: Session, row: OutboxMessage, reason: str, report: SendReport) -> None:
    """Set one message aside for good, and tell staff in the same commit (never lost quietly).

    The staff notice is a ``source_problem`` event like a broken source's: the staff digest lists
    it. The notice names the outbox row and the subscriber's id (so staff can act), never the
    address (addresses inside a server's reply are blanked too).
    """
    clean = _ADDRESS.sub("<address>", reason)
    what = {"confirm": "confirmation", "manage": "preferences link", "alert": "alert",
            "digest": "digest", "staff_digest": "staff digest"}.get(row.kind, row.kind)
    to = f" to subscriber {row.subscriber_id}" if row.subscriber_id is not None else ""
    message = f"{what} message {row.id}{to} was not delivered: {clean}"
    s.execute(update(OutboxMessage.__table__).where(OUT.id == row.id)
              .values(status="failed", attempt_id=None, last_error=reason))
    s.add(ChangeEvent(bill_id=None, kind="source_problem", summary=f"{EMAIL_NOTICE_PREFIX}{message}",
                      before=None, after={"source": "email", "message": message, "outbox_id": row.id},
                      dedupe_key=event_key(None, "source_problem", "email", f"outbox:{row.id}")))
    s.commit()
    report.failed += 1
    report.notes.append(message)


def _eligible(row: OutboxMessage, sub: Subscriber | None) -> bool:
    if sub is None:
        return False
    if row.kind == "confirm":
        # A new address, or a paused or unsubscribed member asking to come back (confirming
        # reactivates them with the choices the request carries).
        return (sub.status == "active" and sub.confirmed_at is None) or (
            sub.status in ("paused", "unsubscribed") and isinstance((row.reasons or {}).get("sign_up"), dict))
    return sub.status == "active" and sub.confirmed_at is not None


def _pause(s: Session, sub: Subscriber) -> None:
    """Pause an address the server cannot take, and cancel what is queued for it (committed by
    the caller's ``_give_up``); later alerts are canceled as for any paused member."""
    s.execute(update(OutboxMessage.__table__)
              .where(OUT.subscriber_id == sub.id, OUT.status == "pending")
              .values(status="canceled"))
    s.execute(update(Subscriber.__table__).where(Subscriber.__table__.c.id == sub.id).values(status="paused"))
    set_committed_value(sub, "status", "paused")


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
    # Keep the loaded object in step without making it dirty: a dirty object is flushed by the
    # next query, which on SQLite holds the write lock that SentMarker then waits for.
    set_committed_value(sub, "bounce_count", count)
    if "status" in values:
        set_committed_value(sub, "status", "paused")
