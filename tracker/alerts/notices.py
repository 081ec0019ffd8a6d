"""Staff-only notices among the change events, kept out of everything the public can read.

A message the sender gave up on is recorded as a ``source_problem`` event (source ``email``)
so the weekly staff digest lists it. It says which subscriber the mail was for and why it
failed: staff need that to act, but it is about a member, not about a bill, so the public API
(``/api/events``), the feeds and ``tracker export events`` leave it out.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from tracker.db.models_core import ChangeEvent

#: How ``tracker.alerts.sender`` begins the summary of every delivery notice.
EMAIL_NOTICE_PREFIX = "email: "


def public_events() -> ColumnElement[bool]:
    """A filter that keeps every change event except staff-only delivery notices."""
    return or_(ChangeEvent.kind != "source_problem", ChangeEvent.summary.is_(None),
               ~ChangeEvent.summary.startswith(EMAIL_NOTICE_PREFIX, autoescape=True))
