"""Staff text that does not fit a sheet, and the positions commands, run as staff run them.

A sheet that shortens staff-written text says where the full text is (the position record,
not the bill text at leginfo), and ``tracker sheet`` / ``tracker packet`` warn in one line
naming the bill. ``tracker positions list`` and ``history`` print times in California time.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.clirun import tracker
from tests.test_docs_common import MINI
from tracker.db import make_engine, session_factory
from tracker.db.models_advocacy import PositionHistory

WORDS = "People with lived experience of psychiatric disability deserve a say in their care. "
STAFF_NOTE = "Some of our own text was shortened to fit one page; the full text is in our position record on AB 1656."


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    tracker("init", env=e)
    tracker("import-pubinfo", str(MINI), env=e)
    return e


def test_shortened_staff_text_points_to_the_position_record_and_warns(env, tmp_path) -> None:
    tracker("positions", "set", "AB 1656", "--position", "support", "--summary", WORDS * 12,
            "--story-prompt", WORDS * 4, env=env)
    out = tmp_path / "ab1656.html"
    proc = tracker("sheet", "AB 1656", "--out", str(out), "--as-of", "2026-11-23", env=env)
    html = out.read_text(encoding="utf-8")
    assert '<p class="summary">' + WORDS.strip()[:40] in html and "…</p>" in html
    assert STAFF_NOTE in html
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ['warning: AB 1656: staff text shortened to fit one page (summary, story prompt); '
                        'the full text is in the position record: tracker positions show "AB 1656"']


def test_staff_text_that_fits_gets_no_note_and_no_warning(env, tmp_path) -> None:
    tracker("positions", "set", "AB 1656", "--position", "support", "--summary", WORDS, env=env)
    out = tmp_path / "p.pdf"
    proc = tracker("packet", "--bills", "AB 1656,SB 275", "--out", str(out), "--as-of", "2026-11-23", env=env)
    assert "warning" not in proc.stderr
    html = tmp_path / "p.html"
    tracker("packet", "--bills", "AB 1656", "--out", str(html), "--as-of", "2026-11-23", env=env)
    assert "position record" not in html.read_text(encoding="utf-8")


def _changes(env: dict[str, str]) -> list[datetime]:
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    with session_factory(engine)() as s:
        times = [h.changed_at for h in s.query(PositionHistory).order_by(PositionHistory.id)]
    engine.dispose()
    return times


def _california(when: datetime) -> str:
    return f"{when.astimezone(ZoneInfo('America/Los_Angeles')):%Y-%m-%d %H:%M %Z}"


def test_positions_list_and_history_in_california_time(env) -> None:
    tracker("positions", "set", "AB 831", "--position", "watch", "--by", "ana", env=env)
    tracker("positions", "set", "AB 831", "--position", "support", "--ask", "Vote yes.", "--by", "ben", env=env)
    tracker("positions", "set", "SB 275", "--position", "oppose", env=env)
    first, second, third = _changes(env)
    listed = tracker("positions", "list", env=env).stdout.splitlines()
    assert listed == [f"AB 831  support                changed {_california(second)} by ben",
                      f"SB 275  oppose                 changed {_california(third)} by cli"]
    history = tracker("positions", "history", "AB 831", env=env).stdout.splitlines()
    assert history == ["AB 831: 2 change(s)",
                       f"  {_california(first)}  - -> watch  (position) by ana",
                       f"  {_california(second)}  watch -> support  (position, ask) by ben"]
    shown = tracker("positions", "show", "AB 831", env=env).stdout
    assert f"Last changed {_california(second)} by ben" in shown and "UTC" not in shown
    assert "AB 1656: no changes recorded" in tracker("positions", "history", "AB 1656", env=env).stdout
