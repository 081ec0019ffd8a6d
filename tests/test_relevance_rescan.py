"""Editing the topics file reaches the bills already stored.

Staff add watched bills and topic terms to ``config/topics.toml``; relevance used to be decided
only when a bill was new or amended, so ``tracker explain`` said RELEVANT while ``tracker bills
--relevant`` never listed the bill. The next ingest (or ``tracker topics apply``) now scores every
stored bill of the session again when the topics differ from those its relevance was computed
with, and only then. All on the real mini extract.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.clirun import jsonl, tracker
from tracker.alerts import subscriptions as subs
from tracker.db.base import transaction
from tracker.db.models_alerts import OutboxMessage
from tracker.db.models_core import Bill, ChangeEvent
from tracker.ingest.service import IngestResult, ingest_snapshot
from tracker.items import ActionRecord, Snapshot
from tracker.pubinfo.reader import read_snapshot
from tracker.relevance import Matcher, load_matcher
from tracker.relevance.taxonomy import parse_taxonomy
from tracker.settings import PROJECT_ROOT, get_settings

SHIPPED = PROJECT_ROOT / "config" / "topics.toml"
AB831, AB1656, SB275 = "202520260AB831", "202520260AB1656", "202520260SB275"
# A term staff might add: it is in AB 1656's digest ("good cause" for a continuance), not its title.
COURT_TOPIC = """
[[topic]]
id = "court_delays"
label = "Court delays"
label_es = "Retrasos judiciales"
fields = ["title", "subject", "digest", "text"]
terms = [{ term = "good cause", weight = 5 }]
"""


def topics_file(tmp_path: Path, name: str, watch: Sequence[str] = (), extra: str = "") -> Path:
    """The shipped topics file as staff would edit it: watched bills and extra topics."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert "\nbills = []\n" in text
    text = text.replace("\nbills = []\n", "\nbills = [" + ", ".join(f'"{b}"' for b in watch) + "]\n") + extra
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def watching(tmp_path: Path, *bills: str) -> Matcher:
    return load_matcher(topics_file(tmp_path, "watch-" + "-".join(b.replace(" ", "") for b in bills), list(bills)))


def import_mini(factory: sessionmaker[Session], files: Path, matcher: Matcher) -> IngestResult:
    return ingest_snapshot(factory, read_snapshot(files / "pubinfo/mini"), matcher=matcher)


def events(factory: sessionmaker[Session], kind: str) -> list[ChangeEvent]:
    with factory() as s:
        return list(s.execute(select(ChangeEvent).where(ChangeEvent.kind == kind).order_by(ChangeEvent.id)).scalars())


def bill(factory: sessionmaker[Session], bill_id: str) -> Bill:
    with factory() as s:
        row = s.get(Bill, bill_id)
        assert row is not None
        s.expunge(row)
        return row


def test_a_watched_bill_is_stored_as_watched_and_relevant_on_first_import(factory, files, tmp_path) -> None:
    import_mini(factory, files, watching(tmp_path, "AB 831"))
    ab831 = bill(factory, AB831)
    assert (ab831.relevant, ab831.watched) == (True, True)
    assert bill(factory, SB275).watched is False


def test_adding_a_watched_bill_makes_the_next_import_of_the_same_extract_track_it(factory, files, tmp_path) -> None:
    import_mini(factory, files, load_matcher(SHIPPED))
    assert bill(factory, AB831).relevant is False
    result = import_mini(factory, files, watching(tmp_path, "AB 831"))
    ab831 = bill(factory, AB831)
    assert (ab831.relevant, ab831.watched) == (True, True)
    [event] = events(factory, "became_relevant")
    assert event.bill_id == AB831
    assert event.after["reason"] == "topics_changed" and event.after["watched"] is True
    assert "amendment" not in event.summary
    assert result.event_kinds == {"became_relevant": 1}


def test_the_same_topics_again_rescore_nothing_and_tell_nothing(factory, files, tmp_path) -> None:
    import_mini(factory, files, load_matcher(SHIPPED))
    import_mini(factory, files, watching(tmp_path, "AB 831"))
    again = import_mini(factory, files, watching(tmp_path, "AB 831"))
    assert (again.bills_changed, again.bills_rescored, again.events) == (0, 0, 0)


def test_a_poll_without_the_bill_still_rescores_every_stored_bill_of_the_session(factory, files, tmp_path) -> None:
    import_mini(factory, files, load_matcher(SHIPPED))
    poll = Snapshot(source="web")  # the website poll saw news of another bill only
    poll.bundle(SB275).actions.append(ActionRecord(bill_id=SB275, action_date=date(2026, 1, 5),
                                                        action="Chaptered by Secretary of State."))
    result = ingest_snapshot(factory, poll, matcher=watching(tmp_path, "AB 831"))
    assert bill(factory, AB831).relevant is True
    assert result.bills_rescored == 1
    assert [e.bill_id for e in events(factory, "became_relevant")] == [AB831]


def test_a_bill_taken_off_the_watch_list_is_no_longer_relevant(factory, files, tmp_path) -> None:
    import_mini(factory, files, watching(tmp_path, "AB 831"))
    import_mini(factory, files, load_matcher(SHIPPED))
    ab831 = bill(factory, AB831)
    assert (ab831.relevant, ab831.watched) == (False, False)
    [event] = events(factory, "no_longer_relevant")
    assert event.bill_id == AB831 and event.after["reason"] == "topics_changed"


def test_a_new_topic_term_is_found_in_the_stored_text_of_bills(factory, files, tmp_path) -> None:
    import_mini(factory, files, load_matcher(SHIPPED))
    import_mini(factory, files, load_matcher(topics_file(tmp_path, "court", extra=COURT_TOPIC)))
    ab1656 = bill(factory, AB1656)
    assert ab1656.relevant is True and ab1656.topics == ["court_delays"]
    assert ab1656.watched is False
    assert AB1656 in {e.bill_id for e in events(factory, "became_relevant")}


def test_a_label_edit_is_not_a_topics_change() -> None:
    """Only what decides relevance counts: fixing a label must not re-score a session."""
    text = SHIPPED.read_text(encoding="utf-8")
    relabelled = text.replace('label_es = "Servicios de salud mental"', 'label_es = "Salud mental"')
    assert relabelled != text
    before, after = parse_taxonomy(text)[0], parse_taxonomy(relabelled)[0]
    assert before is not None and after is not None
    assert Matcher(before).fingerprint == Matcher(after).fingerprint


def test_members_following_every_bill_are_alerted_when_a_watched_bill_is_added(
        factory, files, tmp_path, db_url, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    import_mini(factory, files, load_matcher(SHIPPED))
    with transaction(factory) as s:
        subs.subscribe(s, "all@example.org", all_bills=True, confirmed=True)
    import_mini(factory, files, watching(tmp_path, "AB 831"))
    [event] = events(factory, "became_relevant")
    with factory() as s:
        alerts = list(s.execute(select(OutboxMessage).where(OutboxMessage.kind == "alert")).scalars())
    assert [(a.bill_id, a.event_ids) for a in alerts] == [(AB831, [event.id])]


def test_topics_apply_rescans_at_once_and_says_how_many_bills_moved(db_url, files, tmp_path) -> None:
    env = {"TRACKER_DATABASE_URL": db_url}
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo/mini"), env=env)
    env["TRACKER_TOPICS_PATH"] = str(topics_file(tmp_path, "watch", ["AB 831"]))
    out = tracker("topics", "apply", env=env).stdout.splitlines()
    assert "1 bill became relevant" in out and "0 bills stopped being relevant" in out
    assert "AB 831" in tracker("bills", "--relevant", env=env).stdout
    exported = {b["measure"]: b for b in jsonl(tracker("export", "bills", "--format", "jsonl", env=env).stdout)}
    assert exported["AB 831"]["watched"] is True
    again = tracker("topics", "apply", env=env).stdout.splitlines()
    assert "0 bills became relevant" in again and "0 bills stopped being relevant" in again

