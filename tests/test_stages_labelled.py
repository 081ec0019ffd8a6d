"""Stage accuracy on the real labelled actions and histories (tests/files/labelled)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tracker.stages import STAGES, classify_action, current_stage

LABELLED = Path(__file__).parent / "files" / "labelled"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (LABELLED / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labels_in_the_fixture_are_from_the_vocabulary() -> None:
    assert {r["stage"] for r in _rows("actions.jsonl")} <= set(STAGES)


def test_action_stage_accuracy_is_at_least_97_percent() -> None:
    rows = _rows("actions.jsonl")
    wrong = [(r["action"], r["stage"], classify_action(r["action"])) for r in rows
             if classify_action(r["action"]) != r["stage"]]
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.97, wrong


def test_history_final_stage_accuracy_is_at_least_97_percent() -> None:
    rows = _rows("histories.jsonl")
    wrong = []
    for r in rows:
        got = current_stage([(date.fromisoformat(a["date"]), a["action"]) for a in r["actions"]])
        if got != r["final_stage"]:
            wrong.append((r["bill"], r["final_stage"], got))
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.97, wrong
