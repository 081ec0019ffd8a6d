"""The vocabulary shared by subscriptions, matching and rendering."""

from __future__ import annotations

CADENCES: tuple[str, ...] = ("immediate", "daily", "weekly")
LANGS: tuple[str, ...] = ("en", "es")
STATUSES: tuple[str, ...] = ("active", "paused", "unsubscribed")

#: Event kinds a member can ask for. ``outcome`` is a pseudo kind: a stage change to
#: chaptered or vetoed, for people who only want to hear how a bill ended.
EVENT_KINDS: tuple[str, ...] = (
    "new_bill", "new_action", "status_changed", "new_version", "title_changed", "hearing_set",
    "hearing_changed", "hearing_canceled", "vote_recorded", "stage_changed", "became_relevant",
    "no_longer_relevant", "outcome",
)
HEARING_KINDS: tuple[str, ...] = ("hearing_set", "hearing_changed", "hearing_canceled")
OUTCOME_STAGES: tuple[str, ...] = ("chaptered", "vetoed")

#: A topic (or "all tracked bills") subscription: new matching bills, moves, hearings,
#: amendments and the final outcome; not every procedural history line.
TOPIC_DEFAULT_KINDS: tuple[str, ...] = (
    "new_bill", "became_relevant", "stage_changed", *HEARING_KINDS, "new_version", "outcome",
)
#: A bill subscription: everything that happens to that bill.
BILL_DEFAULT_KINDS: tuple[str, ...] = tuple(k for k in EVENT_KINDS if k != "outcome")
