"""Relevance recall and precision on the real hand-labelled bills (tests/files/labelled).

Two sets: the project's shared labelled bills, and a second, larger set of real bills gathered
for this purpose (field-bills.jsonl, hard cases on both sides); see SOURCE.md for both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.relevance import Matcher, MatchInput

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["bills.jsonl", "field-bills.jsonl"])
def test_recall_at_least_95_and_precision_at_least_90_percent(name: str) -> None:
    m = Matcher.from_path(ROOT / "config" / "topics.toml")
    rows = [json.loads(x) for x in (ROOT / "tests/files/labelled" / name).read_text(encoding="utf-8").splitlines() if x.strip()]
    tp = fp = fn = 0
    for r in rows:
        got = m.match(MatchInput(title=r["title"], digest=r.get("summary"))).relevant
        tp += got and r["relevant"]
        fp += got and not r["relevant"]
        fn += (not got) and r["relevant"]
    assert tp / (tp + fn) >= 0.95
    assert tp / (tp + fp) >= 0.90
