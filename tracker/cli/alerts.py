"""Alert commands for staff and the scheduler: subscribers, send, digest.

Only argument parsing and printing live here; every rule is in ``tracker.alerts`` so the web
app behaves the same. Email addresses are shown only with ``--show-emails`` (privacy).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.alerts import subscriptions as subs
from tracker.alerts.digest import enqueue_staff_digest, last_full_week, render_staff_digest
from tracker.alerts.retention import delete_expired_sign_ups, forget_earlier_unsubscribes, keep_unconfirmed_text
from tracker.alerts.sender import SendReport, send_pending
from tracker.alerts.topics import load_topics, topic_label
from tracker.cli._common import sessions, settings
from tracker.db.base import transaction, utcnow
from tracker.errors import TrackerError
from tracker.items import measure_of
from tracker.settings.core import DEV_SECRET_KEY


@click.group()
def subscribers() -> None:
    """Manage alert subscribers (staff)."""


@subscribers.command("add")
@click.argument("email")
@click.option("--topic", "topics", multiple=True, help="Topic id from config/topics.toml (repeatable).")
@click.option("--bill", "bills", multiple=True, help='Bill number such as "AB 13" (repeatable).')
@click.option("--all-bills", is_flag=True, help="Every bill we track.")
@click.option("--lang", type=click.Choice(["en", "es"]), default=None,
              help="The member's language (default: English for a new member, unchanged for a known one).")
@click.option("--cadence", type=click.Choice(["immediate", "daily", "weekly"]), default=None,
              help="How often (default: immediate for a new member, unchanged for a known one).")
@click.option("--county", default=None, help="Optional county.")
@click.option("--confirmed", is_flag=True,
              help="The person already agreed (skip the confirmation email).")
def add(email: str, topics: tuple[str, ...], bills: tuple[str, ...], all_bills: bool, lang: str | None,
        cadence: str | None, county: str | None, confirmed: bool) -> None:
    """Subscribe EMAIL to topics and/or bills, or add them to an existing member.

    Says what changed; an existing member gets no email. Someone who unsubscribed is not
    re-added (exit 1): only they can sign up again, on the web site.
    """
    with transaction(sessions()) as s:
        result = subs.add_member(s, email, lang=lang, topics=topics, bills=bills, all_bills=all_bills,
                                 cadence=cadence, county=county, confirmed=confirmed)
        line = result.line(email.strip())
    click.echo(line)
    if result.skipped:
        sys.exit(1)


@subscribers.command("list")
@click.option("--show-emails", is_flag=True, help="Also print addresses (staff only; sensitive).")
def list_(show_emails: bool) -> None:
    """Counts per topic and bill; addresses only with --show-emails."""
    from sqlalchemy import select

    from tracker.db.models_alerts import Subscriber

    topics = load_topics(settings().topics_path)
    with sessions()() as s:
        c = subs.counts(s)
        status = ", ".join(f"{k} {v}" for k, v in sorted(c.by_status.items())) or "none"
        langs = ", ".join(f"{k} {v}" for k, v in sorted(c.by_lang.items()))
        click.echo(f"subscribers: {status}; unconfirmed {c.unconfirmed}; languages: {langs or 'none'}")
        for (kind, target), n in sorted(c.by_target.items(), key=lambda kv: (-kv[1], kv[0])):
            name = (f"topic {topic_label(topics, target, 'en')} ({target})" if kind == "topic"
                    else f"bill {measure_of(target)}" if kind == "bill" else "all tracked bills")
            click.echo(f"  {n:6d}  {name}")
        if show_emails:
            for sub in s.execute(select(Subscriber).order_by(Subscriber.email)).scalars():
                follows = ", ".join(x.target or x.kind for x in sub.subscriptions)
                # The id last: staff notices about undelivered mail name the subscriber by it.
                click.echo(f"{sub.email}\t{sub.lang}\t{sub.status}\t"
                           f"{'confirmed' if sub.confirmed_at else 'unconfirmed'}\t{follows}\tsubscriber {sub.id}")


@subscribers.command("remove")
@click.argument("email")
@click.option("--keep-record", is_flag=True,
              help="Only unsubscribe (keep the address so it is never mailed again).")
def remove(email: str, keep_record: bool) -> None:
    """Delete a subscriber and everything queued for them."""
    with transaction(sessions()) as s:
        sub = subs.find_by_email(s, email)
        if sub is None:
            raise TrackerError(f"no subscriber with address {email}")
        if keep_record:
            subs.unsubscribe(s, sub)
        else:
            subs.delete_subscriber(s, sub)
    click.echo("unsubscribed" if keep_record else "deleted")


@subscribers.command("import")
@click.argument("csv_path", type=click.Path(path_type=Path))
@click.option("--confirmed", is_flag=True, help="Everyone in the file already agreed.")
def import_(csv_path: Path, confirmed: bool) -> None:
    """Add subscribers from a CSV: email,lang,topics,bills,cadence,county,confirmed.

    Rows for people who unsubscribed are skipped, each with a line saying so.
    """
    with transaction(sessions()) as s:
        report = subs.import_csv(s, csv_path, confirmed=confirmed)
    for line in report.skipped + report.notes:
        click.echo(line)
    skipped = f"; skipped {len(report.skipped)} (they unsubscribed)" if report.skipped else ""
    click.echo(f"imported {report.applied} subscriber row(s){skipped}")


def _warn(report: SendReport) -> None:
    """One line per message set aside for good, then the run's own problem (why it stopped)."""
    for note in report.notes:
        click.echo(f"warning: {note}", err=True)
    if report.problem:
        click.echo(f"warning: {report.problem}", err=True)


@click.command()
@click.option("--retry-now", is_flag=True, help="Ignore the retry wait for deferred messages.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Send at most this many.")
def send(retry_now: bool, limit: int | None) -> None:
    """Deliver pending emails (SMTP from settings, or .eml files when no host is set).

    Each run first deletes sign-ups nobody confirmed before their confirmation link expired
    (``tracker.alerts.retention``): the scheduler runs this every few minutes, so that privacy
    promise needs no operator.
    """
    cfg = settings()
    if cfg.smtp.host and cfg.secret_key.get_secret_value() == DEV_SECRET_KEY:
        click.echo("warning: secret_key is the public development key, so anyone can forge this "
                   "service's unsubscribe and sign-in links: set TRACKER_SECRET_KEY (or a secret_key "
                   "file in TRACKER_SECRETS_DIR)", err=True)
    with transaction(sessions()) as s:  # every run, so sign-ups nobody confirmed never linger
        forgotten = delete_expired_sign_ups(s)
        forget_earlier_unsubscribes(s)  # people who unsubscribed before this release kept more
    if forgotten:
        click.echo(f"deleted {forgotten} sign-up(s) nobody confirmed within {keep_unconfirmed_text()} "
                   "of their last confirmation email")
    report = send_pending(sessions(), retry_now=retry_now, limit=limit)
    if report.busy:
        click.echo("another 'tracker send' is running; nothing to do")
        return
    _warn(report)
    extra = f", {report.recovered} recovered after a crash" if report.recovered else ""
    click.echo(f"sent {report.sent}, deferred {report.deferred}, failed {report.failed}, "
               f"canceled {report.canceled}{extra}")
    if not cfg.smtp.host and report.sent:  # a typo in the SMTP host must not look like delivery
        click.echo(f"(no SMTP server configured: the messages are .eml files in {cfg.smtp.outbox_dir}/)")
    if report.stopped:
        click.echo("tracker: stopped by a signal after recording the message in hand; "
                   "the rest wait for the next run", err=True)
        sys.exit(130)
    if report.failed or report.problem:  # a run that could not deliver is a failed run (exit 1)
        sys.exit(1)


@click.command()
@click.option("--week", default=None, help="ISO week such as 2025-W15 (default: last full week).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write standalone HTML here.")
@click.option("--send", "send_it", is_flag=True, help="Email it to alerts.staff_emails now.")
@click.option("--lang", type=click.Choice(["en", "es"]), default=None)
def digest(week: str | None, out: Path | None, send_it: bool, lang: str | None) -> None:
    """The weekly staff digest: triage, moves, amendments, hearings and deadlines, freshness."""
    cfg = settings()
    week = week or last_full_week(utcnow())
    lang = lang or cfg.alerts.staff_lang
    factory = sessions()
    if out is not None or not send_it:
        with factory() as s:
            r = render_staff_digest(s, week, lang, utcnow())
        if out is not None:
            try:  # as matrix --out and sheet --out: one line, not a traceback
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(r.html, encoding="utf-8")
            except OSError as exc:
                raise TrackerError(f"cannot write {out}: {exc.strerror or exc}") from None
            click.echo(f"wrote {out}")
        else:
            click.echo(r.text)
    if send_it:
        if not cfg.alerts.staff_emails:
            raise TrackerError("no staff addresses: set alerts.staff_emails in settings")
        with transaction(factory) as s:
            queued = enqueue_staff_digest(s, week, cfg.alerts.staff_emails, lang)
        report = send_pending(factory)
        if report.busy:
            click.echo("another 'tracker send' is running; the digest is queued and goes with it")
            return
        _warn(report)
        click.echo(f"digest {week}: queued {queued}, sent {report.sent}, deferred {report.deferred}, "
                   f"failed {report.failed}")
        if report.failed or report.problem:  # not delivered: a failed run, as `tracker send` says
            sys.exit(1)


COMMANDS = [subscribers, send, digest]
