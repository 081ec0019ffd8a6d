"""Relevance in the diff: is a bill about behavioral health, and is that news?

Part of the pure diff (no I/O). Relevance is decided from the bill's title and its newest print
(long title, digest, text) by the matcher of ``config/topics.toml``. It changes for three
reasons, told differently to readers:

* ``amendment``: a newer print turned the bill into (or out of) our issues: the news;
* ``backfill``: text we lacked arrived (older prints filled in, or a print's text file that
  was missing when the print was first stored): "going by its bill text", not an amendment;
* ``topics_changed``: staff edited the topics file (a term, a weight, the watch list), and the
  bills already stored are scored again (``rescore``), so a new watched bill is tracked from the
  next import on instead of only when the legislature next amends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from tracker.ingest.changes import EventDraft
from tracker.ingest.keys import event_key
from tracker.items import VersionRecord
from tracker.relevance import Matcher, MatchInput

Cause = Literal["amendment", "backfill", "topics_changed"]
#: the bill columns the matcher decides; a rescan reads and writes exactly these
RELEVANCE_COLUMNS = ("relevant", "relevance_score", "topics", "relevance", "watched")


def relevance_values(matcher: Matcher, measure: str, title: str | None,
                     version: VersionRecord | None) -> dict[str, Any]:
    """The bill's relevance columns for its title and newest print (``watched`` included:
    the watch list makes a bill relevant, and the column says it is tracked because of it)."""
    result = matcher.match(MatchInput(
        title=title,
        subject=version.title if version else None,
        digest=version.digest if version else None,
        text=version.full_text if version else None,
    ))
    watched = measure in matcher.watched
    return {
        "relevant": bool(result.relevant or watched),
        "relevance_score": float(result.score),
        "topics": list(result.topics),
        "relevance": {"matched": list(result.matched), "explanation": result.explanation,
                      "watched": watched},
        "watched": watched,
    }


def changed_columns(old: Mapping[str, Any], rel: Mapping[str, Any]) -> dict[str, Any]:
    """Only the relevance columns whose value differs from what is stored (nothing to write
    for a bill whose decision did not move, so a rescan updates only the bills it changed)."""
    return {k: v for k, v in rel.items() if old.get(k) != v}


def relevance_event(bill_id: str, measure: str, old: Mapping[str, Any], rel: Mapping[str, Any],
                    *, cause: Cause, run_tag: str, tag: str = "") -> EventDraft | None:
    """``became_relevant`` / ``no_longer_relevant`` when the decision flipped, else None.

    ``after`` carries the flag readers' wording depends on: ``backfill`` (text filled in, not
    an amendment) or ``reason: "topics_changed"`` (our topic list changed, not the bill).
    ``tag`` joins the event key for a rescan (the topics fingerprint), so a later edit that
    flips the bill back and forth is told again rather than taken for a repeat.
    """
    was = bool(old.get("relevant"))
    now = bool(rel["relevant"])
    if now == was:
        return None
    kind = "became_relevant" if now else "no_longer_relevant"
    why = ", ".join(rel["topics"]) or ("on our watch list" if rel.get("watched") else "no behavioral-health topic")
    if cause == "topics_changed":
        summary = (f"{measure} is now tracked under our updated topic list ({why})" if now
                   else f"{measure} is no longer tracked under our updated topic list")
    elif not now:
        summary = f"{measure} no longer touches behavioral health after its latest amendment"
    elif cause == "backfill":
        summary = f"{measure} touches behavioral health ({why}), going by its bill text"
    else:
        summary = f"{measure} now touches behavioral health ({why}) after its latest amendment"
    flags: dict[str, Any] = {}
    if cause == "backfill":
        flags["backfill"] = True
    elif cause == "topics_changed":
        flags = {"reason": "topics_changed", "watched": bool(rel.get("watched"))}
    key = event_key(bill_id, kind, run_tag, rel["topics"], *([tag] if tag else []))
    return EventDraft(
        kind, summary, {"relevant": was, "topics": old.get("topics") or []},
        {"relevant": now, "topics": rel["topics"], "matched": rel["relevance"]["matched"][:10], **flags},
        key)


def rescore(bill_id: str, measure: str, old: Mapping[str, Any], version: VersionRecord | None,
            matcher: Matcher, *, run_tag: str) -> tuple[dict[str, Any], EventDraft | None]:
    """A stored bill scored again after a topics edit: (columns to write, event or None).

    ``old`` is the stored bill (its title and relevance columns), ``version`` its newest stored
    print with its text: the same inputs the diff used when it last decided, so only the
    topics file can make the answer differ.
    """
    rel = relevance_values(matcher, measure, old.get("title"), version)
    event = relevance_event(bill_id, measure, old, rel, cause="topics_changed", run_tag=run_tag,
                            tag=matcher.fingerprint)
    return changed_columns(old, rel), event
