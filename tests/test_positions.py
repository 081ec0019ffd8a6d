"""Positions: set/get with history, validation, and the TOML/CSV files staff keep (round trip)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import tracker
from tests.test_docs_common import MINI, ingest
from tracker.advocacy.positions import get_position, position_history, set_position
from tracker.advocacy.positions_io import export_positions, import_positions
from tracker.db.base import transaction
from tracker.errors import TrackerError

AB831 = "202520260AB831"
AB1656 = "202520260AB1656"


def test_set_get_and_history(db_url: str) -> None:
    factory = ingest(db_url)
    with transaction(factory) as s:
        set_position(s, AB831, position="watch", changed_by="ana")
    with transaction(factory) as s:
        set_position(s, AB831, position="support", ask="Vote yes on AB 831.",
                     talking_points=["One.", "Two."], supporters=["NAMI California"], changed_by="ben")
        set_position(s, AB831, position="support", ask="Vote yes on AB 831.")  # no change: no history
    with factory() as s:
        p = get_position(s, AB831)
        hist = position_history(s, AB831)
        assert get_position(s, AB1656) is None
    assert p is not None and p["position"] == "support" and p["measure"] == "AB 831"
    assert p["talking_points"] == ["One.", "Two."] and p["supporters"] == ["NAMI California"]
    assert [(h["previous_position"], h["position"], h["changed_by"]) for h in hist] == [
        (None, "watch", "ana"), ("watch", "support", "ben")]
    assert set(hist[1]["changed_fields"]) == {"position", "ask", "talking_points", "supporters"}


def test_none_keeps_fields_and_validation(db_url: str) -> None:
    factory = ingest(db_url)
    with transaction(factory) as s:
        set_position(s, AB831, position="oppose", summary="Keeps it.", talking_points=["A"])
        set_position(s, AB831, position="Oppose unless amended")
        p = get_position(s, AB831)
        assert p and p["position"] == "oppose_unless_amended" and p["summary"] == "Keeps it."
        with pytest.raises(TrackerError, match="at most 5"):
            set_position(s, AB831, position="support", talking_points=[str(i) for i in range(6)])
        with pytest.raises(TrackerError, match="unknown position"):
            set_position(s, AB831, position="love it")
        with pytest.raises(TrackerError, match="unknown bill"):
            set_position(s, "202520260AB99999", position="support")


@pytest.mark.parametrize("suffix", [".toml", ".csv"])
def test_export_import_round_trip(db_url: str, tmp_path: Path, suffix: str) -> None:
    factory = ingest(db_url)
    tricky = 'Says "no", then\nyes; with a back\\slash and ñ.'
    with transaction(factory) as s:
        set_position(s, AB831, position="support_if_amended", ask="Add peer funding.",
                     summary=tricky, why="Matters.", talking_points=["P1", "P2, with comma"],
                     supporters=["Org A", "Org B"], opponents=["Org C"], contact="Maria",
                     story_prompt="Tell us.")
        set_position(s, AB1656, position="watch")
    first = tmp_path / f"positions{suffix}"
    with factory() as s:
        before = [get_position(s, b) for b in (AB831, AB1656)]
        assert export_positions(s, first) == 2
    # wipe and re-import into a second database: same records come back
    other = ingest(db_url.replace("tracker.db", "other.db")) if db_url.startswith("sqlite") else None
    target = other or factory
    if other is None:
        with transaction(factory) as s:
            set_position(s, AB831, position="neutral", summary="", talking_points=[], supporters=[],
                         opponents=[], ask="", why="", contact="", story_prompt="")
    with transaction(target) as s:
        assert import_positions(s, first, "20252026") == 2
    with target() as s:
        after = [get_position(s, b) for b in (AB831, AB1656)]
        second = tmp_path / f"again{suffix}"
        export_positions(s, second)
    keys = ("position", "ask", "summary", "why", "talking_points", "supporters", "opponents",
            "contact", "story_prompt")
    assert [{k: p[k] for k in keys} for p in after] == [{k: p[k] for k in keys} for p in before]
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8").replace(
        first.name, second.name)


def test_import_unknown_bill_is_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    factory = ingest(db_url)
    f = tmp_path / "p.toml"
    f.write_text('[[bill]]\nbill = "AB 831"\nposition = "support"\n\n'
                 '[[bill]]\nbill = "AB 99999"\nposition = "oppose"\n', encoding="utf-8")
    with pytest.raises(TrackerError, match=r"entry 2 \(AB 99999\).*AB 99999"):
        with transaction(factory) as s:
            import_positions(s, f, "20252026")
    with factory() as s:
        assert get_position(s, AB831) is None


def test_positions_cli(db_url: str, tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": db_url}
    tracker("init", env=env)
    tracker("import-pubinfo", str(MINI), env=env)
    out = tracker("positions", "set", "AB 831", "--position", "support", "--ask", "Vote yes.",
                  "--point", "First.", "--point", "Second.", "--supporter", "NAMI", env=env).stdout
    assert "AB 831: position support" in out
    tracker("positions", "set", "AB-831", "--position", "oppose", "--by", "maria", env=env)
    shown = tracker("positions", "show", "ab831", "--history", env=env).stdout
    assert "AB 831: oppose" in shown and "1. First." in shown and "support -> oppose" in shown
    path = tmp_path / "pos.csv"
    tracker("positions", "export", str(path), env=env)
    assert "AB 831,20252026,oppose,Vote yes." in path.read_text(encoding="utf-8")
    tracker("positions", "import", str(path), env=env)
    bad = tracker("positions", "set", "AB 99999", "--position", "support", env=env, check=False)
    assert bad.returncode != 0 and "AB 99999" in bad.stderr and bad.stderr.count("\n") == 1
    undecided = tracker("positions", "show", "AB 1656", env=env).stdout
    assert "not yet decided" in undecided
