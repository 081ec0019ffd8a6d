"""A real SMTP server on loopback for tests, the benchmark and ``send`` dry runs.

``RecordingServer`` wraps an aiosmtpd ``Controller`` on 127.0.0.1 with a handler that records
every accepted message, counts connections, and can be told to answer 421/451/550 or to stall
(so a test can SIGKILL the sender while a message is in flight, before the server accepts it).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RecordingHandler:
    """Records accepted messages; scripted replies make failures happen on demand."""

    messages: list[bytes] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    connections: int = 0
    rcpt_replies: dict[str, str] = field(default_factory=dict)  # address → "550 ..." (sticky)
    data_replies: list[str] = field(default_factory=list)  # next DATA replies, e.g. ["451 ..."]
    stall_after: int | None = None  # hold MAIL FROM once this many messages were accepted
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if self.stall_after is not None and len(self.messages) >= self.stall_after:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            return "421 4.3.0 going away"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        reply = self.rcpt_replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.data_replies:
                reply = self.data_replies.pop(0)
                if reply:
                    return reply
            content = envelope.original_content or b""
            self.messages.append(content)
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK: queued"

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(m, policy=policy.default) for m in list(self.messages)]  # type: ignore[misc]


class _CountingSMTP(SMTP):
    def connection_made(self, transport: Any) -> None:
        handler = self.event_handler
        if isinstance(handler, RecordingHandler):
            with handler.lock:
                handler.connections += 1
        super().connection_made(transport)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


def _password_check(user: str, password: str) -> Any:
    """An aiosmtpd authenticator that accepts exactly one user name and password."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)  # the server answers 235 or 535 itself

    return check


@contextmanager
def recording_server(port: int | None = None, handler: RecordingHandler | None = None, *,
                     login: tuple[str, str] | None = None) -> Iterator[tuple[RecordingHandler, int]]:
    """Start a server on 127.0.0.1 (a free port unless given); yields (handler, port).

    ``login``: the server offers AUTH (without TLS, on loopback) and accepts only this
    (user, password), answering 535 to anything else.
    """
    handler = handler or RecordingHandler()
    port = port or free_port()
    auth: dict[str, Any] = ({"authenticator": _password_check(*login), "auth_require_tls": False}
                            if login else {})
    controller = _Controller(handler, hostname="127.0.0.1", port=port,
                             server_kwargs={"decode_data": False}, data_size_limit=10_000_000, **auth)
    for attempt in range(50):  # a port just freed by a test may linger for a moment
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            if attempt == 49:
                raise
            time.sleep(0.1)
    with handler.lock:
        handler.connections = 0  # Controller.start() makes one probe connection
    try:
        yield handler, port
    finally:
        handler.release.set()
        controller.stop()


# --- small database builders shared by the alert tests and the benchmark ---------------------

def database(url: str) -> Any:
    """A migrated database and its session factory."""
    from tracker.db import make_engine, session_factory
    from tracker.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    return session_factory(engine)


def add_bill(s: Any, measure: str, *, title: str = "Mental health: crisis services",
             relevant: bool = True, topics: list[str] | None = None, stage: str = "in_committee",
             session_year: str = "20252026") -> str:
    """Insert a bill (and its session row) and return its bill_id."""
    from tracker.db.models_core import Bill, LegislativeSession
    from tracker.items import bill_id_of, parse_bill_id

    if s.get(LegislativeSession, session_year) is None:
        s.add(LegislativeSession(session_year=session_year, label=session_year))
        s.flush()
    bill_id = bill_id_of(measure, session_year)
    _sy, num, mtype, n = parse_bill_id(bill_id)
    s.add(Bill(bill_id=bill_id, session_year=session_year, session_num=num, measure_type=mtype,
               measure_num=n, measure=measure, title=title, relevant=relevant, stage=stage,
               topics=list(topics if topics is not None else ["mental_health_services"])))
    s.flush()
    return bill_id


def add_run(s: Any, source: str = "pubinfo", status: str = "ok", **kw: Any) -> int:
    from tracker.db.base import utcnow
    from tracker.db.models_core import SourceRun

    run = SourceRun(source=source, status=status, finished_at=kw.pop("finished_at", utcnow()), **kw)
    s.add(run)
    s.flush()
    return int(run.id)


def add_events(s: Any, bill_id: str, run_id: int | None,
               specs: list[tuple[str, Any, Any]], created_at: Any = None) -> list[Any]:
    """Insert change events ``(kind, before, after)`` for one bill and return them."""
    import uuid

    from tracker.db.base import utcnow
    from tracker.db.models_core import ChangeEvent

    events = [ChangeEvent(bill_id=bill_id, kind=k, summary=k, before=b, after=a,
                          dedupe_key=uuid.uuid4().hex, source_run_id=run_id,
                          created_at=created_at or utcnow()) for k, b, a in specs]
    s.add_all(events)
    s.flush()
    return events
