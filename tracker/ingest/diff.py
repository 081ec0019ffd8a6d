"""The diff: what a source said about a bill versus what we knew → rows to write + events.

A pure function (no I/O, no database): the caller loads ``Known`` state, parses any new CAML
text, and applies the returned ``BillChanges`` in one transaction. First sight of a bill yields
one ``new_bill`` event, not one event per historical action, so a first import does not flood
subscribers with years of history.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from collections.abc import Mapping
from typing import Any

from tracker.alerts.phrases import STAGE_WORDS
from tracker.committees import committee_house, looks_like_code, place_key
from tracker.ingest.changes import BillChanges, EventDraft, Known, KnownAction
from tracker.ingest.diff_hearings import diff_hearings
from tracker.ingest.diff_relevance import Cause, changed_columns, relevance_event, relevance_values
from tracker.ingest.keys import action_keys, event_key, free_vote_key, ordered_actions, vote_keys
from tracker.ingest.keys import sort_key as action_sort_key
from tracker.items import ActionRecord, BillBundle, VersionRecord, VoteRecord, measure_of, parse_bill_id
from tracker.relevance import Matcher
from tracker.stages import BOTH_HOUSES, FIRST_HOUSE, PASSAGE_ORDER, classify_action, current_stage, house_passage

#: A roll call dated this long before the last action we had is the record being filled in.
VOTE_FILL_IN = timedelta(days=30)

STATUS_FIELDS = ("current_status", "current_house", "current_location", "current_secondary_loc")
BILL_FIELDS = STATUS_FIELDS + ("measure_state", "chapter_year", "chapter_num", "latest_version_id")


#: BILL_TBL's current_status / measure_state → stage, for a bill whose history we do not have.
COARSE_STAGE: dict[str, str] = {
    "chaptered": "chaptered", "vetoed": "vetoed", "enrolled": "enrolled", "introduced": "introduced",
    "in committee process": "in_committee", "in floor process": "floor",
}


def _latest(versions: list[VersionRecord], known: VersionRecord | None) -> VersionRecord | None:
    candidates = [v for v in versions if v.title or v.digest or v.full_text or v.subject]
    if known is not None:
        candidates.append(known)
    if not candidates:
        return None
    # version_num counts down: the smallest number is the newest print
    return min(candidates, key=lambda v: (v.version_num, -(v.action_date or date.min).toordinal()))


def _is_amendment(v: VersionRecord, known: Known) -> bool:
    """Is a version we had not stored news (the bill was amended), or history being filled in?

    A bill first stored from a partial extract (no BILL_VERSION_TBL) or from the website gets
    its older prints later; telling members each of those "was amended" would announce months-old
    amendments as news. So a version is an amendment only if it is newer than the newest version
    we knew, or, when we knew none, dated after the last action we already had.
    """
    if (v.action or "").strip().lower() in ("enrolled", "chaptered") or v.bill_version_id.endswith(("ENR", "CHP")):
        return False  # the passed or signed print of the last amended text: not a new amendment
    if known.latest_version is not None:
        return v.version_num < known.latest_version.version_num
    last = (known.bill or {}).get("last_action_date")
    # Strictly after: a print dated the day of an action we already had is that action's
    # amendment, already told as a new action (or part of the first import).
    return last is None or v.action_date is None or v.action_date > last


def corrected(v: VersionRecord, known: Known) -> bool:
    """Is this a stored print the legislature has re-sent since (a corrected print)?"""
    held = _naive(known.version_times.get(v.bill_version_id))
    return held is not None and v.trans_update is not None and _naive(v.trans_update) > held  # type: ignore[operator]


def roll_call_of(v: VoteRecord) -> tuple[Any, ...] | None:
    """The bulk data's own identity of a roll call (place, day, sequence, motion), when it has one."""
    day = v.vote_date or (v.vote_datetime.date() if v.vote_datetime else None)
    if not (v.location_code and day and v.vote_seq and v.motion_id):
        return None
    return (v.location_code, day, v.vote_seq, v.motion_id)


def _add_members(v: VoteRecord, vote_id: int, known: Known, key: str, changes: BillChanges) -> None:
    """Members of a roll call matched by the bulk data's own identity (so surely this roll
    call): names we lack are added, those we have are kept (members add their votes after the
    roll call; the database ignores a name it already holds)."""
    if known.bare_votes.pop(key, None) is not None:  # no names yet: the plain insert path
        _merge_members(v, vote_id, changes)
        return
    seen: set[str] = set()
    for m in v.members:
        if m.name not in seen:
            seen.add(m.name)
            changes.vote_member_adds.append({"vote_id": vote_id, "legislator_name": m.name, "vote_code": m.code})


def _merge_members(v: VoteRecord, bare_vote_id: int | None, changes: BillChanges) -> None:
    """Give a stored roll call that has no member list the members this source names (no event).

    The website's vote page and the bulk data's BILL_DETAIL_VOTE_TBL describe one roll call, and
    the one seen first may carry no names; packets need who voted how. Only an empty list is
    filled: the key (bill, day, tally) can be shared by two roll calls, and adding a second roll
    call's names to a list we already have would mix two votes.
    """
    if bare_vote_id is None:
        return
    names: set[str] = set()
    for m in v.members:
        if m.name not in names:
            names.add(m.name)
            changes.vote_member_inserts.append({"vote_id": bare_vote_id, "legislator_name": m.name,
                                                "vote_code": m.code})


def _naive(value: datetime | None) -> datetime | None:
    """A time as the legislature's naive value: stored ones come back as UTC-aware (UTCDateTime)."""
    return value.replace(tzinfo=None) if value is not None else None


def _status_words(values: dict[str, Any], places: Mapping[str, str] | None) -> tuple[str, str, str]:
    """What a reader of the status sees: its text, the house, and the place by name. A code
    and its name are one place; the secondary location (which the website never shows, and
    which our status sentence does not say) alone is no news."""
    return (" ".join(str(values.get("current_status") or "").split()).lower(),
            str(values.get("current_house") or "").lower(),
            place_key(values.get("current_location"), places))


def _describe_status(values: dict[str, Any], places: Mapping[str, str] | None) -> str:
    """The status as staff read it in `tracker` output and digests: a committee by its name
    ("Senate Appropriations"), not the bulk data's code ("CS61"), when the session's location
    table names it."""
    place = values.get("current_location")
    if place and places and looks_like_code(str(place)):
        place = places.get(str(place), place)
    parts = [values.get("current_status"), values.get("current_house"), place]
    return ", ".join(str(p) for p in parts if p) or "unknown"


def _new_passage(known: Known, all_actions: list[tuple[str, Any, str]], measure: str) -> str | None:
    """The passage situation (tracker.stages.house_passage) this poll's actions moved the bill
    to, when it is further on than any stored before: a house passed it (or both did), or None.
    Only the latest passing action counts, as a reader would take the history."""
    def setter(texts: list[str]) -> str | None:
        return next((t for t in reversed(texts) if classify_action(t) == "passed_house"), None)

    before = setter([a.action for a in sorted(known.actions, key=lambda a: a.sort_key)])
    after = setter([text for _, _, text in all_actions])
    if after is None or after == before:
        return None
    was, now = (house_passage(before, measure) if before else None), house_passage(after, measure)
    if now is None or (was is not None and PASSAGE_ORDER.index(now) <= PASSAGE_ORDER.index(was)):
        return None
    return now


def _passage_event(changes: BillChanges, before: str, measure: str, bill_id: str, run_tag: str,
                   now: str) -> None:
    """Tell a passage the stage alone would hide: a bill still at ``passed_house`` whose
    situation moved on (the second house passed it, or a concurrence on the same day), or one
    that passed a house and moved on within one poll (the Senate passed it and it is back in
    the Assembly for concurrence, both on one day: the stage went from "floor" to "floor")."""
    said = {BOTH_HOUSES: "passed both houses", FIRST_HOUSE: "passed its first house"}.get(
        now, "passed its second house")
    changes.events.append(EventDraft(
        "stage_changed", f"{measure} {said}", before, "passed_house",
        event_key(bill_id, "stage_changed", run_tag, f"passed_house:{now}")))


def diff_bill(
    bundle: BillBundle, known: Known, matcher: Matcher, *, run_tag: str, source: str,
    as_of: date | None = None, places: Mapping[str, str] | None = None, rescore: bool = False,
) -> BillChanges:
    """What changed for one bill, as rows to write and events to tell.

    ``rescore``: the topics file changed since the stored relevance was decided, so decide it
    again even if no new text came (a bill added to the watch list is tracked at once).

    ``as_of`` is the import's date (hearing moves are looked for only among hearings to come);
    ``places`` maps this session's location codes to names, so a committee the bulk data calls
    'CS44' and the website 'Senate Health Committee' is one place, not a status change.
    """
    bill_id = bundle.bill_id
    session_year, session_num, mtype, mnum = parse_bill_id(bill_id)
    measure = measure_of(bill_id)
    old = known.bill
    is_new = old is None
    values: dict[str, Any] = {}
    changes = BillChanges(bill_id=bill_id, bill_values=values, is_new=is_new)

    if is_new:
        values.update(bill_id=bill_id, session_year=session_year, session_num=session_num,
                      measure_type=mtype, measure_num=mnum, measure=measure,
                      incomplete=bundle.bill is None, history_count=0, topics=[])
    elif bundle.bill is not None and old.get("incomplete"):
        values["incomplete"] = False

    # Bill-level fields (BILL_TBL row, status page or listing)
    before_status = {k: (old or {}).get(k) for k in STATUS_FIELDS}
    held_since = _naive((old or {}).get("trans_update"))
    row_since = _naive(bundle.bill.trans_update) if bundle.bill else None
    if held_since is not None and row_since is not None and row_since < held_since:
        pass  # a BILL_TBL row older than the one we hold (an old extract, a late delta): keep ours
    elif bundle.bill is not None:
        if row_since is not None and row_since != held_since:
            values["trans_update"] = row_since
        # A BILL_TBL row is the whole record: its NULL (a bill that left a committee has no
        # secondary location) clears what we had. Website rows leave out what they do not show.
        whole = source == "pubinfo"
        for name in BILL_FIELDS:
            new_value = getattr(bundle.bill, name)
            if (new_value is not None or (whole and not is_new)) and (old or {}).get(name) != new_value:
                values[name] = new_value
        stored_place = before_status["current_location"]
        now_house = str(values.get("current_house") or before_status["current_house"] or "").lower()
        if (not whole and "current_location" in values and looks_like_code(stored_place or "")
                and committee_house(stored_place).lower() in ("", now_house)  # CX08 'Health' ≠ Senate Health
                and place_key(stored_place, places) == place_key(values["current_location"], places)):
            del values["current_location"]  # the website's name for the bulk data's code: keep the code
        after_status = {k: values.get(k, before_status[k]) for k in STATUS_FIELDS}
        # an incomplete bill (first stored from history rows alone) had no status to change from:
        # filling it in is no news
        had_status = any(before_status[k] for k in STATUS_FIELDS)
        if (not is_new and had_status and _status_words(before_status, places) != _status_words(after_status, places)
                and bundle.bill.current_status is not None):
            changes.events.append(EventDraft(
                "status_changed",
                f"{measure} status changed: {_describe_status(before_status, places)} → {_describe_status(after_status, places)}",
                before_status, after_status, event_key(bill_id, "status_changed", run_tag, after_status)))

    # Versions and authors
    stored_latest = known.latest_version
    for v in bundle.versions:
        if v.bill_version_id not in known.version_ids:
            changes.new_versions.append(v)
        elif (v.bill_version_id in known.textless or corrected(v, known)) and (v.digest or v.full_text):
            # a print stored without its text (its file was missing or unreadable) now has it:
            # stored, and relevance decided again, but it is no amendment
            changes.filled_versions.append(v)
            if stored_latest is not None and stored_latest.bill_version_id == v.bill_version_id:
                stored_latest = v
    latest = _latest(changes.new_versions, stored_latest)
    if (bundle.bill is None and latest is not None and latest in changes.new_versions
            and latest.bill_version_id != (old or {}).get("latest_version_id")):
        # A delta with the new print but no BILL_TBL row: the bill's current print (whose
        # authors are shown) is that one, not the print the last BILL_TBL row named.
        values["latest_version_id"] = latest.bill_version_id
    new_title = (latest.subject if latest and latest.subject else None) or (
        bundle.bill.subject if bundle.bill and bundle.bill.subject else None) or (
        bundle.bill.title if bundle.bill and bundle.bill.title else None)
    old_title = (old or {}).get("title")
    if new_title and new_title != old_title:
        values["title"] = new_title
        values["subject"] = new_title
        if not is_new and old_title:
            changes.events.append(EventDraft(
                "title_changed", f"{measure} has a new title: {new_title}", old_title, new_title,
                event_key(bill_id, "title_changed", old_title, new_title)))
    amended: list[VersionRecord] = []
    if not is_new:
        amended = [v for v in changes.new_versions if _is_amendment(v, known)]
        for v in sorted(amended, key=lambda v: -v.version_num):
            changes.events.append(EventDraft(
                "new_version",
                f"{measure} was amended ({v.action or 'new version'}"
                + (f", {v.action_date.isoformat()}" if v.action_date else "") + ")",
                {"version_id": known.latest_version.bill_version_id if known.latest_version else None},
                {"version_id": v.bill_version_id, "action": v.action,
                 "date": v.action_date.isoformat() if v.action_date else None},
                event_key(bill_id, "new_version", v.bill_version_id)))
    for a in bundle.authors:
        akey = (a.bill_version_id, a.name, a.contribution, a.house)
        if akey not in known.author_keys:
            known.author_keys.add(akey)
            changes.new_authors.append({"bill_id": bill_id, "bill_version_id": a.bill_version_id,
                                        "name": a.name, "house": a.house,
                                        "author_type": a.author_type,
                                        "contribution": a.contribution, "primary": a.primary})

    # Actions
    ordered, descending = ordered_actions(bundle.actions)
    known_fps = {a.fingerprint for a in known.actions}
    all_actions = [(a.sort_key, a.action_date, a.action) for a in known.actions]
    # The bulk data's own row id: a row re-sent under it with other text or date is the
    # legislature correcting that action, not a new one (no second alert, no duplicate line).
    by_history_id = {k.history_id: k for k in known.actions if k.history_id}
    new_action_records = []
    base_pos = len(known.actions)
    newest_known = max((k.sort_key for k in known.actions), default=None)
    for a, (fp, sort_key) in zip(ordered, action_keys(bill_id, ordered, descending)):
        if fp in known_fps:
            if a.history_id and by_history_id.get(a.history_id, _NO_ACTION).fingerprint != fp:
                _adopt_history_id(changes, all_actions, by_history_id, known.actions, fp, a.history_id)
            continue
        known_fps.add(fp)
        stage = classify_action(a.action)
        was = by_history_id.get(a.history_id) if a.history_id else None
        if was is not None:
            if (a.action_date, a.action) != (was.action_date, was.action):
                _correct(changes, all_actions, was, fp, a, stage)
                new_action_records.append((a, stage))  # a corrected "Set for hearing April 23."
            continue
        if newest_known is not None and sort_key <= newest_known and a.sequence is None:
            sort_key = action_sort_key(a.action_date, 999999, f"{base_pos:06d}")
            base_pos += 1
        changes.new_actions.append({
            "bill_id": bill_id, "fingerprint": fp, "history_id": a.history_id,
            "action_date": a.action_date, "action": a.action, "sequence": a.sequence,
            "sort_key": sort_key, "action_code": a.action_code, "action_status": a.action_status,
            "primary_location": a.primary_location, "secondary_location": a.secondary_location,
            "ternary_location": a.ternary_location, "end_status": a.end_status, "stage": stage,
            "source": source,
        })
        all_actions.append((sort_key, a.action_date, a.action))
        new_action_records.append((a, stage))
        if not is_new:
            changes.events.append(EventDraft(
                "new_action", f"{measure}: {a.action}", None,
                {"date": a.action_date.isoformat(), "action": a.action, "stage": stage},
                event_key(bill_id, "new_action", fp)))
    if not all_actions and bundle.bill is not None:
        # No history at all (the 1989 archive has none): the bill row's own coarse status is
        # all there is, and "Chaptered" is worth more than "status not known".
        coarse = COARSE_STAGE.get((bundle.bill.current_status or bundle.bill.measure_state or "").strip().lower())
        if coarse and coarse != (old or {}).get("stage"):
            values["stage"] = coarse
    if changes.new_actions or changes.corrected_actions or changes.deleted_actions:
        all_actions.sort(key=lambda t: t[0])
        last = all_actions[-1]
        values["last_action"] = last[2]
        values["last_action_date"] = last[1]
        values["history_count"] = len(all_actions)
        stage = current_stage([(d, text) for _, d, text in all_actions])
        old_stage = (old or {}).get("stage")
        # a stage taken from the bill row alone (no history yet) is no stage to move from
        told = not is_new and old_stage is not None and bool(known.actions)
        moved_from = old_stage
        passage = _new_passage(known, all_actions, measure) if told and changes.new_actions else None
        if passage is not None and (stage == old_stage == "passed_house" or stage != "passed_house"):
            # the passage is its own event; a later move this poll is told from "passed a house"
            _passage_event(changes, old_stage or "", measure, bill_id, run_tag, passage)
            moved_from = "passed_house"
        if stage != old_stage:
            values["stage"] = stage
        if told and stage != moved_from:
            changes.events.append(EventDraft(
                "stage_changed",
                f"{measure} moved from {STAGE_WORDS.get(moved_from or '', moved_from)} to "
                f"{STAGE_WORDS.get(stage or '', stage)}",
                moved_from, stage, event_key(bill_id, "stage_changed", run_tag, stage)))

    # Hearings: explicit records plus those named in new action text
    diff_hearings(bundle, known, changes, new_action_records, measure, is_new, source, as_of)

    # Votes
    identified = {vote_id for _key, vote_id in known.roll_calls.values()}  # stored with the bulk data's identity
    for v, vk in vote_keys(bundle.votes):
        ident = roll_call_of(v)
        stored = known.roll_calls.get(ident) if ident else None
        if v.ayes is None and v.noes is None and v.members:
            # member rows whose summary came in an earlier extract
            if stored is not None:
                _add_members(v, stored[1], known, stored[0], changes)
            continue
        if stored is not None:
            old_key, vote_id = stored
            if known.vote_tallies.get(vote_id) == (v.ayes, v.noes):
                # this very roll call, unchanged (its occurrence key may differ: another roll call
                # with its tally that day came in since; the stored row keeps its key)
                _merge_members(v, known.bare_votes.pop(old_key, None), changes)
                continue
            # The same roll call re-sent with another tally: members add their votes after the
            # roll call, so the count grows; the stored roll call is updated, no second alert.
            # Its key follows the tally (so the website's count finds it) unless another holds it.
            key = vk if vk not in known.vote_keys else old_key
            changes.corrected_votes.append((vote_id, {"fingerprint": key, "ayes": v.ayes, "noes": v.noes,
                                                      "abstain": v.abstain, "result": v.result}))
            known.vote_tallies[vote_id] = (v.ayes, v.noes)
            known.vote_keys.discard(old_key)
            known.vote_keys.add(key)
            known.roll_calls[ident] = (key, vote_id)  # type: ignore[index]
            bare = known.bare_votes.pop(old_key, None)
            if bare is not None:
                known.bare_votes[key] = bare
            _add_members(v, vote_id, known, key, changes)
            continue
        if ident and vk in known.vote_keys and known.vote_ids.get(vk) in identified:
            # another of the bulk data's roll calls holds this tally's key that day: this one is
            # a roll call of its own (a later seq or motion), or the website's row of it under
            # a later key (the website saw both roll calls of that tally)
            vk = free_vote_key(v, known.vote_keys, lambda k: known.vote_ids.get(k) not in identified)
        if vk in known.vote_keys:
            vote_id = known.vote_ids.get(vk)
            if ident and vote_id is not None:
                # the website saw this roll call first: it takes the bulk data's identity, so a
                # later grown tally finds it
                changes.corrected_votes.append((vote_id, {"location_code": v.location_code,
                                                          "vote_seq": v.vote_seq, "motion_id": v.motion_id}))
                known.roll_calls[ident] = (vk, vote_id)
                identified.add(vote_id)
            _merge_members(v, known.bare_votes.pop(vk, None), changes)
            continue
        known.vote_keys.add(vk)
        row = {"bill_id": bill_id, "fingerprint": vk, "location_code": v.location_code,
               "location_name": v.location_name, "vote_datetime": v.vote_datetime,
               "vote_date": v.vote_date, "vote_seq": v.vote_seq, "motion_id": v.motion_id,
               "motion_text": v.motion_text, "ayes": v.ayes, "noes": v.noes,
               "abstain": v.abstain, "result": v.result, "source": source}
        members = [{"legislator_name": m.name, "vote_code": m.code} for m in v.members]
        changes.new_votes.append((row, members))
        # A roll call older than the history we already had is the record being filled in
        # (an archive, a partial extract first): stored, not announced as news.
        # A committee's roll call carries the hearing day and its "Do pass" action is dated days
        # later, and the votes page lags the history: only a roll call well before the history we
        # had is fill-in.
        known_until = (old or {}).get("last_action_date")
        if not is_new and (v.vote_date is None or known_until is None
                           or v.vote_date >= known_until - VOTE_FILL_IN):
            changes.events.append(EventDraft(
                "vote_recorded",
                f"{measure} vote{' in ' + (v.location_name or v.location_code) if (v.location_name or v.location_code) else ''}: "
                f"{(v.result or '').lower() or 'recorded'} ({v.ayes or 0} yes, {v.noes or 0} no)",
                None, {"location": v.location_code, "date": v.vote_date.isoformat() if v.vote_date else None,
                       "result": v.result, "ayes": v.ayes, "noes": v.noes, "motion": v.motion_text},
                event_key(bill_id, "vote_recorded", vk)))

    if bundle.veto is not None and (known.veto is None or (
            bundle.veto.message and (bundle.veto.veto_date, bundle.veto.message) != known.veto)):
        changes.veto = {"bill_id": bill_id, "veto_date": bundle.veto.veto_date,
                        "message": bundle.veto.message}

    # Relevance: whenever the text or title may have changed, or the topics file did (rescore)
    if is_new or changes.new_versions or changes.filled_versions or "title" in values or rescore:
        title = values.get("title", old_title)
        rel = relevance_values(matcher, measure, title, latest)
        if is_new:
            values.update(rel)
        else:
            # text we lacked (older prints, or a print's missing text file) is not an amendment
            backfill = not amended and bool(
                (known.latest_version is None and changes.new_versions) or changes.filled_versions)
            cause: Cause = ("amendment" if amended else "backfill" if backfill
                            else "topics_changed" if rescore else "amendment")
            event = relevance_event(bill_id, measure, old, rel, cause=cause, run_tag=run_tag,
                                    tag=matcher.fingerprint if rescore else "")
            if event is not None:
                changes.events.append(event)
            values.update(changed_columns(old, rel))

    if is_new:
        changes.events.insert(0, EventDraft(
            "new_bill", f"New bill: {measure}" + (f" — {values.get('title')}" if values.get("title") else ""),
            None, {"measure": measure, "title": values.get("title"), "relevant": values.get("relevant"),
                   "topics": values.get("topics", []), "status": values.get("current_status"),
                   "stage": values.get("stage")},
            event_key(bill_id, "new_bill")))
    return changes


_NO_ACTION = KnownAction("", date.min, "", "")


def _adopt_history_id(changes: BillChanges, all_actions: list[tuple[str, date, str]],
                      by_history_id: dict[str, KnownAction], stored: list[KnownAction], fp: str,
                      history_id: str) -> None:
    """A bulk row matches a stored action the website saw first: the stored row takes the bulk
    id, so a later correction under that id finds it. If another stored row held that id (the
    bulk's first text, since corrected as the website already showed), that stale line goes."""
    was = by_history_id.get(history_id)
    if was is not None:
        changes.deleted_actions.append(was.fingerprint)
        all_actions[:] = [t for t in all_actions if (t[0], t[1], t[2]) != (was.sort_key, was.action_date, was.action)]
    elif any(k.fingerprint == fp and k.history_id for k in stored):
        return  # it has an id of its own: two bulk rows with one text
    changes.history_ids.append((fp, history_id))
    match = next((k for k in stored if k.fingerprint == fp), None)
    if match is not None:
        by_history_id[history_id] = match._replace(history_id=history_id)


def _correct(changes: BillChanges, all_actions: list[tuple[str, date, str]], was: KnownAction, fp: str,
             a: ActionRecord, stage: str | None) -> None:
    """Replace a stored action by the legislature's corrected row (same history id)."""
    sort_key = action_sort_key(a.action_date, a.sequence, was.sort_key.rsplit("|", 1)[-1])
    changes.corrected_actions.append((was.fingerprint, {
        "fingerprint": fp, "action_date": a.action_date, "action": a.action, "sequence": a.sequence,
        "sort_key": sort_key, "action_code": a.action_code, "action_status": a.action_status,
        "primary_location": a.primary_location, "secondary_location": a.secondary_location,
        "ternary_location": a.ternary_location, "end_status": a.end_status, "stage": stage}))
    all_actions[:] = [t for t in all_actions if (t[0], t[1], t[2]) != (was.sort_key, was.action_date, was.action)]
    all_actions.append((sort_key, a.action_date, a.action))
