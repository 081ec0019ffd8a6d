"""Stage accuracy on the real labelled actions and histories (tests/files/labelled).

Two sets each: the project's shared labelled rows, and a second set of real actions and
histories gathered for this purpose (field-*.jsonl: rare and older wordings); see SOURCE.md."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.stages import STAGES, classify_action, current_stage

LABELLED = Path(__file__).parent / "files" / "labelled"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (LABELLED / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["actions.jsonl", "field-actions.jsonl", "round12-actions.jsonl"])
def test_labels_in_the_fixture_are_from_the_vocabulary(name: str) -> None:
    assert {r["stage"] for r in _rows(name)} <= set(STAGES)


@pytest.mark.parametrize("name", ["actions.jsonl", "field-actions.jsonl", "round12-actions.jsonl"])
def test_action_stage_accuracy_is_at_least_97_percent(name: str) -> None:
    rows = _rows(name)
    wrong = [(r["action"], r["stage"], classify_action(r["action"])) for r in rows
             if classify_action(r["action"]) != r["stage"]]
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.97, wrong


@pytest.mark.parametrize("name", ["histories.jsonl", "field-histories.jsonl", "round12-histories.jsonl"])
def test_history_final_stage_accuracy_is_at_least_97_percent(name: str) -> None:
    rows = _rows(name)
    wrong = []
    for r in rows:  # an action the source gave no date keeps its place in source order
        got = current_stage([(date.fromisoformat(a["date"]) if a.get("date") else None, a["action"])
                             for a in r["actions"]])
        if got != r["final_stage"]:
            wrong.append((r["bill"], r["final_stage"], got))
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.97, wrong
