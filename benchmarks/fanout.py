"""Fan-out: one change event matched by N subscribers, delivered to a local aiosmtpd.

Run: .venv/bin/python benchmarks/fanout.py [--subscribers 10000] [--db URL]
Prints enqueue time, send time and messages/s, and the ratio of our send time to a baseline
that sends one prerendered message N times over one aiosmtplib connection to the same server
in the same run. Targets: <= 60 s for 10,000 and ratio <= 2.

Our path does everything a real run does: claim rows, render once per language (then swap in
each reader's signed links), build the MIME message, send over one reused connection, and
commit each row as sent right after the server accepted it.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def setup(url: str, n: int) -> tuple[object, float]:
    from sqlalchemy import insert, select

    from tracker.alerts.outbox import enqueue_events
    from tracker.alerts.testing import add_bill, add_events, add_run, database
    from tracker.db.base import transaction, utcnow
    from tracker.db.models_alerts import Subscriber, Subscription

    factory = database(url)
    now = utcnow()
    with transaction(factory) as s:  # type: ignore[arg-type]
        bill = add_bill(s, "AB 13")
        add_run(s)
        s.execute(insert(Subscriber.__table__), [
            {"email": f"reader{i:05d}@example.org", "lang": "es" if i % 4 == 0 else "en",
             "county": None, "confirmed_at": now, "status": "active",
             "token_id": secrets.token_urlsafe(18), "bounce_count": 0,
             "created_at": now, "updated_at": now} for i in range(n)])
        ids = s.execute(select(Subscriber.id)).scalars().all()
        s.execute(insert(Subscription.__table__), [
            {"subscriber_id": i, "kind": "topic", "target": "mental_health_services",
             "event_kinds": ["stage_changed", "new_version", "hearing_set"], "cadence": "immediate",
             "created_at": now} for i in ids])
    start = time.perf_counter()
    with transaction(factory) as s:  # type: ignore[arg-type]
        run = add_run(s)
        events = add_events(s, bill, run, [("stage_changed", "in_committee", "floor")])
        rows = enqueue_events(s, events)
    assert rows == n, rows
    return factory, time.perf_counter() - start


def prerendered(factory: Any) -> bytes:
    """One real alert from the outbox, rendered and built exactly as ``tracker send`` would."""
    from sqlalchemy import select

    from tracker.alerts import mime
    from tracker.alerts.messages import Renderer, personalise
    from tracker.db.base import utcnow
    from tracker.db.models_alerts import OutboxMessage, Subscriber

    with factory() as s:
        row, sub = s.execute(select(OutboxMessage, Subscriber).join(Subscriber)
                             .order_by(OutboxMessage.id).limit(1)).one()
        r = Renderer(s, utcnow()).render(row, sub.lang)
        text, html, unsub = personalise(r, sub.token_id)
        return mime.build(sender="Capitol Watch <alerts@example.org>", to=sub.email,
                          subject=r.subject, text=text, html=html, msg_id="<bench@example.org>",
                          extra=[("List-Unsubscribe", f"<{unsub}>"),
                                 ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")])


async def baseline(port: int, n: int, data: bytes) -> float:
    """The floor: that same prerendered message sent n times over one aiosmtplib connection."""
    import aiosmtplib

    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, use_tls=False)
    start = time.perf_counter()
    await smtp.connect()
    for i in range(n):
        await smtp.sendmail("alerts@example.org", [f"reader{i:05d}@example.org"], data)
    await smtp.quit()
    return time.perf_counter() - start


def _serve(port: int, ready: Any, stop: Any, out: Any) -> None:
    """The SMTP server, in its own process so it does not compete with us for the GIL."""
    from tracker.alerts.testing import RecordingHandler, recording_server

    with recording_server(port, RecordingHandler()) as (h, _port):
        ready.set()
        stop.wait()
        out.put((len(h.messages), len(set(h.recipients)), h.connections))


class Server:
    """Start/stop the server process; ``counts()`` returns (messages, recipients, connections)."""

    def __init__(self) -> None:
        from tracker.alerts.testing import free_port

        self.port = free_port()
        ctx = mp.get_context("spawn")
        self.ready, self.stop, self.out = ctx.Event(), ctx.Event(), ctx.Queue()
        self.proc = ctx.Process(target=_serve, args=(self.port, self.ready, self.stop, self.out))
        self.proc.start()
        if not self.ready.wait(30):
            raise RuntimeError("SMTP server did not start")

    def counts(self) -> tuple[int, int, int]:
        self.stop.set()
        result = self.out.get(timeout=60)
        self.proc.join(30)
        return result  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subscribers", type=int, default=10_000)
    ap.add_argument("--db", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    args = ap.parse_args()
    n = args.subscribers
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/fanout.db"
        os.environ.update({"TRACKER_DATABASE_URL": url, "TRACKER_DATA_DIR": f"{tmp}/var",
                           "TRACKER_SMTP__HOST": "127.0.0.1", "TRACKER_SMTP__TLS": "none"})
        from tracker.alerts.sender import send_pending
        from tracker.settings import get_settings

        factory, enqueue_s = setup(url, n)
        print(f"enqueue: {n} outbox rows from one event in {enqueue_s:.2f} s")
        server = Server()
        data = prerendered(factory)
        print(f"message size: {len(data):,} bytes")
        base = asyncio.run(baseline(server.port, n, data))
        assert server.counts()[0] == n
        server = Server()
        os.environ["TRACKER_SMTP__PORT"] = str(server.port)
        get_settings.cache_clear()
        start = time.perf_counter()
        report = send_pending(factory)  # type: ignore[arg-type]
        ours = time.perf_counter() - start
        messages, recipients, conns = server.counts()
        assert report.sent == n and messages == n and recipients == n, (report, messages, recipients)
        print(f"baseline (prerendered, one connection): {base:.2f} s, {n / base:,.0f} messages/s")
        print(f"tracker send (render, personalise, mark-after-accept): {ours:.2f} s, "
              f"{n / ours:,.0f} messages/s, {conns} SMTP connection(s)")
        print(f"ratio tracker/baseline: {ours / base:.2f} (target <= 2); "
              f"{'OK' if ours <= 60 and ours / base <= 2 else 'MISSED'} (target <= 60 s)")


if __name__ == "__main__":
    main()
