"""Relevance and stage commands: match, stage, topics check|list|apply, explain.

``match`` and ``stage`` read JSON lines (a path or ``-`` for stdin) and write one JSON line per
input line, in input order, with the input object plus the computed fields.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

import click

from tracker.errors import InputError, TrackerError

TOPICS_OPTION = click.option(
    "--topics", "topics_path", type=click.Path(path_type=Path), default=None,
    help="Topics file (default: the topics_path setting, config/topics.toml).")


def _topics_path(path: Path | None) -> Path:
    if path is not None:
        return path
    from tracker.settings import get_settings
    return get_settings().topics_path


def _open(name: str) -> IO[str]:
    if name == "-":
        return sys.stdin
    try:
        return open(name, encoding="utf-8-sig")  # noqa: SIM115 - closed by the caller (Notepad adds a BOM)
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None


def read_jsonl(name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; bad JSON raises ``InputError``."""
    label = "<stdin>" if name == "-" else name
    fh = _open(name)
    try:
        for n, line in enumerate(fh, 1):
            if n == 1:
                line = line.removeprefix("\ufeff")  # a byte-order mark piped in on stdin
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(label, f"invalid JSON: {exc.msg} (column {exc.colno})", n) from None
            if not isinstance(obj, dict):
                raise InputError(label, "each line must be a JSON object", n)
            yield n, obj
    except UnicodeDecodeError:
        raise InputError(label, "not UTF-8 text") from None
    finally:
        if fh is not sys.stdin:
            fh.close()


def _text(obj: dict[str, Any], key: str, label: str, n: int, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InputError(label, f"missing {key!r}", n)
        return None
    if not isinstance(value, str):
        raise InputError(label, f"{key!r} must be a string", n)
    return value


def _date(obj: dict[str, Any], key: str, label: str, n: int) -> date | None:
    value = obj.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError(label, f"{key!r} must be a date like 2025-04-09 (got {value!r})", n) from None


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


@click.command()
@click.argument("file", type=str)
@TOPICS_OPTION
@click.option("--explain", "with_explanation", is_flag=True, help="Add the explanation to each line.")
def match(file: str, topics_path: Path | None, with_explanation: bool) -> None:
    """Judge behavioral-health relevance of bills in a JSON-lines FILE (or - for stdin).

    Each line needs "title" and may have "summary" (the digest), "subject" and "text". Each
    output line is the input plus "relevant", "score", "topics" and "matched".
    """
    from tracker.relevance import MatchInput, load_matcher

    matcher = load_matcher(_topics_path(topics_path))
    label = "<stdin>" if file == "-" else file
    for n, obj in read_jsonl(file):
        title = _text(obj, "title", label, n, required=True)
        digest = _text(obj, "summary", label, n) or _text(obj, "digest", label, n)
        result = matcher.match(MatchInput(title=title, subject=_text(obj, "subject", label, n),
                                          digest=digest, text=_text(obj, "text", label, n)))
        out = dict(obj)
        out.update(relevant=result.relevant, score=result.score, topics=result.topics,
                   matched=result.matched)
        if with_explanation:
            out["explanation"] = result.explanation
        _emit(out)


@click.command()
@click.argument("file", type=str)
@click.option("--histories", is_flag=True,
              help='Each line is a bill: "actions" = [{date, action}, ...] oldest first.')
def stage(file: str, histories: bool) -> None:
    """Label actions (or whole histories) in a JSON-lines FILE (or - for stdin) with a stage."""
    from tracker.stages import classify_action, current_stage

    label = "<stdin>" if file == "-" else file
    for n, obj in read_jsonl(file):
        out = dict(obj)
        if histories:
            actions = obj.get("actions")
            if not isinstance(actions, list):
                raise InputError(label, "missing 'actions' (a list of {date, action})", n)
            seq: list[tuple[date | None, str]] = []
            for a in actions:
                if not isinstance(a, dict):
                    raise InputError(label, "each entry of 'actions' must be an object", n)
                seq.append((_date(a, "date", label, n), _text(a, "action", label, n, required=True) or ""))
            out["stage"] = current_stage(seq)
        else:
            _date(obj, "date", label, n)
            out["stage"] = classify_action(_text(obj, "action", label, n, required=True) or "")
        _emit(out)


@click.group()
def topics() -> None:
    """The topic taxonomy (config/topics.toml)."""


@topics.command("check")
@TOPICS_OPTION
def topics_check(topics_path: Path | None) -> None:
    """Validate the topics file: one line per problem, with its line number."""
    from tracker.relevance import check_file, load_matcher

    path = _topics_path(topics_path)
    if not path.is_file():  # a wrong path is the operator's slip (exit 2), not a bad taxonomy (exit 1)
        raise TrackerError(f"{path}: no such topics file")
    problems = check_file(path)
    if problems:
        for p in problems:
            click.echo(p, err=True)
        raise SystemExit(1)
    matcher = load_matcher(path)
    terms = sum(len(t.terms) for t in matcher.topics)
    click.echo(f"{path}: ok: {len(matcher.topics)} topics, {terms} terms, "
               f"{matcher.pattern_count} patterns, "
               f"{sum(len(t.sections) for t in matcher.topics)} code-section ranges, {len(matcher.watched)} watched bills")


@topics.command("list")
@TOPICS_OPTION
def topics_list(topics_path: Path | None) -> None:
    """List the topics with their English and Spanish labels."""
    from tracker.relevance import load_matcher

    for t in load_matcher(_topics_path(topics_path)).topics:
        click.echo(f"{t.id}\t{t.label}\t{t.label_es}\t{len(t.terms)} terms")


@topics.command("apply")
@TOPICS_OPTION
@click.option("--session", "session_year", default=None, metavar="YEAR",
              help="Session to re-score, e.g. 20252026 (default: the session_year setting).")
def topics_apply(topics_path: Path | None, session_year: str | None) -> None:
    """Re-score every stored bill of the session with the topics file now.

    The next import or poll would do it too; this applies an edit (a watched bill, a new term)
    at once, in one transaction, with the usual change events and member alerts.
    """
    from tracker.cli._common import sessions, settings
    from tracker.ingest.rescan import apply_topics
    from tracker.locks import exclusive
    from tracker.relevance import load_matcher

    path = _topics_path(topics_path)
    matcher = load_matcher(path)  # an invalid file stops here, naming its lines
    year = session_year or settings().session_year
    factory = sessions()
    with exclusive("poll") as mine:  # an import or poll at once would score the same bills twice
        if not mine:
            raise TrackerError("another import or poll is running; run this again when it has finished")
        result = apply_topics(factory, matcher, [year])
    if not result.sessions:
        click.echo(f"no bills stored for session {year}: nothing to re-score")
        return
    click.echo(f"re-scored {_bills(result.bills)} of session {year} with {path}")
    click.echo(f"{_bills(result.became_relevant)} became relevant")
    click.echo(f"{_bills(result.no_longer_relevant)} stopped being relevant")


def _bills(n: int) -> str:
    return f"{n} bill" if n == 1 else f"{n} bills"


@click.command()
@click.argument("bill")
@TOPICS_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def explain(bill: str, topics_path: Path | None, as_json: bool) -> None:
    """Explain why a stored BILL (e.g. "AB 13") is or is not relevant."""
    from sqlalchemy import select

    from tracker.cli._common import read_session, settings
    from tracker.db.models_core import Bill, BillVersion
    from tracker.queries import find_bill_id
    from tracker.relevance import MatchInput, load_matcher, normalise_bill

    matcher = load_matcher(_topics_path(topics_path))
    with read_session() as s:
        # The same lookup as ``tracker show``: a bill of another session is found too.
        bill_id = find_bill_id(s, bill, settings().session_year)
        row = s.get(Bill, bill_id)
        if row is None:  # removed between the lookup and now
            raise TrackerError(f"unknown bill {bill!r}: not in the database")
        version = s.scalars(select(BillVersion).where(BillVersion.bill_id == bill_id)
                            .order_by(BillVersion.version_num.asc())).first()
        measure = row.measure
        item = MatchInput(title=row.title or (version.subject if version else None),
                          subject=version.title if version else row.subject,
                          digest=version.digest if version else None,
                          text=version.full_text if version else None)
    result = matcher.match(item)
    watched = (normalise_bill(measure) or measure) in matcher.watched
    if as_json:
        click.echo(json.dumps({"bill": measure, "bill_id": bill_id, "relevant": result.relevant or watched,
                               "watched": watched, "score": result.score, "topics": result.topics,
                               "matched": result.matched, "explanation": result.explanation},
                              ensure_ascii=False, indent=2))
        return
    verdict = "RELEVANT" if result.relevant else "not relevant"
    if watched:
        verdict = "RELEVANT (on the watch list)" + ("" if result.relevant else "; by its words: not relevant")
    click.echo(f"{measure} ({bill_id}): {verdict}; score {result.score:g} "
               f"(threshold {matcher.scoring.threshold:g})")
    if item.title:
        click.echo(f"title: {item.title}")
    if result.topics:
        labels = {t.id: t.label for t in matcher.topics}
        click.echo("topics: " + "; ".join(f"{labels.get(t, t)} [{t}]" for t in result.topics))
    if not result.explanation:
        click.echo("no topic terms found in the title, subject, digest or text")
    for e in result.explanation:
        click.echo(f"  +{e['weight']:g}  {e['term']!r} in {e['field']} ({e['topic']}, {e['count']}x): {e['snippet']}")


COMMANDS: list[click.Command] = [match, stage, topics, explain]
