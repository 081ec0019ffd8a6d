"""Delivery against a real aiosmtpd server on loopback, started by the tests.

Covers: delivery and headers, one reused connection, 421/451 then success, 550 permanent
failure (and pausing after repeated bounces), server down then up, a file outbox when no host
is set, a SIGKILL in the middle of a batch (every message delivered exactly once), one sender at
a time, and encryption (STARTTLS, implicit TLS, login over STARTTLS) to a server whose
certificate a private CA signed, trusted through ``smtp.ca_file``.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.clirun import TRACKER
from tracker.alerts import subscriptions as subs
from tracker.alerts.outbox import enqueue_events
from tracker.alerts.sender import send_pending
from tracker.alerts.testing import (
    RecordingHandler, add_bill, add_events, add_run, database, free_port, recording_server,
)
from tracker.alerts.testing import _password_check as password_check
from tracker.db.base import transaction, utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber, Subscription
from tracker.db.models_core import ChangeEvent
from tracker.settings import get_settings


@pytest.fixture
def factory(db_url: str, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    return database(db_url)


def use_server(monkeypatch: pytest.MonkeyPatch, port: int, **extra: str) -> None:
    monkeypatch.setenv("TRACKER_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP__PORT", str(port))
    monkeypatch.setenv("TRACKER_SMTP__TLS", "none")
    for k, v in extra.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()


def queue_alerts(factory: sessionmaker[Session], n: int, lang: str = "en") -> list[str]:
    """n confirmed subscribers following AB 13, one stage change → n outbox rows."""
    emails = [f"reader{i:04d}@example.org" for i in range(n)]
    with transaction(factory) as s:
        bill = add_bill(s, "AB 13")
        add_run(s)
        for e in emails:
            subs.subscribe(s, e, bills=["AB 13"], lang=lang, confirmed=True)
    with transaction(factory) as s:
        run = add_run(s)
        events = add_events(s, bill, run, [("stage_changed", "in_committee", "floor")])
        assert enqueue_events(s, events) == n
    return emails


def statuses(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as s:
        return dict(s.execute(select(OutboxMessage.status, func.count())
                              .group_by(OutboxMessage.status)).all())


def test_delivers_every_message_with_headers_over_one_connection(factory, monkeypatch) -> None:
    emails = queue_alerts(factory, 25)
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        report = send_pending(factory)
        assert (report.sent, report.deferred, report.failed) == (25, 0, 0)
        assert h.connections == 1  # one connection reused for all 25
        assert sorted(h.recipients) == emails
        msg = h.parsed()[0]
        assert msg["Message-ID"].startswith("<cw.") and msg["Message-ID"].endswith("@example.org>")
        assert msg["List-Unsubscribe"].startswith(f"<{get_settings().public_base_url}/unsubscribe/")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert "988" in msg.get_body(("plain",)).get_content()
        assert len({m["Message-ID"] for m in h.parsed()}) == 25
        again = send_pending(factory)
        assert again.sent == 0 and len(h.messages) == 25
    assert statuses(factory) == {"sent": 25}


@pytest.mark.parametrize("reply", ["421 4.3.2 try later", "451 4.3.0 temporary"])
def test_temporary_failure_is_retried_then_delivered(factory, monkeypatch, reply) -> None:
    queue_alerts(factory, 3)
    with recording_server() as (h, port):
        use_server(monkeypatch, port, TRACKER_ALERTS__RETRY_BASE_SECONDS="30")
        h.data_replies.append(reply)
        first = send_pending(factory)
        assert (first.sent, first.deferred, first.failed) == (2, 1, 0)
        with factory() as s:
            row = s.execute(select(OutboxMessage).where(OutboxMessage.status == "pending")).scalar_one()
            assert row.last_error and row.last_error.startswith(reply[:3])
            assert row.attempts == 1 and row.next_attempt_at > row.created_at
        assert send_pending(factory).sent == 0  # backoff: not yet due
        second = send_pending(factory, retry_now=True)
        assert second.sent == 1
        assert len(h.messages) == 3 and len(set(h.recipients)) == 3
        if reply.startswith("421"):
            assert h.connections == 3  # 421 closes the connection; the run reconnects
    assert statuses(factory) == {"sent": 3}


def test_permanent_failure_stops_and_pauses_after_repeated_bounces(factory, monkeypatch) -> None:
    emails = queue_alerts(factory, 3)
    monkeypatch.setenv("TRACKER_ALERTS__BOUNCE_PAUSE_AFTER", "1")
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        h.rcpt_replies[emails[1]] = "550 5.1.1 no such user"
        report = send_pending(factory)
        assert (report.sent, report.failed) == (2, 1)
        assert send_pending(factory, retry_now=True).sent == 0
        assert emails[1] not in h.recipients
    with factory() as s:
        bad = s.execute(select(Subscriber).where(Subscriber.email == emails[1])).scalar_one()
        assert bad.bounce_count == 1 and bad.status == "paused"
        row = s.execute(select(OutboxMessage).where(OutboxMessage.subscriber_id == bad.id)).scalar_one()
        assert row.status == "failed" and row.last_error.startswith("550")


def test_server_down_then_up(factory, monkeypatch) -> None:
    queue_alerts(factory, 4)
    port = free_port()
    use_server(monkeypatch, port)
    down = send_pending(factory)
    assert (down.sent, down.deferred, down.failed) == (0, 4, 0)
    assert "cannot reach" in down.problem
    assert statuses(factory) == {"pending": 4}
    with recording_server(port) as (h, _port):
        up = send_pending(factory, retry_now=True)
        assert up.sent == 4 and len(h.messages) == 4 and h.connections == 1


def test_without_smtp_host_messages_become_eml_files(factory, tmp_path) -> None:
    queue_alerts(factory, 2)
    assert send_pending(factory).sent == 2
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2 and b"List-Unsubscribe-Post" in files[0].read_bytes()


def test_cli_send_exit_codes(factory, monkeypatch) -> None:
    emails = queue_alerts(factory, 2)
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        h.rcpt_replies[emails[0]] = "550 5.1.1 no such user"
        proc = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert "sent 1, deferred 0, failed 1" in proc.stdout
        proc = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and "sent 0" in proc.stdout


def test_sigkill_in_the_middle_of_a_batch_delivers_each_message_exactly_once(factory, monkeypatch) -> None:
    emails = queue_alerts(factory, 40)
    handler = RecordingHandler(stall_after=15)
    with recording_server(handler=handler) as (h, port):
        use_server(monkeypatch, port, TRACKER_ALERTS__SEND_BATCH="10")
        proc = subprocess.Popen([TRACKER, "send"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert h.stalled.wait(60), "sender never reached the stall point"
        os.kill(proc.pid, signal.SIGKILL)  # killed with message 16 in flight, not yet accepted
        proc.wait(10)
        h.release.set()
        assert len(h.messages) == 15
        assert statuses(factory).get("sending", 0) >= 1  # left behind by the dead run
        h.stall_after = None
        done = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "recovered after a crash" in done.stdout
        time.sleep(0.2)
        assert sorted(h.recipients) == emails  # every address exactly once
        assert len(h.messages) == 40
        ids = [m["Message-ID"] for m in h.parsed()]
        assert len(set(ids)) == 40
    assert statuses(factory) == {"sent": 40}


def test_a_refused_message_is_retried_and_never_counted_as_the_members_bounce(factory, monkeypatch) -> None:
    queue_alerts(factory, 2)
    monkeypatch.setenv("TRACKER_ALERTS__BOUNCE_PAUSE_AFTER", "1")
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        h.data_replies.append("554 5.7.1 message rejected as spam")
        report = send_pending(factory)
        assert (report.sent, report.deferred, report.failed) == (1, 1, 0)
        assert send_pending(factory, retry_now=True).sent == 1
    with factory() as s:
        assert {(x.status, x.bounce_count) for x in s.execute(select(Subscriber)).scalars()} == {("active", 0)}
    assert statuses(factory) == {"sent": 2}


def test_relaying_denied_for_a_recipient_is_not_a_bounce(factory, monkeypatch) -> None:
    emails = queue_alerts(factory, 1)
    monkeypatch.setenv("TRACKER_ALERTS__BOUNCE_PAUSE_AFTER", "1")
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        h.rcpt_replies[emails[0]] = "550 5.7.1 relaying denied"
        assert send_pending(factory).deferred == 1
    with factory() as s:
        assert s.execute(select(Subscriber.status)).scalar_one() == "active"


def test_a_server_that_refuses_every_message_stops_the_run_and_keeps_every_alert(factory, monkeypatch) -> None:
    queue_alerts(factory, 10)
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        h.data_replies.extend(["554 5.7.1 blocked"] * 10)
        report = send_pending(factory)
        assert report.sent == 0 and report.failed == 0 and report.deferred == 10
        assert "refuses our messages" in report.problem
        assert len(h.data_replies) == 10 - 3  # it stopped after three refusals in a row
    assert statuses(factory) == {"pending": 10}


def test_retry_now_tries_each_message_once_per_run(factory, monkeypatch) -> None:
    queue_alerts(factory, 2)
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        h.data_replies.extend(["451 4.3.0 try later"] * 20)
        report = send_pending(factory, retry_now=True)
        assert (report.deferred, report.failed) == (2, 0)
    with factory() as s:
        assert [r.attempts for r in s.execute(select(OutboxMessage)).scalars()] == [1, 1]


def test_cli_send_without_smtp_host_says_where_the_messages_went(factory, tmp_path) -> None:
    """A misspelt or missing SMTP host must not look like delivered mail."""
    queue_alerts(factory, 1)
    out = subprocess.run([TRACKER, "send"], capture_output=True, text=True, env=dict(os.environ), check=True).stdout
    assert "sent 1" in out and ".eml files in" in out and str(tmp_path / "outbox") in out


# One message's trouble never holds up the others ----------------

def test_an_address_the_mail_server_cannot_take_fails_alone_and_the_others_are_delivered(
        factory, monkeypatch) -> None:
    """A row stored before addresses with accents were refused: that message fails with one
    line (and a notice for staff), nothing stays 'sending', and the queue keeps moving."""
    emails = queue_alerts(factory, 2)
    with transaction(factory) as s:  # an address stored by an older version, straight into the table
        s.add(Subscriber(email="josé.núñez@example.org", lang="es", status="active", bounce_count=0,
                         token_id="legacy-accented", confirmed_at=utcnow()))
    with transaction(factory) as s:
        s.add(Subscription(subscriber_id=s.execute(select(Subscriber.id).where(
            Subscriber.token_id == "legacy-accented")).scalar_one(), kind="bill", target="202520260AB13",
            cadence="immediate", event_kinds=["stage_changed"]))
    with transaction(factory) as s:
        events = add_events(s, "202520260AB13", add_run(s), [("stage_changed", "floor", "passed_house")])
        assert enqueue_events(s, events) == 3
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        proc = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "sent 2, deferred 0, failed 1" in proc.stdout  # the second move joined each waiting alert
        (line,) = [x for x in proc.stderr.splitlines() if "was not delivered" in x]
        assert "cannot take" in line and "é" not in line and "josé" not in line  # no part of the address
        assert sorted(h.recipients) == sorted(emails)
        again = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        assert again.returncode == 0 and "sent 0" in again.stdout and "recovered" not in again.stdout
    assert statuses(factory) == {"sent": 2, "failed": 1}
    with factory() as s:
        notice = s.execute(select(ChangeEvent).where(ChangeEvent.kind == "source_problem")).scalar_one()
        assert notice.bill_id is None and notice.summary.startswith("email: alert message")
        assert "josé" not in notice.summary


def test_a_hard_bounce_does_not_stall_the_next_member_or_send_them_a_second_copy(
        factory, monkeypatch) -> None:
    """After a 550 for one member, the next member's message is marked sent at once: the
    sender's own session must not hold SQLite's write lock that marking it needs."""
    with transaction(factory) as s:
        add_bill(s, "AB 13")
        add_run(s)
        subs.subscribe(s, "gone@example.org", bills=["AB 13"], lang="en", confirmed=True)
        subs.subscribe(s, "here@example.org", bills=["AB 13"], lang="es", confirmed=True)
    with transaction(factory) as s:
        events = add_events(s, "202520260AB13", add_run(s), [("stage_changed", "in_committee", "floor")])
        assert enqueue_events(s, events) == 2
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        h.rcpt_replies["gone@example.org"] = "550 5.1.1 no such user"
        first = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        assert "sent 1, deferred 0, failed 1" in first.stdout, first.stdout + first.stderr
        assert "database stayed busy" not in first.stderr
        second = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        assert "sent 0" in second.stdout and "recovered" not in second.stdout
        assert h.recipients == ["here@example.org"]
    with factory() as s:
        gone = s.execute(select(Subscriber).where(Subscriber.email == "gone@example.org")).scalar_one()
        assert gone.bounce_count == 1 and gone.status == "active"
    assert statuses(factory) == {"sent": 1, "failed": 1}


def test_a_server_that_stops_answering_stops_the_run_after_three_timeouts_and_keeps_every_alert(
        factory, monkeypatch) -> None:
    queue_alerts(factory, 10)
    with recording_server() as (h, port):
        use_server(monkeypatch, port, TRACKER_SMTP__TIMEOUT="0.5")
        h.delay = 3.0  # DATA is answered long after our timeout
        proc = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "sent 0, deferred 10, failed 0" in proc.stdout
        (warning,) = [x for x in proc.stderr.splitlines() if "did not answer" in x]
        assert warning.startswith("warning: the SMTP server did not answer within 0.5 s for 3 messages in a row")
    with factory() as s:
        rows = list(s.execute(select(OutboxMessage)).scalars())
    assert {r.status for r in rows} == {"pending"}
    assert sorted(r.attempts for r in rows) == [0] * 7 + [1] * 3  # only three were tried


def test_a_message_given_up_after_its_last_attempt_is_reported_to_staff(factory, monkeypatch) -> None:
    emails = queue_alerts(factory, 2)
    monkeypatch.setenv("TRACKER_ALERTS__MAX_ATTEMPTS", "2")
    with recording_server() as (h, port):
        use_server(monkeypatch, port)
        h.rcpt_replies[emails[0]] = f"452 4.2.2 <{emails[0]}> mailbox full"
        assert send_pending(factory).deferred == 1
        last = send_pending(factory, retry_now=True)
        assert (last.failed, last.deferred) == (1, 0)
        (note,) = last.notes
        assert "gave up after 2 attempts" in note and "452 4.2.2" in note
    with factory() as s:
        row = s.execute(select(OutboxMessage).where(OutboxMessage.status == "failed")).scalar_one()
        notice = s.execute(select(ChangeEvent).where(ChangeEvent.kind == "source_problem")).scalar_one()
    assert note.startswith(f"alert message {row.id} to subscriber {row.subscriber_id} was not delivered")
    assert notice.summary == f"email: {note}"
    assert emails[0] not in notice.summary  # events are public through the API: no address


def test_a_refused_login_says_so_and_names_the_settings(factory, monkeypatch) -> None:
    queue_alerts(factory, 1)
    with recording_server(login=("alerts", "right")) as (h, port):
        use_server(monkeypatch, port, TRACKER_SMTP__USER="alerts", TRACKER_SMTP__PASSWORD="wrong")
        proc = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1
        assert "refused our login (535" in proc.stderr
        assert "TRACKER_SMTP__USER" in proc.stderr and "TRACKER_SMTP__PASSWORD" in proc.stderr
        assert "cannot reach" not in proc.stderr and "wrong" not in proc.stderr
        use_server(monkeypatch, port, TRACKER_SMTP__USER="alerts", TRACKER_SMTP__PASSWORD="right")
        ok = subprocess.run([TRACKER, "send", "--retry-now"], capture_output=True, text=True, timeout=60)
        assert "sent 1" in ok.stdout and len(h.messages) == 1


def test_a_second_send_while_one_is_sending_sends_nothing_and_says_so_in_one_line(
        factory, monkeypatch) -> None:
    """One sender at a time: the second finds the first mid-batch (the server holds its sixth
    message) and leaves its claimed messages alone, so nobody gets a message twice."""
    emails = queue_alerts(factory, 12)
    handler = RecordingHandler(stall_after=5)
    with recording_server(handler=handler) as (h, port):
        use_server(monkeypatch, port, TRACKER_SECRET_KEY="not-the-development-key")
        first = subprocess.Popen([TRACKER, "send"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert h.stalled.wait(60), "the first sender never reached the stall point"
            h.stall_after = None  # the server would take a second sender's messages at once
            second = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        finally:
            h.release.set()  # the held message is answered 421: deferred, not lost
            out, err = first.communicate(timeout=120)
        assert second.returncode == 0, second.stderr
        assert (second.stdout + second.stderr).splitlines() == ["another 'tracker send' is running; nothing to do"]
        assert "sent 11, deferred 1, failed 0" in out, out + err
        later = subprocess.run([TRACKER, "send", "--retry-now"], capture_output=True, text=True, timeout=60)
        assert "sent 1," in later.stdout, later.stdout + later.stderr
        assert sorted(h.recipients) == emails  # every member exactly once
    assert statuses(factory) == {"sent": 12}


# Encryption: STARTTLS and implicit TLS to a server whose certificate an internal CA signed ---

@dataclass
class PrivateCA:
    """A certificate authority made for the test, and a server certificate for 127.0.0.1 it signed."""

    ca_file: Path  # what an organisation gives its relay's users: the CA certificate, PEM
    server_context: ssl.SSLContext  # the server's certificate and key, ready for aiosmtpd


@pytest.fixture
def private_ca(tmp_path: Path) -> PrivateCA:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(timezone.utc)

    def build(subject: str, issuer: x509.Name | None, key: ec.EllipticCurvePrivateKey,
              signer: ec.EllipticCurvePrivateKey, ca: bool) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False), critical=True)
            builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                            critical=False)
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False).add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("Capitol Watch test CA", None, ca_key, ca_key, ca=True)
    server_cert = build("127.0.0.1", ca_cert.subject, server_key, ca_key, ca=False)
    ca_file, chain, key_file = tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain, key_file)
    return PrivateCA(ca_file, context)


@dataclass
class EncryptionRecordingHandler(RecordingHandler):
    """Also records, for each accepted message, the TLS version of its session (None: plain)."""

    tls_versions: list[str | None] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        reply = await super().handle_DATA(server, session, envelope)
        if reply.startswith("250"):
            self.tls_versions.append(ssl_object.version() if ssl_object else None)
        return reply


@contextmanager
def encrypted_server(ca: PrivateCA, mode: str, login: tuple[str, str] | None = None,
                     ) -> Iterator[tuple[EncryptionRecordingHandler, int]]:
    """aiosmtpd on loopback: ``starttls`` refuses mail (and AUTH) until the client said
    STARTTLS; ``tls`` speaks TLS from the first byte."""
    handler = EncryptionRecordingHandler()
    port = free_port()
    kwargs: dict[str, object] = ({"tls_context": ca.server_context, "require_starttls": True}
                                 if mode == "starttls" else {"ssl_context": ca.server_context})
    if login:
        kwargs["authenticator"] = password_check(*login)  # AUTH only on an encrypted session
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False, **kwargs)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def use_encrypted_server(monkeypatch: pytest.MonkeyPatch, port: int, mode: str, ca: PrivateCA | None,
                         **extra: str) -> None:
    use_server(monkeypatch, port, TRACKER_SMTP__TLS=mode, TRACKER_SMTP__TIMEOUT="5", **extra)
    if ca is not None:
        monkeypatch.setenv("TRACKER_SMTP__CA_FILE", str(ca.ca_file))
    get_settings.cache_clear()


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_mail_travels_encrypted_to_a_server_whose_certificate_the_configured_ca_signed(
        factory, monkeypatch, private_ca, mode) -> None:
    emails = queue_alerts(factory, 2)
    with encrypted_server(private_ca, mode) as (h, port):
        use_encrypted_server(monkeypatch, port, mode, private_ca)
        report = send_pending(factory)
        assert (report.sent, report.deferred, report.failed, report.problem) == (2, 0, 0, "")
        assert sorted(h.recipients) == emails
        assert len(h.tls_versions) == 2 and all(v and v.startswith("TLS") for v in h.tls_versions), h.tls_versions


def test_logging_in_over_starttls_works(factory, monkeypatch, private_ca) -> None:
    queue_alerts(factory, 1)
    with encrypted_server(private_ca, "starttls", login=("alerts", "right")) as (h, port):
        use_encrypted_server(monkeypatch, port, "starttls", private_ca,
                             TRACKER_SMTP__USER="alerts", TRACKER_SMTP__PASSWORD="right")
        assert send_pending(factory).sent == 1
        assert len(h.messages) == 1 and h.tls_versions[0]


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_a_server_certificate_no_trusted_ca_signed_is_refused_and_nothing_is_sent(
        factory, monkeypatch, private_ca, mode) -> None:
    """Without smtp.ca_file the system's authorities decide, and they never signed it."""
    queue_alerts(factory, 1)
    with encrypted_server(private_ca, mode) as (h, port):
        use_encrypted_server(monkeypatch, port, mode, None)
        report = send_pending(factory)
        assert (report.sent, report.deferred) == (0, 1)
        assert "cannot reach SMTP server" in report.problem and "CERTIFICATE_VERIFY_FAILED" in report.problem
        assert h.messages == []
    assert statuses(factory) == {"pending": 1}


@pytest.mark.parametrize(("content", "reason"), [
    (None, "no such file"), ("not a certificate\n", "not a PEM file of CA certificates")])
def test_a_bad_ca_file_is_one_line_naming_the_setting(tmp_path, content, reason) -> None:
    path = tmp_path / "relay-ca.pem"
    if content is not None:
        path.write_text(content)
    proc = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TRACKER_SMTP__CA_FILE": str(path)})
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("tracker: error: invalid setting smtp.ca_file [TRACKER_SMTP__CA_FILE]: ")
    assert reason in line and str(path) in line


def test_a_send_stopped_by_sigterm_records_the_message_in_hand_and_sends_it_only_once(
        factory, monkeypatch) -> None:
    """A service manager stopping ``tracker send`` while the server takes a message: the sender
    waits for the reply and records it before stopping, so the next run does not send it again."""
    emails = queue_alerts(factory, 6)
    handler = RecordingHandler(delay=1.0)  # each message is taken after a second
    with recording_server(handler=handler) as (h, port):
        use_server(monkeypatch, port, TRACKER_SECRET_KEY="not-the-development-key")
        first = subprocess.Popen([TRACKER, "send"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not h.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.4)  # the second message is with the server now
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=60)
        assert first.returncode == 130, out + err
        assert err.splitlines() == ["tracker: stopped by a signal after recording the message in hand; "
                                    "the rest wait for the next run"]
        h.delay = 0.0
        later = subprocess.run([TRACKER, "send"], capture_output=True, text=True, timeout=60)
        assert "recovered" not in later.stdout, later.stdout  # nothing was left half-sent
        assert sorted(h.recipients) == emails  # every member exactly once
    assert statuses(factory) == {"sent": 6}
