"""Polling commands: ``poll`` (one cycle now), ``run`` (the scheduler), ``replica``, ``demo``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from tracker.cli._common import check_port, interactive, sessions, settings
from tracker.errors import TrackerError

SOURCE_CHOICES = ["pubinfo", "web", "hearings", "all"]
SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data" / "pubinfo_2025"


def _sources(source: str) -> list[str]:
    from tracker.polling.cycle import SOURCES

    return list(SOURCES) if source == "all" else [source]


@click.command()
@click.option("--source", type=click.Choice(SOURCE_CHOICES), default="all", show_default=True,
              help="Which source to poll.")
@click.option("--delta", is_flag=True, help="Also fetch the weekday PUBINFO delta zip.")
@click.option("--wait", type=click.FloatRange(0), default=0, metavar="SECONDS",
              help="If another poll or import is running, wait up to SECONDS for it to finish "
                   "(the scheduler waits one crawl_timeout) instead of doing nothing.")
@click.option("--in-child", "in_child", is_flag=True, hidden=True,
              help="Poll in this process (the process that started it keeps the time limit).")
def poll(source: str, delta: bool, wait: float, in_child: bool) -> None:
    """Poll the legislature now: one cycle, then a one-paragraph summary per source.

    The poll runs in a child process stopped after sources.crawl_timeout, as the scheduler's
    polls are: its runs are then closed as timed out and reported to staff.
    """
    from tracker.locks import BUSY_EXIT, exclusive
    from tracker.polling.child import DEAD, INTERRUPTED, close_open_runs

    cfg = settings()
    factory = sessions()
    if not in_child:
        _watched(cfg, factory, source, delta, wait)
        return
    runs_of = None if source == "all" else source
    with exclusive("poll", wait=wait) as mine:
        if mine:
            # Holding the lock proves no other poll or import is running: a run of ours still
            # 'running' lost its process (SIGKILL, power cut) and would otherwise stay open.
            dead = close_open_runs(factory, runs_of, None, DEAD)
            if dead:
                click.echo(f"{_runs(dead)} of {source} left open by a poll or import that was "
                           f"killed: marked failed ({DEAD})", err=True)
            try:
                summaries = _poll_now(cfg, factory, source, delta)
            except KeyboardInterrupt:
                # Ctrl-C/SIGTERM in the ingest after the crawls: its transaction rolled back,
                # and the runs not yet closed (all of them still 'running' are ours) say so.
                close_open_runs(factory, runs_of, None, INTERRUPTED)
                raise
    if not mine:  # two polls would store the same news twice (and fight over the rows)
        if wait:  # the scheduler's poll: a distinct exit code, so it is logged as skipped
            click.echo(f"another 'tracker poll' is still running after {wait:g} s; nothing done")
            sys.exit(BUSY_EXIT)
        click.echo("another 'tracker poll' is running; nothing to do")
        return
    for s in summaries:
        click.echo(s.line())
        for w in s.warnings[:10]:
            click.echo(f"  warning: {w}")
        if len(s.warnings) > 10:
            click.echo(f"  … {len(s.warnings) - 10} more warnings (see 'tracker runs')")
    if any(s.status == "failed" for s in summaries):
        sys.exit(1)


def _watched(cfg: Any, factory: Any, source: str, delta: bool, wait: float) -> None:
    """Run this poll as a child under the same watchdog as the scheduler's (``poll_in_child``),
    and answer for it: its output, its exit code, or one line for a timeout or a crash."""
    from tracker.polling.child import poll_in_child

    timeout = cfg.sources.crawl_timeout
    # The watchdog's log line is for the scheduler's log; here the one line below says it.
    logging.getLogger("tracker.polling.child").addHandler(logging.NullHandler())
    sys.stdout.flush()
    if interactive():
        from rich.console import Console

        with Console(stderr=True).status(f"polling {source}…"):
            result = poll_in_child(factory, source, timeout, wait=wait, delta=delta, stdout=sys.stdout)
    else:
        result = poll_in_child(factory, source, timeout, wait=wait, delta=delta, stdout=sys.stdout)
    stopped = result.interrupted or result.timed_out  # the child's own "interrupted" is not the news
    for line in result.output.splitlines():
        if not (stopped and line.strip() in ("", "tracker: interrupted")):
            click.echo(line, err=True)
    if result.interrupted:
        raise KeyboardInterrupt
    code = result.returncode or 0
    if result.timed_out:
        click.echo(f"tracker: error: poll {source} timed out after {timeout:g} s (sources.crawl_timeout) "
                   f"and was stopped; {_runs(result.closed)} marked failed and reported to staff; "
                   "retried at the next run", err=True)
        sys.exit(1)
    if code < 0:
        click.echo(f"tracker: error: poll {source} crashed (killed by signal {-code}); "
                   f"{_runs(result.closed)} marked failed; retried at the next run", err=True)
        sys.exit(1)
    if code:
        sys.exit(code)


def _runs(n: int) -> str:
    return "1 run" if n == 1 else f"{n} runs"


def _poll_now(cfg: Any, factory: Any, source: str, delta: bool) -> list[Any]:
    """One cycle, with a spinner on a terminal."""
    from tracker.polling.cycle import run_poll

    if interactive():
        from rich.console import Console

        with Console(stderr=True).status(f"polling {source}…"):
            return run_poll(cfg, factory, _sources(source), include_delta=delta)
    return run_poll(cfg, factory, _sources(source), include_delta=delta)


@click.command()
def run() -> None:
    """Run the scheduler: polls, sending and the digest on the cron schedules in settings."""
    from tracker.polling.scheduler import run_scheduler

    sessions()  # refuse early if the database was never initialised
    run_scheduler(settings())


@click.group()
def replica() -> None:
    """A local stand-in for the legislature's servers (tests and demos)."""


@replica.command("serve")
@click.option("--pubinfo", "pubinfo_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=SAMPLE_DATA, show_default=False, help="PUBINFO directory to load (default: sample data).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--scale", type=click.IntRange(0), default=0, help="Copy bills synthetically up to N bills.")
def replica_serve(pubinfo_dir: Path, port: int, host: str, scale: int) -> None:
    """Serve leginfo pages, PUBINFO zips and chamber calendars from DIR's bills."""
    from tracker.replica.server import ReplicaServer

    if port:
        check_port(host, port)
    try:
        server = ReplicaServer(pubinfo_dir, port=port, host=host, scale=scale)
    except OSError as exc:
        raise TrackerError(f"cannot start the replica: {exc}") from None
    click.echo(f"replica of {pubinfo_dir} ({len(server.replica.state.bills)} bills) on {server.url}", err=True)
    server.serve_forever()


@click.command()
def demo() -> None:
    """Run the whole pipeline against a local replica with the bundled sample bills."""
    from tracker.polling.demo import run_demo

    run_demo(SAMPLE_DATA, echo=click.echo)


COMMANDS: list[click.Command] = [poll, run, replica, demo]
