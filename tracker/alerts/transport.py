"""Where messages go: one reused SMTP connection, or ``.eml`` files when no host is set.

Failures are sorted into the outcomes the sender acts on: temporary (4xx, dropped
connection: retry later; a server that did not answer in time is its own kind, so a hung server
stops the run instead of costing every message the full timeout), permanent (5xx: stop, count a
bounce when it is about the recipient), undeliverable (this one message can never go, e.g. an
address with letters plain SMTP cannot carry: set it aside, keep the queue moving), and
"server unreachable" (defer the rest of the batch, do not hammer it).
"""

from __future__ import annotations

import os
import re
import ssl
from pathlib import Path
from typing import Protocol

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError, SMTPException, SMTPRecipientsRefused, SMTPResponseException,
    SMTPSenderRefused, SMTPTimeoutError,
)

from tracker.settings.sections import SmtpSettings


class TemporaryFailure(Exception):
    """Try again later (4xx reply, connection dropped mid-message, timeout)."""


class ServerUnreachable(TemporaryFailure):
    """Could not connect (or log in): the whole batch waits."""


class ServerTimeout(TemporaryFailure):
    """The server stopped answering mid-message: retried later, and a few in a row stop the run
    (a hung server would otherwise cost every message of the queue the whole timeout)."""


class Undeliverable(Exception):
    """This message cannot be handed to the server at all (an address plain SMTP cannot carry,
    a message it cannot encode): retrying will never help, and it must not hold up the others.

    ``address``: the recipient's address is the trouble, so every message to it would fail the
    same way (the sender pauses the address instead of failing each alert in turn).
    """

    def __init__(self, message: str, address: bool = False) -> None:
        super().__init__(message)
        self.address = address


class PermanentFailure(Exception):
    """A 5xx reply: retrying will not help. ``bounce`` when the recipient was refused."""

    def __init__(self, message: str, bounce: bool) -> None:
        super().__init__(message)
        self.bounce = bounce


_ENHANCED = re.compile(r"\b5\.(\d{1,3})\.(\d{1,3})\b")


def address_refused(code: int, message: str) -> bool:
    """Does a refused recipient mean the member's address is bad (a hard bounce)?

    Only "no such mailbox or domain" (RFC 3463 5.1.x) and "mailbox disabled" (5.2.1) are about
    the address. "Relaying denied", policy and spam refusals are about us or the message, and
    counting them as bounces would pause every member after one bad day at the mail server.
    """
    m = _ENHANCED.search(message)
    if m:
        return m.group(1) == "1" or (m.group(1), m.group(2)) == ("2", "1")
    return code in (550, 551, 553) and "relay" not in message.lower()


class Transport(Protocol):
    connections: int

    async def send(self, mail_from: str, rcpt: str, data: bytes, name: str) -> None: ...

    async def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection reused for every message of a run; reconnects after a drop."""

    def __init__(self, cfg: SmtpSettings) -> None:
        self.cfg = cfg
        self.smtp: aiosmtplib.SMTP | None = None
        self.connections = 0

    async def _connect(self) -> aiosmtplib.SMTP:
        cfg = self.cfg
        smtp = aiosmtplib.SMTP(
            hostname=cfg.host, port=cfg.port, timeout=cfg.timeout,
            use_tls=cfg.tls == "tls", start_tls=cfg.tls == "starttls",
            tls_context=ssl.create_default_context(cafile=cfg.ca_file or None) if cfg.tls != "none" else None,
        )
        try:
            await smtp.connect()
        except (SMTPException, OSError) as exc:
            _close_quietly(smtp)
            raise ServerUnreachable(f"cannot reach SMTP server {cfg.host}:{cfg.port}: {exc}") from None
        if cfg.user:
            try:
                await smtp.login(cfg.user, cfg.password.get_secret_value())
            except SMTPAuthenticationError as exc:
                _close_quietly(smtp)
                raise ServerUnreachable(
                    f"the SMTP server {cfg.host}:{cfg.port} refused our login ({exc.code} {exc.message}): "
                    "check TRACKER_SMTP__USER and TRACKER_SMTP__PASSWORD") from None
            except (SMTPException, OSError) as exc:
                _close_quietly(smtp)
                raise ServerUnreachable(
                    f"could not log in to the SMTP server {cfg.host}:{cfg.port}: {exc} "
                    "(check TRACKER_SMTP__USER, TRACKER_SMTP__PASSWORD and TRACKER_SMTP__TLS)") from None
        self.connections += 1
        return smtp

    async def send(self, mail_from: str, rcpt: str, data: bytes, name: str) -> None:
        if self.smtp is None or not self.smtp.is_connected:
            self.smtp = await self._connect()
        try:
            await self.smtp.sendmail(mail_from, [rcpt], data)
        except SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            self._classify(first.code, first.message, bounce=address_refused(first.code, first.message))
        except SMTPSenderRefused as exc:
            self._classify(exc.code, exc.message, bounce=False)
        except SMTPResponseException as exc:  # DATA refused: the message, not the member's address
            self._classify(exc.code, exc.message, bounce=False)
        except SMTPTimeoutError as exc:
            await self._drop()
            raise ServerTimeout(f"the SMTP server did not answer within {self.cfg.timeout:g} s ({exc})") from None
        except (SMTPException, OSError) as exc:  # disconnected
            await self._drop()
            raise TemporaryFailure(f"connection lost: {exc}") from None
        except ValueError as exc:  # UnicodeEncodeError included
            # aiosmtplib sends MAIL FROM, then fails to encode the recipient: the connection is
            # mid-envelope, so it is dropped and the next message starts on a fresh one.
            await self._drop()
            if not rcpt.isascii():
                # No part of the address in the text: it reaches staff notices and run logs.
                raise Undeliverable("the address has a character the mail server cannot take",
                                    address=True) from None
            raise Undeliverable(f"the message cannot be handed to the mail server: {exc}") from None

    def _classify(self, code: int, message: str, *, bounce: bool) -> None:
        text = f"{code} {message}".strip()
        if code == 421 and self.smtp is not None:  # server is closing the connection
            self.smtp.close()
            self.smtp = None
        if 500 <= code < 600:
            raise PermanentFailure(text, bounce=bounce)
        raise TemporaryFailure(text)

    async def _drop(self) -> None:
        if self.smtp is not None:
            _close_quietly(self.smtp)
        self.smtp = None

    async def close(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            try:
                await self.smtp.quit()
            except (SMTPException, OSError):
                self.smtp.close()
        self.smtp = None


def _close_quietly(smtp: aiosmtplib.SMTP) -> None:
    """Close a connection that may already be broken; its own errors say nothing new."""
    try:
        smtp.close()
    except Exception:  # noqa: BLE001 - already broken
        pass


class FileTransport:
    """Writes ``<outbox_dir>/<name>.eml``; a resend overwrites the same file (no duplicates)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.connections = 0

    async def send(self, mail_from: str, rcpt: str, data: bytes, name: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, self.folder / f"{name}.eml")
        except OSError as exc:
            raise ServerUnreachable(f"cannot write to {self.folder}: {exc.strerror}") from None

    async def close(self) -> None:
        return None


def make_transport(cfg: SmtpSettings) -> Transport:
    return SmtpTransport(cfg) if cfg.host else FileTransport(Path(cfg.outbox_dir))
