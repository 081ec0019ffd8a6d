"""What packets and the matrix say about bills: current authors, where a bill is, which session.

Real sample data: the 2025-26 bills in tests/files/pubinfo/mini (AB 831 was introduced by
Ramos; every later print names Valencia as its author) and the 1999-2000 archive.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_docs_common import ARCHIVE_1999, AS_OF, FILES, MINI, ingest
from tracker.advocacy.matrix import matrix_rows
from tracker.advocacy.packet import build_packet
from tracker.advocacy.positions import set_position
from tracker.advocacy.progress import bill_progress
from tracker.db.base import transaction
from tracker.rendering import environment
from tracker.settings import get_settings
from tracker.stages import classify_action, current_stage


def _authored_table(html: str) -> str:
    return html.split("Our bills this legislator authored or co-authored</h3>", 1)[1].split("<h3>", 1)[0]


def test_packet_credits_authorship_from_the_current_version_only(tmp_path: Path) -> None:
    factory = ingest(f"sqlite:///{tmp_path / 't.db'}")
    with transaction(factory) as s:
        set_position(s, "202520260AB831", position="oppose")
    with factory() as s:
        ramos = build_packet(s, ["SB 275"], settings=get_settings(), as_of=AS_OF, legislator="Ramos",
                             fmt="html").content.decode()
        valencia = build_packet(s, ["SB 275"], settings=get_settings(), as_of=AS_OF, legislator="Valencia",
                                fmt="html").content.decode()
    assert "AB 831" not in _authored_table(ramos)  # only on the introduced version
    assert "None of our bills, as far as our data shows." in _authored_table(ramos)
    assert '<th scope="row">AB 831</th><td>Gambling: operation of a contest or sweepstakes.</td><td>Author</td>' \
        in _authored_table(valencia)


def test_matrix_lists_only_the_configured_session(tmp_path: Path, monkeypatch) -> None:
    factory = ingest(f"sqlite:///{tmp_path / 't.db'}", MINI, ARCHIVE_1999)
    with transaction(factory) as s:
        set_position(s, "202520260SB275", position="watch")
        set_position(s, "199920000AB1", position="support")
    with factory() as s:
        current = matrix_rows(s, as_of=AS_OF, settings=get_settings())
    assert [r["bill_id"] for r in current] == ["202520260SB275"]
    monkeypatch.setenv("TRACKER_SESSION_YEAR", "19992000")
    get_settings.cache_clear()
    with factory() as s:
        archive = matrix_rows(s, as_of=AS_OF, settings=get_settings())
    assert [r["bill_id"] for r in archive] == ["199920000AB1"]


def test_legislator_cover_leaves_out_other_sessions_unless_on_the_agenda(tmp_path: Path) -> None:
    factory = ingest(f"sqlite:///{tmp_path / 't.db'}", MINI, ARCHIVE_1999)
    with transaction(factory) as s:
        set_position(s, "199920000AB1", position="support")  # a 1999 bill Alpert voted on
    with factory() as s:
        today = build_packet(s, ["SB 275"], settings=get_settings(), as_of=AS_OF, legislator="Alpert",
                             fmt="html").content.decode()
        archive = build_packet(s, ["AB 1"], settings=get_settings(), as_of=AS_OF, legislator="Alpert",
                               fmt="html").content.decode()
    assert "No recorded votes on our bills in our data." in today
    assert '<tr><th scope="row">AB 1</th>' not in today
    # the agenda names it: its votes are shown, marked with the session they are from
    assert '<tr><th scope="row">AB 1 <span class="session">(1999–2000 session)</span></th>' in archive


def _history(bill: str) -> list[dict[str, str]]:
    for line in (FILES / "labelled" / "histories.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["bill"] == bill:
            return record["actions"]
    raise AssertionError(f"{bill} not in histories.jsonl")


def _stage_note(progress) -> str:
    template = environment("en").from_string(
        '{% from "docs/_labels.html" import stage_note %}{{ stage_note(p) }}')
    return template.render(p=progress).strip()


def test_bill_back_in_its_first_house_for_concurrence_is_on_that_floor() -> None:
    """AB 1387 (2025): passed the Senate with amendments, then 'In Assembly. Concurrence in
    Senate amendments pending.' BILL_TBL then says the bill is in the Assembly."""
    actions = _history("AB 1387")
    upto = next(i for i, a in enumerate(actions) if a["action"].startswith("In Assembly. Concurrence"))
    history = [(None, a["action"]) for a in actions[: upto + 1]]
    stage = current_stage(history)
    progress = bill_progress(stage, "AB", "Assembly", [classify_action(text) for _, text in history])
    assert stage == "floor"
    assert (progress.step, progress.house, progress.returned) == (2, "Assembly", True)
    assert _stage_note(progress) == "Back in the Assembly for a vote on the Senate's changes."


def test_current_house_decides_where_the_bill_is() -> None:
    concurrence = bill_progress("floor", "AB", "ASSEMBLY", ["passed_house"])
    assert (concurrence.step, concurrence.house) == (2, "Assembly")
    in_senate = bill_progress("floor", "AB", "Senate", ["passed_house", "floor"])
    assert (in_senate.step, in_senate.house) == (3, "Senate")
    assert _stage_note(in_senate) == "Waiting for a vote of the whole Senate."
    held = bill_progress("held_in_committee", "AB", "Senate", ["passed_house", "in_committee", "held_in_committee"])
    assert (held.step, held.state) == (3, "stopped")
