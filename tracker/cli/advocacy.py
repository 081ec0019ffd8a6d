"""Advocacy commands: positions, briefing sheets and packets, the legislative matrix.

The commands are thin: the work is in ``tracker.advocacy`` (functions taking a Session) so the
web app shows and prints exactly the same things. WeasyPrint and openpyxl are imported inside
the commands that need them: they take about a second to import, and every other ``tracker``
command would otherwise pay for it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from tracker.advocacy.positions import get_position, list_positions, position_history, set_position
from tracker.advocacy.positions_io import export_positions, import_positions
from tracker.cli._common import read_session, sessions, settings
from tracker.db.base import transaction
from tracker.errors import TrackerError
from tracker.queries import find_bill_id
from tracker.clock import local_today, to_local

POSITION_CHOICES = ["support", "support_if_amended", "oppose", "oppose_unless_amended", "watch", "neutral"]


def _as_of(value: str | None) -> date:
    """``--as-of 2026-11-23`` (for reprints and tests); default today."""
    if not value:
        return local_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise TrackerError(f"--as-of {value!r}: use a date like 2026-11-23") from None


def _write(out: Path, content: bytes) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
    except OSError as exc:
        raise TrackerError(f"cannot write {out}: {exc.strerror or exc}") from None


def _local_time(when: datetime | None) -> str:
    """A stored (UTC) time as staff read it: California time (``schedule.timezone``)."""
    return "-" if when is None else f"{to_local(when, settings().schedule.timezone):%Y-%m-%d %H:%M %Z}"


def _history_line(h: dict[str, Any]) -> str:
    return (f"{_local_time(h['changed_at'])}  {h['previous_position'] or '-'} -> {h['position']}"
            f"  ({', '.join(h['changed_fields'])}) by {h['changed_by']}")


@click.group()
def positions() -> None:
    """The organisation's positions and talking points on bills."""


@positions.command("set")
@click.argument("bill")
@click.option("--position", "position", type=click.Choice(POSITION_CHOICES), required=True)
@click.option("--ask", help="The one-sentence ask.")
@click.option("--summary", help="Plain-language summary.")
@click.option("--why", help="Why it matters to people with lived experience.")
@click.option("--point", "points", multiple=True, help="A talking point (repeat, at most 5).")
@click.option("--supporter", "supporters", multiple=True, help="A known supporter (repeat).")
@click.option("--opponent", "opponents", multiple=True, help="A known opponent (repeat).")
@click.option("--contact", help="Staff contact printed on the sheet.")
@click.option("--story-prompt", help="A prompt for members' personal stories.")
@click.option("--by", "changed_by", default="cli", show_default=True, help="Who made the change.")
def positions_set(bill: str, position: str, ask: str | None, summary: str | None, why: str | None,
                  points: tuple[str, ...], supporters: tuple[str, ...], opponents: tuple[str, ...],
                  contact: str | None, story_prompt: str | None, changed_by: str) -> None:
    """Set or change the position on BILL; options left out keep their current value."""
    with transaction(sessions()) as s:
        bill_id = find_bill_id(s, bill, settings().session_year)
        set_position(s, bill_id, position=position, ask=ask, summary=summary, why=why,
                     talking_points=list(points) or None, supporters=list(supporters) or None,
                     opponents=list(opponents) or None, contact=contact,
                     story_prompt=story_prompt, changed_by=changed_by)
        measure = get_position(s, bill_id)
    if bill_id[:8] != settings().session_year:
        _older_session_note(measure["measure"] if measure else bill, bill_id)
    click.echo(f"{measure['measure'] if measure else bill}: position {position}")


@positions.command("show")
@click.argument("bill")
@click.option("--history", is_flag=True, help="Also list every change.")
def positions_show(bill: str, history: bool) -> None:
    """Show the position and talking points on BILL."""
    with read_session() as s:
        bill_id = find_bill_id(s, bill, settings().session_year)
        p = get_position(s, bill_id)
        changes = position_history(s, bill_id) if history else []
    if p is None:
        click.echo(f"{bill}: no position yet (not yet decided)")
        return
    lines = [f"{p['measure']}: {p['position']}"]
    for label, key in (("Ask", "ask"), ("Summary", "summary"), ("Why it matters", "why"),
                       ("Contact", "contact"), ("Story prompt", "story_prompt")):
        if p[key]:
            lines.append(f"{label}: {p[key]}")
    lines += [f"  {i}. {t}" for i, t in enumerate(p["talking_points"], 1)]
    if p["supporters"]:
        lines.append("Supporters: " + "; ".join(p["supporters"]))
    if p["opponents"]:
        lines.append("Opponents: " + "; ".join(p["opponents"]))
    lines.append(f"Last changed {_local_time(p['updated_at'])} by {p['updated_by']}")
    lines += [f"  {_history_line(h)}" for h in changes]
    click.echo("\n".join(lines))


@positions.command("list")
def positions_list() -> None:
    """Every position, one line each: bill, position, when and by whom it last changed."""
    session_year = settings().session_year
    with read_session() as s:
        records = list_positions(s)
    if not records:
        click.echo("no positions yet")
        return
    width = max(len(p["measure"]) for p in records)
    for p in records:
        other = f"  [session {p['session']}]" if p["session"] and p["session"] != session_year else ""
        click.echo(f"{p['measure']:<{width}}  {p['position']:<21}  changed {_local_time(p['updated_at'])}"
                   f" by {p['updated_by']}{other}")


@positions.command("history")
@click.argument("bill")
def positions_history(bill: str) -> None:
    """Every change to the position on BILL, oldest first (California time)."""
    with read_session() as s:
        bill_id = find_bill_id(s, bill, settings().session_year)
        p = get_position(s, bill_id)
        changes = position_history(s, bill_id)
    measure = p["measure"] if p else bill
    if not changes:
        click.echo(f"{measure}: no changes recorded (not yet decided)")
        return
    click.echo("\n".join([f"{measure}: {len(changes)} change(s)"] + [f"  {_history_line(h)}" for h in changes]))


@positions.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def positions_import(path: Path) -> None:
    """Load positions from a .toml or .csv file (all or nothing).

    \b
    Each row (CSV) or [[bill]] table (TOML) needs bill and position. Other fields:
      session (e.g. 2025-26; default: the configured session; a session given
      here is never swapped for another), ask, summary, why, contact,
      story_prompt, talking points (CSV: talking_point_1 .. talking_point_5;
      TOML: talking_points = [...]), supporters and opponents (CSV: names
      separated by ";"; TOML: lists).
    A field left out of the file (a column not in the CSV, a key not in the
    table) keeps its current value; an empty cell clears it. The talking_point_N
    columns are one field: when any is there, they give the whole list. A column name that
    is not one of these stops the import and says so. CSV files may be saved
    from Excel: comma, semicolon or tab separated, any header case, UTF-8 or
    Windows-1252; blank rows are skipped.
    """
    older: list[tuple[str, str]] = []
    with transaction(sessions()) as s:
        n = import_positions(s, path, settings().session_year,
                             on_other_session=lambda measure, bill_id: older.append((measure, bill_id)))
    for measure, bill_id in older:
        _older_session_note(measure, bill_id)
    click.echo(f"imported {n} positions from {path}")


@positions.command("export")
@click.argument("path", type=click.Path(path_type=Path))
def positions_export(path: Path) -> None:
    """Write every position to a .toml or .csv file."""
    with read_session() as s:
        n = export_positions(s, path)
    click.echo(f"wrote {n} positions to {path}")


#: File endings a sheet or packet can be written as, and the format each one means.
DOCUMENT_ENDINGS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def _format_for(out: Path, fmt: str | None) -> str:
    """The format to write ``out`` in, from its ending; any other ending is refused.

    A PDF saved as 'sheet.docx' opens in nothing (Word refuses it, and a double click finds no
    program), so staff would only find out when printing at the Capitol. ``--format`` may say
    the same as the ending, never something else.
    """
    ending = out.suffix.lower()
    wanted = DOCUMENT_ENDINGS.get(ending)
    if wanted is None:
        raise TrackerError(f"cannot write {out.name!r}: sheets and packets are written as .pdf (to print) "
                           f"or .html (a web page); name the file {out.stem or 'packet'}.pdf or "
                           f"{out.stem or 'packet'}.html")
    if fmt is not None and fmt != wanted:
        raise TrackerError(f"cannot write {out.name!r} as {fmt}: the name ends in {ending}; "
                           f"name the file {out.stem}.{fmt} or leave out --format")
    return wanted


def _packet(bills: str, legislator: str | None, out: Path, lang: str, fmt: str | None,
            as_of: str | None) -> None:
    from tracker.advocacy.packet import build_packet, parse_bill_list

    fmt = _format_for(out, fmt)
    with read_session() as s:
        packet = build_packet(s, parse_bill_list(bills), settings=settings(), as_of=_as_of(as_of),
                              legislator=legislator, lang=lang, fmt=fmt)
    _write(out, packet.content)
    pages = f", {packet.pages} pages" if packet.pages is not None else ""
    click.echo(f"wrote {out}: {len(packet.bills)} bill sheet(s){pages}")
    for bill_id, measure in zip(packet.bills, packet.measures, strict=True):
        if bill_id in packet.other_sessions:
            _older_session_note(measure, bill_id)
    for measure, fields in packet.shortened.items():
        click.echo(f"warning: {measure}: staff text shortened to fit one page ({', '.join(fields)}); "
                   f"the full text is in the position record: tracker positions show \"{measure}\"",
                   err=True)
    for measure, (staff, text) in packet.left_out.items():
        where = ([f"{', '.join(staff)} (in the position record)"] if staff else []) + \
                ([f"{', '.join(text)} (in the bill text)"] if text else [])
        click.echo(f"warning: {measure}: left out to fit one page: {'; '.join(where)}", err=True)
    for measure, count in packet.overflowing.items():
        click.echo(f"warning: {measure}: the sheet takes {count} pages even at the tightest fit "
                   "(a very long title or text): check the printout", err=True)


def _older_session_note(measure: str, bill_id: str) -> None:
    """Say when a bill number was found only in an older session, so nobody prints or changes
    a 1989 bill believing it is this year's."""
    from tracker.advocacy.facts import session_label

    current = session_label(settings().session_year)
    click.echo(f"note: {measure} is not in the {current} session; used {measure} of the "
               f"{session_label(bill_id[:8])} session", err=True)


@click.command()
@click.option("--bills", required=True, help='Bills on the agenda, e.g. "AB 13,SB 367".')
@click.option("--legislator", help='Add a cover page for this legislator, e.g. "Senator Limón" '
              '(a title such as Senator or Assembly Member says which house; accents optional).')
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Output file: .pdf (to print) or .html (a web page).")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default=None,
              help="Optional: the --out ending (.pdf, .html or .htm) says the format.")
@click.option("--as-of", help="Print this status date (YYYY-MM-DD) instead of today.")
def packet(bills: str, legislator: str | None, out: Path, lang: str, fmt: str | None,
           as_of: str | None) -> None:
    """Briefing sheets for an Advocacy Day visit, one page per bill."""
    _packet(bills, legislator, out, lang, fmt, as_of)


@click.command()
@click.argument("bill")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Output file: .pdf (to print) or .html (a web page).")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default=None,
              help="Optional: the --out ending (.pdf, .html or .htm) says the format.")
@click.option("--as-of", help="Print this status date (YYYY-MM-DD) instead of today.")
def sheet(bill: str, out: Path, lang: str, fmt: str | None, as_of: str | None) -> None:
    """One bill's briefing sheet (one printed page)."""
    _packet(bill, None, out, lang, fmt, as_of)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "xlsx"]), default=None,
              help="Default: from the --out suffix.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output file.")
@click.option("--group-by", type=click.Choice(["topic", "position"]), default=None)
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.option("--as-of", help="Status date (YYYY-MM-DD) printed on the matrix; default today.")
def matrix(fmt: str | None, out: Path, group_by: str | None, lang: str, as_of: str | None) -> None:
    """The public legislative matrix of tracked bills (HTML, CSV or Excel)."""
    from tracker.advocacy.matrix import matrix_rows
    from tracker.advocacy.matrix_export import write_matrix

    fmt = fmt or out.suffix.lower().lstrip(".")
    if fmt not in ("html", "csv", "xlsx"):
        raise TrackerError(f"cannot tell the format from {out.name!r}: add --format html|csv|xlsx")
    day = _as_of(as_of)
    with read_session() as s:
        rows = matrix_rows(s, group_by=group_by, as_of=day, settings=settings())
    _write(out, write_matrix(rows, fmt, group_by=group_by, lang=lang, as_of=day, settings=settings()))
    click.echo(f"wrote {out}: {len(rows)} bills")


COMMANDS = [positions, packet, sheet, matrix]
