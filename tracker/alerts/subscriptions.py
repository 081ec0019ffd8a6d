"""Subscribers and subscriptions: every rule lives here, shared by the CLI and the web app.

Functions take a SQLAlchemy ``Session`` and only ``flush``; the caller owns the transaction.
``subscribe`` never tells the caller whether an address already existed (the web page must
answer the same either way), and unconfirmed addresses get nothing but the confirmation
message (double opt-in).
"""

from __future__ import annotations

import csv
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tracker.alerts.kinds import (
    BILL_DEFAULT_KINDS, CADENCES, EVENT_KINDS, LANGS, TOPIC_DEFAULT_KINDS,
)
from tracker.alerts.outbox import insert_ignore
from tracker.alerts.topics import load_topics
from tracker.db.base import utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber, Subscription
from tracker.db.models_core import Bill
from tracker.errors import TrackerError
from tracker.items import BILL_ID_RE, bill_id_of
from tracker.settings import get_settings

#: The one address pattern (the web form uses it too): a local part without spaces, double quotes,
#: angle brackets, commas or semicolons (those would make one field hold several addresses), at a
#: domain of letters, digits, dots and hyphens ending in a top-level name.
EMAIL_RE = re.compile(r"^[^@\s<>,;\"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")


class SubscriptionError(TrackerError):
    """A subscription request that cannot be honoured (bad address, topic, bill, cadence)."""


def normalise_email(email: str) -> str:
    """Trim and lower-case, so one person is one row however they typed it."""
    value = (email or "").strip().lower()
    if len(value) > 320 or not EMAIL_RE.match(value):
        raise SubscriptionError(f"not an email address: {email!r}")
    return value


def _bill_ids(s: Session, bills: Sequence[str]) -> list[str]:
    """Bill numbers → bill ids; a bill we do not know is an error, not a silent dead end."""
    out = []
    for b in bills:
        b = b.strip()
        if BILL_ID_RE.match(b):
            bill_id = b
        else:
            try:
                bill_id = bill_id_of(b, get_settings().session_year)
            except ValueError as exc:
                raise SubscriptionError(str(exc)) from None
        if s.get(Bill, bill_id) is None:
            raise SubscriptionError(f"unknown bill {b!r}: not in our data for this session")
        out.append(bill_id)
    return out


def _check_topics(topics: Sequence[str]) -> list[str]:
    if not topics:
        return []
    path = get_settings().topics_path
    known = load_topics(path)
    for t in topics:
        if t not in known:
            choices = ", ".join(known) or f"none (is {path} there?)"
            raise SubscriptionError(f"unknown topic {t!r}; topics are: {choices}")
    return list(dict.fromkeys(topics))


def _check(lang: str, cadence: str) -> None:
    if lang not in LANGS:
        raise SubscriptionError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    if cadence not in CADENCES:
        raise SubscriptionError(f"unknown cadence {cadence!r}; choose one of {', '.join(CADENCES)}")


def _wanted(s: Session, topics: Sequence[str], bills: Sequence[str], all_bills: bool) -> list[tuple[str, str]]:
    wanted = [("topic", t) for t in _check_topics(topics)]
    wanted += [("bill", b) for b in dict.fromkeys(_bill_ids(s, bills))]
    if all_bills:
        wanted.append(("all", ""))
    if not wanted:
        raise SubscriptionError("choose at least one topic or bill (or all tracked bills)")
    return wanted


def _default_kinds(kind: str) -> list[str]:
    return list(BILL_DEFAULT_KINDS if kind == "bill" else TOPIC_DEFAULT_KINDS)


def _upsert_subscriptions(s: Session, sub: Subscriber, wanted: list[tuple[str, str]], cadence: str,
                          event_kinds: Sequence[str] | None, replace: bool) -> None:
    if event_kinds is not None:
        bad = [k for k in event_kinds if k not in EVENT_KINDS]
        if bad:
            raise SubscriptionError(f"unknown event kind(s): {', '.join(bad)}")
    have = {(x.kind, x.target): x for x in sub.subscriptions}
    for kind, target in wanted:
        row = have.get((kind, target))
        kinds = list(event_kinds) if event_kinds is not None else None
        if row is None:
            sub.subscriptions.append(Subscription(kind=kind, target=target, cadence=cadence,
                                                  event_kinds=kinds or _default_kinds(kind)))
        else:
            row.cadence = cadence
            if kinds is not None:
                row.event_kinds = kinds
    if replace:
        keep = set(wanted)
        for key, row in have.items():
            if key not in keep:
                sub.subscriptions.remove(row)


def enqueue_confirmation(s: Session, sub: Subscriber) -> None:
    """Queue one confirmation message (a fresh key per request; the web layer rate-limits)."""
    s.flush()
    insert_ignore(s, [{"key": f"confirm:{sub.id}:{uuid.uuid4().hex}", "kind": "confirm",
                       "subscriber_id": sub.id, "event_ids": [], "reasons": {}}])


def enqueue_manage_link(s: Session, sub: Subscriber) -> None:
    """Queue one "you are already signed up, here is your preferences link" message."""
    s.flush()
    insert_ignore(s, [{"key": f"manage:{sub.id}:{uuid.uuid4().hex}", "kind": "manage",
                       "subscriber_id": sub.id, "event_ids": [], "reasons": {}}])


def subscribe(s: Session, email: str, *, lang: str | None = None, topics: Sequence[str] = (),
              bills: Sequence[str] = (), all_bills: bool = False, cadence: str = "immediate",
              county: str | None = None, confirmed: bool = False,
              event_kinds: Sequence[str] | None = None) -> Subscriber:
    """Create or update a subscriber (idempotent per address; never reveals existence).

    ``confirmed=True`` is for staff who already hold consent (CLI, CSV import); otherwise an
    unconfirmed subscriber gets exactly one confirmation message per call. ``lang=None`` keeps a
    known member's language (staff re-adding a Spanish speaker to a bill must not switch them
    to English); a new subscriber gets English.
    """
    _check(lang or "en", cadence)
    address = normalise_email(email)
    wanted = _wanted(s, topics, bills, all_bills)
    sub = s.execute(select(Subscriber).where(Subscriber.email == address)).scalar_one_or_none()
    if sub is not None and not confirmed and sub.status == "active" and sub.confirmed_at is not None:
        # The sign-up form cannot tell the owner from anyone who knows the address, so it changes
        # nothing for a confirmed member: the owner gets a link to their own preferences page.
        enqueue_manage_link(s, sub)
        return sub
    if sub is None:
        sub = Subscriber(email=address, lang=lang or "en", status="active", bounce_count=0,
                         token_id=secrets.token_urlsafe(18))
        s.add(sub)
    elif sub.status == "unsubscribed":
        sub.status, sub.confirmed_at = "active", None  # coming back means opting in again
    if lang is not None:
        sub.lang = lang
    if county is not None:
        sub.county = county.strip() or None
    if confirmed and sub.confirmed_at is None:
        sub.confirmed_at = utcnow()
    _upsert_subscriptions(s, sub, wanted, cadence, event_kinds, replace=False)
    s.flush()
    if sub.confirmed_at is None:
        enqueue_confirmation(s, sub)
    return sub


def confirm(s: Session, subscriber: Subscriber) -> None:
    """The address owner clicked the confirmation link: start sending."""
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = utcnow()
    if subscriber.status == "unsubscribed":
        subscriber.status = "active"
    s.flush()


def _cancel_pending(s: Session, subscriber_id: int) -> None:
    s.execute(update(OutboxMessage)
              .where(OutboxMessage.subscriber_id == subscriber_id,
                     OutboxMessage.status.in_(("pending", "deferred")))
              .values(status="canceled"))


def unsubscribe(s: Session, subscriber: Subscriber) -> None:
    """Stop all mail now: cancel queued messages and forget what they followed.

    The address row stays (status ``unsubscribed``) so a later import cannot re-add it
    silently; ``delete_subscriber`` removes even that.
    """
    subscriber.status = "unsubscribed"
    subscriber.subscriptions.clear()
    _cancel_pending(s, subscriber.id)
    s.flush()


def delete_subscriber(s: Session, subscriber: Subscriber) -> None:
    """Really delete: the address, its subscriptions and every outbox row."""
    sid = subscriber.id
    s.execute(delete(OutboxMessage).where(OutboxMessage.subscriber_id == sid))
    s.execute(delete(Subscription).where(Subscription.subscriber_id == sid))
    s.expunge(subscriber)
    s.execute(delete(Subscriber).where(Subscriber.id == sid))
    s.flush()


def update_preferences(s: Session, subscriber: Subscriber, *, lang: str, topics: Sequence[str],
                       bills: Sequence[str], all_bills: bool, cadence: str) -> None:
    """Replace what a subscriber follows with exactly this set (from the preferences page)."""
    _check(lang, cadence)
    wanted = _wanted(s, topics, bills, all_bills)
    subscriber.lang = lang
    if subscriber.status == "unsubscribed":
        # The signed link came to the owner's inbox: saving choices is coming back, as the
        # page after unsubscribing ("Changed your mind?") promises.
        subscriber.status = "active"
    _upsert_subscriptions(s, subscriber, wanted, cadence, None, replace=True)
    s.flush()


def find_by_token(s: Session, token_id: str) -> Subscriber | None:
    return s.execute(select(Subscriber).where(Subscriber.token_id == token_id)).scalar_one_or_none()


def find_by_email(s: Session, email: str) -> Subscriber | None:
    try:
        address = normalise_email(email)
    except SubscriptionError:
        return None
    return s.execute(select(Subscriber).where(Subscriber.email == address)).scalar_one_or_none()


@dataclass
class Counts:
    """Aggregate numbers staff may see without seeing who subscribes to what."""

    by_status: dict[str, int] = field(default_factory=dict)
    unconfirmed: int = 0
    by_target: dict[tuple[str, str], int] = field(default_factory=dict)
    by_lang: dict[str, int] = field(default_factory=dict)


def counts(s: Session) -> Counts:
    c = Counts()
    for status, n in s.execute(select(Subscriber.status, func.count()).group_by(Subscriber.status)):
        c.by_status[status] = n
    c.unconfirmed = s.execute(select(func.count()).select_from(Subscriber)
                              .where(Subscriber.confirmed_at.is_(None))).scalar_one()
    for lang, n in s.execute(select(Subscriber.lang, func.count()).group_by(Subscriber.lang)):
        c.by_lang[lang] = n
    q = (select(Subscription.kind, Subscription.target, func.count())
         .join(Subscriber).where(Subscriber.status == "active")
         .group_by(Subscription.kind, Subscription.target))
    for kind, target, n in s.execute(q):
        c.by_target[(kind, target)] = n
    return c


def import_csv(s: Session, path: Path, *, confirmed: bool = False) -> int:
    """Add subscribers from a CSV (columns: email, lang, topics, bills, cadence, county,
    confirmed; lists separated by ``;``). Returns how many rows were applied."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SubscriptionError(f"cannot read {path}: {exc.strerror}") from None
    n = 0
    for line_no, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        split = lambda v: [x.strip() for x in v.split(";") if x.strip()]  # noqa: E731
        try:
            subscribe(s, row.get("email", ""), lang=row.get("lang") or None,
                      topics=split(row.get("topics", "")), bills=split(row.get("bills", "")),
                      all_bills=row.get("all", "").lower() in ("1", "yes", "true"),
                      cadence=row.get("cadence") or "immediate", county=row.get("county") or None,
                      confirmed=confirmed or row.get("confirmed", "").lower() in ("1", "yes", "true"))
        except SubscriptionError as exc:
            raise SubscriptionError(f"{path}:{line_no}: {exc}") from None
        n += 1
    return n
