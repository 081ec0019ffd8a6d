"""``tracker demo``: the whole pipeline on a laptop, against a local replica, in a minute.

Starts the replica with the bundled sample bills on a free loopback port, prepares the
configured database (embedded default: ``var/tracker.db``), polls bulk + web + hearings, makes
one scripted change in the replica (a committee vote action that moves a bill, and a hearing
set), polls again and prints the change events the second poll produced.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from tracker.cli._common import engine, settings
from tracker.db import session_factory
from tracker.db.migrate import upgrade
from tracker.db.models_core import ChangeEvent
from tracker.polling.child import run_child, tracker_command
from tracker.replica.server import ReplicaServer

Echo = Callable[[str], None]


def _poll(server: ReplicaServer, echo: Echo, timeout: float) -> None:
    env_backup = dict(os.environ)
    os.environ.update({
        "TRACKER_SOURCES__LEGINFO_URL": server.url,
        "TRACKER_SOURCES__PUBINFO_URL": f"{server.url}/pubinfo",
        "TRACKER_SOURCES__SENATE_URL": f"{server.url}/senate",
        "TRACKER_SOURCES__ASSEMBLY_URL": f"{server.url}/assembly",
        "TRACKER_SOURCES__REQUEST_DELAY": "0",
    })
    try:
        result = run_child(tracker_command("poll", "--source", "all"), timeout)
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    for line in result.output.strip().splitlines():
        if not line.startswith("  warning:") and "Warning" not in line:
            echo(f"  {line}")


def run_demo(sample_dir: Path, echo: Echo) -> None:
    cfg = settings()
    eng = engine(require_current=False)
    upgrade(eng)
    factory = session_factory(eng)
    server = ReplicaServer(sample_dir).start()
    echo(f"replica of {sample_dir.name} ({len(server.replica.state.bills)} bills) on {server.url}")
    echo(f"database: {eng.url.render_as_string(hide_password=True)}")
    try:
        echo("first poll (bulk download, website, hearing calendars):")
        _poll(server, echo, cfg.sources.crawl_timeout)
        with factory() as s:
            before = s.execute(select(func.max(ChangeEvent.id))).scalar() or 0
        state = server.replica.state
        bill_id = "202520260AB2052" if "202520260AB2052" in state.bills else next(iter(state.bills))
        when = date.today() + timedelta(days=7)
        echo(f"the legislature moves: {state.bills[bill_id].measure} gets a new action and a Senate hearing on {when.isoformat()}")
        state.add_action(bill_id, "From committee: Do pass and re-refer to Com. on APPR. (Ayes 7. Noes 0.)",
                         status="In Committee Process", location="CS61")
        state.set_hearing("senate", "Appropriations", when, [bill_id], time="10 a.m.",
                          room="1021 O Street, Room 2100")
        echo("second poll:")
        _poll(server, echo, cfg.sources.crawl_timeout)
        with factory() as s:
            events = list(s.execute(select(ChangeEvent).where(ChangeEvent.id > before)
                                    .order_by(ChangeEvent.id)).scalars())
        echo(f"what changed ({len(events)} events):")
        for e in events:
            echo(f"  [{e.kind}] {e.summary}")
        if not events:
            echo("  nothing new: this database already saw today's scripted change")
        stats = dict(server.replica.stats)
        echo(f"requests served by the replica: {sum(stats.values())} "
             f"({stats.get('/robots.txt', 0)} robots.txt)")
    finally:
        server.stop()
