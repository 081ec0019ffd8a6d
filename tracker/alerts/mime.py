"""Assemble a multipart/alternative message as bytes, fast and predictably.

Building an ``email.message.EmailMessage`` per recipient costs more than sending it; for a
10,000-reader fan-out we assemble the few headers and two quoted-printable parts by hand. The
result is plain RFC 5322/2045 that ``email.parser`` reads back (the tests check that).
"""

from __future__ import annotations

import binascii
import hashlib
from functools import lru_cache
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr


def encode_header(value: str) -> str:
    """RFC 2047 encoding only when needed (Spanish subjects), folded with CRLF."""
    if value.isascii() and len(value) < 900:
        return value
    return Header(value, "utf-8", maxlinelen=76).encode(linesep="\r\n")


@lru_cache(maxsize=8)
def format_sender(sender: str) -> str:
    name, addr = parseaddr(sender)
    return formataddr((name, addr), charset="utf-8") if name else addr


@lru_cache(maxsize=8)
def envelope_address(sender: str) -> str:
    return parseaddr(sender)[1]


def message_id(key: str, row_id: int, domain: str) -> str:
    """Stable per outbox row: a resend after a crash carries the same Message-ID."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"<cw.{row_id}.{digest}@{domain}>"


def _qp(text: str) -> bytes:
    body = text.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    return binascii.b2a_qp(body.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")


def build(*, sender: str, to: str, subject: str, text: str, html: str, msg_id: str,
          date: float | None = None, extra: list[tuple[str, str]] | None = None,
          reply_to: str = "") -> bytes:
    """The whole message, CRLF line endings, ready for SMTP DATA or an .eml file."""
    boundary = "=_cw_" + hashlib.sha1(msg_id.encode()).hexdigest()[:24]
    headers = [("From", format_sender(sender)), ("To", to), ("Subject", encode_header(subject)),
               ("Date", formatdate(date, localtime=False, usegmt=True)), ("Message-ID", msg_id),
               ("MIME-Version", "1.0")]
    if reply_to:
        headers.append(("Reply-To", reply_to))
    headers += extra or []
    headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers).encode("utf-8")
    b = boundary.encode()
    part = b'Content-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    return b"".join([
        head, b"\r\n",
        b"--" + b + b"\r\n", part % b"plain", _qp(text),
        b"--" + b + b"\r\n", part % b"html", _qp(html),
        b"--" + b + b"--\r\n",
    ])
