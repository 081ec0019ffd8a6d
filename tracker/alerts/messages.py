"""Render outbox rows into subject + plain text + HTML, once per language and variant.

A change matched by 10,000 subscribers must not be rendered 10,000 times: a row is rendered
with placeholders for the per-subscriber links, the result is cached by everything that can
differ (kind, language, events, reasons, period), and ``personalise`` swaps in each reader's
signed links with plain string replacement.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.alerts import phrases
from tracker.alerts.kinds import HEARING_KINDS
from tracker.alerts.story import ENDED_STAGES, hearings_now, in_time_order, now_line, sentences
from tracker.alerts.tokens import make_token
from tracker.alerts.topics import Topic, load_topics, topic_label
from tracker.committees import committee_text, looks_like_code, named, room_words
from tracker.db.models_alerts import OutboxMessage
from tracker.db.models_core import Bill, ChangeEvent, Hearing
from tracker.i18n import and_list, translations
from tracker.items import measure_of
from tracker.queries import event_stage_action
from tracker.rendering import environment
from tracker.settings import get_settings

MANAGE = "@@MANAGE_URL@@"
UNSUBSCRIBE = "@@UNSUBSCRIBE_URL@@"
CONFIRM = "@@CONFIRM_URL@@"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    member: bool  # member mail carries List-Unsubscribe and per-subscriber links


def bill_url(measure: str, lang: str = "en") -> str:
    """The bill's public page, in the reader's language (the page follows ``?lang=``)."""
    url = f"{get_settings().public_base_url.rstrip('/')}/bills/{measure.replace(' ', '-')}"
    return f"{url}?lang={lang}" if lang != "en" else url


def base_context(lang: str) -> dict[str, Any]:
    cfg = get_settings()
    words = f"{cfg.public_base_url.rstrip('/')}/words"  # the site's plain-language glossary
    return {"crisis_resources": [r.model_dump() for r in cfg.alerts.crisis_resources],
            "org": cfg.advocacy.organisation, "lang": lang, "crisis_tap_links": True,  # a phone taps to call
            "words_url": f"{words}?lang={lang}" if lang != "en" else words}


def _measure(bill_id: str) -> str:
    try:
        return measure_of(bill_id)
    except ValueError:
        return bill_id


def _sort_key(bill_id: str) -> tuple[str, int, str]:
    m = _measure(bill_id).split(" ")
    return (m[0], int(m[-1]) if m[-1].isdigit() else 0, bill_id)


class Renderer:
    """Renders rows for one send run; caches results and the data they are built from."""

    def __init__(self, s: Session, now: datetime) -> None:
        self.s = s
        self.now = now
        self.today = now.astimezone(ZoneInfo(get_settings().schedule.timezone)).date()
        self.topics: dict[str, Topic] = load_topics(get_settings().topics_path)
        self._cache: dict[tuple[Any, ...], Rendered] = {}

    def render(self, row: OutboxMessage, lang: str) -> Rendered:
        key = (row.kind, lang, tuple(row.event_ids or ()), json.dumps(row.reasons, sort_keys=True),
               row.period, row.source_run_id if row.kind == "digest" and not row.period else None)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._render(row, lang)
        return hit

    def _render(self, row: OutboxMessage, lang: str) -> Rendered:
        if row.kind == "confirm":
            return render_confirm(lang)
        if row.kind == "manage":
            if (row.reasons or {}).get("asked_for") == "new_link":
                return render_new_link(lang)
            return render_manage_link(lang)
        if row.kind == "staff_digest":
            from tracker.alerts.digest import render_staff_digest

            return render_staff_digest(self.s, row.period or "", lang, self.now)
        return self._render_updates(row, lang)

    def _render_updates(self, row: OutboxMessage, lang: str) -> Rendered:
        tr = translations(lang)
        _ = tr.gettext
        events = list(self.s.execute(select(ChangeEvent).where(ChangeEvent.id.in_(row.event_ids or []))
                                     .order_by(ChangeEvent.id)).scalars())
        summary = row.kind != "alert"
        blocks = bill_blocks(self.s, events, dict(row.reasons or {}), lang, self.today, self.topics,
                             summary=summary)
        env = environment(lang)
        if not summary and len(blocks) == 1:
            b = blocks[0]
            subject = phrases.headline([(e["kind"], e["before"], e["after"]) for e in b["events"]], b["measure"],
                                       lang, _, b["stage_action"])
            cadence, period_label = "immediate", ""
        else:
            cadence = "daily" if row.period and "-W" not in row.period else (
                "weekly" if row.period else "immediate")
            period_label = _period_label(row.period, lang)
            n = len(blocks)
            subject = {"daily": tr.ngettext("Your daily bill summary: %(num)d bill",
                                            "Your daily bill summary: %(num)d bills", n),
                       "weekly": tr.ngettext("Your weekly bill summary: %(num)d bill",
                                             "Your weekly bill summary: %(num)d bills", n),
                       "immediate": tr.ngettext("Updates on %(num)d bill you follow",
                                                "Updates on %(num)d bills you follow", n)}[cadence] % {"num": n}
        ctx = base_context(lang) | {"subject": subject, "bills": blocks, "cadence": cadence,
                                    "period_label": period_label, "manage_url": MANAGE,
                                    "unsubscribe_url": UNSUBSCRIBE}
        text = env.get_template("email/alert.txt").render(ctx)
        html = env.get_template("email/alert.html").render(ctx)
        return Rendered(subject, text, html, member=True)


def _period_label(period: str | None, lang: str) -> str:
    if not period:
        return ""
    if "-W" in period:
        year, week = period.split("-W")
        return phrases.fmt_date(date.fromisocalendar(int(year), int(week), 1), lang)
    return phrases.fmt_date(period, lang)


def _account_message(lang: str, subject: str, template: str, **links: str) -> Rendered:
    """A message about the member's subscription itself (no bill news): subject, both parts,
    the links every such message carries plus ``links``, and the crisis footer."""
    env = environment(lang)
    ctx = base_context(lang) | {"subject": subject, "manage_url": MANAGE, "unsubscribe_url": UNSUBSCRIBE} | links
    return Rendered(subject, env.get_template(f"email/{template}.txt").render(ctx),
                    env.get_template(f"email/{template}.html").render(ctx), member=True)


def render_confirm(lang: str) -> Rendered:
    _ = translations(lang).gettext
    return _account_message(lang, _("Please confirm your Capitol Watch alerts"), "confirm", confirm_url=CONFIRM)


def render_manage_link(lang: str) -> Rendered:
    """For a sign-up request from an address that is already confirmed: nothing was changed."""
    _ = translations(lang).gettext
    return _account_message(lang, _("You are already signed up for Capitol Watch alerts"), "manage")


def render_new_link(lang: str) -> Rendered:
    """For a member who asked for a new link to their choices (the /preferences form)."""
    _ = translations(lang).gettext
    return _account_message(lang, _("Your new link to your Capitol Watch choices"), "new_link")


def _reason_label(reason: str, lang: str, topics: dict[str, Topic]) -> str:
    _ = translations(lang).gettext
    kind, _sep, target = reason.partition(":")
    if kind == "topic":
        return _("the topic “%(topic)s”") % {"topic": topic_label(topics, target, lang)}
    if kind == "bill":
        return _measure(target)
    return _("all bills we track")


def _upcoming(s: Session, bill_ids: list[str], today: date) -> dict[str, Hearing]:
    rows = s.execute(select(Hearing).where(Hearing.bill_id.in_(bill_ids), Hearing.status == "scheduled",
                                           Hearing.hearing_date >= today)
                     .order_by(Hearing.hearing_date, Hearing.id)).scalars()
    out: dict[str, Hearing] = {}
    for h in rows:
        out.setdefault(h.bill_id, h)
    return out


def hearing_view(s: Session, h: Hearing, lang: str, today: date) -> dict[str, Any]:
    """A hearing plus what a reader can do about it (the position-letter deadline).

    The committee is its name (from the calendar, else the location table), else its house:
    members cannot look up a code such as 'CS61'. The letter deadline needs a known name, since
    only policy committees take position letters on that schedule.
    """
    days = get_settings().alerts.letter_deadline_days
    deadline = h.hearing_date - timedelta(days=days)
    name = named(s, h.bill_id[:8], h.committee_name or h.committee_code)
    known = name if name and not looks_like_code(name) else ""
    return {"date": phrases.fmt_date(h.hearing_date, lang),
            "committee": committee_text(name, translations(lang).gettext, lang),
            "time": h.hearing_time or "", "room": room_words(h.room, translations(lang).gettext),
            "deadline": phrases.fmt_date(deadline, lang)
            if phrases.is_policy_committee(known) and deadline >= today else ""}


def bill_blocks(s: Session, events: list[ChangeEvent], reasons: dict[str, list[str]], lang: str,
                today: date, topics: dict[str, Topic], *, summary: bool = False) -> list[dict[str, Any]]:
    """One block per bill: title, plain sentences, official actions, hearing, why you get it.

    ``summary`` (daily and weekly digests, combined messages): the block opens with where the
    bill stands now, and its sentences tell what happened in time order with stage moves and
    hearings folded into how they stand now (``tracker.alerts.story``), never a replay of every
    step. A bill that has ended (signed, vetoed, withdrawn, voted down) gets no hearing or
    letter advice, and only hearings still to come are advised.
    """
    tr = translations(lang)
    _ = tr.gettext
    by_bill: dict[str, list[ChangeEvent]] = defaultdict(list)
    for e in events:
        if e.bill_id:
            by_bill[e.bill_id].append(e)
    ids = sorted(by_bill, key=_sort_key)
    bills = {b.bill_id: b for b in s.execute(select(Bill).where(Bill.bill_id.in_(ids))).scalars()}
    hearings = _upcoming(s, ids, today)
    stored = _hearings_by_day(s, ids)

    def names(topic_ids: list[str]) -> str:  # labels hold "and" themselves: a list, not a sentence
        return "; ".join(topic_label(topics, t, lang) for t in topic_ids) or _("behavioral health")

    out = []
    for bill_id in ids:
        bill = bills.get(bill_id)
        measure = bill.measure if bill else _measure(bill_id)
        evs = in_time_order(by_bill[bill_id])
        told = sentences(s, bill_id, measure, evs, lang, _, names, today, stored.get(bill_id, {}))
        actions = [{"date": phrases.fmt_date((e.after or {}).get("date"), lang),
                    "text": (e.after or {}).get("action", "")}
                   for e in sorted(evs, key=lambda e: e.id) if e.kind == "new_action"]
        ended = (bill is not None and bill.stage in ENDED_STAGES) or any(
            e.kind == "stage_changed" and e.after in ENDED_STAGES for e in evs)
        # Advice comes only from the stored hearing rows as they stand now (scheduled, today or
        # later): the events may name a day that was canceled or moved since.
        h = None if ended else hearings.get(bill_id)
        # The subject line reads the same present: hearings as their rows stand now, not as the
        # events first announced them.
        headline_events = [(e.kind, e.before, e.after) for e in evs if e.kind not in HEARING_KINDS]
        headline_events += hearings_now(evs, stored.get(bill_id, {}), today)
        out.append({"measure": measure, "title": (bill.title if bill else None) or "",
                    "url": bill_url(measure, lang), "sentences": told, "actions": actions,
                    "now": now_line(s, bill, measure, _) if summary else "",
                    "hearing": hearing_view(s, h, lang, today) if h else None,
                    "reasons": and_list([_reason_label(r, lang, topics) for r in reasons.get(bill_id, [])], tr),
                    "events": [{"kind": k, "before": b, "after": a} for k, b, a in headline_events],
                    "stage_action": _stage_action(s, bill_id, evs)})
    return out


def _stage_action(s: Session, bill_id: str, events: list[ChangeEvent]) -> str | None:
    """The action behind these events' newest ``two_year`` move, which tells its situation (the
    inactive file, or stopped for the session) to the subject line; None for any other move."""
    moves = [e for e in events if e.kind == "stage_changed"]
    if not moves or moves[-1].after != "two_year":
        return None
    return event_stage_action(s, bill_id, "two_year", moves[-1].created_at)


def _hearings_by_day(s: Session, bill_ids: list[str]) -> dict[str, dict[str, list[Hearing]]]:
    """Every stored hearing of these bills by day (two committees can hear a bill on one day):
    how each one stands now."""
    out: dict[str, dict[str, list[Hearing]]] = defaultdict(lambda: defaultdict(list))
    for h in s.execute(select(Hearing).where(Hearing.bill_id.in_(bill_ids)).order_by(Hearing.id)).scalars():
        out[h.bill_id][h.hearing_date.isoformat()].append(h)
    return out


def personalise(r: Rendered, token_id: str | None, lang: str = "en") -> tuple[str, str, str | None]:
    """(text, html, unsubscribe URL) for one reader: signed links swapped in cheaply.

    The links carry the reader's language: the page they open must speak it even on a phone
    set to another language.
    """
    if not r.member or token_id is None:
        return r.text, r.html, None
    base = get_settings().public_base_url.rstrip("/")
    query = f"?lang={lang}" if lang != "en" else ""
    unsub = f"{base}/unsubscribe/{make_token('unsubscribe', token_id)}{query}"
    links = {MANAGE: f"{base}/preferences/{make_token('manage', token_id)}{query}", UNSUBSCRIBE: unsub}
    if CONFIRM in r.text:
        links[CONFIRM] = f"{base}/confirm/{make_token('confirm', token_id)}{query}"
    text, html = r.text, r.html
    for k, v in links.items():
        text, html = text.replace(k, v), html.replace(k, v)
    return text, html, unsub
