"""The weekly staff digest: what needs a decision, what moved, what is coming, is data fresh.

Staff read this every Monday to decide positions and plan letters, so it lists: relevant bills
first seen that week (triage: awaiting a position), bills that moved, amendments, hearings in
the next ``alerts.hearing_window_days`` with position-letter deadlines (one already passed is
shown as passed, not dropped: staff can still call), the hearings canceled, postponed, moved
or back on that week and what became of their letter deadlines
(``tracker.alerts.staff_hearings``), signed and vetoed bills, a data-freshness line (a failed
source run, or no success for over a day), and the problems recorded for staff that week
(``source_problem`` events: a broken source, an email the sender gave up on). The same context
renders as an email and as a standalone HTML file (``tracker digest --out``).

The week runs Monday to Monday in California (``schedule.timezone``): the bounds are bound as
UTC by the column type, so an event on Sunday evening in California belongs to that week.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.alerts import phrases
from tracker.alerts.kinds import OUTCOME_STAGES
from tracker.alerts.messages import Rendered, base_context, bill_url
from tracker.alerts.outbox import insert_ignore
from tracker.alerts.staff_hearings import hearing_changes, upcoming_view
from tracker.alerts.topics import load_topics, topic_label
from tracker.db.models_core import Bill, ChangeEvent, Hearing, SourceRun
from tracker.errors import TrackerError
from tracker.clock import to_local
from tracker.i18n import translations
from tracker.queries import event_stage_action, tracked, tracked_ids
from tracker.rendering import environment
from tracker.settings import get_settings

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
MAX_TRIAGE = 100
MAX_PROBLEMS = 20


def parse_week(week: str) -> tuple[date, date]:
    """'2025-W15' → (Monday, next Monday)."""
    m = WEEK_RE.match(week.strip())
    if not m:
        raise TrackerError(f"not an ISO week: {week!r} (expected something like 2025-W15)")
    try:
        start = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise TrackerError(f"no such week: {week!r}") from None
    return start, start + timedelta(days=7)


def last_full_week(now: datetime) -> str:
    """The week a Monday-morning digest reports on: the one that just ended."""
    local = now.astimezone(ZoneInfo(get_settings().schedule.timezone)).date() - timedelta(days=7)
    y, w, _d = local.isocalendar()
    return f"{y}-W{w:02d}"


def _positions(s: Session, bill_ids: list[str]) -> dict[str, Any]:
    try:
        mod = importlib.import_module("tracker.advocacy.positions")
        return dict(mod.positions_for(s, bill_ids))
    except Exception:  # noqa: BLE001 - positions are optional here; triage still lists bills
        return {}


def digest_context(s: Session, week: str, lang: str, now: datetime) -> dict[str, Any]:
    """Everything the staff digest shows, as plain data."""
    cfg = get_settings()
    _ = translations(lang).gettext
    tz = ZoneInfo(cfg.schedule.timezone)
    start, end = parse_week(week)
    t0, t1 = datetime.combine(start, time(), tz), datetime.combine(end, time(), tz)
    as_of = now.astimezone(tz).date() if now < t1 else end  # hearings from now, or after that week

    # New to us this week: bills first seen, and bills amended into our issues (gut-and-amend).
    turned = select(ChangeEvent.bill_id).where(ChangeEvent.kind == "became_relevant",
                                               ChangeEvent.created_at >= t0, ChangeEvent.created_at < t1)
    new = list(s.execute(select(Bill).where(
        Bill.relevant.is_(True),
        or_((Bill.created_at >= t0) & (Bill.created_at < t1), Bill.bill_id.in_(turned)))
        .order_by(Bill.relevance_score.desc(), Bill.bill_id)).scalars())
    positions = _positions(s, [b.bill_id for b in new])
    awaiting = [b for b in new if not (positions.get(b.bill_id) or {}).get("position")]
    topics = load_topics(cfg.topics_path)
    triage = [{"measure": b.measure, "title": b.title or "", "url": bill_url(b.measure, lang),
               "topics": ", ".join(topic_label(topics, t, lang) for t in b.topics or [])}
              for b in awaiting[:MAX_TRIAGE]]

    events = list(s.execute(select(ChangeEvent).where(
        ChangeEvent.created_at >= t0, ChangeEvent.created_at < t1,
        ChangeEvent.kind.in_(("stage_changed", "new_version"))).order_by(ChangeEvent.id)).scalars())
    bills = {b.bill_id: b for b in s.execute(select(Bill).where(
        Bill.bill_id.in_({e.bill_id for e in events if e.bill_id}))).scalars()}
    followed = tracked_ids(s, list(bills))
    moved, amended, outcomes = [], [], []
    for e in events:
        b = bills.get(e.bill_id or "")
        if b is None or b.bill_id not in followed:
            continue
        item = {"measure": b.measure, "title": b.title or "", "url": bill_url(b.measure, lang)}
        # a stage change is told from the action that set it ("passed the Senate too", "on the
        # inactive file"): the stage alone cannot tell those situations apart
        action = (event_stage_action(s, b.bill_id, str(e.after), e.created_at)
                  if e.kind == "stage_changed" else None)
        item["text"] = phrases.describe(e.kind, e.before, e.after, b.measure, lang, _, str, action=action) or ""
        if e.kind == "new_version":
            amended.append(item)
        elif e.after in OUTCOME_STAGES:
            outcomes.append(item)
        else:
            moved.append(item)

    window = as_of + timedelta(days=cfg.alerts.hearing_window_days)
    hearing_rows = s.execute(select(Hearing, Bill).join(Bill, Bill.bill_id == Hearing.bill_id).where(
        Hearing.status == "scheduled", Hearing.hearing_date >= as_of, Hearing.hearing_date < window, tracked())
        .order_by(Hearing.hearing_date, Bill.measure_type, Bill.measure_num))
    # staff see a letter deadline that has passed (marked so), unlike members: they can still call
    hearings = [upcoming_view(s, h, lang, as_of) | {"measure": b.measure, "title": b.title or "",
                                                 "url": bill_url(b.measure, lang)}
                for h, b in hearing_rows]
    problems = [problem_line(summary, after, _) for summary, after in s.execute(
        select(ChangeEvent.summary, ChangeEvent.after).where(
            ChangeEvent.kind == "source_problem", ChangeEvent.created_at >= t0, ChangeEvent.created_at < t1)
        .order_by(ChangeEvent.id))]
    return base_context(lang) | {
        "subject": _("Weekly bill digest: week of %(date)s") % {"date": phrases.fmt_date(start, lang)},
        "week": week, "week_start": phrases.fmt_date(start, lang),
        "week_end": phrases.fmt_date(end - timedelta(days=1), lang),
        "triage": triage, "triage_more": max(len(awaiting) - MAX_TRIAGE, 0),
        "moved": moved, "amended": amended, "hearings": hearings, "outcomes": outcomes,
        "hearing_changes": hearing_changes(s, t0, t1, lang, as_of, bill_url),
        "freshness": freshness(s, min(now, t1), t0, lang),
        "problems": problems[:MAX_PROBLEMS], "problems_more": max(len(problems) - MAX_PROBLEMS, 0),
        "window_days": cfg.alerts.hearing_window_days,
    }


def problem_line(summary: str | None, after: Any, _: Callable[[str], str]) -> str:
    """One problem for the staff digest in the reader's language: a short sentence saying what
    kind of problem it is, then the detail as recorded (a server's reply or a parser's warning
    stays as written, so staff can search for it or pass it on)."""
    a = after if isinstance(after, dict) else {}
    source, _sep, rest = (summary or "").partition(": ")
    source = str(a.get("source") or source or "?")
    detail = str(a.get("message") or rest or summary or "")
    if source == "email":
        # Translators: the staff digest's line for an email that was not delivered; the detail
        # after the colon stays in English.
        return _("email: %(detail)s") % {"detail": detail}
    # Translators: the staff digest's line for a problem reading a source (the legislature's
    # website, bulk data or a hearing calendar); the detail stays in English.
    return _("%(source)s: %(detail)s") % {"source": source, "detail": detail}


def freshness(s: Session, check_at: datetime, since: datetime, lang: str) -> dict[str, Any]:
    """One line on data health: failed runs this week, or no success for over a day."""
    _ = translations(lang).gettext
    failed = list(s.execute(select(SourceRun).where(SourceRun.status == "failed",
                                                    SourceRun.started_at >= since,
                                                    SourceRun.started_at < check_at)
                            .order_by(SourceRun.started_at)).scalars())
    last_ok = s.execute(select(SourceRun.finished_at).where(
        SourceRun.status == "ok", SourceRun.finished_at <= check_at)
        .order_by(SourceRun.finished_at.desc()).limit(1)).scalar_one_or_none()
    warnings = [_("%(source)s failed on %(date)s: %(error)s") % {
        "source": r.source, "date": phrases.fmt_date(to_local(r.started_at), lang),
        "error": (r.error or "").splitlines()[0][:200] if r.error else "?"} for r in failed[-5:]]
    if last_ok is None:
        warnings.append(_("No source has been read successfully yet."))
    elif check_at - last_ok > timedelta(days=1):
        warnings.append(_("No source has been read successfully since %(date)s: the data may be out of date.")
                        % {"date": phrases.fmt_date(to_local(last_ok), lang)})
    ok_line = (_("Data is fresh: last successful read on %(date)s.") % {"date": phrases.fmt_date(to_local(last_ok), lang)}
               if last_ok else "")
    return {"ok": not warnings, "line": ok_line, "warnings": warnings}


def render_staff_digest(s: Session, week: str, lang: str, now: datetime) -> Rendered:
    ctx = digest_context(s, week, lang, now)
    env = environment(lang)
    return Rendered(ctx["subject"], env.get_template("email/staff_digest.txt").render(ctx),
                    env.get_template("email/staff_digest.html").render(ctx), member=False)


def enqueue_staff_digest(s: Session, week: str, emails: list[str], lang: str) -> int:
    """One outbox row per staff address, week and language (a second --send for that week adds
    none); the row keeps the language asked for, since it is rendered when it is sent."""
    parse_week(week)
    rows = [{"key": f"staff:{hashlib.sha256(e.strip().lower().encode()).hexdigest()[:16]}:{week}:{lang}",
             "kind": "staff_digest", "recipient": e.strip(), "period": week,
             "event_ids": [], "reasons": {"lang": lang}} for e in emails if e.strip()]
    return insert_ignore(s, rows)
