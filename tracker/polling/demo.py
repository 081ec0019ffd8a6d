"""``tracker demo``: the whole pipeline on a laptop, against a local replica, in a minute.

Starts the replica with the bundled sample bills on a free loopback port, prepares the
configured database (embedded default: ``var/tracker.db``), polls bulk + web + hearings, makes
scripted changes in the replica (a committee vote that moves a bill, a hearing set, and a
"gut and amend" that turns another bill into a crisis-services bill), polls again, prints the
change events the second poll produced, and delivers the resulting alert to a demo member (as a
``.eml`` file in the outbox folder unless an SMTP server is configured).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tracker.cli._common import engine, settings
from tracker.db import session_factory
from tracker.db.migrate import upgrade
from tracker.alerts.subscriptions import subscribe
from tracker.db.base import transaction
from tracker.db.models_core import ChangeEvent
from tracker.polling.child import run_child, tracker_command
from tracker.replica.datwriter import committee_codes
from tracker.replica.server import ReplicaServer
from tracker.clock import local_today

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
        when = local_today() + timedelta(days=7)
        echo(f"the legislature moves: {state.bills[bill_id].measure} gets a new action and a Senate hearing on {when.isoformat()}")
        state.set_hearing("senate", "Appropriations", when, [bill_id], time="10 a.m.",
                          room="1021 O Street, Room 2100")
        # the bill's location is the committee's code in the replica's location table, as in the
        # real bulk data, so staff output names the committee instead of showing a code
        appropriations = committee_codes(state)[("senate", "Appropriations")]
        state.add_action(bill_id, "From committee: Do pass and re-refer to Com. on APPR. (Ayes 7. Noes 0.)",
                         status="In Committee Process", location=appropriations)
        state.record_vote(bill_id, location="Senate Health", motion="Do pass and re-refer to Com. on APPR.",
                          ayes=["Menjivar", "Gonzalez", "Grove", "Hurtado", "Limón", "Richardson", "Weber Pierson"],
                          noes=[], when=local_today(), location_code="CS44")
        gutted = "202520260AB1656"
        if gutted in state.bills:
            echo(f"... and {state.bills[gutted].measure} is gutted and amended into a 988 crisis-services bill")
            state.amend(
                gutted, subject="Mental health: 988 crisis services: mobile crisis teams.",
                title="An act to add Section 5960 to the Welfare and Institutions Code, relating to mental health.",
                digest=("Existing law establishes the 988 Suicide and Crisis Lifeline in California. "
                        "This bill would require each county behavioral health agency to provide "
                        "mobile crisis teams, staffed with peer support specialists, that respond "
                        "to people experiencing a mental health crisis."),
                text=("SECTION 1. Section 5960 is added to the Welfare and Institutions Code, to read: "
                      "5960. Each county shall provide mobile crisis services for people experiencing "
                      "a mental health or substance use crisis, including peer support specialists."))
        with transaction(factory) as s:
            subscribe(s, "demo-member@example.org", all_bills=True, cadence="immediate", confirmed=True)
        echo("a demo member (demo-member@example.org) follows all tracked bills")
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
        echo("delivering alerts:")
        sent = run_child(tracker_command("send"), cfg.sources.crawl_timeout)
        for line in sent.output.strip().splitlines():  # says where the messages went, once
            echo(f"  {line}")
        stats = dict(server.replica.stats)
        echo(f"requests served by the replica: {sum(stats.values())} "
             f"({stats.get('/robots.txt', 0)} robots.txt)")
    finally:
        server.stop()
