"""Core commands: init, import-pubinfo, bills, show, runs, export, config."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tracker.cli._common import engine, interactive, read_session, sessions, settings
from tracker.db.migrate import upgrade
from tracker.errors import InputError, TrackerError
from tracker.locks import exclusive
from tracker.ingest.runs import finish_run, start_run
from tracker.ingest.service import IngestResult, ingest_snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.queries import bill_detail, export_bills, export_events, find_bill_id, recent_runs
from tracker.relevance import load_matcher
from tracker.stages import governor_decision


@click.command()
def init() -> None:
    """Create the database or upgrade it to the newest schema."""
    eng = engine(require_current=False)
    upgrade(eng)
    click.echo(f"database ready: {eng.url.render_as_string(hide_password=True)}")


def run_import(path: Path, source: str = "pubinfo", quiet: bool = False) -> IngestResult:
    """Read, diff and store one PUBINFO extract, recording a source run (shared with polling)."""
    if not path.exists():  # the operator's typo is not a failed poll of the legislature
        raise InputError(str(path), "no such file or directory")
    factory = sessions()
    with exclusive("poll") as mine:  # an import and a poll at once would store one change twice
        if not mine:
            raise TrackerError("another import or poll is running; run this again when it has finished")
        return _import(factory, path, source, quiet)


def _import(factory: sessionmaker[Session], path: Path, source: str, quiet: bool) -> IngestResult:
    run_id = start_run(factory, source, str(path))
    try:
        snapshot = read_snapshot(path, source=source)
        matcher = load_matcher(settings().topics_path)
        if interactive() and not quiet:
            with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), transient=True, console=Console(stderr=True)) as bar:
                task = bar.add_task("import", total=len(snapshot.bundles))
                result = ingest_snapshot(factory, snapshot, matcher=matcher, run_id=run_id,
                                         progress=lambda n: bar.advance(task, n))
        else:
            result = ingest_snapshot(factory, snapshot, matcher=matcher, run_id=run_id)
    except TrackerError as exc:
        finish_run(factory, run_id, status="failed", error=str(exc))
        raise
    except KeyboardInterrupt:
        finish_run(factory, run_id, status="failed", error="interrupted before it finished")
        raise
    except Exception as exc:
        finish_run(factory, run_id, status="failed", error=f"{type(exc).__name__}: {exc}")
        raise
    finish_run(factory, run_id, status="ok", changes=result.events, bills_seen=result.bills_seen,
               warnings=result.warnings, stats={"event_kinds": result.event_kinds,
                                                 "bills_new": result.bills_new,
                                                 "bills_changed": result.bills_changed})
    return result


@click.command("import-pubinfo")
@click.argument("path", type=click.Path(path_type=Path))
def import_pubinfo(path: Path) -> None:
    """Import a PUBINFO extract: a .zip or a directory of .dat/.lob files."""
    result = run_import(path)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(result.event_kinds.items())) or "none"
    click.echo(f"imported {path}: {result.bills_seen} bills seen, {result.bills_new} new, "
               f"{result.bills_changed} changed, {result.actions_new} new actions; "
               f"{result.events} change events ({kinds})")


@click.command()
@click.option("--relevant", is_flag=True, help="Only bills that touch behavioral health.")
@click.option("--limit", type=click.IntRange(1), default=None)
def bills(relevant: bool, limit: int | None) -> None:
    """List stored bills as a table."""
    with read_session() as s:
        rows = export_bills(s, relevant_only=relevant)
    rows = rows[:limit] if limit else rows
    table = Table(title=f"{len(rows)} bills", show_lines=False)
    for col in ("Bill", "Title", "Stage", "Status", "Last action", "Relevant"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["measure"], (r["title"] or "")[:60], r["stage"] or "",
                      r["current_status"] or "", f"{r['last_action_date'] or ''} {(r['last_action'] or '')[:50]}",
                      "yes: " + ", ".join(r["topics"]) if r["relevant"] else "")
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def _vote_place(s: Session, session_year: str, where: str | None) -> str:
    """Where a vote was taken as the web page and packets say it ('Senate floor', 'Senate
    Health', 'A Senate committee'): staff read `show` too, and 'CS44' tells them nothing."""
    from tracker.i18n import translations
    from tracker.web.pages import vote_place  # the web app's words; imported here, not at start-up

    return vote_place(s, session_year, where, translations("en").gettext) if where else ""


def _where_now(s: Session, session_year: str, house: str | None, code: str | None) -> str:
    """The bill's current place in words: 'Senate Health', 'Senate Third Reading', 'A Senate
    committee' (a code the location table does not name); the house alone when there is no place."""
    from tracker.committees import location_name

    house = (house or "").strip()
    words = _vote_place(s, session_year, code)
    if not words or not house or house.lower() in words.lower():
        return words or house
    if location_name(s, session_year, code):  # a place with a name: 'Third Reading'
        return f"{house} {words}"
    return f"{house}, {words[:1].lower()}{words[1:]}"  # 'Senate, a committee'


@click.command()
@click.argument("bill")
def show(bill: str) -> None:
    """Everything we know about one bill, e.g. tracker show "AB 13"."""
    with read_session() as s:
        bill_id = find_bill_id(s, bill, settings().session_year)
        d = bill_detail(s, bill_id)
        where = _where_now(s, d["session"], d["current_house"], d["current_location"])
        for v in d["votes"]:
            v["location"] = _vote_place(s, d["session"], v["location"])
        for h in d["hearings"]:
            h["committee"] = _vote_place(s, d["session"], h["committee"])
    out = [f"{d['measure']} ({d['bill_id']}): {d['title'] or '(title unknown)'}"]
    out.append(f"Status: {d['current_status'] or '?'} · {where}".rstrip(" ·"))
    out.append(f"Stage: {d['stage'] or '?'}    Relevant: {'yes (' + ', '.join(d['topics']) + ')' if d['relevant'] else 'no'}")
    out.append("Authors: " + (", ".join(f"{a['name']} ({a['contribution'] or 'author'})" for a in d["authors"]) or "unknown"))
    out.append("\nVersions:")
    out += [f"  {v['date'] or '????-??-??'}  {v['action'] or ''}  [{v['bill_version_id']}]" for v in d["versions"]] or ["  none"]
    out.append("\nHistory (oldest first):")
    out += [f"  {a['date']}  {a['action']}  [{a['stage'] or '?'}]" for a in d["actions"]] or ["  none"]
    out.append("\nVotes:")
    out += [f"  {v['date']}  {v['location'] or ''}  {v['result'] or ''}  ayes {v['ayes']} noes {v['noes']}  {v['motion'] or ''}" for v in d["votes"]] or ["  none"]
    out.append("\nHearings:")
    out += [f"  {h['date']}  {h['committee'] or ''}  {h['time'] or ''} {h['room'] or ''}  {h['status']}" for h in d["hearings"]] or ["  none"]
    if d["veto"] is not None:
        decision = governor_decision(d["stage"], [a["stage"] for a in d["actions"]], d["current_status"])
        heading = {"signed": "Signing message", "vetoed": "Veto message"}.get(decision or "", "The Governor's message")
        out.append(f"\n{heading} ({d['veto']['date'] or 'date unknown'}):")
        out += [textwrap.fill(p, width=100, initial_indent="  ", subsequent_indent="  ")
                for p in d["veto"]["paragraphs"]] or ["  (no text in the data)"]
    click.echo("\n".join(out))


@click.command()
@click.option("--limit", type=click.IntRange(1), default=20)
def runs(limit: int) -> None:
    """Recent source runs: what each poll or import fetched and found."""
    with read_session() as s:
        rows = recent_runs(s, limit)
    table = Table(title="source runs (newest first)")
    for col in ("#", "Source", "Started (UTC)", "Status", "Secs", "Requests", "Bytes", "Bills", "Changes", "Warnings"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(str(r["id"]), r["source"], r["started_at"][:19], r["status"],
                      f"{r['duration_s']:.1f}" if r["duration_s"] is not None else "",
                      str(r["requests"]), str(r["bytes"]), str(r["bills_seen"]), str(r["changes"]),
                      "; ".join(r["warnings"][:3]) + (f" (+{len(r['warnings']) - 3})" if len(r["warnings"]) > 3 else "")
                      + (f" ERROR: {r['error']}" if r["error"] else ""))
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@click.command()
@click.argument("what", type=click.Choice(["bills", "events"]))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option("--relevant", is_flag=True, help="Bills: only relevant ones.")
def export(what: str, fmt: str, relevant: bool) -> None:
    """Export bills or change events (one JSON object per line, or CSV)."""
    with read_session() as s:
        rows = export_bills(s, relevant_only=relevant) if what == "bills" else export_events(s)
    if fmt == "jsonl":
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
        return
    import csv

    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    for r in rows:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for k, v in r.items()})


@click.group()
def config() -> None:
    """Inspect settings."""


@config.command("show")
def config_show() -> None:
    """Print the effective settings (secrets redacted)."""
    click.echo(json.dumps(settings().redacted(), indent=2, default=str))


COMMANDS = [init, import_pubinfo, bills, show, runs, export, config]
