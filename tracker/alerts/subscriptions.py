"""Subscribers and subscriptions: every rule lives here, shared by the CLI and the web app.

Functions take a SQLAlchemy ``Session`` and only ``flush``; the caller owns the transaction.
Two doors, two rules:

* ``subscribe`` is the web sign-up form: anyone who knows an address can type it, so it never
  tells the caller whether the address already existed, changes nothing for a confirmed member
  (they get a link to their own choices), and unconfirmed addresses get nothing but the
  confirmation message (double opt-in). A member paused after bounces, or one who unsubscribed,
  comes back only through that confirmation email.
* ``add_member`` is staff (``tracker subscribers add`` / ``import``), who hold the member's
  consent: it adds to an existing member and says what changed, sends no "already signed up"
  email, and never re-adds someone who unsubscribed (only they can come back).
"""

from __future__ import annotations

import csv
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.alerts.kinds import (
    BILL_DEFAULT_KINDS, CADENCES, EVENT_KINDS, LANGS, TOPIC_DEFAULT_KINDS,
)
from tracker.alerts.outbox import insert_ignore
from tracker.alerts.retention import forget_what_they_followed, keep_unconfirmed_text
from tracker.alerts.topics import load_topics
from tracker.db.base import utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber, Subscription
from tracker.db.models_core import Bill
from tracker.errors import TrackerError
from tracker.items import BILL_ID_RE, bill_id_of, measure_of
from tracker.addresses import EMAIL_RE
from tracker.settings import get_settings


class SubscriptionError(TrackerError):
    """A subscription request that cannot be honoured (bad address, topic, bill, cadence)."""


def normalise_email(email: str) -> str:
    """Trim and lower-case, so one person is one row however they typed it."""
    value = (email or "").strip().lower()
    if not value.isascii() and "@" in value:
        raise SubscriptionError(
            f"cannot send to {email.strip()!r}: our mail server cannot deliver to addresses with "
            "accented or non-English letters; ask the member for another address")
    if len(value) > 320 or not EMAIL_RE.match(value):
        raise SubscriptionError(f"not an email address: {email!r}")
    return value


def lookup_email(email: str) -> str:
    """The form an address is stored under (trimmed, lower-case), for finding a stored member.

    Unlike ``normalise_email`` it refuses nothing: an address stored before the rules tightened
    (accented letters, say) must still be found, so staff can remove it and its owner can leave.
    """
    return (email or "").strip().lower()


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


def _upsert_subscriptions(s: Session, sub: Subscriber, wanted: list[tuple[str, str]], cadence: str | None,
                          event_kinds: Sequence[str] | None, replace: bool) -> list[tuple[str, str]]:
    """Add (or with ``replace``, set exactly) what a member follows; returns what was new.

    ``cadence=None`` (staff adding a bill without saying how often) keeps the cadence of rows
    the member has, and gives new ones the member's usual cadence.
    """
    if event_kinds is not None:
        bad = [k for k in event_kinds if k not in EVENT_KINDS]
        if bad:
            raise SubscriptionError(f"unknown event kind(s): {', '.join(bad)}")
    have = {(x.kind, x.target): x for x in sub.subscriptions}
    usual = next((x.cadence for x in sub.subscriptions), "immediate")
    added = []
    for kind, target in wanted:
        row = have.get((kind, target))
        kinds = list(event_kinds) if event_kinds is not None else None
        if row is None:
            sub.subscriptions.append(Subscription(kind=kind, target=target, cadence=cadence or usual,
                                                  event_kinds=kinds or _default_kinds(kind)))
            added.append((kind, target))
        else:
            if cadence is not None:
                row.cadence = cadence
            if kinds is not None:
                row.event_kinds = kinds
    if replace:
        keep = set(wanted)
        for key, row in have.items():
            if key not in keep:
                sub.subscriptions.remove(row)
    return added


def enqueue_confirmation(s: Session, sub: Subscriber, request: dict[str, Any] | None = None) -> None:
    """Queue one confirmation message (a fresh key per request; the web layer rate-limits).

    ``request``: choices to apply only once the owner confirms (a paused member coming back);
    kept on the message's row, the one durable place a sign-up waits for its confirmation.
    """
    s.flush()
    insert_ignore(s, [{"key": f"confirm:{sub.id}:{uuid.uuid4().hex}", "kind": "confirm",
                       "subscriber_id": sub.id, "event_ids": [],
                       "reasons": {"sign_up": request} if request else {}}])


def enqueue_manage_link(s: Session, sub: Subscriber, *, asked_for: str = "sign_up") -> None:
    """Queue one message with a link to the member's preferences page.

    ``asked_for`` says which request it answers, so the email can say so: ``"sign_up"`` (the
    sign-up form, filled in for an address already confirmed: "you are already signed up, we
    changed nothing") or ``"new_link"`` (the member asked for a new link to their choices).
    """
    s.flush()
    reasons = {"asked_for": "new_link"} if asked_for == "new_link" else {}
    insert_ignore(s, [{"key": f"manage:{sub.id}:{uuid.uuid4().hex}", "kind": "manage",
                       "subscriber_id": sub.id, "event_ids": [], "reasons": reasons}])


def _new_subscriber(s: Session, address: str, lang: str | None) -> Subscriber:
    sub = Subscriber(email=address, lang=lang or "en", status="active", bounce_count=0,
                     token_id=secrets.token_urlsafe(18))
    s.add(sub)
    return sub


def subscribe(s: Session, email: str, *, lang: str | None = None, topics: Sequence[str] = (),
              bills: Sequence[str] = (), all_bills: bool = False, cadence: str = "immediate",
              county: str | None = None, confirmed: bool = False,
              event_kinds: Sequence[str] | None = None) -> Subscriber:
    """The sign-up form: create or update a subscriber (idempotent; never reveals existence).

    An unconfirmed subscriber gets exactly one confirmation message per call. A paused member
    (their mail bounced) gets a confirmation message and nothing else changes until they press
    its link (``confirm`` then applies these choices). ``lang=None`` keeps a known member's
    language; a new subscriber gets English. ``confirmed=True`` is the staff door and goes
    through ``add_member``'s rules (it never re-adds someone who unsubscribed).
    """
    if confirmed:
        result = add_member(s, email, lang=lang, topics=topics, bills=bills, all_bills=all_bills,
                            cadence=cadence, county=county, confirmed=True, event_kinds=event_kinds)
        assert result.subscriber is not None
        return result.subscriber
    _check(lang or "en", cadence)
    address = normalise_email(email)
    wanted = _wanted(s, topics, bills, all_bills)
    sub = s.execute(select(Subscriber).where(Subscriber.email == address)).scalar_one_or_none()
    if sub is not None and sub.status == "active" and sub.confirmed_at is not None:
        # The sign-up form cannot tell the owner from anyone who knows the address, so it changes
        # nothing for a confirmed member: the owner gets a link to their own preferences page.
        enqueue_manage_link(s, sub)
        return sub
    if sub is not None and sub.status in ("paused", "unsubscribed"):
        # Their mail bounced, or they told us to stop: only a confirmation that reaches them
        # shows the owner wants mail again, and until then the form (which anyone can fill in)
        # changes nothing, so staff add/import keep leaving someone who unsubscribed alone.
        enqueue_confirmation(s, sub, {"lang": lang, "topics": list(topics), "bills": list(bills),
                                      "all": all_bills, "cadence": cadence, "county": county,
                                      "event_kinds": list(event_kinds) if event_kinds is not None else None})
        return sub
    if sub is None:
        sub = _new_subscriber(s, address, lang)
    if lang is not None:
        sub.lang = lang
    if county is not None:
        sub.county = county.strip() or None
    _upsert_subscriptions(s, sub, wanted, cadence, event_kinds, replace=False)
    s.flush()
    enqueue_confirmation(s, sub)
    return sub


def _sign_up_request(s: Session, subscriber: Subscriber) -> dict[str, Any] | None:
    """The choices of the newest sign-up waiting for this member's confirmation, if any."""
    rows = s.execute(select(OutboxMessage.reasons).where(
        OutboxMessage.subscriber_id == subscriber.id, OutboxMessage.kind == "confirm")
        .order_by(OutboxMessage.id.desc())).scalars()
    for reasons in rows:
        request = (reasons or {}).get("sign_up")
        if isinstance(request, dict):
            return request
    return None


def confirm(s: Session, subscriber: Subscriber) -> bool:
    """The address owner clicked the confirmation link: start (or start again) sending.

    A member paused after bounces, or one who unsubscribed and signed up again, has just shown
    that the owner of the mailbox wants mail: they are active again, their bounce count starts
    over, and the choices they asked for when signing up apply now (not before: the form is
    open to anyone who knows the address). A link older than an unsubscribe carries no sign-up
    (``unsubscribe`` voids them) and changes nothing: False, so the page can say so.
    """
    request = _sign_up_request(s, subscriber) if subscriber.status in ("paused", "unsubscribed") else None
    if subscriber.status == "unsubscribed" and request is None:
        return False
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = utcnow()
    if subscriber.status in ("paused", "unsubscribed"):
        subscriber.status, subscriber.bounce_count = "active", 0
        if request is not None:
            _apply_request(s, subscriber, request)
    s.flush()
    return True


def _apply_request(s: Session, sub: Subscriber, request: dict[str, Any]) -> None:
    """A stored sign-up's choices, checked again (a bill or topic may have gone since)."""
    try:
        lang, cadence = request.get("lang"), str(request.get("cadence") or "immediate")
        _check(lang or "en", cadence)
        wanted = _wanted(s, request.get("topics") or [], request.get("bills") or [], bool(request.get("all")))
        _upsert_subscriptions(s, sub, wanted, cadence, request.get("event_kinds"), replace=False)
    except SubscriptionError:
        return  # what they followed before still stands; the preferences page can add the rest
    # The form asks "How often" once, for everything: what they followed before comes at the
    # pace they chose now (a member who chose "weekly" gets no immediate alerts).
    for row in sub.subscriptions:
        row.cadence = cadence
    if lang:
        sub.lang = lang
    if request.get("county"):
        sub.county = str(request["county"]).strip() or None


@dataclass
class StaffAdd:
    """What ``add_member`` did, for the one line staff read: created, changed, or why not."""

    subscriber: Subscriber | None
    created: bool = False
    changes: list[str] = field(default_factory=list)
    skipped: str = ""
    note: str = ""

    def line(self, email: str) -> str:
        if self.skipped:
            return f"{email}: not added: {self.skipped}"
        sub = self.subscriber
        assert sub is not None
        state = "confirmed" if sub.confirmed_at else "confirmation email queued"
        head = f"{email}: {'subscribed' if self.created else 'updated'} ({state})"
        what = "; ".join(self.changes) if self.changes else "nothing new (already follows that)"
        return f"{head}: {what}" + (f"; {self.note}" if self.note else "")


def _label(kind: str, target: str) -> str:
    if kind == "topic":
        return f"topic {target}"
    if kind == "bill":
        try:
            return measure_of(target)
        except ValueError:
            return target
    return "all tracked bills"


def add_member(s: Session, email: str, *, lang: str | None = None, topics: Sequence[str] = (),
               bills: Sequence[str] = (), all_bills: bool = False, cadence: str | None = None,
               county: str | None = None, confirmed: bool = False,
               event_kinds: Sequence[str] | None = None) -> StaffAdd:
    """Staff add a member, or add topics and bills to an existing one (CLI and CSV import).

    Staff hold the member's consent, so an existing member gets what staff asked for, and no
    "you are already signed up" email. Someone who unsubscribed is left alone (``unsubscribe``
    promises a later import cannot re-add them; only they can come back, through the sign-up
    form and its confirmation). A member paused after bounces gets the choices but stays paused:
    their address did not work, and only a confirmation that reaches them proves it does now.
    """
    _check(lang or "en", cadence or "immediate")
    address = normalise_email(email)
    sub = s.execute(select(Subscriber).where(Subscriber.email == address)).scalar_one_or_none()
    # A new member must follow something; an existing one may be changed in language, county or
    # confirmation alone (what they follow stays as it is).
    wanted = _wanted(s, topics, bills, all_bills) if sub is None or topics or bills or all_bills else []
    if sub is not None and sub.status == "unsubscribed":
        return StaffAdd(sub, skipped="they unsubscribed; only they can sign up again (on the web site)")
    result = StaffAdd(sub, created=sub is None)
    if sub is None:
        sub = result.subscriber = _new_subscriber(s, address, lang)
    elif lang is not None and lang != sub.lang:
        result.changes.append(f"language {sub.lang} → {lang}")
        sub.lang = lang
    if county is not None and (county.strip() or None) != sub.county:
        sub.county = county.strip() or None
        result.changes.append("county set" if sub.county else "county removed")
    if cadence is not None and not result.created:
        moved = [x for x in sub.subscriptions if (x.kind, x.target) in set(wanted) and x.cadence != cadence]
        result.changes += [f"{_label(x.kind, x.target)} now {cadence}" for x in moved]
    added = _upsert_subscriptions(s, sub, wanted, cadence, event_kinds, replace=False)
    result.changes[:0] = [f"now follows {_label(k, t)}" for k, t in added]
    if confirmed and sub.confirmed_at is None:
        sub.confirmed_at = utcnow()
        if not result.created:
            result.changes.append("confirmed")
    s.flush()
    if sub.confirmed_at is None and not _confirmation_waiting(s, sub):
        enqueue_confirmation(s, sub)
    if sub.confirmed_at is None and result.created:
        result.note = (f"if they do not confirm within {keep_unconfirmed_text()}, the sign-up is deleted "
                       "(use --confirmed when they already agreed)")
    if sub.status == "paused":
        result.note = (f"still paused after {sub.bounce_count} bounced email(s): they get nothing "
                       "until they sign up again on the web site and confirm")
    return result


def _confirmation_waiting(s: Session, sub: Subscriber) -> bool:
    """A confirmation message for this member is still queued: staff adding a bill to them (or
    importing the same list again) must not send them a second one."""
    return s.execute(select(OutboxMessage.id).where(
        OutboxMessage.subscriber_id == sub.id, OutboxMessage.kind == "confirm",
        OutboxMessage.status.in_(("pending", "sending", "deferred"))).limit(1)).first() is not None


def unsubscribe(s: Session, subscriber: Subscriber) -> None:
    """Stop all mail now and forget what they followed.

    Only the address and its ``unsubscribed`` status stay, so a later import cannot re-add it
    silently. Their county and subscriptions go, queued mail is canceled, and their outbox rows
    lose what they recorded of what was followed (``retention.forget_what_they_followed``); a
    confirmation link sent before now brings no one back (only a new sign-up can).
    ``delete_subscriber`` removes even the address.
    """
    subscriber.status = "unsubscribed"
    forget_what_they_followed(s, subscriber)


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
    """The member stored under this address, whatever characters it holds (only adding refuses
    addresses our mail server cannot take)."""
    address = lookup_email(email)
    if not address:
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


@dataclass
class ImportReport:
    """How many rows were applied, and one line for each row left alone (and why)."""

    applied: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def import_csv(s: Session, path: Path, *, confirmed: bool = False) -> ImportReport:
    """Add subscribers from a CSV (columns: email, lang, topics, bills, cadence, county,
    confirmed; lists separated by ``;``), by ``add_member``'s rules: someone who unsubscribed
    is skipped with a line saying so, never re-added."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SubscriptionError(f"cannot read {path}: {exc.strerror}") from None
    report = ImportReport()
    for line_no, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        split = lambda v: [x.strip() for x in v.split(";") if x.strip()]  # noqa: E731
        try:
            done = add_member(s, row.get("email", ""), lang=row.get("lang") or None,
                              topics=split(row.get("topics", "")), bills=split(row.get("bills", "")),
                              all_bills=row.get("all", "").lower() in ("1", "yes", "true"),
                              cadence=row.get("cadence") or None, county=row.get("county") or None,
                              confirmed=confirmed or row.get("confirmed", "").lower() in ("1", "yes", "true"))
        except SubscriptionError as exc:
            raise SubscriptionError(f"{path}:{line_no}: {exc}") from None
        if done.skipped:
            report.skipped.append(f"{path}:{line_no}: {done.line(row.get('email', ''))}")
            continue
        report.applied += 1
        if done.note:
            report.notes.append(f"{path}:{line_no}: {row.get('email', '')}: {done.note}")
    return report
