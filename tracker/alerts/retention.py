"""How long we keep what people told us, and forgetting it on time.

A subscriber list of people who follow mental-health legislation is sensitive, so we keep the
least for the shortest time:

* A sign-up nobody confirmed is deleted (address, county, topics, queued mail) once its last
  confirmation link has expired plus ``MARGIN``: after that nobody can confirm it, and the
  new-link form only answers confirmed members, so its owner could not remove it either.
  ``tracker send`` (which the scheduler runs every few minutes) does it on every run, so it
  needs no operator. The same rule holds for a member staff added without ``--confirmed``: staff
  chose to ask the person, and no answer means no consent.
* Someone who unsubscribed keeps only their address and that status (the suppression record
  that stops staff importing them again), see ``forget_what_they_followed``.

Confirmed members and unsubscribed addresses are never deleted by age.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, delete, exists, literal, or_, select, update
from sqlalchemy.orm import Session

from tracker.db.base import utcnow
from tracker.db.models_alerts import OutboxMessage, Subscriber, Subscription
from tracker.settings import get_settings

#: Kept past the link's expiry: a confirmation delayed by a mail server (greylisting, a full
#: mailbox retried for hours) still leaves its owner the link's whole lifetime.
MARGIN = timedelta(hours=24)

#: Outbox states of a message not sent yet: its link is still to come, so its clock has not
#: started.
WAITING = ("pending", "sending", "deferred")


def keep_unconfirmed_for() -> timedelta:
    """How long after its last confirmation email a sign-up nobody confirmed is kept."""
    return timedelta(hours=get_settings().web.confirm_link_hours) + MARGIN


def keep_unconfirmed_text() -> str:
    """``keep_unconfirmed_for`` in words for staff ("4 days", or "30 hours")."""
    hours = int(keep_unconfirmed_for().total_seconds() // 3600)
    return f"{hours // 24} days" if hours % 24 == 0 else f"{hours} hours"


def expired_sign_ups(s: Session, now: datetime | None = None) -> list[int]:
    """Ids of subscribers never confirmed whose every confirmation link has expired.

    The clock starts at the newest of: the sign-up itself, and each confirmation message's
    creation and sending (a link is signed when its email is written, just before it is sent).
    A confirmation still waiting to go out keeps the sign-up. An unsubscribed address is a
    suppression record and a confirmed member consented: neither is ever chosen.
    """
    cutoff = (now or utcnow()) - keep_unconfirmed_for()
    out = OutboxMessage
    recent_confirmation = exists(select(out.id).where(
        out.subscriber_id == Subscriber.id, out.kind == "confirm",
        or_(out.status.in_(WAITING), out.created_at >= cutoff,
            and_(out.sent_at.is_not(None), out.sent_at >= cutoff))))
    q = (select(Subscriber.id)
         .where(Subscriber.confirmed_at.is_(None), Subscriber.status.in_(("active", "paused")),
                Subscriber.created_at < cutoff, ~recent_confirmation)
         .order_by(Subscriber.id))
    if s.get_bind().dialect.name == "postgresql":
        # A sign-up being changed right now (its owner signing up again) is left for next time.
        q = q.with_for_update(skip_locked=True)
    return list(s.execute(q).scalars())


def delete_expired_sign_ups(s: Session, now: datetime | None = None) -> int:
    """Delete sign-ups nobody confirmed in time, with their subscriptions and queued mail.

    Flushes only; the caller commits. Returns how many sign-ups were deleted.
    """
    ids = expired_sign_ups(s, now)
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start:start + 500]
        s.execute(delete(OutboxMessage).where(OutboxMessage.subscriber_id.in_(chunk)))
        s.execute(delete(Subscription).where(Subscription.subscriber_id.in_(chunk)))
        s.execute(delete(Subscriber).where(Subscriber.id.in_(chunk)).execution_options(synchronize_session=False))
    s.flush()
    return len(ids)


def forget_what_they_followed(s: Session, subscriber: Subscriber) -> None:
    """Keep only the address and its unsubscribed status: the suppression record.

    Gone: the county, every subscription, and from each of their outbox rows whatever says
    what they followed — the topics and bills an alert was sent for (``reasons``), its events,
    its bill, the poll it came from, and the key that repeats the bill. Queued mail is
    canceled; an old confirmation loses the sign-up it carried, so its link brings no one back.
    The rows stay as a bare log (kind, status, times). The language stays: a later sign-up's
    confirmation is written in the language that sign-up asks for.
    """
    subscriber.county = None
    subscriber.subscriptions.clear()
    out = OutboxMessage
    s.execute(update(out).where(out.subscriber_id == subscriber.id, out.status.in_(("pending", "deferred")))
              .values(status="canceled"))
    s.execute(update(out).where(out.subscriber_id == subscriber.id)
              .values(reasons={}, event_ids=[], bill_id=None, source_run_id=None,
                      key=literal("forgotten:") + cast(out.id, String))
              .execution_options(synchronize_session=False))
    s.flush()


def forget_earlier_unsubscribes(s: Session) -> int:
    """Apply ``forget_what_they_followed`` to people who unsubscribed before it existed (their
    county and what they followed were kept then). Run by every ``tracker send``; once done, it
    finds nobody. Flushes only; returns how many were scrubbed."""
    out = OutboxMessage
    left = or_(Subscriber.county.is_not(None),
               exists().where(Subscription.subscriber_id == Subscriber.id),
               exists().where(out.subscriber_id == Subscriber.id, ~out.key.startswith("forgotten:")))
    found = list(s.execute(select(Subscriber).where(Subscriber.status == "unsubscribed", left)).scalars())
    for subscriber in found:
        forget_what_they_followed(s, subscriber)
    return len(found)
